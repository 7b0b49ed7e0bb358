import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/stores/memory-store.js';

// Behaviours of the MemoryStore that the mutation run of the stores module (2026-12-06, --force)
// showed no other test pins: which phone strings share a record, what a repeated delivery
// failure does to a window count, that evicting a number or cancelling a purpose with no code
// leaves the free code slots usable, and that a fresh store does not allocate its whole bound up front.
const T0 = 1_700_000_000_000;
const FAR = T0 + 1e9;
const hash = (label: string): string => createHash('sha256').update(label).digest('base64url');
const quiet = { logger: { warn: () => {} } };
const code = (label: string) => ({
  id: `id-${label}`,
  codeHash: hash(label),
  expiresAt: FAR,
  channel: 'text' as const,
});
const POLICY = {
  maxAttemptsPerCode: 5,
  lockAfterFailures: 100,
  lockBaseInMilliseconds: 1_000,
  lockMaxInMilliseconds: 1_000,
  failureWindowInMilliseconds: 1_000,
};
const COOLDOWN = {
  cooldownInMilliseconds: 60_000,
  maxSendsPerWindow: 5,
  sendWindowInMilliseconds: 3_600_000,
};

describe('MemoryStore keys: distinct phone strings never share a record', () => {
  // The store keeps an E.164 number as a JS number (its digits) and any other string as itself.
  // Any string the store is called with (the OTPStore contract takes a string) must keep its own
  // cooldown: a string packed by mistake (more than 15 digits, a leading 0, letters) would become
  // an imprecise number or NaN and share the cooldown of another string.
  const pairs: [string, string][] = [
    // Past 2^53: as numbers, the same double.
    ['+97712345678901234567', '+97712345678901234568'],
    ['+9771234567890123456', '+9771234567890123457'],
    // A leading 0 (not E.164): as numbers, both 123.
    ['+0123', '+00123'],
    // Letters: as numbers, both NaN.
    ['+1a', '+1b'],
    ['+12a', '+12b'],
    ['+977980000000x', '+977980000000y'],
  ];
  for (const [first, second] of pairs) {
    it(`${first} and ${second} keep apart`, async () => {
      const store = new MemoryStore(quiet);
      expect((await store.issue({ phone: first, purpose: 'p' }, code('a'), COOLDOWN, T0)).ok).toBe(
        true,
      );
      // Within the first one's cooldown: the second string is another number.
      expect(
        await store.issue({ phone: second, purpose: 'p' }, code('b'), COOLDOWN, T0 + 1),
      ).toEqual({ ok: true, sendsInWindow: 1 });
      expect(
        (await store.verify({ phone: first, purpose: 'p' }, hash('a'), POLICY, T0 + 2)).ok,
      ).toBe(true);
      expect(
        (await store.verify({ phone: second, purpose: 'p' }, hash('b'), POLICY, T0 + 2)).ok,
      ).toBe(true);
    });
  }
});

describe('MemoryStore abandon: a repeated delivery failure never gives sends back', () => {
  it('reported under a lower cap than the sends were counted under, the count stays', async () => {
    // Two engines with different per-number caps can share one store (the OTPStore contract takes
    // the limits on every call). Four sends counted under a cap of 5, then two definite failures
    // reported under a cap of 3: the number has still had four sends in this window, so under
    // the cap of 5 it gets exactly one more, not two.
    const store = new MemoryStore(quiet);
    const subject = { phone: '+9779800000001', purpose: 'sign-in' };
    const five = {
      cooldownInMilliseconds: 0,
      maxSendsPerWindow: 5,
      sendWindowInMilliseconds: 3_600_000,
    };
    const three = { ...five, maxSendsPerWindow: 3 };
    let now = T0;
    for (let i = 1; i <= 4; i++) {
      now += 1;
      expect(await store.issue(subject, code(`c${i}`), five, now)).toEqual({
        ok: true,
        sendsInWindow: i,
      });
    }
    await store.abandon(subject, 'id-c4', now + 1, { limits: three });
    await store.abandon(subject, 'id-c4', now + 2, { limits: three });
    now += 10;
    expect(await store.issue(subject, code('c5'), five, now)).toEqual({
      ok: true,
      sendsInWindow: 5,
    });
    expect(await store.issue(subject, code('c6'), five, now + 1)).toMatchObject({
      ok: false,
      detail: 'window_cap',
    });
  });
});

describe('MemoryStore eviction of a number with a code', () => {
  it("frees the evicted number's code slot for the next code: no other code is evicted", async () => {
    // maxEntries 2: two numbers, two codes. Purposes 'b' and 'c' are known to the store, so
    // evicting a number looks for its codes under all three; only 'a' holds one. (Each look that
    // finds nothing must free nothing: a free list padded with non-slots makes the store evict a
    // live code although a slot is free.)
    const store = new MemoryStore({ maxEntries: 2, ...quiet });
    const open = { cooldownInMilliseconds: 0, maxSendsPerWindow: 100, sendWindowInMilliseconds: 1 };
    const x = '+9779800000011';
    const y = '+9779800000012';
    const z = '+9779800000013';
    expect((await store.issue({ phone: x, purpose: 'a' }, code('xa'), open, T0)).ok).toBe(true);
    expect((await store.issue({ phone: x, purpose: 'b' }, code('xb'), open, T0 + 1)).ok).toBe(true);
    await store.cancel({ phone: x, purpose: 'b' }, T0 + 2);
    expect((await store.issue({ phone: x, purpose: 'c' }, code('xc'), open, T0 + 2)).ok).toBe(true);
    await store.cancel({ phone: x, purpose: 'c' }, T0 + 2);
    expect((await store.issue({ phone: y, purpose: 'a' }, code('ya'), open, T0 + 3)).ok).toBe(true);
    // A third number evicts x (least recently used) and its code; z's code takes x's code slot.
    expect((await store.issue({ phone: z, purpose: 'a' }, code('za'), open, T0 + 4)).ok).toBe(true);
    expect((await store.verify({ phone: y, purpose: 'a' }, hash('ya'), POLICY, T0 + 5)).ok).toBe(
      true,
    );
    expect((await store.verify({ phone: z, purpose: 'a' }, hash('za'), POLICY, T0 + 5)).ok).toBe(
      true,
    );
  });
});

describe('MemoryStore cancel of a purpose with no code', () => {
  it('frees nothing: a full store still reuses the slot a cancelled code left', async () => {
    // maxEntries 2. Cancelling (x, 'b') (twice) when x holds no 'b' code must not put anything on the
    // free list of code slots: the slot x's cancelled 'a' code left is the next one used by x's
    // new 'a' code, so y's code is not evicted to make room for it.
    const store = new MemoryStore({ maxEntries: 2, ...quiet });
    const open = { cooldownInMilliseconds: 0, maxSendsPerWindow: 100, sendWindowInMilliseconds: 1 };
    const x = '+9779800000021';
    const y = '+9779800000022';
    expect((await store.issue({ phone: y, purpose: 'b' }, code('yb'), open, T0)).ok).toBe(true);
    expect((await store.issue({ phone: x, purpose: 'a' }, code('xa'), open, T0 + 1)).ok).toBe(true);
    await store.cancel({ phone: x, purpose: 'a' }, T0 + 2);
    await store.cancel({ phone: x, purpose: 'b' }, T0 + 3);
    await store.cancel({ phone: x, purpose: 'b' }, T0 + 3);
    expect((await store.issue({ phone: x, purpose: 'a' }, code('xa2'), open, T0 + 4)).ok).toBe(
      true,
    );
    expect(store.size).toBe(2);
    expect((await store.verify({ phone: y, purpose: 'b' }, hash('yb'), POLICY, T0 + 5)).ok).toBe(
      true,
    );
    expect((await store.verify({ phone: x, purpose: 'a' }, hash('xa2'), POLICY, T0 + 5)).ok).toBe(
      true,
    );
  });
});

describe('MemoryStore memory: the tables grow with use, not to the bound up front', () => {
  // At a bound of 1,000,000 the typed arrays take about 140 MB; they start at 1,024 slots and
  // double when full. (A regression here costs memory in every process that creates a store.)
  const open = { cooldownInMilliseconds: 0, maxSendsPerWindow: 100, sendWindowInMilliseconds: 1 };
  const fill = async (count: number): Promise<number> => {
    const before = process.memoryUsage().arrayBuffers;
    const store = new MemoryStore({ maxEntries: 1_000_000, ...quiet });
    for (let i = 0; i < count; i++) {
      const phone = `+97798${String(i).padStart(8, '0')}`;
      expect((await store.issue({ phone, purpose: 'p' }, code(`m${i}`), open, T0 + i)).ok).toBe(
        true,
      );
    }
    expect(store.size).toBe(count);
    return process.memoryUsage().arrayBuffers - before;
  };

  it('a store bounded at 1,000,000 entries holding 32 codes allocates well under 16 MB', async () => {
    expect(await fill(32)).toBeLessThan(16 * 1024 * 1024);
  });

  it('grown past its first 1,024 slots (1,100 codes), it still allocates well under 16 MB', async () => {
    expect(await fill(1_100)).toBeLessThan(16 * 1024 * 1024);
  });
});
