import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { StoreUnavailableError } from '../src/errors.js';
import { MemoryStore } from '../src/stores/memory-store.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('MemoryStore', () => new MemoryStore());

const LIMITS = {
  cooldownInMilliseconds: 1_000,
  maxSendsPerWindow: 5,
  sendWindowInMilliseconds: 10_000,
};
const POLICY = {
  maxAttemptsPerCode: 5,
  lockAfterFailures: 2,
  lockBaseInMilliseconds: 60_000,
  lockMaxInMilliseconds: 60_000,
  failureWindowInMilliseconds: 100_000,
};
const T0 = 1_700_000_000_000;
const hash = (label: string): string => createHash('sha256').update(label).digest('base64url');
const phone = (i: number): string => `+97798${String(i).padStart(8, '0')}`;
const challenge = (label: string, expiresAt = T0 + 5_000) => ({
  id: label,
  codeHash: hash(label),
  expiresAt,
  channel: 'text' as const,
});

describe('MemoryStore bounds and expiry', () => {
  it('never holds more than maxEntries pending codes; evicted codes just fail to verify', async () => {
    const store = new MemoryStore({ maxEntries: 100 });
    for (let i = 0; i < 1_000; i++) {
      await store.issue(
        { phone: phone(i), purpose: 'sign-in' },
        challenge(`c${i}`, T0 + 1e9),
        LIMITS,
        T0,
      );
      expect(store.size).toBeLessThanOrEqual(100);
    }
    expect(
      await store.verify({ phone: phone(999), purpose: 'sign-in' }, hash('c999'), POLICY, T0),
    ).toEqual({
      ok: true,
    });
    expect(
      await store.verify({ phone: phone(0), purpose: 'sign-in' }, hash('c0'), POLICY, T0),
    ).toEqual({
      ok: false,
      detail: 'no_challenge',
    });
  });

  it('drops expired and idle entries before live ones: a locked number keeps its lock', async () => {
    const store = new MemoryStore({ maxEntries: 3 });
    const locked = { phone: phone(1), purpose: 'sign-in' };
    await store.issue(locked, challenge('a', T0 + 1_000), LIMITS, T0);
    await store.verify(locked, hash('x'), POLICY, T0 + 1);
    await store.verify(locked, hash('y'), POLICY, T0 + 2); // locked until T0 + 60_002
    await store.issue(
      { phone: phone(2), purpose: 'sign-in' },
      challenge('b', T0 + 1_000),
      LIMITS,
      T0,
    );
    await store.issue(
      { phone: phone(3), purpose: 'sign-in' },
      challenge('c', T0 + 1_000),
      LIMITS,
      T0,
    );
    // Later: 2 and 3 are idle (code expired, cooldown and window over); 1 is still locked.
    const later = T0 + 20_000;
    for (let i = 4; i < 6; i++) {
      // Two new numbers take the slots of the two idle ones.
      await store.issue(
        { phone: phone(i), purpose: 'sign-in' },
        challenge(`d${i}`, later + 5_000),
        LIMITS,
        later,
      );
    }
    expect(await store.issue(locked, challenge('z'), LIMITS, later)).toMatchObject({
      ok: false,
      detail: 'locked',
    });
  });

  it('bounds hit counters and keeps the most recently used (the global budget) when full', async () => {
    const store = new MemoryStore({ maxEntries: 10 });
    for (let i = 0; i < 100; i++) {
      await store.hit('otp:budget', 86_400_000, T0 + i);
      await store.hit(`otp:ip:203.0.113.${i}`, 3_600_000, T0 + i);
    }
    expect(await store.hit('otp:budget', 86_400_000, T0 + 100)).toMatchObject({ count: 101 });
  });

  it('forgets a pending code lazily at expiry, with no timer', async () => {
    const store = new MemoryStore();
    const subject = { phone: phone(1), purpose: 'sign-in' };
    await store.issue(subject, challenge('a', T0 + 5_000), LIMITS, T0);
    expect(store.size).toBe(1);
    expect(await store.verify(subject, hash('a'), POLICY, T0 + 5_000)).toEqual({
      ok: false,
      detail: 'expired',
    });
    expect(store.size).toBe(0);
  });

  it('sweeps expired codes as it goes', async () => {
    const store = new MemoryStore();
    for (let i = 0; i < 100; i++) {
      await store.issue(
        { phone: phone(i), purpose: 'sign-in' },
        challenge(`a${i}`, T0 + 1_000),
        LIMITS,
        T0,
      );
    }
    for (let i = 100; i < 1_000; i++) {
      await store.issue(
        { phone: phone(i), purpose: 'sign-in' },
        challenge(`b${i}`, T0 + 100_000),
        LIMITS,
        T0 + 2_000,
      );
    }
    expect(store.size).toBeLessThan(1_000);
  });

  it('warns when created under NODE_ENV=production', () => {
    vi.stubEnv('NODE_ENV', 'production');
    try {
      const warnings: string[] = [];
      new MemoryStore({ logger: { warn: (message) => warnings.push(message) } });
      expect(warnings).toEqual([
        expect.stringContaining('Use RedisStore from @tingting-auth/redis'),
      ]);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('abandons by compact (16-character) and other ids alike, only when they match', async () => {
    const store = new MemoryStore();
    const subject = { phone: phone(7), purpose: 'sign-in' };
    await store.issue(subject, { ...challenge('a'), id: 'AAAAAAAAAAAAAAAA' }, LIMITS, T0);
    await store.abandon(subject, 'AAAAAAAAAAAAAAAB', T0);
    await store.abandon(subject, 'AAAAAAAAAAAAAAA', T0);
    expect(store.size).toBe(1);
    await store.abandon(subject, 'AAAAAAAAAAAAAAAA', T0);
    expect(store.size).toBe(0);
  });

  it('keeps numbers that are not E.164 apart from E.164 ones with the same digits', async () => {
    const store = new MemoryStore();
    const plain = { phone: '9779812345678', purpose: 'sign-in' };
    const e164 = { phone: '+9779812345678', purpose: 'sign-in' };
    await store.issue(plain, challenge('plain'), LIMITS, T0);
    expect(await store.issue(e164, challenge('e164'), LIMITS, T0)).toMatchObject({ ok: true });
    expect(await store.verify(plain, hash('e164'), POLICY, T0)).toMatchObject({
      detail: 'wrong_code',
    });
    expect(await store.verify(e164, hash('e164'), POLICY, T0)).toEqual({ ok: true });
    expect(await store.verify(plain, hash('plain'), POLICY, T0)).toEqual({ ok: true });
  });

  it('refuses a bad maxEntries', () => {
    expect(() => new MemoryStore({ maxEntries: 0 })).toThrow(TypeError);
    expect(() => new MemoryStore({ maxEntries: 1.5 })).toThrow(/maxEntries/);
  });

  it('rejects with StoreUnavailableError beyond 1024 distinct purposes', async () => {
    const store = new MemoryStore();
    for (let i = 0; i < 1_024; i++) {
      await store.issue({ phone: phone(i), purpose: `p${i}` }, challenge(`x${i}`), LIMITS, T0);
    }
    await expect(
      store.issue({ phone: phone(5_000), purpose: 'one-too-many' }, challenge('y'), LIMITS, T0),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
