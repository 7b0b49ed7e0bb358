/**
 * The v5 provider through Auth.js's real request handling: `Auth()` from `@auth/core` (the same
 * copy next-auth 5.0.0-beta.32 uses) and next-auth v5's own `handlers`, with real `Request`s.
 */

import { Auth, type AuthConfig } from '@auth/core';
import NextAuth, { CredentialsSignin } from 'next-auth-v5';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { callbacks } from '../src/index.js';
import { TingTing } from '../src/v5.js';
import { brokenStore, makeEngine, PHONE, PHONE_E164 } from './helpers.js';

const ORIGIN = 'http://localhost:3000';

beforeAll(() => {
  // Auth.js logs every failed sign-in; the assertions are on its answers.
  vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});

function config(provider: ReturnType<typeof TingTing>): AuthConfig {
  return {
    providers: [provider],
    secret: 'a-next-auth-test-secret-that-is-long-enough',
    trustHost: true,
    basePath: '/api/auth',
    session: { strategy: 'jwt' },
    callbacks,
  };
}

type Handler = (request: Request) => Promise<Response>;
type CookieJar = Map<string, string>;

async function call(handler: Handler, jar: CookieJar, path: string, form?: Record<string, string>) {
  const response = await handler(
    new Request(`${ORIGIN}/api/auth/${path}`, {
      method: form ? 'POST' : 'GET',
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        'x-forwarded-for': '198.51.100.5',
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form) } : {}),
    }),
  );
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(';');
    const index = pair!.indexOf('=');
    const value = pair!.slice(index + 1);
    if (value === '') jar.delete(pair!.slice(0, index));
    else jar.set(pair!.slice(0, index), value);
  }
  return response;
}

async function signIn(handler: Handler, credentials: Record<string, string>) {
  const jar: CookieJar = new Map();
  const { csrfToken } = (await (await call(handler, jar, 'csrf')).json()) as { csrfToken: string };
  const response = await call(handler, jar, 'callback/tingting', {
    csrfToken,
    callbackUrl: `${ORIGIN}/account`,
    ...credentials,
  });
  const location = new URL(response.headers.get('location') ?? '', ORIGIN);
  return { response, jar, location };
}

const viaAuth =
  (c: AuthConfig): Handler =>
  (request) =>
    Auth(request, c);
const viaNextAuth = (c: AuthConfig): Handler => {
  const { handlers } = NextAuth(c as never);
  return (request) => handlers.POST(request as never);
};

describe.each([
  ['@auth/core Auth()', viaAuth],
  ['next-auth v5 handlers', viaNextAuth],
])('TingTing provider on next-auth v5 (%s)', (_, makeHandler) => {
  it('signs in with the right code: JWT session cookie, the number in the session', async () => {
    const { engine, lastCode } = makeEngine();
    const verify = vi.spyOn(engine, 'verify');
    await engine.send({ phone: PHONE });
    const handler = makeHandler(config(TingTing({ engine, CredentialsSignin, trustProxy: true })));
    const { response, jar, location } = await signIn(handler, { phone: PHONE, code: lastCode() });
    expect(response.status).toBe(302);
    expect(location.href).toBe(`${ORIGIN}/account`);
    expect(jar.has('authjs.session-token')).toBe(true);
    expect(verify).toHaveBeenCalledWith(
      expect.objectContaining({ phone: PHONE, purpose: 'sign-in', ip: '198.51.100.5' }),
    );
    const session = (await (await call(handler, jar, 'session')).json()) as {
      user: { phone: string };
    };
    expect(session.user.phone).toBe(PHONE_E164);
  });

  it('a wrong code redirects with error=CredentialsSignin&code=INVALID_CODE, no session', async () => {
    const { engine, lastCode } = makeEngine();
    await engine.send({ phone: PHONE });
    const handler = makeHandler(config(TingTing({ engine, CredentialsSignin })));
    const wrong = lastCode() === '000000' ? '111111' : '000000';
    const { jar, location } = await signIn(handler, { phone: PHONE, code: wrong });
    expect(location.searchParams.get('error')).toBe('CredentialsSignin');
    expect(location.searchParams.get('code')).toBe('INVALID_CODE');
    expect(jar.has('authjs.session-token')).toBe(false);
  });

  it('missing fields give INVALID_REQUEST; a store that is down gives SERVICE_UNAVAILABLE', async () => {
    const { engine } = makeEngine({ store: brokenStore() });
    const handler = makeHandler(config(TingTing({ engine, CredentialsSignin })));
    const missing = await signIn(handler, { phone: PHONE });
    expect(missing.location.searchParams.get('code')).toBe('INVALID_REQUEST');
    const down = await signIn(handler, { phone: PHONE, code: '123456' });
    expect(down.location.searchParams.get('code')).toBe('SERVICE_UNAVAILABLE');
    expect(down.location.href).not.toMatch(/ECONNREFUSED|6379/);
  });
});

describe('the README logger setting', () => {
  it('logs a wrong code as one warning line, no stack trace; other errors as before', async () => {
    const { engine, lastCode } = makeEngine();
    await engine.send({ phone: PHONE });
    const error = vi.mocked(console.error);
    const warn = vi.mocked(console.warn);
    error.mockClear();
    warn.mockClear();
    const handler = viaAuth({
      ...config(TingTing({ engine, CredentialsSignin })),
      // As the README shows it.
      logger: {
        error(error) {
          if (error instanceof CredentialsSignin)
            console.warn(`[auth] sign-in refused: ${error.code}`);
          else console.error(error);
        },
      },
    });
    const wrong = lastCode() === '000000' ? '111111' : '000000';
    await signIn(handler, { phone: PHONE, code: wrong });
    expect(error).not.toHaveBeenCalled();
    expect(warn.mock.calls).toEqual([['[auth] sign-in refused: INVALID_CODE']]);

    // Without it, Auth.js prints the error's stack for the same wrong code.
    await signIn(viaAuth(config(TingTing({ engine, CredentialsSignin }))), {
      phone: PHONE,
      code: wrong,
    });
    expect(error.mock.calls.flat().join('\n')).toMatch(/\n\s+at /);
  });
});

describe('TingTing v5 options', () => {
  it('needs the app’s CredentialsSignin: a look-alike class ends as error=Configuration', async () => {
    // This is the single-copy trap the option exists for: Auth.js forwards `code` only for its
    // own class.
    class LookAlike extends Error {
      code = 'credentials';
    }
    const { engine, lastCode } = makeEngine();
    await engine.send({ phone: PHONE });
    const handler = viaAuth(config(TingTing({ engine, CredentialsSignin: LookAlike })));
    const wrong = lastCode() === '000000' ? '111111' : '000000';
    const { location } = await signIn(handler, { phone: PHONE, code: wrong });
    expect(location.searchParams.get('error')).toBe('Configuration');
  });

  it('throws a TypeError without CredentialsSignin', () => {
    const { engine } = makeEngine();
    expect(() => TingTing({ engine } as never)).toThrow(/CredentialsSignin/);
    expect(() => TingTing({ engine, CredentialsSignin: (() => {}) as never })).toThrow(TypeError);
  });

  it('the error is a CredentialsSignin with a generic code and no secret in its message', async () => {
    const { engine, lastCode } = makeEngine();
    await engine.send({ phone: PHONE });
    const code = lastCode();
    const wrong = code === '000000' ? '111111' : '000000';
    const error = await TingTing({ engine, CredentialsSignin })
      .authorize({ phone: PHONE, code: wrong })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsSignin);
    expect((error as CredentialsSignin).code).toBe('INVALID_CODE');
    expect((error as Error).message).not.toContain(wrong);
    expect((error as Error).message).not.toContain(PHONE);
  });
});
