/**
 * Revocable sessions through next-auth's real request handling (v4 `AuthHandler`, v5 `Auth()`):
 * a cookie copied before sign-out is refused after it; "sign out everywhere" from another
 * `UpstreamSessions` on the same Redis ends the session; the `jwt` callback costs one store read
 * per request with revocation on, none with it off; the JWT carries the session id, no profile.
 */

import { Auth, type AuthConfig } from '@auth/core';
import { decode as decodeV5 } from '@auth/core/jwt';
import {
  MemorySessionStore,
  type UpstreamSessionStore,
  UpstreamSessions,
} from '@tingting-auth/core/upstream';
import { RedisSessionStore } from '@tingting-auth/redis';
import type { AuthOptions } from 'next-auth';
import { decode as decodeV4 } from 'next-auth/jwt';
import { CredentialsSignin } from 'next-auth-v5';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  callbacks,
  revocableSessions as revocableV4,
  TingTing as TingTingV4,
} from '../src/index.js';
import { revocableSessions as revocableV5, TingTing as TingTingV5 } from '../src/v5.js';
import { AuthHandler, makeEngine, PHONE, PHONE_E164 } from './helpers.js';

const ORIGIN = 'http://localhost:3000';
const AUTH_SECRET = 'a-next-auth-test-secret-that-is-long-enough';
const SESSION_SECRET = 'sessions-secret-of-at-least-thirty-two-bytes-000';

beforeAll(() => {
  process.env.NEXTAUTH_URL = ORIGIN;
  vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});

/** A store that counts every call (each is one round trip for the Redis store). */
function counted(store: UpstreamSessionStore): { store: UpstreamSessionStore; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(name));
        return value.apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

function newSessions(store: UpstreamSessionStore = new MemorySessionStore()): UpstreamSessions {
  return new UpstreamSessions({
    store,
    secret: SESSION_SECRET,
    providerId: 'phone',
    throttle: false,
  });
}

type Jar = Map<string, string>;

/** One next-auth major behind the same small surface: sign in, read the session, sign out. */
interface Major {
  name: string;
  cookie: string;
  handler: (sessions: UpstreamSessions | undefined) => Promise<{
    request: (jar: Jar, path: string, form?: Record<string, string>) => Promise<unknown>;
    engine: ReturnType<typeof makeEngine>;
  }>;
  decode: (token: string) => Promise<Record<string, unknown> | null>;
}

function headersOf(jar: Jar, form: boolean, json: boolean): Record<string, string> {
  return {
    cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
    host: 'localhost:3000',
    'x-forwarded-for': '198.51.100.7',
    'user-agent': 'Mozilla/5.0 (test) Chromium',
    ...(form
      ? { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded' }
      : {}),
  };
}

const v4: Major = {
  name: 'next-auth v4',
  cookie: 'next-auth.session-token',
  async handler(sessions) {
    const engine = makeEngine({ policy: { resendCooldownInSeconds: 0 } });
    const revocable = sessions ? revocableV4(sessions) : undefined;
    const options: AuthOptions = {
      providers: [
        TingTingV4({ engine: engine.engine, trustProxy: true, ...(sessions ? { sessions } : {}) }),
      ],
      secret: AUTH_SECRET,
      session: { strategy: 'jwt' },
      callbacks: revocable ? (revocable.callbacks as AuthOptions['callbacks']) : callbacks,
      ...(revocable ? { events: revocable.events as AuthOptions['events'] } : {}),
    };
    return {
      engine,
      async request(jar, path, form) {
        const response = await AuthHandler({
          req: new Request(`${ORIGIN}/api/auth/${path}`, {
            method: form ? 'POST' : 'GET',
            headers: headersOf(jar, !!form, true),
            ...(form ? { body: JSON.stringify({ ...form, json: 'true' }) } : {}),
          }),
          options,
        });
        for (const c of response.cookies ?? []) {
          if (c.value === '') jar.delete(c.name);
          else jar.set(c.name, c.value);
        }
        return response.body;
      },
    };
  },
  decode: async (token) =>
    (await decodeV4({ token, secret: AUTH_SECRET })) as Record<string, unknown> | null,
};

const v5: Major = {
  name: 'next-auth v5',
  cookie: 'authjs.session-token',
  async handler(sessions) {
    const engine = makeEngine({ policy: { resendCooldownInSeconds: 0 } });
    const revocable = sessions ? revocableV5(sessions) : undefined;
    const config: AuthConfig = {
      providers: [
        TingTingV5({
          engine: engine.engine,
          CredentialsSignin,
          trustProxy: true,
          ...(sessions ? { sessions } : {}),
        }),
      ],
      secret: AUTH_SECRET,
      trustHost: true,
      basePath: '/api/auth',
      session: { strategy: 'jwt' },
      callbacks: (revocable?.callbacks ?? callbacks) as AuthConfig['callbacks'],
      ...(revocable ? { events: revocable.events as AuthConfig['events'] } : {}),
    };
    return {
      engine,
      async request(jar, path, form) {
        const response = await Auth(
          new Request(`${ORIGIN}/api/auth/${path}`, {
            method: form ? 'POST' : 'GET',
            headers: headersOf(jar, !!form, false),
            ...(form ? { body: new URLSearchParams(form) } : {}),
          }),
          config,
        );
        for (const header of response.headers.getSetCookie()) {
          const [pair = ''] = header.split(';');
          const index = pair.indexOf('=');
          const value = pair.slice(index + 1);
          if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(header)) {
            jar.delete(pair.slice(0, index));
          } else jar.set(pair.slice(0, index), value);
        }
        const type = response.headers.get('content-type') ?? '';
        return type.includes('json') ? response.json() : undefined;
      },
    };
  },
  decode: async (token) =>
    (await decodeV5({ token, secret: AUTH_SECRET, salt: 'authjs.session-token' })) as Record<
      string,
      unknown
    > | null,
};

/** A signed-in session, as a browser gets it. */
async function signIn(app: Awaited<ReturnType<Major['handler']>>): Promise<Jar> {
  const jar: Jar = new Map();
  await app.engine.engine.send({ phone: PHONE });
  const { csrfToken } = (await app.request(jar, 'csrf')) as { csrfToken: string };
  await app.request(jar, 'callback/tingting', {
    csrfToken,
    callbackUrl: `${ORIGIN}/account`,
    phone: PHONE,
    code: app.engine.lastCode(),
  });
  return jar;
}

async function signOut(app: Awaited<ReturnType<Major['handler']>>, jar: Jar): Promise<void> {
  const { csrfToken } = (await app.request(jar, 'csrf')) as { csrfToken: string };
  await app.request(jar, 'signout', { csrfToken, callbackUrl: `${ORIGIN}/signin` });
}

/** The phone of the session the jar's cookie gives, or `null` (v4 answers `{}`, v5 `null`). */
async function phoneOf(app: Awaited<ReturnType<Major['handler']>>, jar: Jar): Promise<unknown> {
  const body = (await app.request(jar, 'session')) as { user?: { phone?: string } } | null;
  return body?.user?.phone ?? null;
}

describe.each([v4, v5])('revocable sessions on $name', (major) => {
  it('a cookie copied before sign-out is refused after it', async () => {
    const sessions = newSessions();
    const app = await major.handler(sessions);
    const jar = await signIn(app);
    expect(jar.has(major.cookie)).toBe(true);
    const copy = new Map(jar);
    expect(await phoneOf(app, jar)).toBe(PHONE_E164);
    expect(await phoneOf(app, copy)).toBe(PHONE_E164);
    const [listed] = await sessions.list(PHONE_E164);
    expect(listed?.userAgent).toBe('Mozilla/5.0 (test) Chromium');
    expect(listed?.ip).toBe('198.51.100.7');

    await signOut(app, jar);
    expect(jar.has(major.cookie)).toBe(false);
    expect(await phoneOf(app, copy)).toBeNull();
    expect(await sessions.list(PHONE_E164)).toEqual([]);
  });

  it('the JWT holds the session id, the subject, the number and the store: no profile, no expiry data', async () => {
    const app = await major.handler(newSessions());
    const jar = await signIn(app);
    const claims = await major.decode(jar.get(major.cookie) ?? '');
    expect(Object.keys(claims ?? {}).sort()).toEqual([
      'exp',
      'iat',
      'jti',
      'phone',
      'sid',
      'sub',
      'upstream',
    ]);
    expect(claims?.sub).toBe(PHONE_E164);
    expect(claims?.upstream).toBe('phone');
  });

  it('ending a session by id (an admin action) refuses its cookie; the others stay', async () => {
    const sessions = newSessions();
    const app = await major.handler(sessions);
    const first = await signIn(app);
    const second = await signIn(app);
    const listed = await sessions.list(PHONE_E164);
    expect(listed).toHaveLength(2);
    expect(await sessions.endById(PHONE_E164, listed[0]!.id)).toBe(true);
    expect(await phoneOf(app, first)).toBeNull();
    expect(await phoneOf(app, second)).toBe(PHONE_E164);
  });

  it('the jwt callback costs exactly one store round trip per request, none when off', async () => {
    const { store, calls } = counted(new MemorySessionStore());
    const app = await major.handler(newSessions(store));
    const jar = await signIn(app);
    for (let i = 1; i <= 3; i++) {
      calls.length = 0;
      expect(await phoneOf(app, jar)).toBe(PHONE_E164);
      expect(calls).toEqual(['get']);
    }
    const off = counted(new MemorySessionStore());
    newSessions(off.store); // present, but not configured: stateless JWTs
    const stateless = await major.handler(undefined);
    const statelessJar = await signIn(stateless);
    expect(await phoneOf(stateless, statelessJar)).toBe(PHONE_E164);
    expect(off.calls).toEqual([]);
  });
});

describe('sign out everywhere across processes sharing Redis', () => {
  const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
  const prefix = `tt-next-auth-test-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    await client.connect();
  });
  afterAll(async () => {
    for await (const keys of client.scanIterator({ MATCH: `*${prefix}*`, COUNT: 100 })) {
      if (keys.length > 0) await client.del(keys);
    }
    client.destroy();
  });

  it.each([v4, v5])(
    '$name: endAll in another UpstreamSessions ends every session of the number',
    async (major) => {
      const storeOf = (): RedisSessionStore =>
        new RedisSessionStore({ prefix, sendCommand: (args) => client.sendCommand(args) });
      const app = await major.handler(newSessions(storeOf()));
      const phoneA = await signIn(app);
      const phoneB = await signIn(app);
      expect(await phoneOf(app, phoneA)).toBe(PHONE_E164);

      const elsewhere = newSessions(storeOf()); // another process: its own manager, the same Redis
      expect(await elsewhere.endAll(PHONE_E164)).toBe(2);
      expect(await phoneOf(app, phoneA)).toBeNull();
      expect(await phoneOf(app, phoneB)).toBeNull();
    },
  );
});
