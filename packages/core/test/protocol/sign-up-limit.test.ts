/**
 * The password protocol's per-IP sign-up limit, over the real handler, `UpstreamSessions` on a
 * `MemorySessionStore`, the real notes provider and the fake notes server over HTTP, on a manual
 * clock shared by all three: the N+1-th attempt from one IP is a 429 with `Retry-After` and never
 * reaches the upstream; other IPs are not affected; the window resets; every attempt counts;
 * processes sharing a store share the count; the option turns it off and is checked at start-up.
 */
import { type FakeNotes, startFakeNotes } from '@tingting-auth/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/errors.js';
import {
  createPasswordProtocol,
  DEFAULT_SIGN_UP_LIMIT,
  type PasswordProtocolConfig,
  type ProtocolRequest,
  resolveRequestOptions,
} from '../../src/protocol/index.js';
import {
  MemorySessionStore,
  notesProvider,
  timbrProvider,
  UpstreamSessions,
  type UpstreamSessionsOptions,
} from '../../src/upstream/index.js';
import { type ManualClock, manualClock, T0 } from '../helpers.js';

const SECRET = 'sign-up-limit-test-secret-0123456789abcdef';
const HOUR = 3_600_000;
const IP = '203.0.113.9';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

let serial = 0;
/** A new account's fields (a long enough password: notes refuses 8 characters or fewer). */
function account(overrides: Record<string, unknown> = {}) {
  serial += 1;
  return {
    username: `user${serial}`,
    email: `user${serial}@example.com`,
    password: 'long-password-1',
    ...overrides,
  };
}

function post(
  fields: unknown,
  /** `null`: no client IP (the host gave none). */
  clientIP: string | null = IP,
  headers: Record<string, string> = {},
): ProtocolRequest {
  const text = JSON.stringify(fields);
  return {
    method: 'POST',
    headers: {
      host: 'app.example.com',
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      ...headers,
    },
    body: new TextEncoder().encode(text),
    ...(clientIP === null ? {} : { clientIP }),
  };
}

async function rig(
  config: Partial<PasswordProtocolConfig> = {},
  options: {
    requestOptions?: Record<string, unknown>;
    sessions?: Partial<UpstreamSessionsOptions>;
    clock?: ManualClock;
  } = {},
) {
  const clock = options.clock ?? manualClock(T0);
  const fake: FakeNotes = await startFakeNotes({
    now: clock,
    accounts: [{ username: 'asha', email: 'asha@example.com', password: 'right-password-123' }],
  });
  closers.push(() => fake.close());
  const provider = notesProvider({ baseURL: fake.url });
  const store = new MemorySessionStore();
  const sessions = new UpstreamSessions({
    store,
    secret: SECRET,
    provider,
    clock,
    ...options.sessions,
  });
  const password = createPasswordProtocol(
    resolveRequestOptions('test', options.requestOptions ?? {}, { clientIPFromHeaders: true }),
    { sessions, provider, ...config },
  );
  const signUp = password.signUp!;
  const upstreamCalls = () => fake.requests.filter((r) => r.endpoint === 'signup').length;
  return { clock, fake, store, sessions, provider, password, signUp, upstreamCalls };
}

describe('the per-IP sign-up limit', () => {
  it('by default, 30 attempts per IP per hour: the 31st is a 429 with Retry-After, and the upstream is not asked', async () => {
    const { password, signUp, clock, upstreamCalls } = await rig();
    expect(password.signUpLimit).toEqual({ maxPerIP: 30, windowInMilliseconds: HOUR });
    expect(DEFAULT_SIGN_UP_LIMIT).toEqual({ maxPerIP: 30, windowInMilliseconds: HOUR });
    for (let i = 0; i < 30; i += 1) {
      expect((await signUp(post(account()))).answer.status).toBe(202);
      if (i === 0) clock.advance(600_000); // the window started at the first attempt
    }
    expect(upstreamCalls()).toBe(30);
    const refused = await signUp(post(account()));
    expect(refused.ok).toBe(false);
    expect(refused.answer.status).toBe(429);
    expect(refused.answer.body).toEqual({
      error: { code: 'RATE_LIMITED', message: 'Too many requests. Please wait and try again.' },
    });
    // The window started 10 minutes ago: 50 minutes left.
    expect(refused.answer.headers['retry-after']).toBe('3000');
    expect(upstreamCalls()).toBe(30);
  });

  it('a refused attempt emits sign-up.limited (the IP and the wait, never the fields sent); an allowed one emits nothing', async () => {
    const { signUp, sessions, clock } = await rig({
      signUpLimit: { maxPerIP: 1, windowInMilliseconds: HOUR },
    });
    const events: unknown[] = [];
    sessions.on('sign-up.limited', (event) => events.push(event));
    const first = account();
    expect((await signUp(post(first))).answer.status).toBe(202);
    expect(events).toEqual([]);
    clock.advance(60_000);
    const second = account({ password: 'another-secret-password' });
    expect((await signUp(post(second))).answer.status).toBe(429);
    expect(events).toEqual([
      {
        type: 'sign-up.limited',
        provider: 'notes',
        ip: IP,
        retryAfterInMilliseconds: HOUR - 60_000,
        at: new Date(clock()),
      },
    ]);
    const text = JSON.stringify(events);
    for (const secret of [second.password, second.username, second.email]) {
      expect(text).not.toContain(secret);
    }
  });

  it('another IP is not affected; IPv6 addresses of one /64 share a count', async () => {
    const { signUp, upstreamCalls } = await rig({
      signUpLimit: { maxPerIP: 2, windowInMilliseconds: HOUR },
    });
    for (const ip of [IP, IP]) expect((await signUp(post(account(), ip))).answer.status).toBe(202);
    expect((await signUp(post(account(), IP))).answer.status).toBe(429);
    expect((await signUp(post(account(), '198.51.100.7'))).answer.status).toBe(202);
    // An IPv4-mapped IPv6 address is its IPv4 address.
    expect((await signUp(post(account(), '::ffff:203.0.113.9'))).answer.status).toBe(429);
    expect((await signUp(post(account(), '2001:db8:1:2::1'))).answer.status).toBe(202);
    expect((await signUp(post(account(), '2001:db8:1:2::ffff'))).answer.status).toBe(202);
    expect((await signUp(post(account(), '2001:db8:1:2:aaaa::1'))).answer.status).toBe(429);
    expect((await signUp(post(account(), '2001:db8:1:3::1'))).answer.status).toBe(202);
    expect(upstreamCalls()).toBe(6);
  });

  it('the window resets: refused just before it ends, allowed again when it ends', async () => {
    const { signUp, clock } = await rig({
      signUpLimit: { maxPerIP: 3, windowInMilliseconds: 60_000 },
    });
    for (let i = 0; i < 3; i += 1) expect((await signUp(post(account()))).answer.status).toBe(202);
    clock.set(T0 + 59_999);
    const last = await signUp(post(account()));
    expect(last.answer.status).toBe(429);
    expect(last.answer.headers['retry-after']).toBe('1');
    clock.set(T0 + 60_000);
    for (let i = 0; i < 3; i += 1) expect((await signUp(post(account()))).answer.status).toBe(202);
    expect((await signUp(post(account()))).answer.status).toBe(429);
  });

  it('counts attempts, not only new accounts: an existing account and an upstream refusal count; a malformed request does not', async () => {
    const { signUp, upstreamCalls } = await rig({
      signUpLimit: { maxPerIP: 3, windowInMilliseconds: HOUR },
    });
    // Refused before the upstream (a missing field): nothing counted.
    for (let i = 0; i < 5; i += 1) {
      expect((await signUp(post({ username: 'x', email: 'x@example.com' }))).answer.status).toBe(
        400,
      );
    }
    expect(upstreamCalls()).toBe(0);
    // An existing account (the same 202), a password notes refuses (400), a new account: 3.
    const existing = account({ username: 'asha', email: 'asha@example.com' });
    expect((await signUp(post(existing))).answer.status).toBe(202);
    expect((await signUp(post(account({ password: 'short' })))).answer.status).toBe(400);
    expect((await signUp(post(account()))).answer.status).toBe(202);
    expect(upstreamCalls()).toBe(3);
    // The 4th: the same 429 whether the account would be new or existing.
    const forNew = await signUp(post(account()));
    const forExisting = await signUp(post(existing));
    expect(forNew.answer).toEqual(forExisting.answer);
    expect(forNew.answer.status).toBe(429);
    expect(upstreamCalls()).toBe(3);
  });

  it('parallel attempts from one IP: exactly the limit pass (the check and the count are one step)', async () => {
    const { signUp, upstreamCalls } = await rig({
      signUpLimit: { maxPerIP: 5, windowInMilliseconds: HOUR },
    });
    const results = await Promise.all(Array.from({ length: 12 }, () => signUp(post(account()))));
    const statuses = results.map((result) => result.answer.status);
    expect(statuses.filter((status) => status === 202)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(7);
    expect(upstreamCalls()).toBe(5);
  });

  it('processes sharing the store share the count (two sessions managers over one store)', async () => {
    const first = await rig({ signUpLimit: { maxPerIP: 4, windowInMilliseconds: HOUR } });
    const other = createPasswordProtocol(resolveRequestOptions('other', {}), {
      sessions: new UpstreamSessions({
        store: first.store,
        secret: SECRET,
        provider: first.provider,
        clock: first.clock,
      }),
      provider: first.provider,
      signUpLimit: { maxPerIP: 4, windowInMilliseconds: HOUR },
    });
    for (const signUp of [first.signUp, other.signUp!, first.signUp, other.signUp!]) {
      expect((await signUp(post(account()))).answer.status).toBe(202);
    }
    expect((await other.signUp!(post(account()))).answer.status).toBe(429);
    expect((await first.signUp(post(account()))).answer.status).toBe(429);
  });

  it('a request without a client IP is not limited, as the sign-in per-IP limits and the code send cap', async () => {
    const { signUp, upstreamCalls } = await rig({
      signUpLimit: { maxPerIP: 2, windowInMilliseconds: HOUR },
    });
    for (let i = 0; i < 5; i += 1) {
      expect((await signUp(post(account(), null))).answer.status).toBe(202);
    }
    // An X-Forwarded-For without trustProxy is anyone's to set: not an IP, nothing counted.
    for (let i = 0; i < 3; i += 1) {
      const request = post(account(), null, { 'x-forwarded-for': IP });
      expect((await signUp(request)).answer.status).toBe(202);
    }
    expect(upstreamCalls()).toBe(8);
    // Counted once there is one.
    for (const status of [202, 202, 429]) {
      expect((await signUp(post(account(), IP))).answer.status).toBe(status);
    }
  });

  it('with trustProxy, the IP of the proxy header is the one counted', async () => {
    const { signUp } = await rig(
      { signUpLimit: { maxPerIP: 1, windowInMilliseconds: HOUR } },
      { requestOptions: { trustProxy: true } },
    );
    const via = (ip: string) => post(account(), null, { 'x-forwarded-for': `${ip}, 10.0.0.1` });
    expect((await signUp(via('198.51.100.1'))).answer.status).toBe(202);
    expect((await signUp(via('198.51.100.1'))).answer.status).toBe(429);
    expect((await signUp(via('198.51.100.2'))).answer.status).toBe(202);
  });

  it('signUpLimit: false turns it off', async () => {
    const { password, signUp, upstreamCalls } = await rig({ signUpLimit: false });
    expect(password.signUpLimit).toBeUndefined();
    for (let i = 0; i < 40; i += 1) {
      expect((await signUp(post(account()))).answer.status).toBe(202);
    }
    expect(upstreamCalls()).toBe(40);
  });

  it('works with the sign-in limits off (throttle: false): the store still counts', async () => {
    const { signUp, sessions } = await rig(
      { signUpLimit: { maxPerIP: 1, windowInMilliseconds: HOUR } },
      { sessions: { throttle: false } },
    );
    expect(sessions.throttle).toBeUndefined();
    expect((await signUp(post(account()))).answer.status).toBe(202);
    expect((await signUp(post(account()))).answer.status).toBe(429);
  });

  it('a store failure is a 503 whose cause is kept for logs; the upstream is not asked', async () => {
    const { signUp, store, upstreamCalls } = await rig();
    const failure = new StoreUnavailableError('the store is down');
    store.consume = () => Promise.reject(failure);
    const result = await signUp(post(account()));
    expect(result.answer.status).toBe(503);
    expect(result.answer.headers['retry-after']).toBe('30');
    expect(!result.ok && result.error.cause).toBe(failure);
    expect(JSON.stringify(result.answer)).not.toContain('store is down');
    expect(upstreamCalls()).toBe(0);
  });

  it('no IP is kept in clear in the store', async () => {
    const { signUp, store } = await rig();
    await signUp(post(account(), '198.51.100.77'));
    const consumed: string[] = [];
    const consume = store.consume.bind(store);
    store.consume = (entries, now) => {
      consumed.push(JSON.stringify(entries));
      return consume(entries, now);
    };
    await signUp(post(account(), '198.51.100.77'));
    expect(consumed).toHaveLength(1);
    expect(consumed[0]).not.toContain('198.51.100');
    expect(consumed[0]).toContain('"kind":"window"');
  });
});

describe('the signUpLimit option, checked at start-up', () => {
  it('refuses bad values with a TypeError naming the mistake', async () => {
    const { sessions, provider } = await rig();
    const options = resolveRequestOptions('createUpstreamAuth', {});
    const make = (signUpLimit: unknown) => () =>
      createPasswordProtocol(options, {
        sessions,
        provider,
        signUpLimit: signUpLimit as PasswordProtocolConfig['signUpLimit'],
      });
    const shape = new TypeError(
      'createUpstreamAuth: signUpLimit must be { maxPerIP?, windowInMilliseconds? } or false',
    );
    for (const value of [true, null, 0, 30, 'off', [30]]) expect(make(value)).toThrow(shape);
    expect(make({ maxPerIp: 5 })).toThrow(
      new TypeError(
        'createUpstreamAuth: unknown signUpLimit option `maxPerIp` (maxPerIP, windowInMilliseconds)',
      ),
    );
    for (const value of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '30', 1_000_001]) {
      expect(make({ maxPerIP: value })).toThrow(
        new TypeError(
          `createUpstreamAuth: signUpLimit.maxPerIP must be a whole number from 1 to 1000000, got ${String(value)}`,
        ),
      );
    }
    for (const value of [0, 999, 60.5, 30 * 86_400_000 + 1, '3600000']) {
      expect(make({ windowInMilliseconds: value })).toThrow(
        new TypeError(
          `createUpstreamAuth: signUpLimit.windowInMilliseconds must be a whole number from 1000 to 2592000000, got ${String(value)}`,
        ),
      );
    }
    // Either value alone; the other keeps its default.
    expect(make({ maxPerIP: 100 })().signUpLimit).toEqual({
      maxPerIP: 100,
      windowInMilliseconds: HOUR,
    });
    expect(make({ windowInMilliseconds: 86_400_000 })().signUpLimit).toEqual({
      maxPerIP: 30,
      windowInMilliseconds: 86_400_000,
    });
    expect(make({})().signUpLimit).toEqual(DEFAULT_SIGN_UP_LIMIT);
  });

  it('is checked without sign-up too, and then limits nothing', async () => {
    const { sessions } = await rig();
    const options = resolveRequestOptions('x', {});
    expect(() =>
      createPasswordProtocol(options, { sessions, signUpLimit: { maxPerIP: 0 } }),
    ).toThrow(/x: signUpLimit.maxPerIP must be/);
    const timbr = createPasswordProtocol(options, {
      sessions,
      provider: timbrProvider({ baseURL: 'http://127.0.0.1:9' }),
    });
    expect(timbr.signUp).toBeUndefined();
    expect(timbr.signUpLimit).toBeUndefined();
  });

  it('refuses a sessions manager that cannot count sign-ups, unless the limit is off', async () => {
    const { provider } = await rig();
    const store = new MemorySessionStore();
    // A sessions store without the throttle contract (and the sign-in limits off).
    const bare = Object.assign(Object.create(store) as MemorySessionStore, { consume: undefined });
    const sessions = new UpstreamSessions({
      store: bare,
      secret: SECRET,
      provider,
      throttle: false,
    });
    expect(sessions.countsAttempts).toBe(false);
    const options = resolveRequestOptions('x', {});
    const message =
      /x: the sign-up limit counts attempts in the sessions' store: `sessions` must be an UpstreamSessions whose store implements LoginThrottleStore .*or pass signUpLimit: false/;
    expect(() => createPasswordProtocol(options, { sessions, provider })).toThrow(message);
    // A sessions object of one's own without attemptSignUp.
    const own = { providerId: 'notes', signIn: sessions.signIn, end: sessions.end };
    expect(() => createPasswordProtocol(options, { sessions: own, provider })).toThrow(message);
    expect(
      createPasswordProtocol(options, { sessions, provider, signUpLimit: false }).signUp,
    ).toBeTypeOf('function');
    await expect(
      sessions.attemptSignUp(IP, { maxPerIP: 1, windowInMilliseconds: HOUR }),
    ).rejects.toThrow(/store must implement LoginThrottleStore/);
  });

  it('UpstreamSessions.attemptSignUp checks its limit', async () => {
    const { sessions } = await rig();
    for (const limit of [undefined, {}, { maxPerIP: 0, windowInMilliseconds: 1 }]) {
      await expect(sessions.attemptSignUp(IP, limit as never)).rejects.toThrow(
        /limit must be \{ maxPerIP, windowInMilliseconds \}/,
      );
    }
    await expect(
      sessions.attemptSignUp(undefined, { maxPerIP: 1, windowInMilliseconds: 1 }),
    ).resolves.toEqual({ ok: true });
  });
});
