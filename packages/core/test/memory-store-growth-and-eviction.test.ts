import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/stores/memory-store.js';

// The MemoryStore keeps numbers and pending codes in typed arrays that grow by doubling, and
// evicts the least recently used when full. These tests drive both far enough to see a lost
// entry or a wrong eviction order as a wrong answer.
const LIMITS = {
  cooldownInMilliseconds: 1_000,
  maxSendsPerWindow: 5,
  sendWindowInMilliseconds: 10_000,
};
const POLICY = {
  maxAttemptsPerCode: 5,
  lockAfterFailures: 3,
  lockBaseInMilliseconds: 60_000,
  lockMaxInMilliseconds: 60_000,
  failureWindowInMilliseconds: 100_000,
};
const T0 = 1_700_000_000_000;
const hash = (label: string): string => createHash('sha256').update(label).digest('base64url');
const subject = (i: number, purpose = 'sign-in') => ({
  phone: `+97798${String(i).padStart(8, '0')}`,
  purpose,
});
const challenge = (label: string, expiresAt = T0 + 600_000, id = `id-${label}`) => ({
  id,
  codeHash: hash(label),
  expiresAt,
  channel: (label.length % 2 === 0 ? 'text' : 'voice') as 'text' | 'voice',
});

describe('MemoryStore growth', () => {
  it('keeps every number, code, failure count and lock across several doublings (2,100 numbers: 1,024 -> 2,048 -> 4,096)', async () => {
    const store = new MemoryStore({ logger: { warn: () => {} } });
    const count = 2_100;
    for (let i = 0; i < count; i++) {
      // Compact (16-character) ids and other ids both take the resize path.
      const id = i % 2 === 0 ? String(i).padStart(16, 'A') : `odd-${i}`;
      expect(
        (await store.issue(subject(i), challenge(`c${i}`, T0 + 600_000, id), LIMITS, T0)).ok,
      ).toBe(true);
      if (i % 3 === 0) await store.verify(subject(i), hash('wrong'), POLICY, T0);
    }
    expect(store.size).toBe(count);
    const lost: number[] = [];
    for (let i = 0; i < count; i++) {
      // A failure recorded before the resizes is still counted after them.
      const wrong = await store.verify(subject(i), hash('wrong'), POLICY, T0 + 1);
      const right = await store.verify(subject(i), hash(`c${i}`), POLICY, T0 + 2);
      if (!('failures' in wrong) || wrong.failures !== (i % 3 === 0 ? 2 : 1) || !right.ok) {
        lost.push(i);
      }
    }
    expect(lost).toEqual([]);
    // The cooldown set before the resizes still holds after them.
    expect(await store.issue(subject(0), challenge('again'), LIMITS, T0 + 999)).toMatchObject({
      ok: false,
      detail: 'cooldown',
    });
    // Abandon by id still finds ids written before the resizes.
    const fresh = new MemoryStore({ logger: { warn: () => {} } });
    for (let i = 0; i < 2_100; i++) {
      const id = i % 2 === 0 ? String(i).padStart(16, 'A') : `odd-${i}`;
      await fresh.issue(subject(i), challenge(`c${i}`, T0 + 600_000, id), LIMITS, T0);
    }
    for (let i = 0; i < 2_100; i++) {
      const id = i % 2 === 0 ? String(i).padStart(16, 'A') : `odd-${i}`;
      await fresh.abandon(subject(i), id, T0 + 1);
    }
    expect(fresh.size).toBe(0);
  });

  it('keeps every hit counter across growth (2,100 keys)', async () => {
    const store = new MemoryStore({ logger: { warn: () => {} } });
    const wrong: number[] = [];
    for (let round = 1; round <= 2; round++) {
      for (let i = 0; i < 2_100; i++) {
        const hit = await store.hit(`otp:ip:${i}`, 60_000, T0 + round);
        if (hit.count !== round || hit.resetAt !== T0 + 1 + 60_000) wrong.push(i);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('MemoryStore eviction order', () => {
  it('when every number is live, evicts the least recently used one, not the oldest', async () => {
    const store = new MemoryStore({ maxEntries: 3, logger: { warn: () => {} } });
    await store.issue(subject(1), challenge('a'), LIMITS, T0);
    await store.issue(subject(2), challenge('b'), LIMITS, T0 + 1);
    await store.issue(subject(3), challenge('c'), LIMITS, T0 + 2);
    // Number 1 sends again after its cooldown: now number 2 is the least recently used.
    await store.issue(subject(1), challenge('a2'), LIMITS, T0 + 2_000);
    await store.issue(subject(4), challenge('d'), LIMITS, T0 + 2_001);
    expect(await store.verify(subject(2), hash('b'), POLICY, T0 + 2_002)).toEqual({
      ok: false,
      detail: 'no_challenge',
    });
    for (const [i, label] of [
      [1, 'a2'],
      [3, 'c'],
      [4, 'd'],
    ] as const) {
      expect(await store.verify(subject(i), hash(label), POLICY, T0 + 2_002)).toEqual({ ok: true });
    }
  });

  it('when every pending code is live, evicts the oldest code, and its number keeps its limits', async () => {
    const store = new MemoryStore({ maxEntries: 3, logger: { warn: () => {} } });
    // One number, three purposes: three codes; a fourth purpose evicts the oldest code.
    await store.issue(subject(1, 'p1'), challenge('a'), LIMITS, T0);
    await store.issue(subject(1, 'p2'), challenge('b'), LIMITS, T0 + 1_000);
    await store.issue(subject(1, 'p3'), challenge('c'), LIMITS, T0 + 2_000);
    // Replacing p1's code makes it the newest: p2's is now the oldest.
    await store.issue(subject(1, 'p1'), challenge('a2'), LIMITS, T0 + 3_000);
    await store.issue(subject(1, 'p4'), challenge('d'), LIMITS, T0 + 4_000);
    expect(await store.verify(subject(1, 'p2'), hash('b'), POLICY, T0 + 4_001)).toEqual({
      ok: false,
      detail: 'no_challenge',
    });
    expect(await store.verify(subject(1, 'p1'), hash('a2'), POLICY, T0 + 4_001)).toEqual({
      ok: true,
    });
    expect(await store.verify(subject(1, 'p3'), hash('c'), POLICY, T0 + 4_001)).toEqual({
      ok: true,
    });
    expect(await store.verify(subject(1, 'p4'), hash('d'), POLICY, T0 + 4_001)).toEqual({
      ok: true,
    });
    // The number itself was not evicted: its window count went on (5 sends in the window).
    expect(await store.issue(subject(1, 'p5'), challenge('e'), LIMITS, T0 + 5_000)).toMatchObject({
      ok: false,
      detail: 'window_cap',
    });
  });

  it('a full store of expired codes takes new codes in their place', async () => {
    const store = new MemoryStore({ maxEntries: 4, logger: { warn: () => {} } });
    for (let i = 0; i < 4; i++) {
      await store.issue(subject(1, `p${i}`), challenge(`x${i}`, T0 + 10), LIMITS, T0 + i * 1_000);
    }
    // All four expired; four new codes for a new number must all be kept.
    for (let i = 0; i < 4; i++) {
      await store.issue(subject(2, `p${i}`), challenge(`y${i}`), LIMITS, T0 + 10_000 + i * 1_000);
    }
    for (let i = 0; i < 4; i++) {
      expect(await store.verify(subject(2, `p${i}`), hash(`y${i}`), POLICY, T0 + 20_000)).toEqual({
        ok: true,
      });
    }
  });

  it('a hit counter touched again is not the one evicted', async () => {
    const store = new MemoryStore({ maxEntries: 3, logger: { warn: () => {} } });
    await store.hit('a', 60_000, T0);
    await store.hit('b', 60_000, T0);
    await store.hit('c', 60_000, T0);
    await store.hit('a', 60_000, T0 + 1); // b is now the least recently used
    await store.hit('d', 60_000, T0 + 2);
    expect(await store.hit('a', 60_000, T0 + 3)).toMatchObject({ count: 3 });
    expect(await store.hit('c', 60_000, T0 + 3)).toMatchObject({ count: 2 });
    expect(await store.hit('b', 60_000, T0 + 3)).toMatchObject({ count: 1 });
  });

  it('evicts expired hit counters before live ones', async () => {
    const store = new MemoryStore({ maxEntries: 3, logger: { warn: () => {} } });
    await store.hit('live-1', 60_000, T0);
    await store.hit('short', 10, T0);
    await store.hit('live-2', 60_000, T0);
    await store.hit('new', 60_000, T0 + 100); // 'short' has expired: it goes, not 'live-1'
    expect(await store.hit('live-1', 60_000, T0 + 101)).toMatchObject({ count: 2 });
    expect(await store.hit('live-2', 60_000, T0 + 101)).toMatchObject({ count: 2 });
  });
});
