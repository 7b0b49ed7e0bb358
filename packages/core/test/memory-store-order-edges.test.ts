import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/stores/memory-store.js';

// The MemoryStore's eviction order is a linked list over typed arrays, its tables grow past
// 1,024 slots, and its map keys are `purposeId * 2^24 + slot`. Each test drives one of those to a
// place the other MemoryStore tests do not reach, and reads the result as an answer: which code is
// still there when the store is full.
const T0 = 1_700_000_000_000;
const FAR = T0 + 1e9;
const hash = (label: string): string => createHash('sha256').update(label).digest('base64url');
const phone = (i: number): string => `+97798${String(i).padStart(8, '0')}`;
const code = (label: string, expiresAt = FAR) => ({
  id: `id-${label}`,
  codeHash: hash(label),
  expiresAt,
  channel: 'text' as const,
});
const POLICY = {
  maxAttemptsPerCode: 5,
  lockAfterFailures: 100,
  lockBaseInMilliseconds: 1_000,
  lockMaxInMilliseconds: 1_000,
  failureWindowInMilliseconds: 1_000,
};
/** No cooldown and no window cap: one number can hold a code for each of many purposes. */
const OPEN = { cooldownInMilliseconds: 0, maxSendsPerWindow: 1e9, sendWindowInMilliseconds: 1 };
const quiet = { logger: { warn: () => {} } };

describe('MemoryStore eviction order past the first 1,024 slots', () => {
  it('a full store of 1,100 codes, emptied and refilled, still evicts the oldest code', async () => {
    // Code k is for number k % 4 and purpose k >> 2: 1,100 codes need 1,100 slots of the code
    // table (grown from 1,024), on four numbers.
    const store = new MemoryStore({ maxEntries: 1_100, ...quiet });
    const subject = (k: number) => ({ phone: phone(k % 4), purpose: `p${k >> 2}` });
    let now = T0;
    const issue = async (k: number) => {
      now += 1;
      expect((await store.issue(subject(k), code(`c${k}`), OPEN, now)).ok).toBe(true);
    };
    const holds = async (k: number) =>
      (await store.verify(subject(k), hash(`c${k}`), POLICY, now)).ok;
    for (let k = 0; k < 1_100; k++) await issue(k);
    // The 1,024 oldest go (slots 0-1,023); codes 1,024-1,099 are left, in slots past 1,023.
    for (let k = 0; k < 1_024; k++) await store.cancel(subject(k), now);
    expect(store.size).toBe(76);
    // Refill to the bound, then two more: the two oldest codes (1,024 and 1,025) make room.
    for (let k = 1_100; k < 2_124; k++) await issue(k);
    expect(store.size).toBe(1_100);
    await issue(2_124);
    await issue(2_125);
    expect(store.size).toBe(1_100);
    expect([await holds(1_024), await holds(1_025)]).toEqual([false, false]);
    expect([await holds(1_026), await holds(2_124), await holds(2_125)]).toEqual([
      true,
      true,
      true,
    ]);
  });
});

describe('MemoryStore eviction after a middle entry left', () => {
  it('a code cancelled from the middle of the order: the oldest code is still the one evicted', async () => {
    const store = new MemoryStore({ maxEntries: 3, ...quiet });
    const a = { phone: phone(1), purpose: 'p-a' };
    const b = { phone: phone(1), purpose: 'p-b' };
    const c = { phone: phone(1), purpose: 'p-c' };
    await store.issue(a, code('a'), OPEN, T0);
    await store.issue(b, code('b'), OPEN, T0 + 1);
    await store.issue(c, code('c'), OPEN, T0 + 2);
    await store.cancel(b, T0 + 3); // the middle one: order a, c
    await store.issue({ phone: phone(1), purpose: 'p-d' }, code('d'), OPEN, T0 + 4);
    // Full (a, c, d): one more evicts a, the oldest.
    await store.issue({ phone: phone(1), purpose: 'p-e' }, code('e'), OPEN, T0 + 5);
    expect(await store.verify(a, hash('a'), POLICY, T0 + 6)).toEqual({
      ok: false,
      detail: 'no_challenge',
    });
    for (const [purpose, label] of [
      ['p-c', 'c'],
      ['p-d', 'd'],
      ['p-e', 'e'],
    ] as const) {
      expect(await store.verify({ phone: phone(1), purpose }, hash(label), POLICY, T0 + 6)).toEqual(
        { ok: true },
      );
    }
  });

  it('a number used again from the middle of the order: the least recently used is still evicted', async () => {
    const store = new MemoryStore({ maxEntries: 3, ...quiet });
    const limits = {
      cooldownInMilliseconds: 1_000,
      maxSendsPerWindow: 5,
      sendWindowInMilliseconds: 1_000,
    };
    await store.issue({ phone: phone(1), purpose: 'x' }, code('1'), limits, T0);
    await store.issue({ phone: phone(2), purpose: 'x' }, code('2'), limits, T0 + 1);
    await store.issue({ phone: phone(3), purpose: 'x' }, code('3'), limits, T0 + 2);
    // Number 2 (the middle one) sends again: the order is 1, 3, 2.
    await store.issue({ phone: phone(2), purpose: 'x' }, code('2b'), limits, T0 + 2_000);
    // Its code is replaced in place, so the codes are full too; a new number evicts number 1.
    await store.issue({ phone: phone(4), purpose: 'x' }, code('4'), limits, T0 + 2_001);
    expect(
      await store.verify({ phone: phone(1), purpose: 'x' }, hash('1'), POLICY, T0 + 2_002),
    ).toEqual({
      ok: false,
      detail: 'no_challenge',
    });
    for (const [i, label] of [
      [2, '2b'],
      [3, '3'],
      [4, '4'],
    ] as const) {
      expect(
        await store.verify({ phone: phone(i), purpose: 'x' }, hash(label), POLICY, T0 + 2_002),
      ).toEqual({ ok: true });
    }
  });
});

describe('MemoryStore replacing and sweeping codes', () => {
  it('replacing a code maxEntries times takes no other slot: the other number keeps its code', async () => {
    const store = new MemoryStore({ maxEntries: 2, ...quiet });
    const other = { phone: phone(1), purpose: 'sign-in' };
    const again = { phone: phone(2), purpose: 'sign-in' };
    await store.issue(other, code('other'), OPEN, T0);
    for (let i = 0; i < 4; i++) {
      expect((await store.issue(again, code(`again-${i}`), OPEN, T0 + 1 + i)).ok).toBe(true);
    }
    expect(store.size).toBe(2);
    expect(await store.verify(other, hash('other'), POLICY, T0 + 10)).toEqual({ ok: true });
    expect(await store.verify(again, hash('again-3'), POLICY, T0 + 10)).toEqual({ ok: true });
  });

  it('slot 0 freed by the sweep of a full store is used: no live code is evicted for it', async () => {
    const store = new MemoryStore({ maxEntries: 2, ...quiet });
    const first = { phone: phone(1), purpose: 'a' }; // slot 0, expires first
    const live = { phone: phone(1), purpose: 'b' }; // slot 1
    await store.issue(first, code('first', T0 + 100), OPEN, T0);
    await store.issue(live, code('live'), OPEN, T0 + 1);
    // At T0 + 100 the first code has expired: the new code takes its slot (0).
    await store.issue({ phone: phone(1), purpose: 'c' }, code('new'), OPEN, T0 + 100);
    expect(await store.verify(live, hash('live'), POLICY, T0 + 101)).toEqual({ ok: true });
    expect(
      await store.verify({ phone: phone(1), purpose: 'c' }, hash('new'), POLICY, T0 + 101),
    ).toEqual({ ok: true });
  });
});

describe('MemoryStore: an evicted number takes all its codes along', () => {
  it('codes of a second purpose, on a number in a slot other than 0, are not inherited by the next number in that slot', async () => {
    const store = new MemoryStore({ maxEntries: 3, ...quiet });
    const limits = {
      cooldownInMilliseconds: 1_000,
      maxSendsPerWindow: 5,
      sendWindowInMilliseconds: 1_000,
    };
    const x = phone(1); // slot 0
    const a = phone(2); // slot 1
    const b = phone(3); // slot 2
    const c = phone(4); // takes slot 1 when a is evicted
    await store.issue({ phone: x, purpose: 'p0' }, code('x'), limits, T0); // purpose p0: id 0
    await store.issue({ phone: a, purpose: 'p1' }, code('a'), limits, T0 + 1); // purpose p1: id 1
    await store.issue({ phone: b, purpose: 'p0' }, code('b'), limits, T0 + 2);
    await store.cancel({ phone: b, purpose: 'p0' }, T0 + 2); // b: live (cooldown) without a code
    // x sends again: the least recently used number is now a (order a, b, x).
    await store.issue({ phone: x, purpose: 'p0' }, code('x2'), limits, T0 + 1_000);
    // Three numbers are live: c evicts a, and a's code for p1 with it.
    await store.issue({ phone: c, purpose: 'p0' }, code('c'), limits, T0 + 1_001);
    expect(store.size).toBe(2);
    expect(await store.verify({ phone: c, purpose: 'p1' }, hash('a'), POLICY, T0 + 1_002)).toEqual({
      ok: false,
      detail: 'no_challenge',
    });
    expect(await store.verify({ phone: a, purpose: 'p1' }, hash('a'), POLICY, T0 + 1_002)).toEqual({
      ok: false,
      detail: 'no_challenge',
    });
    expect(await store.verify({ phone: c, purpose: 'p0' }, hash('c'), POLICY, T0 + 1_002)).toEqual({
      ok: true,
    });
  });
});
