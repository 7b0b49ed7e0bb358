/**
 * MemorySessionStore beyond the shared contract: its options and production warning, the copies
 * it hands out, how failures surface, the refresh lock on the store's own clock, and the three
 * bounds (sessions, ended-session reasons, throttle counters): expired entries go first, then the
 * oldest, so a flood of sign-ins cannot grow memory without limit nor push out live entries while
 * dead ones remain.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StoreUnavailableError } from '../src/errors.js';
import { MemorySessionStore } from '../src/upstream/sessions-memory-store.js';
import type { SessionKey, StoredSession } from '../src/upstream/sessions-store.js';
import type { ThrottleEntry, ThrottleRule } from '../src/upstream/throttle-store.js';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

const session = (overrides: Partial<StoredSession> = {}): StoredSession => ({
  provider: 'p',
  generation: 0,
  createdAt: T0,
  lastSeenAt: T0,
  expiresAt: T0 + HOUR,
  info: 'info',
  tokens: 'tokens',
  ...overrides,
});
const key = (id: string, subject = 's'): SessionKey => ({ subject, id });
const state = async (store: MemorySessionStore, k: SessionKey, now: number) =>
  (await store.get(k, now)).state;

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe('options', () => {
  it('keeps 100,000 entries by default', () => {
    expect(new MemorySessionStore().maxEntries).toBe(100_000);
    expect(new MemorySessionStore({}).maxEntries).toBe(100_000);
  });

  it('takes any positive safe integer', () => {
    expect(new MemorySessionStore({ maxEntries: 1 }).maxEntries).toBe(1);
    expect(new MemorySessionStore({ maxEntries: 7 }).maxEntries).toBe(7);
  });

  it('refuses zero, negatives, fractions, NaN, Infinity and unsafe integers, with the value', () => {
    for (const bad of [0, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => new MemorySessionStore({ maxEntries: bad })).toThrow(
        new TypeError(`MemorySessionStore: maxEntries must be a positive integer, got ${bad}`),
      );
    }
  });
});

describe('the production warning', () => {
  const MESSAGE =
    'MemorySessionStore keeps sessions and sign-in limits in this process only: with more than ' +
    'one process, a session made by one process is unknown to the others and limits are per ' +
    'process. Use RedisSessionStore from @tingting-auth/redis.';

  it('goes to the logger given, every time, in production', () => {
    vi.stubEnv('NODE_ENV', 'production');
    const emit = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const warn = vi.fn();
    new MemorySessionStore({ logger: { warn } });
    new MemorySessionStore({ logger: { warn } });
    expect(warn.mock.calls).toEqual([[MESSAGE], [MESSAGE]]);
    expect(emit).not.toHaveBeenCalled();
    emit.mockRestore();
  });

  it('is not given outside production', () => {
    vi.stubEnv('NODE_ENV', 'development');
    const emit = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const warn = vi.fn();
    new MemorySessionStore({ logger: { warn } });
    new MemorySessionStore();
    expect(warn).not.toHaveBeenCalled();
    expect(emit).not.toHaveBeenCalled();
    emit.mockRestore();
  });

  it('without a logger: a process warning, once per process', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    // A fresh copy of the module: the "warned once" flag is module state.
    vi.resetModules();
    const fresh = await import('../src/upstream/sessions-memory-store.js');
    const emit = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    new fresh.MemorySessionStore();
    new fresh.MemorySessionStore();
    expect(emit.mock.calls).toEqual([[MESSAGE, { code: 'TINGTING_MEMORY_SESSION_STORE' }]]);
    // A logger still gets it after that.
    const warn = vi.fn();
    new fresh.MemorySessionStore({ logger: { warn } });
    expect(warn).toHaveBeenCalledWith(MESSAGE);
    emit.mockRestore();
  });
});

describe('copies', () => {
  it('a session read or listed is a copy: changing it changes nothing stored', async () => {
    const store = new MemorySessionStore();
    const original = session();
    await store.create(key('a'), original, T0);
    original.generation = 99;
    const read = await store.get(key('a'), T0);
    if (read.state !== 'active') throw new Error('unreachable');
    expect(read.session.generation).toBe(0);
    read.session.expiresAt = T0;
    read.session.generation = 5;
    const [listed] = await store.list('s', T0);
    expect(listed!.session).toEqual(session());
    listed!.session.expiresAt = T0;
    expect(await store.get(key('a'), T0 + 1)).toEqual({ state: 'active', session: session() });
  });

  it('size counts the sessions held', async () => {
    const store = new MemorySessionStore();
    expect(store.size).toBe(0);
    await store.create(key('a'), session(), T0);
    await store.create(key('a'), session(), T0);
    await store.create(key('b'), session(), T0);
    expect(store.size).toBe(2);
    await store.end(key('a'), 'signed_out', T0, T0 + HOUR);
    expect(store.size).toBe(1);
  });
});

describe('expired sessions are swept only when the store is full', () => {
  it('size still counts an expired session until then, and its lock holds', async () => {
    vi.useFakeTimers({ now: T0 });
    const store = new MemorySessionStore({ maxEntries: 10 });
    await store.create(key('a'), session({ expiresAt: T0 + 10 }), T0);
    expect(await store.lock(key('a'), 'holder', HOUR)).toBe(true);
    await store.create(key('b'), session(), T0 + 10);
    expect(store.size).toBe(2);
    expect(await store.lock(key('a'), 'next', HOUR)).toBe(false);
  });
});

describe('expired reasons and counters are swept only when their map is full', () => {
  // No scan on every end or attempt: the work is done only under the bound. Until then an entry
  // past its time is still there, which a clock read that steps back (an NTP correction) sees.
  it('an ended reason past its time stays until the reasons fill up', async () => {
    const store = new MemorySessionStore({ maxEntries: 10 });
    await store.create(key('a'), session(), T0);
    await store.end(key('a'), 'signed_out', T0, T0 + 10);
    await store.create(key('b'), session(), T0);
    await store.end(key('b'), 'signed_out', T0 + 10, T0 + HOUR);
    expect(await store.get(key('a'), T0 + 5)).toEqual({ state: 'ended', reason: 'signed_out' });
  });

  it('a counter past its window stays until the counters fill up', async () => {
    const store = new MemorySessionStore({ maxEntries: 10 });
    const rule: ThrottleRule = { kind: 'window', limit: 1, windowInMilliseconds: 10 };
    await store.consume([{ group: 'a', key: 'k', rule }], T0);
    await store.consume([{ group: 'b', key: 'k', rule }], T0 + 10);
    expect(await store.consume([{ group: 'a', key: 'k', rule }], T0 + 5)).toEqual({
      ok: false,
      retryAfterInMilliseconds: 5,
    });
  });
});

describe('failures', () => {
  it('a failing operation rejects with StoreUnavailableError, the cause kept', async () => {
    const store = new MemorySessionStore();
    const bad = null as unknown as SessionKey;
    const error = await store.get(bad, T0).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toBe('MemorySessionStore failed');
    expect((error as Error).cause).toBeInstanceOf(TypeError);
    await expect(store.create(bad, session(), T0)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.lock(bad, 't', 1)).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('a StoreUnavailableError is passed on as it is', async () => {
    const store = new MemorySessionStore();
    const down = new StoreUnavailableError('down');
    const k = {
      get subject(): string {
        throw down;
      },
      id: 'a',
    };
    await expect(store.get(k, T0)).rejects.toBe(down);
  });
});

describe('get', () => {
  it('touches exactly at lastSeenAt + touchAfter and only then', async () => {
    const store = new MemorySessionStore();
    await store.create(key('a'), session({ lastSeenAt: T0 + 100 }), T0);
    const before = await store.get(key('a'), T0 + 159, 60);
    expect(before.state === 'active' && before.session.lastSeenAt).toBe(T0 + 100);
    const at = await store.get(key('a'), T0 + 160, 60);
    expect(at.state === 'active' && at.session.lastSeenAt).toBe(T0 + 160);
    // touchAfter 0: every read touches.
    const zero = await store.get(key('a'), T0 + 161, 0);
    expect(zero.state === 'active' && zero.session.lastSeenAt).toBe(T0 + 161);
  });

  it('an expired session is dropped: gone from the list, its lock released, no reason kept', async () => {
    vi.useFakeTimers({ now: T0 });
    const store = new MemorySessionStore();
    await store.create(key('a'), session({ expiresAt: T0 + 10 }), T0);
    await store.create(key('b'), session(), T0);
    expect(await store.lock(key('a'), 'holder', HOUR)).toBe(true);
    expect(await store.get(key('a'), T0 + 10)).toEqual({ state: 'none' });
    expect(store.size).toBe(1);
    expect(await store.lock(key('a'), 'next', HOUR)).toBe(true);
    expect((await store.list('s', T0)).map((l) => l.id)).toEqual(['b']);
    // The session is gone for good, even for a clock read earlier.
    expect(await store.get(key('a'), T0)).toEqual({ state: 'none' });
  });

  it('an ended reason is kept until keepReasonUntil, then forgotten for good', async () => {
    const store = new MemorySessionStore();
    await store.create(key('a'), session(), T0);
    await store.end(key('a'), 'ended_by_app', T0, T0 + 100);
    expect(await store.get(key('a'), T0 + 99)).toEqual({ state: 'ended', reason: 'ended_by_app' });
    expect(await store.get(key('a'), T0 + 100)).toEqual({ state: 'none' });
    // Forgotten, not only hidden: an earlier clock does not bring it back.
    expect(await store.get(key('a'), T0 + 50)).toEqual({ state: 'none' });
  });
});

describe('replace', () => {
  it('answers missing from expiresAt on, ok just before', async () => {
    const store = new MemorySessionStore();
    const next = { generation: 1, tokens: 'new', expiresAt: T0 + 2 * HOUR };
    await store.create(key('a'), session({ expiresAt: T0 + 10 }), T0);
    expect(await store.replace(key('a'), 0, next, T0 + 10)).toBe('missing');
    await store.create(key('b'), session({ expiresAt: T0 + 10 }), T0);
    expect(await store.replace(key('b'), 0, next, T0 + 9)).toBe('ok');
    expect(await store.get(key('b'), T0 + HOUR)).toEqual({
      state: 'active',
      session: session({ generation: 1, tokens: 'new', expiresAt: T0 + 2 * HOUR }),
    });
  });
});

describe('end', () => {
  it('keeps the reason only when keepReasonUntil is after now', async () => {
    const store = new MemorySessionStore();
    await store.create(key('a'), session(), T0);
    expect(await store.end(key('a'), 'signed_out', T0 + 10, T0 + 10)).toBe(true);
    expect(await store.get(key('a'), T0 + 5)).toEqual({ state: 'none' });
    await store.create(key('b'), session(), T0);
    expect(await store.end(key('b'), 'signed_out', T0 + 10, T0 + 11)).toBe(true);
    expect(await store.get(key('b'), T0 + 10)).toEqual({ state: 'ended', reason: 'signed_out' });
  });

  it('an unknown or expired session keeps no reason, even for an earlier clock', async () => {
    const store = new MemorySessionStore();
    expect(await store.end(key('x'), 'signed_out', T0, T0 + HOUR)).toBe(false);
    expect(await store.get(key('x'), T0)).toEqual({ state: 'none' });
    await store.create(key('a'), session({ expiresAt: T0 + 10 }), T0);
    expect(await store.end(key('a'), 'signed_out', T0 + 10, T0 + HOUR)).toBe(false);
    expect(await store.get(key('a'), T0)).toEqual({ state: 'none' });
  });

  it('ending one session keeps the others of its subject listed', async () => {
    const store = new MemorySessionStore();
    await store.create(key('a'), session(), T0);
    await store.create(key('b'), session({ createdAt: T0 + 1 }), T0);
    await store.end(key('a'), 'signed_out', T0, T0 + HOUR);
    expect((await store.list('s', T0)).map((l) => l.id)).toEqual(['b']);
    expect(await store.endAll('s', 'ended_everywhere', T0, T0 + HOUR)).toBe(1);
  });

  it('creating a session again under a key forgets its ended reason', async () => {
    const store = new MemorySessionStore();
    await store.create(key('a'), session(), T0);
    await store.end(key('a'), 'signed_out', T0, T0 + HOUR);
    await store.create(key('a'), session({ expiresAt: T0 + 10 }), T0);
    // The new session expires: what remains is none, not the old reason (the first read drops
    // the expired session, the second finds nothing else under the key).
    expect(await store.get(key('a'), T0 + 20)).toEqual({ state: 'none' });
    expect(await store.get(key('a'), T0 + 20)).toEqual({ state: 'none' });
  });
});

describe('list and endAll', () => {
  it('list sorts by createdAt whatever the creation order', async () => {
    const store = new MemorySessionStore();
    const order = [5, 1, 4, 2, 3];
    for (const n of order) await store.create(key(`k${n}`), session({ createdAt: T0 + n }), T0);
    expect((await store.list('s', T0)).map((l) => l.id)).toEqual(['k1', 'k2', 'k3', 'k4', 'k5']);
  });

  it('list drops the expired sessions it meets, with their locks', async () => {
    vi.useFakeTimers({ now: T0 });
    const store = new MemorySessionStore();
    await store.create(key('a'), session({ expiresAt: T0 + 10 }), T0);
    await store.create(key('b'), session(), T0);
    expect(await store.lock(key('a'), 'holder', HOUR)).toBe(true);
    expect((await store.list('s', T0 + 10)).map((l) => l.id)).toEqual(['b']);
    expect(store.size).toBe(1);
    expect(await store.lock(key('a'), 'next', HOUR)).toBe(true);
  });

  it('list and endAll of a subject without sessions touch no lock', async () => {
    // A lock can be taken on a key without a session; a subject with no sessions has no index,
    // and nothing may be ended or dropped for it (whatever the id: 'Stryker was here' is the id
    // the mutation tool's array mutant would put in the empty list).
    vi.useFakeTimers({ now: T0 });
    const store = new MemorySessionStore();
    for (const id of ['a', 'Stryker was here', '']) {
      expect(await store.lock(key(id, 'lonely'), 'holder', HOUR)).toBe(true);
    }
    expect(await store.list('lonely', T0)).toEqual([]);
    expect(await store.endAll('lonely', 'ended_everywhere', T0, T0 + HOUR)).toBe(0);
    for (const id of ['a', 'Stryker was here', '']) {
      expect(await store.lock(key(id, 'lonely'), 'next', HOUR)).toBe(false);
    }
  });

  it('an ended session leaves its subject index: listing does not touch a lock taken after', async () => {
    // A refresh that read the session before it ended may still take the lock afterwards.
    vi.useFakeTimers({ now: T0 });
    const store = new MemorySessionStore();
    await store.create(key('a'), session(), T0);
    await store.create(key('b'), session(), T0);
    await store.end(key('a'), 'signed_out', T0, T0 + HOUR);
    expect(await store.lock(key('a'), 'late', HOUR)).toBe(true);
    expect((await store.list('s', T0)).map((l) => l.id)).toEqual(['b']);
    expect(await store.endAll('s', 'ended_everywhere', T0, T0 + HOUR, 'b')).toBe(0);
    expect(await store.lock(key('a'), 'other', HOUR)).toBe(false);
  });

  it('endAll counts only the sessions still active, and keeps the reason of those', async () => {
    const store = new MemorySessionStore();
    await store.create(key('a'), session({ expiresAt: T0 + 10 }), T0);
    await store.create(key('b'), session(), T0);
    await store.create(key('c'), session(), T0);
    expect(await store.endAll('s', 'ended_everywhere', T0 + 10, T0 + HOUR, 'c')).toBe(1);
    expect(await store.get(key('a'), T0 + 11)).toEqual({ state: 'none' });
    expect(await store.get(key('b'), T0 + 11)).toEqual({
      state: 'ended',
      reason: 'ended_everywhere',
    });
    expect((await store.get(key('c'), T0 + 11)).state).toBe('active');
  });
});

describe('the refresh lock, on the store clock', () => {
  it('is held until exactly ttl after it was taken', async () => {
    vi.useFakeTimers({ now: T0 });
    const store = new MemorySessionStore();
    expect(await store.lock(key('a'), 'one', 1_000)).toBe(true);
    vi.advanceTimersByTime(999);
    expect(await store.lock(key('a'), 'two', 1_000)).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await store.lock(key('a'), 'three', 1_000)).toBe(true);
    // The new holder's lock runs from now, and only its token releases it.
    vi.advanceTimersByTime(999);
    expect(await store.lock(key('a'), 'four', 1_000)).toBe(false);
    await store.unlock(key('a'), 'one');
    expect(await store.lock(key('a'), 'four', 1_000)).toBe(false);
    await store.unlock(key('a'), 'three');
    expect(await store.lock(key('a'), 'four', 1_000)).toBe(true);
  });

  it('locks are per key', async () => {
    vi.useFakeTimers({ now: T0 });
    const store = new MemorySessionStore();
    expect(await store.lock(key('a'), 'one', 1_000)).toBe(true);
    expect(await store.lock(key('b'), 'one', 1_000)).toBe(true);
    expect(await store.lock(key('a', 't'), 'one', 1_000)).toBe(true);
  });

  it('unlocking a key never locked, or with a wrong token, does nothing and resolves', async () => {
    const store = new MemorySessionStore();
    await expect(store.unlock(key('nobody'), 'x')).resolves.toBeUndefined();
  });
});

describe('bound on sessions', () => {
  it('a full store drops an expired session first, not the oldest live one', async () => {
    const store = new MemorySessionStore({ maxEntries: 3 });
    await store.create(key('a'), session(), T0);
    await store.create(key('b'), session({ expiresAt: T0 + 10 }), T0);
    await store.create(key('c'), session(), T0);
    await store.create(key('d'), session(), T0 + 10);
    expect(store.size).toBe(3);
    expect(await state(store, key('a'), T0 + 10)).toBe('active');
    expect(await state(store, key('c'), T0 + 10)).toBe('active');
    expect(await state(store, key('d'), T0 + 10)).toBe('active');
  });

  it('a session expiring exactly now counts as expired', async () => {
    const store = new MemorySessionStore({ maxEntries: 2 });
    await store.create(key('a'), session(), T0);
    await store.create(key('b'), session({ expiresAt: T0 + 10 }), T0);
    await store.create(key('c'), session(), T0 + 10);
    expect(await state(store, key('a'), T0 + 10)).toBe('active');
    expect(store.size).toBe(2);
  });

  it('with nothing expired, the oldest goes, and only one', async () => {
    const store = new MemorySessionStore({ maxEntries: 3 });
    for (const id of ['a', 'b', 'c', 'd']) await store.create(key(id), session(), T0);
    expect(store.size).toBe(3);
    expect(await state(store, key('a'), T0)).toBe('none');
    for (const id of ['b', 'c', 'd']) expect(await state(store, key(id), T0)).toBe('active');
    // The one dropped is gone from its subject's list too.
    expect((await store.list('s', T0)).map((l) => l.id)).toEqual(['b', 'c', 'd']);
  });

  it('recreating a held key does not evict another', async () => {
    const store = new MemorySessionStore({ maxEntries: 2 });
    await store.create(key('a'), session(), T0);
    await store.create(key('b'), session(), T0);
    await store.create(key('a'), session({ generation: 1 }), T0);
    expect(await state(store, key('b'), T0)).toBe('active');
    // `a` is now the newest: the next create drops `b`.
    await store.create(key('c'), session(), T0);
    expect(await state(store, key('b'), T0)).toBe('none');
    expect(await state(store, key('a'), T0)).toBe('active');
  });

  it('the dropped session releases its lock', async () => {
    vi.useFakeTimers({ now: T0 });
    const store = new MemorySessionStore({ maxEntries: 1 });
    await store.create(key('a', 'x'), session(), T0);
    expect(await store.lock(key('a', 'x'), 'holder', HOUR)).toBe(true);
    await store.create(key('b', 'y'), session(), T0);
    expect(await state(store, key('a', 'x'), T0)).toBe('none');
    expect(await store.lock(key('a', 'x'), 'next', HOUR)).toBe(true);
    expect(await store.list('x', T0)).toEqual([]);
    expect((await store.list('y', T0)).map((l) => l.id)).toEqual(['b']);
  });

  it('looks for expired sessions among the 32 oldest only (bounded work per create)', async () => {
    // 32 live sessions first, then an expired one at position 33: it is not looked at, so the
    // oldest live session goes.
    const store = new MemorySessionStore({ maxEntries: 34 });
    for (let i = 0; i < 32; i++) await store.create(key(`live${i}`), session(), T0);
    await store.create(key('dead'), session({ expiresAt: T0 + 10 }), T0);
    await store.create(key('late'), session(), T0);
    await store.create(key('new'), session(), T0 + 10);
    expect(await state(store, key('live0'), T0 + 10)).toBe('none');
    expect(await state(store, key('live1'), T0 + 10)).toBe('active');
    expect(await state(store, key('new'), T0 + 10)).toBe('active');
    expect(store.size).toBe(34);
  });

  it('an expired session at position 32 is found', async () => {
    const store = new MemorySessionStore({ maxEntries: 33 });
    for (let i = 0; i < 31; i++) await store.create(key(`live${i}`), session(), T0);
    await store.create(key('dead'), session({ expiresAt: T0 + 10 }), T0);
    await store.create(key('late'), session(), T0);
    await store.create(key('new'), session(), T0 + 10);
    expect(await state(store, key('live0'), T0 + 10)).toBe('active');
    expect(store.size).toBe(33);
  });

  it('drops every expired session among the 32 oldest, and then no live one', async () => {
    const store = new MemorySessionStore({ maxEntries: 4 });
    await store.create(key('a'), session({ expiresAt: T0 + 10 }), T0);
    await store.create(key('b'), session({ expiresAt: T0 + 10 }), T0);
    await store.create(key('c'), session(), T0);
    await store.create(key('d'), session(), T0);
    await store.create(key('e'), session(), T0 + 10);
    expect(store.size).toBe(3);
    expect((await store.list('s', T0 + 10)).map((l) => l.id)).toEqual(['c', 'd', 'e']);
  });

  it('subjects and ids with unusual characters are split back correctly on eviction', async () => {
    vi.useFakeTimers({ now: T0 });
    const store = new MemorySessionStore({ maxEntries: 2 });
    const odd = { subject: 'sub-ject_1', id: 'i:d-2' };
    await store.create(odd, session(), T0);
    await store.create(key('x', 'sub'), session(), T0);
    await store.lock(odd, 'holder', HOUR);
    await store.create(key('y', 'sub'), session(), T0);
    expect(await store.list('sub-ject_1', T0)).toEqual([]);
    expect(await store.lock(odd, 'next', HOUR)).toBe(true);
    expect(await store.endAll('sub-ject_1', 'ended_everywhere', T0, T0 + HOUR)).toBe(0);
  });
});

describe('bound on ended-session reasons', () => {
  const endOne = async (store: MemorySessionStore, id: string, now: number, until: number) => {
    await store.create(key(id), session(), now);
    await store.end(key(id), 'signed_out', now, until);
  };

  it('keeps at most maxEntries reasons, dropping the expired ones first, then the oldest', async () => {
    const store = new MemorySessionStore({ maxEntries: 3 });
    await endOne(store, 'a', T0, T0 + HOUR);
    await endOne(store, 'b', T0, T0 + 10);
    await endOne(store, 'c', T0, T0 + HOUR);
    await endOne(store, 'd', T0 + 10, T0 + HOUR);
    // `b` expired at T0 + 10 and went; `a` stays.
    for (const id of ['a', 'c', 'd']) {
      expect(await store.get(key(id), T0 + 10)).toEqual({ state: 'ended', reason: 'signed_out' });
    }
    await endOne(store, 'e', T0 + 10, T0 + HOUR);
    expect(await store.get(key('a'), T0 + 10)).toEqual({ state: 'none' });
    for (const id of ['c', 'd', 'e']) {
      expect(await store.get(key(id), T0 + 10)).toEqual({ state: 'ended', reason: 'signed_out' });
    }
  });

  it('looks at every reason for expired ones, not only the first', async () => {
    const store = new MemorySessionStore({ maxEntries: 40 });
    for (let i = 0; i < 38; i++) await endOne(store, `live${i}`, T0, T0 + HOUR);
    await endOne(store, 'dead', T0, T0 + 10);
    await endOne(store, 'late', T0, T0 + HOUR);
    await endOne(store, 'new', T0 + 10, T0 + HOUR);
    expect((await store.get(key('live0'), T0 + 10)).state).toBe('ended');
    expect((await store.get(key('new'), T0 + 10)).state).toBe('ended');
  });

  it('with one reason allowed, the newest stays', async () => {
    const store = new MemorySessionStore({ maxEntries: 1 });
    await endOne(store, 'a', T0, T0 + HOUR);
    await endOne(store, 'b', T0, T0 + HOUR);
    expect(await store.get(key('a'), T0)).toEqual({ state: 'none' });
    expect(await store.get(key('b'), T0)).toEqual({ state: 'ended', reason: 'signed_out' });
  });
});

describe('throttle counters', () => {
  const window = (limit: number, windowInMilliseconds = HOUR): ThrottleRule => ({
    kind: 'window',
    limit,
    windowInMilliseconds,
  });
  const entry = (group: string, rule: ThrottleRule, k = 'k'): ThrottleEntry => ({
    group,
    key: k,
    rule,
  });

  it('counters are separate per group and per key', async () => {
    const store = new MemorySessionStore();
    const one = [entry('g', window(1), 'a')];
    expect(await store.consume(one, T0)).toEqual({ ok: true });
    expect((await store.consume(one, T0)).ok).toBe(false);
    expect(await store.consume([entry('g', window(1), 'b')], T0)).toEqual({ ok: true });
    expect(await store.consume([entry('h', window(1), 'a')], T0)).toEqual({ ok: true });
  });

  it('answers the longest wait among refusing entries, whatever their order', async () => {
    const store = new MemorySessionStore();
    const short = entry('g1', window(1, 1_000));
    const long = entry('g2', window(1, 5_000));
    await store.consume([short, long], T0);
    expect(await store.consume([long, short], T0 + 100)).toEqual({
      ok: false,
      retryAfterInMilliseconds: 4_900,
    });
    expect(await store.consume([short, long], T0 + 100)).toEqual({
      ok: false,
      retryAfterInMilliseconds: 4_900,
    });
  });

  it('refund of an unknown counter, or of its only attempt, leaves it at zero', async () => {
    const store = new MemorySessionStore();
    const e = [entry('g', window(2))];
    await store.refund(e, T0);
    await store.consume(e, T0);
    await store.refund(e, T0);
    await store.consume(e, T0);
    await store.consume(e, T0);
    expect((await store.consume(e, T0)).ok).toBe(false);
  });

  it('a counter refunded to zero is forgotten: it holds no slot of the bound', async () => {
    const store = new MemorySessionStore({ maxEntries: 2 });
    const a = [entry('a', window(1))];
    const b = [entry('b', window(1))];
    const c = [entry('c', window(1))];
    await store.consume(b, T0);
    await store.consume(a, T0);
    await store.refund(a, T0);
    // Only `b` is held: counting `c` evicts nothing, `b` stays full.
    await store.consume(c, T0);
    expect((await store.consume(b, T0)).ok).toBe(false);
  });

  it('refund keeps the window start (the counter is not renewed)', async () => {
    const store = new MemorySessionStore();
    const e = [entry('g', window(2, 1_000))];
    await store.consume(e, T0);
    await store.consume(e, T0 + 500);
    await store.refund(e, T0 + 600);
    await store.consume(e, T0 + 600);
    expect(await store.consume(e, T0 + 700)).toEqual({
      ok: false,
      retryAfterInMilliseconds: 300,
    });
  });

  it('a full store drops an expired counter first, then the least recently counted', async () => {
    const store = new MemorySessionStore({ maxEntries: 3 });
    const a = [entry('a', window(2, HOUR))];
    const b = [entry('b', window(2, 10))];
    const c = [entry('c', window(2, HOUR))];
    const d = [entry('d', window(2, HOUR))];
    await store.consume(a, T0);
    await store.consume(a, T0);
    await store.consume(b, T0);
    await store.consume(b, T0);
    await store.consume(c, T0);
    await store.consume(c, T0);
    // `b` expires at T0 + 10: it goes, not `a`.
    await store.consume(d, T0 + 10);
    expect((await store.consume(a, T0 + 10)).ok).toBe(false);
    expect((await store.consume(c, T0 + 10)).ok).toBe(false);
  });

  it('counting an attempt makes its counter the most recent one', async () => {
    const store = new MemorySessionStore({ maxEntries: 3 });
    const a = [entry('a', window(2))];
    const b = [entry('b', window(2))];
    const c = [entry('c', window(2))];
    const d = [entry('d', window(2))];
    await store.consume(a, T0);
    await store.consume(b, T0);
    await store.consume(b, T0);
    await store.consume(a, T0);
    await store.consume(c, T0);
    // Full: `b` (counted least recently) goes, `a` stays full.
    await store.consume(d, T0);
    expect((await store.consume(a, T0)).ok).toBe(false);
    expect(await store.consume(b, T0)).toEqual({ ok: true });
  });

  it('counting again in a full store does not evict another counter', async () => {
    const store = new MemorySessionStore({ maxEntries: 2 });
    const a = [entry('a', window(2))];
    const b = [entry('b', window(2))];
    await store.consume(a, T0);
    await store.consume(b, T0);
    await store.consume(b, T0);
    await store.consume(a, T0);
    expect((await store.consume(a, T0)).ok).toBe(false);
    expect((await store.consume(b, T0)).ok).toBe(false);
  });

  it('with nothing expired only the oldest counter goes', async () => {
    const store = new MemorySessionStore({ maxEntries: 2 });
    const a = [entry('a', window(1))];
    const b = [entry('b', window(1))];
    const c = [entry('c', window(1))];
    await store.consume(a, T0);
    await store.consume(b, T0);
    await store.consume(c, T0);
    expect(await store.consume(a, T0)).toEqual({ ok: true });
    // Counting `a` again pushed out `b`, the oldest then; `c` was kept.
    expect((await store.consume(c, T0)).ok).toBe(false);
  });

  it('looks for expired counters among the 32 oldest only', async () => {
    const store = new MemorySessionStore({ maxEntries: 34 });
    const live = (i: number) => [entry(`live${i}`, window(1))];
    for (let i = 0; i < 32; i++) await store.consume(live(i), T0);
    await store.consume([entry('dead', window(1, 10))], T0);
    await store.consume([entry('late', window(1))], T0);
    await store.consume([entry('new', window(1))], T0 + 10);
    // The expired one at position 33 was not looked at: the oldest live one went.
    expect(await store.consume(live(0), T0 + 10)).toEqual({ ok: true });
    expect((await store.consume(live(1), T0 + 10)).ok).toBe(false);
  });

  it('an expired counter at position 32 is found', async () => {
    const store = new MemorySessionStore({ maxEntries: 33 });
    const live = (i: number) => [entry(`live${i}`, window(1))];
    for (let i = 0; i < 31; i++) await store.consume(live(i), T0);
    await store.consume([entry('dead', window(1, 10))], T0);
    await store.consume([entry('late', window(1))], T0);
    await store.consume([entry('new', window(1))], T0 + 10);
    expect((await store.consume(live(0), T0 + 10)).ok).toBe(false);
  });

  it('a counter is kept until its window ends: one expiring exactly now goes first', async () => {
    const store = new MemorySessionStore({ maxEntries: 2 });
    const a = [entry('a', window(1))];
    await store.consume(a, T0);
    await store.consume([entry('b', window(1, 10))], T0);
    await store.consume([entry('c', window(1))], T0 + 10);
    expect((await store.consume(a, T0 + 10)).ok).toBe(false);
  });

  it('reset forgets only the entries given', async () => {
    const store = new MemorySessionStore();
    const a = [entry('g', window(1), 'a')];
    const b = [entry('g', window(1), 'b')];
    await store.consume(a, T0);
    await store.consume(b, T0);
    await store.reset(a, T0);
    expect(await store.consume(a, T0)).toEqual({ ok: true });
    expect((await store.consume(b, T0)).ok).toBe(false);
  });
});
