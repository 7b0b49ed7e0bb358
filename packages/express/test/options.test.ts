import { inspect } from 'node:util';
import { OTPEngine } from '@tingting-auth/core';
import { describe, expect, it } from 'vitest';
import {
  createTingTingAuth,
  isTingTingHTTPError,
  type TingTingExpressOptions,
  TingTingHTTPError,
} from '../src/index.js';

const engine = new OTPEngine({
  sender: async () => undefined,
  secret: 'options-test-secret-0123456789abcdef0123456789',
});

describe('createTingTingAuth options', () => {
  it('returns the router, handlers, guard and error handler', () => {
    const tingting = createTingTingAuth(engine);
    for (const name of ['router', 'send', 'verify', 'signOut', 'requireVerified'] as const) {
      expect(tingting[name]).toBeTypeOf('function');
      expect(tingting[name].length).toBe(3);
    }
    expect(tingting.errorHandler.length).toBe(4);
  });

  it('refuses a missing or wrong engine with an actionable TypeError', () => {
    expect(() => createTingTingAuth(undefined as never)).toThrow(
      /first argument must be an OTPEngine/,
    );
    expect(() => createTingTingAuth({ send() {} } as never)).toThrow(TypeError);
  });

  const bad: [string, unknown, RegExp][] = [
    ['an unknown option', { redirect: {} }, /unknown option `redirect`/],
    ['a bad purpose', { purpose: 'sign in!' }, /purpose/],
    ['a non-function hook', { onVerified: 'yes' }, /onVerified/],
    ['a reserved session key', { sessionKey: 'cookie' }, /express-session uses it/],
    ['a bad session key', { sessionKey: 'a-b' }, /sessionKey/],
    ['a bad crossSiteProtection', { crossSiteProtection: 'strict' }, /crossSiteProtection/],
    ['an origin with a path', { allowedOrigins: ['https://a.example/login'] }, /origin only/],
    ['an origin that is not a URL', { allowedOrigins: ['a.example'] }, /not an origin/],
    ['allowedOrigins not an array', { allowedOrigins: 'https://a.example' }, /array/],
    ['a non-boolean allowRequestsWithoutOrigin', { allowRequestsWithoutOrigin: 'no' }, /boolean/],
    ['a replaced limiter handler', { rateLimit: { send: { handler() {} } } }, /cannot be replaced/],
    ['a non-object limit', { rateLimit: { verify: 5 } }, /rateLimit.verify/],
    ['incomplete redirects', { redirects: { afterSend: '/' } }, /redirects.afterVerify/],
    [
      'a protocol-relative redirect',
      { redirects: { afterSend: '//evil.example', afterVerify: '/', onError: '/' } },
      /redirects.afterSend/,
    ],
    ['a bad body limit', { maxBodyInBytes: 'lots' }, /maxBodyInBytes/],
    ['the old bodyLimit name', { bodyLimit: '4kb' }, /unknown option `bodyLimit`.*maxBodyInBytes/],
  ];
  it.each(bad)('refuses %s', (_label, options, message) => {
    expect(() => createTingTingAuth(engine, options as TingTingExpressOptions)).toThrow(message);
    expect(() => createTingTingAuth(engine, options as TingTingExpressOptions)).toThrow(TypeError);
  });

  it('accepts every option at once', () => {
    expect(() =>
      createTingTingAuth(engine, {
        purpose: 'sign-in',
        onVerified: () => {},
        onSignOut: () => {},
        getVerified: () => undefined,
        sessionKey: 'phoneUser',
        crossSiteProtection: (_req, _res, next) => next(),
        allowedOrigins: ['https://app.example.com', 'http://localhost:5173/'],
        allowRequestsWithoutOrigin: false,
        rateLimit: { send: { limit: 5, windowMs: 60_000 }, verify: false },
        redirects: { afterSend: '/code', afterVerify: '/', onError: '/', signIn: '/login' },
        maxBodyInBytes: 2048,
      }),
    ).not.toThrow();
  });
});

describe('TingTingHTTPError', () => {
  it('is shaped like http-errors, with Retry-After on 429', () => {
    const error = new TingTingHTTPError('LOCKED', { retryAfter: 59.2 });
    expect(error).toMatchObject({
      status: 429,
      statusCode: 429,
      expose: true,
      code: 'LOCKED',
      headers: { 'Retry-After': '60' },
      retryAfter: 60,
    });
    expect(error.toJSON()).toEqual({
      error: { code: 'LOCKED', message: 'Too many wrong codes. Please wait and try again.' },
    });
    expect(isTingTingHTTPError(error)).toBe(true);
    expect(isTingTingHTTPError(new Error('LOCKED'))).toBe(false);
  });

  it('does not expose 5xx messages and keeps developer detail out of the body', () => {
    const error = new TingTingHTTPError('SERVICE_UNAVAILABLE', {
      message: 'OTP engine failed: STORE_UNAVAILABLE',
    });
    expect(error.expose).toBe(false);
    expect(JSON.stringify(error)).not.toContain('STORE_UNAVAILABLE');
    expect(error.stack).toContain('options.test.ts');
  });

  it('never shows a code given as input in inspect() or JSON', () => {
    const error = new TingTingHTTPError('INVALID_CODE');
    expect(inspect(error)).not.toMatch(/\d{6}/);
    expect(JSON.stringify(error)).not.toMatch(/\d{6}/);
  });
});
