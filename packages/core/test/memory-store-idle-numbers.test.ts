import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SendLimits, VerifyPolicy } from '../src/store.js';
import { MemoryStore } from '../src/stores/memory-store.js';

// When the MemoryStore is full, it first drops the numbers that are idle (forgetting them changes
// no answer), then the least recently used. Each test keeps a number X alive by exactly one thing
// (a pending code, the cooldown, the send window, the failure count, a lock) and fills the store:
// X must keep that thing, and the least recently used number Y is evicted instead. The boundary
// tests put X at the exact millisecond it becomes idle: then X goes and Y stays.
const T0 = 1_700_000_000_000;
const hash = (label: string): string => createHash('sha256').update(label).digest('base64url');
const X = { phone: '+9779800000301', purpose: 'sign-in' };
const Y = { phone: '+9779800000302', purpose: 'sign-in' };
const NEWCOMER = { phone: '+9779800000303', purpose: 'sign-in' };
const code = (label: string, expiresAt: number) => ({
  id: `id-${label}`,
  codeHash: hash(label),
  expiresAt,
  channel: 'text' as const,
});
const LIMITS: SendLimits = {
  cooldownInMilliseconds: 1_000,
  maxSendsPerWindow: 5,
  sendWindowInMilliseconds: 1_000,
};
const POLICY: VerifyPolicy = {
  maxAttemptsPerCode: 5,
  lockAfterFailures: 100,
  lockBaseInMilliseconds: 1_000,
  lockMaxInMilliseconds: 1_000,
  failureWindowInMilliseconds: 1_000,
};

/** A full store (2 numbers): Y first (least recently used, its code pending for long), then X. */
async function fullStore(): Promise<MemoryStore> {
  const store = new MemoryStore({ maxEntries: 2, logger: { warn: () => {} } });
  await store.issue(Y, code('y', T0 + 1e9), LIMITS, T0);
  return store;
}

async function crowd(store: MemoryStore, now: number): Promise<void> {
  expect((await store.issue(NEWCOMER, code('n', now + 1e9), LIMITS, now)).ok).toBe(true);
}

async function yIsKept(store: MemoryStore, now: number): Promise<boolean> {
  return (await store.verify(Y, hash('y'), POLICY, now)).ok;
}

describe('MemoryStore keeps a live number when full', () => {
  it('with a pending code', async () => {
    const store = await fullStore();
    await store.issue(X, code('x', T0 + 1e9), LIMITS, T0 + 1);
    await crowd(store, T0 + 10_000);
    expect(await store.verify(X, hash('x'), POLICY, T0 + 10_001)).toEqual({ ok: true });
    expect(await yIsKept(store, T0 + 10_001)).toBe(false);
  });

  it('in its cooldown', async () => {
    const store = await fullStore();
    const limits = { ...LIMITS, cooldownInMilliseconds: 10_000 };
    await store.issue(X, code('x', T0 + 2), limits, T0 + 1);
    await crowd(store, T0 + 5_000);
    expect(await store.issue(X, code('x2', T0 + 1e9), limits, T0 + 5_001)).toMatchObject({
      ok: false,
      detail: 'cooldown',
    });
  });

  it('in its send window, at the cap', async () => {
    const store = await fullStore();
    const limits = { ...LIMITS, maxSendsPerWindow: 1, sendWindowInMilliseconds: 10_000 };
    await store.issue(X, code('x', T0 + 2), limits, T0 + 1);
    await crowd(store, T0 + 5_000);
    expect(await store.issue(X, code('x2', T0 + 1e9), limits, T0 + 5_001)).toMatchObject({
      ok: false,
      detail: 'window_cap',
    });
  });

  it('with failures in the failure window', async () => {
    const store = await fullStore();
    const policy = { ...POLICY, failureWindowInMilliseconds: 10_000 };
    await store.issue(X, code('x', T0 + 2), LIMITS, T0 + 1);
    await store.verify(X, hash('wrong'), policy, T0 + 1);
    await crowd(store, T0 + 5_000);
    await store.issue(X, code('x2', T0 + 1e9), LIMITS, T0 + 5_001);
    expect(await store.verify(X, hash('wrong'), policy, T0 + 5_002)).toMatchObject({
      detail: 'wrong_code',
      failures: 2,
    });
  });

  it('locked', async () => {
    const store = await fullStore();
    const policy = {
      ...POLICY,
      lockAfterFailures: 1,
      lockBaseInMilliseconds: 10_000,
      lockMaxInMilliseconds: 10_000,
    };
    await store.issue(X, code('x', T0 + 2), LIMITS, T0 + 1);
    await store.verify(X, hash('wrong'), policy, T0 + 1);
    // The failure window (1 s) is over; only the lock (10 s) remains.
    await crowd(store, T0 + 5_000);
    expect(await store.issue(X, code('x2', T0 + 1e9), LIMITS, T0 + 5_001)).toMatchObject({
      ok: false,
      detail: 'locked',
    });
  });
});

describe('MemoryStore drops a number at the exact millisecond it becomes idle', () => {
  it('when its cooldown ends', async () => {
    const store = await fullStore();
    const limits = { ...LIMITS, cooldownInMilliseconds: 10_000 };
    await store.issue(X, code('x', T0 + 2), limits, T0 + 1);
    await crowd(store, T0 + 10_001);
    expect(await yIsKept(store, T0 + 10_002)).toBe(true);
  });

  it('when its send window ends', async () => {
    const store = await fullStore();
    const limits = { ...LIMITS, sendWindowInMilliseconds: 10_000 };
    await store.issue(X, code('x', T0 + 2), limits, T0 + 1);
    await crowd(store, T0 + 10_001);
    expect(await yIsKept(store, T0 + 10_002)).toBe(true);
  });

  it('when its failure window ends', async () => {
    const store = await fullStore();
    const policy = { ...POLICY, failureWindowInMilliseconds: 10_000 };
    await store.issue(X, code('x', T0 + 2), LIMITS, T0 + 1);
    await store.verify(X, hash('wrong'), policy, T0 + 1);
    await crowd(store, T0 + 10_001);
    expect(await yIsKept(store, T0 + 10_002)).toBe(true);
  });

  it('when its lock ends', async () => {
    const store = await fullStore();
    const policy = {
      ...POLICY,
      lockAfterFailures: 1,
      lockBaseInMilliseconds: 10_000,
      lockMaxInMilliseconds: 10_000,
    };
    await store.issue(X, code('x', T0 + 2), LIMITS, T0 + 1);
    await store.verify(X, hash('wrong'), policy, T0 + 1);
    await crowd(store, T0 + 10_001);
    expect(await yIsKept(store, T0 + 10_002)).toBe(true);
  });

  it('when its code expires', async () => {
    const store = await fullStore();
    await store.issue(X, code('x', T0 + 5_000), LIMITS, T0 + 1);
    await crowd(store, T0 + 5_000);
    expect(await yIsKept(store, T0 + 5_001)).toBe(true);
  });
});

describe('MemoryStore options and warnings', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('maxEntries: 1 to 2^24', () => {
    expect(new MemoryStore({ maxEntries: 1 }).maxEntries).toBe(1);
    expect(new MemoryStore({ maxEntries: 2 ** 24 }).maxEntries).toBe(2 ** 24);
    expect(new MemoryStore().maxEntries).toBe(100_000);
    for (const maxEntries of [0, 2 ** 24 + 1, 1.5, Number.NaN]) {
      expect(() => new MemoryStore({ maxEntries })).toThrow(
        new TypeError(
          `MemoryStore: maxEntries must be an integer from 1 to 16777216, got ${maxEntries}`,
        ),
      );
    }
  });

  it('under NODE_ENV=production: warns once per process through emitWarning, or each time through a logger', () => {
    const message =
      'MemoryStore keeps OTP codes and limits in this process only: with more than one process ' +
      '(cluster, several instances, serverless), limits are per process and a code sent by one ' +
      'process cannot be verified by another. Use RedisStore from @tingting-auth/redis.';
    const emitted = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    new MemoryStore();
    expect(emitted).not.toHaveBeenCalled();
    vi.stubEnv('NODE_ENV', 'production');
    const warnings: string[] = [];
    new MemoryStore({ logger: { warn: (text) => warnings.push(text) } });
    new MemoryStore({ logger: { warn: (text) => warnings.push(text) } });
    expect(warnings).toEqual([message, message]);
    expect(emitted).not.toHaveBeenCalled();
    new MemoryStore();
    new MemoryStore();
    expect(emitted.mock.calls).toEqual([[message, { code: 'TINGTING_MEMORY_STORE' }]]);
  });
});
