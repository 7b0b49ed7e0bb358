/**
 * The v4 provider through next-auth v4's real request handling (`AuthHandler` from
 * `next-auth/core`, fed real `Request`s): CSRF, credentials callback, JWT session, callbacks.
 */

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AuthOptions, Session } from 'next-auth';
import type { Provider } from 'next-auth/providers/index';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { callbacks, TingTing, TingTingSignInError } from '../src/index.js';
import { brokenStore, makeEngine, PHONE, PHONE_E164 } from './helpers.js';

const ORIGIN = 'http://localhost:3000';

// next-auth v4's request handler for every framework (the App Router and Pages handlers both
// call it). Its `core` folder is not in the package's `exports`, so it is loaded by path.
const require = createRequire(import.meta.url);
const { AuthHandler } = require(join(dirname(require.resolve('next-auth')), 'core/index.js')) as {
  AuthHandler: (params: { req: Request; options: AuthOptions }) => Promise<{
    status?: number;
    body?: unknown;
    redirect?: string;
    cookies?: { name: string; value: string }[];
  }>;
};

beforeAll(() => {
  process.env.NEXTAUTH_URL = ORIGIN;
  // next-auth logs every failed sign-in; the assertions are on its answers.
  vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});

type CookieJar = Map<string, string>;

function authOptions(provider: Provider): AuthOptions {
  return {
    providers: [provider],
    secret: 'a-next-auth-test-secret-that-is-long-enough',
    session: { strategy: 'jwt' },
    callbacks,
  };
}

async function call(
  options: AuthOptions,
  jar: CookieJar,
  path: string,
  body?: Record<string, string>,
) {
  const headers: Record<string, string> = {
    cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
    host: 'localhost:3000',
    'x-forwarded-for': '198.51.100.4',
  };
  if (body) headers['content-type'] = 'application/json';
  const response = await AuthHandler({
    req: new Request(`${ORIGIN}/api/auth/${path}`, {
      method: body ? 'POST' : 'GET',
      headers,
      ...(body ? { body: JSON.stringify(body) } : {}),
    }),
    options,
  });
  for (const cookie of response.cookies ?? []) jar.set(cookie.name, cookie.value);
  return response;
}

/** Sign in as a browser would: fetch the CSRF token, then post the credentials. */
async function signIn(options: AuthOptions, credentials: Record<string, string>) {
  const jar: CookieJar = new Map();
  const csrf = await call(options, jar, 'csrf');
  const { csrfToken } = csrf.body as { csrfToken: string };
  const response = await call(options, jar, 'callback/tingting', {
    csrfToken,
    callbackUrl: `${ORIGIN}/account`,
    json: 'true',
    ...credentials,
  });
  return { response, jar };
}

function errorParam(redirect: string | undefined): string | null {
  return new URL(redirect ?? '', ORIGIN).searchParams.get('error');
}

describe('TingTing provider on next-auth v4', () => {
  it('signs in with the right code: JWT session cookie, the number in the session', async () => {
    const { engine, lastCode } = makeEngine();
    const verify = vi.spyOn(engine, 'verify');
    await engine.send({ phone: PHONE });
    const options = authOptions(TingTing({ engine, trustProxy: true }));
    const { response, jar } = await signIn(options, { phone: PHONE, code: lastCode() });
    expect(response.redirect).toBe(`${ORIGIN}/account`);
    expect(jar.has('next-auth.session-token')).toBe(true);
    expect(verify).toHaveBeenCalledWith(
      expect.objectContaining({ phone: PHONE, purpose: 'sign-in', ip: '198.51.100.4' }),
    );

    const session = (await call(options, jar, 'session')).body as Session & {
      user: { phone: string };
    };
    expect(session.user.phone).toBe(PHONE_E164);
    expect(new Date(session.expires).getTime()).toBeGreaterThan(Date.now());
  });

  it('a code works once: the second sign-in with it fails with INVALID_CODE', async () => {
    const { engine, lastCode } = makeEngine();
    await engine.send({ phone: PHONE });
    const options = authOptions(TingTing({ engine }));
    const code = lastCode();
    expect((await signIn(options, { phone: PHONE, code })).response.redirect).toBe(
      `${ORIGIN}/account`,
    );
    const again = await signIn(options, { phone: PHONE, code });
    expect(again.response.status).toBe(401);
    expect(errorParam(again.response.redirect)).toBe('INVALID_CODE');
    expect(again.jar.has('next-auth.session-token')).toBe(false);
  });

  it('a wrong code redirects with ?error=INVALID_CODE and no session', async () => {
    const { engine, lastCode } = makeEngine();
    await engine.send({ phone: PHONE });
    const wrong = lastCode() === '000000' ? '111111' : '000000';
    const { response, jar } = await signIn(authOptions(TingTing({ engine })), {
      phone: PHONE,
      code: wrong,
    });
    expect(response.status).toBe(401);
    expect(errorParam(response.redirect)).toBe('INVALID_CODE');
    expect(jar.has('next-auth.session-token')).toBe(false);
  });

  it('missing or malformed fields give INVALID_REQUEST without verifying', async () => {
    const { engine } = makeEngine();
    const verify = vi.spyOn(engine, 'verify');
    const options = authOptions(TingTing({ engine }));
    expect(errorParam((await signIn(options, { phone: PHONE })).response.redirect)).toBe(
      'INVALID_REQUEST',
    );
    expect(verify).not.toHaveBeenCalled();
    const malformed = await signIn(options, { phone: PHONE, code: 'abc' });
    expect(errorParam(malformed.response.redirect)).toBe('INVALID_REQUEST');
  });

  it('too many wrong codes lock the number: LOCKED', async () => {
    const { engine, lastCode } = makeEngine({
      policy: { lockAfterFailures: 2, maxAttemptsPerCode: 5 },
    });
    await engine.send({ phone: PHONE });
    const options = authOptions(TingTing({ engine }));
    const wrong = lastCode() === '000000' ? '111111' : '000000';
    const errors: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      errors.push(
        errorParam((await signIn(options, { phone: PHONE, code: wrong })).response.redirect),
      );
    }
    expect(errors).toEqual(['INVALID_CODE', 'LOCKED', 'LOCKED']);
    // Locked even with the right code.
    const right = await signIn(options, { phone: PHONE, code: lastCode() });
    expect(errorParam(right.response.redirect)).toBe('LOCKED');
  });

  it('a store that is down gives SERVICE_UNAVAILABLE, with nothing of the error in the URL', async () => {
    const { engine } = makeEngine({ store: brokenStore() });
    const { response } = await signIn(authOptions(TingTing({ engine })), {
      phone: PHONE,
      code: '123456',
    });
    expect(errorParam(response.redirect)).toBe('SERVICE_UNAVAILABLE');
    expect(response.redirect).not.toMatch(/ECONNREFUSED|6379/);
  });

  it('getUser maps the number to an app user, or refuses with ACCESS_DENIED', async () => {
    const { engine, lastCode } = makeEngine({ policy: { resendCooldownInSeconds: 0 } });
    const options = authOptions(
      TingTing({
        engine,
        getUser: (phone) => (phone === PHONE_E164 ? { id: 'user-42', phone, name: 'Sita' } : null),
      }),
    );
    await engine.send({ phone: PHONE });
    const { jar } = await signIn(options, { phone: PHONE, code: lastCode() });
    const session = (await call(options, jar, 'session')).body as Session;
    expect(session.user).toMatchObject({ name: 'Sita', phone: PHONE_E164 });

    await engine.send({ phone: '9812345678' });
    const refused = await signIn(options, { phone: '9812345678', code: lastCode() });
    expect(errorParam(refused.response.redirect)).toBe('ACCESS_DENIED');
  });

  it('keeps the engine out of provider.options and honours a custom id', async () => {
    const { engine, lastCode } = makeEngine();
    const provider = TingTing({ engine, id: 'phone', name: 'Phone' });
    expect(provider).not.toHaveProperty('options');
    expect(JSON.stringify(provider)).not.toContain('secret');
    const options = authOptions(provider);
    const providers = (await call(options, new Map(), 'providers')).body as Record<
      string,
      { id: string; type: string; callbackUrl: string }
    >;
    expect(providers.phone).toMatchObject({
      id: 'phone',
      type: 'credentials',
      callbackUrl: `${ORIGIN}/api/auth/callback/phone`,
    });
    await engine.send({ phone: PHONE });
    const jar: CookieJar = new Map();
    const { csrfToken } = (await call(options, jar, 'csrf')).body as { csrfToken: string };
    const response = await call(options, jar, 'callback/phone', {
      csrfToken,
      phone: PHONE,
      code: lastCode(),
      json: 'true',
    });
    expect(jar.has('next-auth.session-token')).toBe(true);
    expect(response.redirect).toBe(ORIGIN);
  });

  it('throws TingTingSignInError whose message is only the code', async () => {
    const { engine } = makeEngine();
    const provider = TingTing({ engine });
    const error = await provider.authorize({ phone: 42, code: '123456' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TingTingSignInError);
    expect((error as Error).message).toBe('INVALID_REQUEST');
    await expect(provider.authorize(undefined)).rejects.toThrow('INVALID_REQUEST');
  });

  it('refuses bad options with a TypeError', () => {
    const { engine } = makeEngine();
    expect(() => TingTing(undefined as never)).toThrow(TypeError);
    expect(() => TingTing({ engine: {} as never })).toThrow(TypeError);
    expect(() => TingTing({ engine, id: 'a b' })).toThrow(TypeError);
    expect(() => TingTing({ engine, getUser: 'x' as never })).toThrow(TypeError);
  });
});
