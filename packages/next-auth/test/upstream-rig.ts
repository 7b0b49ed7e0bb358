/**
 * Password sign-in rig: a fake upstream (Timbr, seed 002, or the notes service, seed 003) over
 * real HTTP on a hand-moved clock, the real provider, `UpstreamSessions` on a counted memory
 * store, and `UpstreamCredentials` + `revocableSessions` behind next-auth's real request handling
 * (v4 `AuthHandler`, v5 `Auth()` from the `@auth/core` copy next-auth 5.0.0-beta.32 uses).
 * With `phone: true`, phone sign-in beside it, as the demos do: `TingTing({ sessions })` on a
 * real engine and its own `UpstreamSessions` (`'phone'`), one `revocableSessions([phone, password])`.
 */

import { Auth, type AuthConfig } from '@auth/core';
import { decode as decodeV5 } from '@auth/core/jwt';
import {
  MemorySessionStore,
  notesProvider,
  timbrProvider,
  type UpstreamSessionStore,
  UpstreamSessions,
} from '@tingting-auth/core/upstream';
import { startFakeNotes, startFakeTimbr } from '@tingting-auth/testing';
import type { AuthOptions } from 'next-auth';
import { decode as decodeV4 } from 'next-auth/jwt';
import { CredentialsSignin } from 'next-auth-v5';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  type Mock,
  type MockInstance,
  vi,
} from 'vitest';
import {
  type RevocableJWT,
  type RevocableSessionsOptions,
  type RevocableSignInParams,
  revocableSessions as revocableV4,
  TingTing as TingTingV4,
  type UpstreamCredentialsOptions,
  UpstreamCredentials as UpstreamCredentialsV4,
} from '../src/index.js';
import {
  revocableSessions as revocableV5,
  TingTing as TingTingV5,
  UpstreamCredentials as UpstreamCredentialsV5,
} from '../src/v5.js';
import { AuthHandler, makeEngine, PHONE } from './helpers.js';

export const ORIGIN = 'http://localhost:3000';
export const AUTH_SECRET = 'a-next-auth-test-secret-that-is-long-enough';
export const SESSIONS_SECRET = 'next-auth-upstream-test-secret-0123456789abcdef';
export const PASSWORD = 'right-password-123';
export const WRONG = 'wrong-password-456';
export const T0: number = Date.UTC(2026, 0, 1, 12, 0, 0);

const ACCOUNTS = [
  { username: 'asha', email: 'asha@example.com', password: PASSWORD },
  { username: 'bikash', email: 'bikash@example.com', password: PASSWORD, active: false },
];

export interface Clock {
  (): number;
  now: number;
  advance(milliseconds: number): void;
}

function manualClock(start: number): Clock {
  const clock = (() => clock.now) as Clock;
  clock.now = start;
  clock.advance = (milliseconds) => {
    clock.now += milliseconds;
  };
  return clock;
}

/** A store that records every call (each is one round trip for the Redis store). */
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

export type Jar = Map<string, string>;

/** What one request through next-auth answered, whichever major. */
export interface Reply {
  status: number;
  body: unknown;
  /** Where a redirect goes (v4's `redirect`, v5's `Location`). */
  location: URL | undefined;
  /** Every `Set-Cookie` value (name=value), to check for secrets. */
  setCookies: string[];
}

export type Kind = 'timbr' | 'notes';
export type MajorName = 'v4' | 'v5';

/** One fake upstream, its sessions and one major's handler over them. */
export interface Rig {
  major: MajorName;
  kind: Kind;
  clock: Clock;
  fake: Awaited<ReturnType<typeof startFakeTimbr>> | Awaited<ReturnType<typeof startFakeNotes>>;
  sessions: UpstreamSessions;
  /** The phone sign-in's sessions (`providerId: 'phone'`), with `phone: true`. */
  phoneSessions: UpstreamSessions | undefined;
  /** Store calls of `sessions`, in order. */
  calls: string[];
  /** The session cookie's name. */
  cookie: string;
  /** One request: a GET, or a POST of `body` (JSON) with the jar's cookies. */
  request(jar: Jar, path: string, body?: Record<string, unknown>): Promise<Reply>;
  /** Sign in as a browser does (CSRF token, then the credentials callback). */
  signIn(credentials: Record<string, unknown>, jar?: Jar): Promise<{ jar: Jar; reply: Reply }>;
  /** With `phone: true`: send a code to {@link PHONE}, then sign in with it as a browser does. */
  signInWithPhone(jar?: Jar): Promise<{ jar: Jar; reply: Reply }>;
  signOut(jar: Jar): Promise<void>;
  /** The failure code of a sign-in reply (v4 `?error=`, v5 `?code=`), `null` for a success. */
  codeOf(reply: Reply): string | null;
  /** The decoded session JWT of a jar. */
  decode(jar: Jar): Promise<Record<string, unknown> | null>;
  /** The session endpoint's answer. */
  session(jar: Jar): Promise<Record<string, unknown> | null>;
  close(): Promise<void>;
}

export interface RigOptions {
  kind?: Kind;
  accessSeconds?: number;
  /** Provider options besides `sessions` (v5 also gets `CredentialsSignin`). */
  provider?: Partial<UpstreamCredentialsOptions>;
  /** `revocableSessions`' options (the app's `signIn` callback, as the README shows it). */
  revocable?: RevocableSessionsOptions;
  /** The app's `signIn` callback put beside `revocableSessions`' callbacks, replacing its own. */
  signInBeside?: (params: RevocableSignInParams) => Promise<boolean | string>;
  /** The app's `jwt` callback put beside `revocableSessions`' callbacks, replacing its own. */
  jwtBeside?: RevocableJWT;
  /** Phone sign-in too (`callback/tingting`), with revocable sessions of its own. */
  phone?: boolean;
  /** The app's own events, put beside (over) `revocableSessions`' events. */
  eventsBeside?: Record<string, (message: never) => unknown>;
  /** The app's own JWT encoding (next-auth's `jwt.encode`/`jwt.decode`); `rig.decode` uses it. */
  codec?: Codec;
}

/** A custom `jwt: { encode, decode }` as both majors take it (v5 adds `salt`). */
export interface Codec {
  encode(params: {
    token?: Record<string, unknown>;
    secret: unknown;
    salt?: string;
  }): Promise<string>;
  decode(params: {
    token?: string;
    secret: unknown;
    salt?: string;
  }): Promise<Record<string, unknown> | null>;
}

export function headersOf(jar: Jar, json: boolean): Record<string, string> {
  return {
    cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
    host: 'localhost:3000',
    'x-forwarded-for': '198.51.100.9',
    'user-agent': 'Mozilla/5.0 (test) Chromium',
    ...(json ? { 'content-type': 'application/json' } : {}),
  };
}

export async function upstreamRig(major: MajorName, options: RigOptions = {}): Promise<Rig> {
  const kind = options.kind ?? 'timbr';
  const clock = manualClock(T0);
  const lifetimes = { accessSeconds: options.accessSeconds ?? 300, refreshSeconds: 86_400 };
  const fake =
    kind === 'timbr'
      ? await startFakeTimbr({ accounts: ACCOUNTS, now: clock, lifetimes })
      : await startFakeNotes({ accounts: ACCOUNTS, now: clock, lifetimes });
  const provider =
    kind === 'timbr' ? timbrProvider({ baseURL: fake.url }) : notesProvider({ baseURL: fake.url });
  const { store, calls } = counted(new MemorySessionStore());
  const sessions = new UpstreamSessions({
    store,
    secret: SESSIONS_SECRET,
    provider,
    clock,
    logger: { warn: () => {} },
  });
  const providerOptions = { sessions, trustProxy: true, ...options.provider };
  const engine = makeEngine({ policy: { resendCooldownInSeconds: 0 } });
  const phoneSessions = options.phone
    ? new UpstreamSessions({
        store: new MemorySessionStore(),
        secret: SESSIONS_SECRET,
        providerId: 'phone',
        throttle: false,
        clock,
      })
    : undefined;
  const stores = phoneSessions === undefined ? sessions : [phoneSessions, sessions];
  const beside = {
    ...(options.signInBeside === undefined ? {} : { signIn: options.signInBeside }),
    ...(options.jwtBeside === undefined ? {} : { jwt: options.jwtBeside }),
  };
  const cookie = major === 'v4' ? 'next-auth.session-token' : 'authjs.session-token';
  let handle: (request: Request) => Promise<Reply>;
  if (major === 'v4') {
    const revocable = revocableV4(stores, options.revocable);
    const authOptions: AuthOptions = {
      providers: [
        UpstreamCredentialsV4(providerOptions),
        ...(phoneSessions === undefined
          ? []
          : [TingTingV4({ engine: engine.engine, trustProxy: true, sessions: phoneSessions })]),
      ],
      secret: AUTH_SECRET,
      session: { strategy: 'jwt' },
      callbacks: { ...revocable.callbacks, ...beside } as AuthOptions['callbacks'],
      events: { ...revocable.events, ...options.eventsBeside } as AuthOptions['events'],
      ...(options.codec === undefined ? {} : { jwt: options.codec as AuthOptions['jwt'] }),
    };
    handle = async (req) => {
      let answer: Awaited<ReturnType<typeof AuthHandler>>;
      try {
        answer = await AuthHandler({ req, options: authOptions });
      } catch {
        // v4's route handlers do not catch what AuthHandler throws: Next.js answers 500.
        return { status: 500, body: 'Internal Server Error', location: undefined, setCookies: [] };
      }
      return {
        status: answer.status ?? (answer.redirect ? 302 : 200),
        body: answer.body,
        location: answer.redirect ? new URL(answer.redirect, ORIGIN) : undefined,
        setCookies: (answer.cookies ?? []).map((c) => `${c.name}=${c.value}`),
      };
    };
  } else {
    const revocable = revocableV5(stores, options.revocable);
    const config: AuthConfig = {
      providers: [
        UpstreamCredentialsV5({ ...providerOptions, CredentialsSignin }),
        ...(phoneSessions === undefined
          ? []
          : [
              TingTingV5({
                engine: engine.engine,
                CredentialsSignin,
                trustProxy: true,
                sessions: phoneSessions,
              }),
            ]),
      ],
      secret: AUTH_SECRET,
      trustHost: true,
      basePath: '/api/auth',
      session: { strategy: 'jwt' },
      callbacks: { ...revocable.callbacks, ...beside } as AuthConfig['callbacks'],
      events: { ...revocable.events, ...options.eventsBeside } as AuthConfig['events'],
      ...(options.codec === undefined ? {} : { jwt: options.codec as AuthConfig['jwt'] }),
    };
    handle = async (req) => {
      const response = await Auth(req, config);
      const type = response.headers.get('content-type') ?? '';
      const location = response.headers.get('location');
      return {
        status: response.status,
        body: type.includes('json') ? await response.json() : await response.text(),
        location: location ? new URL(location, ORIGIN) : undefined,
        setCookies: response.headers.getSetCookie().map((header) => header.split(';')[0] ?? ''),
      };
    };
  }

  const rig: Rig = {
    major,
    kind,
    clock,
    fake,
    sessions,
    phoneSessions,
    calls,
    cookie,
    async request(jar, path, body) {
      const reply = await handle(
        new Request(`${ORIGIN}/api/auth/${path}`, {
          method: body ? 'POST' : 'GET',
          headers: headersOf(jar, body !== undefined),
          ...(body ? { body: JSON.stringify(body) } : {}),
        }),
      );
      for (const pair of reply.setCookies) {
        const index = pair.indexOf('=');
        const value = pair.slice(index + 1);
        if (value === '') jar.delete(pair.slice(0, index));
        else jar.set(pair.slice(0, index), value);
      }
      return reply;
    },
    async signIn(credentials, jar = new Map()) {
      const { csrfToken } = (await rig.request(jar, 'csrf')).body as { csrfToken: string };
      const reply = await rig.request(jar, 'callback/upstream', {
        csrfToken,
        callbackUrl: `${ORIGIN}/account`,
        json: 'true',
        ...credentials,
      });
      return { jar, reply };
    },
    async signInWithPhone(jar = new Map()) {
      if (phoneSessions === undefined) throw new Error('upstreamRig: pass { phone: true }');
      await engine.engine.send({ phone: PHONE });
      const { csrfToken } = (await rig.request(jar, 'csrf')).body as { csrfToken: string };
      const reply = await rig.request(jar, 'callback/tingting', {
        csrfToken,
        callbackUrl: `${ORIGIN}/account`,
        json: 'true',
        phone: PHONE,
        code: engine.lastCode(),
      });
      return { jar, reply };
    },
    async signOut(jar) {
      const { csrfToken } = (await rig.request(jar, 'csrf')).body as { csrfToken: string };
      await rig.request(jar, 'signout', { csrfToken, callbackUrl: `${ORIGIN}/signin` });
    },
    codeOf(reply) {
      const params = reply.location?.searchParams;
      return (major === 'v4' ? params?.get('error') : params?.get('code')) ?? null;
    },
    async decode(jar) {
      const token = jar.get(cookie) ?? '';
      if (options.codec !== undefined) {
        // v4 hands `jwt.decode` no salt; v5 the cookie's name.
        return options.codec.decode({
          token,
          secret: AUTH_SECRET,
          ...(major === 'v5' ? { salt: cookie } : {}),
        });
      }
      return (
        major === 'v4'
          ? await decodeV4({ token, secret: AUTH_SECRET })
          : await decodeV5({ token, secret: AUTH_SECRET, salt: cookie })
      ) as Record<string, unknown> | null;
    },
    async session(jar) {
      const body = (await rig.request(jar, 'session')).body as Record<string, unknown> | null;
      return body;
    },
    close: () => fake.close(),
  };
  return rig;
}

/**
 * The hooks of a test file over rigs: next-auth's console logs muted (the assertions are on its
 * answers), `process.emitWarning` recorded in `warnings` (cleared before each test), and every
 * rig pushed to `rigs` closed after each test.
 */
export function rigHooks(): { rigs: Rig[]; warnings: Mock<typeof process.emitWarning> } {
  const rigs: Rig[] = [];
  const warnings: Mock<typeof process.emitWarning> = vi.fn();
  const spies: MockInstance[] = [];
  beforeAll(() => {
    process.env.NEXTAUTH_URL = ORIGIN;
    spies.push(
      vi.spyOn(console, 'error').mockImplementation(() => {}),
      vi.spyOn(console, 'warn').mockImplementation(() => {}),
      vi.spyOn(process, 'emitWarning').mockImplementation(warnings),
    );
  });
  beforeEach(() => warnings.mockClear());
  afterEach(async () => {
    await Promise.all(rigs.splice(0).map((rig) => rig.close()));
  });
  afterAll(() => {
    for (const spy of spies.splice(0)) spy.mockRestore();
  });
  return { rigs, warnings };
}

/** One way to sign in through a rig, and the sessions it starts. */
export interface SignInMethod {
  name: 'password' | 'phone';
  signIn(rig: Rig): Promise<{ jar: Jar; reply: Reply }>;
  sessionsOf(rig: Rig): UpstreamSessions;
}

/** Password sign-in as `asha` (`UpstreamCredentials`). */
export const passwordSignIn: SignInMethod = {
  name: 'password',
  signIn: (rig) => rig.signIn({ username: 'asha', password: PASSWORD }),
  sessionsOf: (rig) => rig.sessions,
};

/** Phone sign-in (`TingTing({ sessions })`), on a rig made with `phone: true`. */
export const phoneSignIn: SignInMethod = {
  name: 'phone',
  signIn: (rig) => rig.signInWithPhone(),
  sessionsOf: (rig) => rig.phoneSessions!,
};

/** What the browser sees of a reply: status, where it goes, which cookies are set. */
export const seenByBrowser = (
  reply: Reply,
): { status: number; location: string | undefined; cookies: (string | undefined)[] } => ({
  status: reply.status,
  location: reply.location?.href,
  cookies: reply.setCookies.map((pair) => pair.split('=')[0]).sort(),
});
