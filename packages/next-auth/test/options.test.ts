/**
 * Options are checked once, at construction, as the Express router and the Passport strategy
 * check theirs: a misspelled or mistyped option is a `TypeError` naming it, never silently ignored
 * (a typo in `getUser` would turn off the app's own user check, and everyone would sign in).
 */

import { CredentialsSignin } from 'next-auth-v5';
import { describe, expect, it, vi } from 'vitest';
import { createSendHandler, TingTing } from '../src/index.js';
import { TingTing as TingTingV5 } from '../src/v5.js';
import { makeEngine, PHONE, PHONE_E164 } from './helpers.js';

const { engine } = makeEngine();

const factories = {
  'TingTing (v4)': (options: object) => TingTing({ engine, ...options }),
  'TingTing (v5)': (options: object) => TingTingV5({ engine, CredentialsSignin, ...options }),
  createSendHandler: (options: object) =>
    createSendHandler(engine, { trustProxy: false, ...options }),
};

describe.each(Object.entries(factories))('%s options', (owner, make) => {
  const name = owner.split(' ')[0];

  it.each([
    ['getuser', () => null],
    ['purpse', 'login'],
    ['trustproxy', true],
    ['allowedorigins', []],
  ])('refuses the unknown option `%s`, listing the known ones', (key, value) => {
    expect(() => make({ [key]: value })).toThrow(TypeError);
    expect(() => make({ [key]: value })).toThrow(
      new RegExp(`^${name}: unknown option \`${key}\`; known options: .*purpose.*trustProxy`),
    );
  });

  it.each([
    ['trustProxy', 'yes', /`trustProxy` must be a boolean/],
    ['trustProxy', 1, /`trustProxy` must be a boolean/],
    ['purpose', 'has space', /`purpose` must be/],
    ['purpose', 42, /`purpose` must be/],
    ['ipHeader', 'bad header\n', /`ipHeader` must be a header name/],
  ])('refuses %s: %j', (key, value, message) => {
    expect(() => make({ [key]: value })).toThrow(message);
  });

  it('accepts the documented options', () => {
    expect(() =>
      make({ purpose: 'sign-in', trustProxy: true, ipHeader: 'x-real-ip' }),
    ).not.toThrow();
  });
});

describe('options only one of them has', () => {
  it('TingTing refuses a mistyped getUser, name or credentials, and lists CredentialsSignin on v5', () => {
    expect(() => TingTing({ engine, getUser: 'x' as never })).toThrow(
      '`getUser` must be a function',
    );
    expect(() => TingTing({ engine, name: 7 as never })).toThrow('`name` must be a string');
    expect(() => TingTing({ engine, credentials: 'x' as never })).toThrow('`credentials` must be');
    expect(() => TingTingV5({ engine, CredentialsSignin, getuser: 1 } as never)).toThrow(
      /known options: .*CredentialsSignin/,
    );
  });

  it('TingTing refuses the send route’s body and cross-site options (next-auth reads the body)', () => {
    for (const key of ['allowedOrigins', 'maxBodyInBytes', 'crossSiteProtection']) {
      expect(() => TingTing({ engine, [key]: undefined } as never)).toThrow(
        `TingTing: unknown option \`${key}\``,
      );
    }
  });

  it('createSendHandler refuses a mistyped onError and an allowed origin with a path', () => {
    expect(() => createSendHandler(engine, { onError: 'log' as never })).toThrow(
      '`onError` must be a function',
    );
    // The safer of the rules the adapters had: Express refused a path, NextAuth trimmed it.
    expect(() =>
      createSendHandler(engine, { allowedOrigins: ['https://app.example.com/login'] }),
    ).toThrow(/no path/);
    expect(() =>
      createSendHandler(engine, {
        trustProxy: false,
        allowedOrigins: ['https://app.example.com/'],
      }),
    ).not.toThrow();
  });

  it('a missing or wrong engine is refused at construction', () => {
    for (const bad of [undefined, null, {}, { send() {} }, 'engine']) {
      expect(() => TingTing({ engine: bad as never })).toThrow(/must be an OTPEngine/);
      expect(() => createSendHandler(bad as never)).toThrow(/must be an OTPEngine/);
    }
  });
});

describe('engine as a function: built on first use, once', () => {
  it('is not called at construction, then once for any number of requests', async () => {
    const made = makeEngine();
    const build = vi.fn(() => made.engine);
    const handler = createSendHandler(build, { trustProxy: false, onError: () => {} });
    const provider = TingTing({ engine: build });
    expect(build).not.toHaveBeenCalled();
    const send = () =>
      handler(
        new Request('http://localhost/api/auth/otp/send', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ phone: PHONE }),
        }),
      );
    expect((await send()).status).toBe(202);
    await expect(
      provider.authorize({ phone: PHONE, code: made.lastCode() }),
    ).resolves.toMatchObject({ phone: PHONE_E164 });
    expect(build).toHaveBeenCalledTimes(2); // one per factory: each keeps its own
  });

  it('a builder that throws (a secret missing at run time) answers 503, and is tried again', async () => {
    const made = makeEngine();
    let fail = true;
    const build = vi.fn(async () => {
      if (fail) throw new Error('OTP_SECRET is not set');
      return made.engine;
    });
    const onError = vi.fn();
    const handler = createSendHandler(build, { trustProxy: false, onError });
    const send = () =>
      handler(
        new Request('http://localhost/api/auth/otp/send', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ phone: PHONE }),
        }),
      );
    const down = await send();
    expect(down.status).toBe(503);
    expect(await down.text()).not.toContain('OTP_SECRET');
    expect(onError).toHaveBeenCalledOnce();
    fail = false;
    expect((await send()).status).toBe(202);
    expect(build).toHaveBeenCalledTimes(2);
  });

  it('a builder returning something else fails the request, not the process', async () => {
    const provider = TingTing({ engine: () => ({}) as never });
    await expect(provider.authorize({ phone: PHONE, code: '123456' })).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
    });
  });
});
