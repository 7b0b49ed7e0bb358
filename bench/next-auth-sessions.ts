/**
 * What revocable sessions cost a session read: `getServerSession` (next-auth v4's `AuthHandler`
 * on `/api/auth/session`, which `getServerSession` calls) and `auth()` (Auth.js's `Auth()` on the
 * same route, which v5's `auth()` calls), with revocation off (stateless JWT, the exported
 * `callbacks`) and on (`revocableSessions`: one `sessions.status(sid)` per read) over a
 * MemorySessionStore and over Redis, same run, interleaved rounds; the ratio is on / off per round,
 * median of rounds. Every read decodes and re-encodes the JWT, as in an app.
 *
 * Run: pnpm --filter bench bench:next-auth-sessions    Options (env): ROUNDS=10 OPS=2000
 * (session reads per setup per round) REDIS_URL=redis://127.0.0.1:6379.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Auth, type AuthConfig } from '@auth/core';
import { MemoryStore, OTPEngine } from '@tingting-auth/core';
import {
  MemorySessionStore,
  type UpstreamSessionStore,
  UpstreamSessions,
} from '@tingting-auth/core/upstream';
import { callbacks, revocableSessions as revocableV4, TingTing } from '@tingting-auth/next-auth';
import {
  revocableSessions as revocableV5,
  TingTing as TingTingV5,
} from '@tingting-auth/next-auth/v5';
import { RedisSessionStore } from '@tingting-auth/redis';
import type { AuthOptions } from 'next-auth';
import { createClient } from 'redis';
import { type Figure, median, writeResult } from './result.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 10);
const OPS = Number(process.env.OPS ?? 2000);
const ORIGIN = 'http://localhost:3000';
const SECRET = 'a-bench-next-auth-secret-that-is-long-enough';
const PHONE = '9841234567';
process.env.NEXTAUTH_URL = ORIGIN;

const require = createRequire(import.meta.url);
const { AuthHandler } = require(join(dirname(require.resolve('next-auth')), 'core/index.js')) as {
  AuthHandler: (p: { req: Request; options: AuthOptions }) => Promise<{
    body?: unknown;
    cookies?: { name: string; value: string }[];
  }>;
};

class CredentialsSignin extends Error {
  code = 'credentials';
}

type Mode = 'off' | 'memory' | 'redis';
type Read = () => Promise<unknown>;

function engine(): { engine: OTPEngine; code: () => string } {
  let last = '';
  const otp = new OTPEngine({
    secret: 'bench-otp-secret-of-at-least-thirty-two-bytes',
    store: new MemoryStore(),
    sender: async (delivery) => {
      last = delivery.code;
      return undefined;
    },
    policy: { resendCooldownInSeconds: 0 },
  });
  return { engine: otp, code: () => last };
}

const cookieHeader = (jar: Map<string, string>): string =>
  [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

/** A signed-in session cookie, then a function that reads the session once with it. */
async function setupV4(sessions: UpstreamSessions | undefined): Promise<Read> {
  const otp = engine();
  const revocable = sessions ? revocableV4(sessions) : undefined;
  const options: AuthOptions = {
    providers: [
      TingTing({ engine: otp.engine, trustProxy: false, ...(sessions ? { sessions } : {}) }),
    ],
    secret: SECRET,
    session: { strategy: 'jwt' },
    callbacks: revocable?.callbacks ?? callbacks,
    ...(revocable ? { events: revocable.events } : {}),
  };
  const jar = new Map<string, string>();
  const call = async (path: string, body?: Record<string, string>) => {
    const response = await AuthHandler({
      req: new Request(`${ORIGIN}/api/auth/${path}`, {
        method: body ? 'POST' : 'GET',
        headers: {
          cookie: cookieHeader(jar),
          host: 'localhost:3000',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      }),
      options,
    });
    for (const c of response.cookies ?? []) jar.set(c.name, c.value);
    return response.body;
  };
  await otp.engine.send({ phone: PHONE });
  const { csrfToken } = (await call('csrf')) as { csrfToken: string };
  await call('callback/tingting', { csrfToken, phone: PHONE, code: otp.code(), json: 'true' });
  const cookie = jar.get('next-auth.session-token');
  if (!cookie) throw new Error('v4 sign-in failed');
  const headers = { cookie: `next-auth.session-token=${cookie}`, host: 'localhost:3000' };
  return async () => {
    const { body } = await AuthHandler({
      req: new Request(`${ORIGIN}/api/auth/session`, { headers }),
      options,
    });
    if (!(body as { user?: unknown }).user) throw new Error('v4: no session');
  };
}

async function setupV5(sessions: UpstreamSessions | undefined): Promise<Read> {
  const otp = engine();
  const revocable = sessions ? revocableV5(sessions) : undefined;
  const config: AuthConfig = {
    providers: [
      TingTingV5({
        engine: otp.engine,
        CredentialsSignin,
        trustProxy: false,
        ...(sessions ? { sessions } : {}),
      }),
    ],
    secret: SECRET,
    trustHost: true,
    basePath: '/api/auth',
    session: { strategy: 'jwt' },
    callbacks: (revocable?.callbacks ?? callbacks) as AuthConfig['callbacks'],
    ...(revocable ? { events: revocable.events as AuthConfig['events'] } : {}),
  };
  const jar = new Map<string, string>();
  const call = async (path: string, form?: Record<string, string>) => {
    const response = await Auth(
      new Request(`${ORIGIN}/api/auth/${path}`, {
        method: form ? 'POST' : 'GET',
        headers: {
          cookie: cookieHeader(jar),
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(form ? { body: new URLSearchParams(form) } : {}),
      }),
      config,
    );
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return response.headers.get('content-type')?.includes('json') ? response.json() : undefined;
  };
  await otp.engine.send({ phone: PHONE });
  const { csrfToken } = (await call('csrf')) as { csrfToken: string };
  await call('callback/tingting', { csrfToken, phone: PHONE, code: otp.code() });
  const cookie = jar.get('authjs.session-token');
  if (!cookie) throw new Error('v5 sign-in failed');
  const headers = { cookie: `authjs.session-token=${cookie}` };
  return async () => {
    const response = await Auth(new Request(`${ORIGIN}/api/auth/session`, { headers }), config);
    if (!((await response.json()) as { user?: unknown } | null)?.user) {
      throw new Error('v5: no session');
    }
  };
}

async function opsPerSecond(read: Read): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < OPS; i++) await read();
  return OPS / ((performance.now() - started) / 1000);
}

const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
await client.connect();
const prefix = `bench-next-auth-${process.pid}`;
const sessionsOf = (store: UpstreamSessionStore): UpstreamSessions =>
  new UpstreamSessions({
    store,
    secret: 'bench-sessions-secret-of-at-least-thirty-two-bytes',
    providerId: 'phone',
    throttle: false,
  });
const storeOf = (mode: Mode): UpstreamSessions | undefined =>
  mode === 'off'
    ? undefined
    : sessionsOf(
        mode === 'memory'
          ? new MemorySessionStore()
          : new RedisSessionStore({ prefix, sendCommand: (args) => client.sendCommand(args) }),
      );

const MODES: Mode[] = ['off', 'memory', 'redis'];
const figures: Figure[] = [];
try {
  for (const [major, setup, call] of [
    ['v4', setupV4, 'getServerSession'],
    ['v5', setupV5, 'auth()'],
  ] as const) {
    const reads = new Map<Mode, Read>();
    for (const mode of MODES) reads.set(mode, await setup(storeOf(mode)));
    for (const read of reads.values()) for (let i = 0; i < 200; i++) await read(); // warm-up
    const rates = new Map<Mode, number[]>(MODES.map((m) => [m, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of MODES) rates.get(mode)!.push(await opsPerSecond(reads.get(mode)!));
    }
    const off = rates.get('off')!;
    for (const mode of ['memory', 'redis'] as const) {
      const on = rates.get(mode)!;
      const ratio = median(on.map((value, i) => value / off[i]!));
      figures.push({
        name: `${call} reads/s, revocation on (${mode === 'memory' ? 'MemorySessionStore' : 'Redis'})`,
        value: median(on),
        unit: 'reads/s',
        baseline: { name: `${call} reads/s, revocation off (stateless JWT)`, value: median(off) },
        ratio,
        digits: 0,
        ...(mode === 'memory' ? { goal: { on: 'ratio', op: '>=', target: 0.9 } } : {}),
      });
      console.log(
        `next-auth ${major} ${call}: off ${median(off).toFixed(0)}/s, on (${mode}) ${median(on).toFixed(0)}/s, ratio ${ratio.toFixed(3)}`,
      );
    }
  }
  writeResult({
    bench: 'next-auth-sessions',
    params: { rounds: ROUNDS, 'reads per setup per round': OPS },
    figures,
  });
} finally {
  for await (const keys of client.scanIterator({ MATCH: `*${prefix}*`, COUNT: 100 })) {
    if (keys.length > 0) await client.del(keys);
  }
  client.destroy();
}
