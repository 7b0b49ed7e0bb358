/**
 * The `redirect` callback the package ships: same-site targets only, and never a 500 for a
 * `callbackUrl` next-auth's default cannot parse (`evil.example` made v4 answer 500 `Invalid URL`).
 * Through next-auth v4's `AuthHandler` and Auth.js's `Auth()`, with real requests. (Without it, a
 * `callbackUrl` field of `evil.example` makes both majors' default callback throw `Invalid URL`.)
 */

import { Auth, type AuthConfig } from '@auth/core';
import type { AuthOptions } from 'next-auth';
import { CredentialsSignin } from 'next-auth-v5';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { callbacks, redirect, TingTing } from '../src/index.js';
import { TingTing as TingTingV5 } from '../src/v5.js';
import { AuthHandler, makeEngine, PHONE } from './helpers.js';

const ORIGIN = 'http://localhost:3000';
const SECRET = 'a-next-auth-test-secret-that-is-long-enough';

// The README's setup: the app's own sign-in page, which also shows errors. With it, a callbackUrl
// in the query that next-auth itself refuses (before any callback runs) lands there too.
const PAGES = { signIn: '/signin', error: '/signin' };

const HOSTILE = {
  invalid: 'evil.example',
  'off-site': 'https://evil.example/steal',
  'protocol-relative': '//evil.example/steal',
  backslash: '/\\evil.example/steal',
};

beforeAll(() => {
  process.env.NEXTAUTH_URL = ORIGIN;
  vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});

/** A status and a Location (absolute), whichever major answered. */
interface Answer {
  status: number;
  location: string | undefined;
}

type Major = {
  /** GET `path` or POST `form` to `/api/auth/<path>` with the cookies in `jar`. */
  call: (jar: Map<string, string>, path: string, form?: Record<string, string>) => Promise<Answer>;
  csrf: (jar: Map<string, string>) => Promise<string>;
};

function v4(): Major & { engine: ReturnType<typeof makeEngine> } {
  const made = makeEngine();
  const options: AuthOptions = {
    providers: [TingTing({ engine: made.engine })],
    secret: SECRET,
    session: { strategy: 'jwt' },
    pages: PAGES,
    callbacks,
  };
  const call: Major['call'] = async (jar, path, form) => {
    const answer = await AuthHandler({
      req: new Request(`${ORIGIN}/api/auth/${path}`, {
        method: form ? 'POST' : 'GET',
        headers: {
          cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
          ...(form ? { 'content-type': 'application/json' } : {}),
        },
        ...(form ? { body: JSON.stringify({ ...form, json: 'true' }) } : {}),
      }),
      options,
    });
    for (const cookie of answer.cookies ?? []) jar.set(cookie.name, cookie.value);
    const location =
      answer.redirect ?? answer.headers?.find((h) => h.key.toLowerCase() === 'location')?.value;
    return {
      status: answer.status ?? (answer.redirect ? 302 : 200),
      location: location === undefined ? undefined : new URL(location, ORIGIN).href,
    };
  };
  return {
    engine: made,
    call,
    csrf: async (jar) => {
      const answer = await AuthHandler({
        req: new Request(`${ORIGIN}/api/auth/csrf`, {
          headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
        }),
        options,
      });
      for (const cookie of answer.cookies ?? []) jar.set(cookie.name, cookie.value);
      return (answer.body as { csrfToken: string }).csrfToken;
    },
  };
}

function v5(): Major & { engine: ReturnType<typeof makeEngine> } {
  const made = makeEngine();
  const config: AuthConfig = {
    providers: [TingTingV5({ engine: made.engine, CredentialsSignin })],
    secret: SECRET,
    trustHost: true,
    basePath: '/api/auth',
    session: { strategy: 'jwt' },
    pages: PAGES,
    callbacks,
  };
  const raw = async (jar: Map<string, string>, path: string, form?: Record<string, string>) => {
    const response = await Auth(
      new Request(`${ORIGIN}/api/auth/${path}`, {
        method: form ? 'POST' : 'GET',
        headers: {
          cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(form ? { body: new URLSearchParams(form) } : {}),
      }),
      config,
    );
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const index = pair.indexOf('=');
      jar.set(pair.slice(0, index), pair.slice(index + 1));
    }
    return response;
  };
  return {
    engine: made,
    call: async (jar, path, form) => {
      const response = await raw(jar, path, form);
      const location = response.headers.get('location');
      return {
        status: response.status,
        location: location === null ? undefined : new URL(location, ORIGIN).href,
      };
    },
    csrf: async (jar) =>
      ((await (await raw(jar, 'csrf')).json()) as { csrfToken: string }).csrfToken,
  };
}

function expectSameSite(answer: Answer): void {
  expect(answer.status).toBeLessThan(500);
  if (answer.location !== undefined) expect(new URL(answer.location).origin).toBe(ORIGIN);
}

describe.each([
  ['next-auth v4', v4],
  ['next-auth v5', v5],
])('redirect callback on %s', (_, make) => {
  it.each(Object.entries(HOSTILE))(
    'a %s callbackUrl: never a 500, never off-site',
    async (__, url) => {
      const major = make();
      const page = await major.call(new Map(), `signin?callbackUrl=${encodeURIComponent(url)}`);
      expectSameSite(page);

      await major.engine.engine.send({ phone: PHONE });
      const code = major.engine.lastCode();
      const wrong = code === '000000' ? '111111' : '000000';
      for (const attempt of [wrong, code]) {
        const jar = new Map<string, string>();
        const csrfToken = await major.csrf(jar);
        const answer = await major.call(jar, 'callback/tingting', {
          csrfToken,
          callbackUrl: url,
          phone: PHONE,
          code: attempt,
        });
        expectSameSite(answer);
        expect(answer.location).toBeDefined();
        if (attempt === code) expect(answer.location).toBe(`${ORIGIN}/`);
      }
    },
  );

  it('a same-site path is kept', async () => {
    const major = make();
    await major.engine.engine.send({ phone: PHONE });
    const jar = new Map<string, string>();
    const csrfToken = await major.csrf(jar);
    const answer = await major.call(jar, 'callback/tingting', {
      csrfToken,
      callbackUrl: '/account?tab=1',
      phone: PHONE,
      code: major.engine.lastCode(),
    });
    expect(answer.location).toBe(`${ORIGIN}/account?tab=1`);
  });
});

describe('redirect()', () => {
  it.each([
    ['/account', `${ORIGIN}/account`],
    [`${ORIGIN}/account#x`, `${ORIGIN}/account#x`],
    [ORIGIN, ORIGIN],
    ['http://localhost:3000@evil.example/', ORIGIN],
    ['http://localhost:3001/', ORIGIN],
    ['javascript:alert(1)', ORIGIN],
    ['/\t/evil.example', ORIGIN],
    ['', ORIGIN],
    ...Object.values(HOSTILE).map((url) => [url, ORIGIN]),
  ])('%j -> %s', (url, expected) => {
    expect(redirect({ url, baseUrl: ORIGIN })).toBe(expected);
  });

  it('never throws, even on a baseUrl it cannot parse', () => {
    expect(redirect({ url: '/x', baseUrl: 'not a url' })).toBe('not a url');
    expect(redirect({ url: 42 as never, baseUrl: ORIGIN })).toBe(ORIGIN);
  });
});
