import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../src/errors.js';
import { MemoryStore } from '../src/stores/memory-store.js';

// The MemoryStore packs ids and hashes into bytes, keys numbers by their digits, links entries
// into lists and sweeps as it goes. Each test makes one of those shortcuts visible as an answer.
const T0 = 1_700_000_000_000;
const LIMITS = {
  cooldownInMilliseconds: 1_000,
  maxSendsPerWindow: 5,
  sendWindowInMilliseconds: 1_000,
};
const POLICY = {
  maxAttemptsPerCode: 5,
  lockAfterFailures: 100,
  lockBaseInMilliseconds: 1_000,
  lockMaxInMilliseconds: 1_000,
  failureWindowInMilliseconds: 1_000,
};
const hash = (label: string): string => createHash('sha256').update(label).digest('base64url');
const quiet = { logger: { warn: () => {} } };
const subject = (phone: string, purpose = 'sign-in') => ({ phone, purpose });
const code = (label: string, expiresAt = T0 + 1e9, id = `id-${label}`) => ({
  id,
  codeHash: hash(label),
  expiresAt,
  channel: 'text' as const,
});

describe('MemoryStore exact matching', () => {
  it('a presented hash that is not a canonical digest never matches a packed one', async () => {
    const store = new MemoryStore(quiet);
    const a = subject('+9779800000401');
    await store.issue(a, code('a'), LIMITS, T0);
    for (const presented of [
      `${hash('a')}=`,
      `A${hash('a')}`,
      `${hash('a')}AA`,
      hash('a').slice(1),
      '',
    ]) {
      expect(await store.verify(a, presented, POLICY, T0)).toMatchObject({ detail: 'wrong_code' });
    }
  });

  it('a stored hash that is not canonical is compared as it is, not decoded', async () => {
    const store = new MemoryStore(quiet);
    const a = subject('+9779800000402');
    await store.issue(a, { ...code('a'), codeHash: `${hash('a')}=` }, LIMITS, T0);
    expect(await store.verify(a, hash('a'), POLICY, T0)).toMatchObject({ detail: 'wrong_code' });
    expect(await store.verify(a, `${hash('a')}=`, POLICY, T0)).toEqual({ ok: true });
  });

  it('abandon compares ids exactly: a padded or other form of a compact id does not match', async () => {
    const store = new MemoryStore(quiet);
    const a = subject('+9779800000403');
    const id = 'AAAAAAAAAAAAAAAB';
    await store.issue(a, code('a', T0 + 1e9, id), LIMITS, T0);
    for (const other of [`${id}=`, `${id}==`, 'AAAAAAAAAAAAAAAC', id.slice(1)]) {
      await store.abandon(a, other, T0);
      expect(store.size).toBe(1);
    }
    await store.abandon(a, id, T0);
    expect(store.size).toBe(0);
  });

  it('ids of 16 characters outside base64url are kept as they are', async () => {
    const store = new MemoryStore(quiet);
    const a = subject('+9779800000404');
    await store.issue(a, code('a', T0 + 1e9, '################'), LIMITS, T0);
    await store.abandon(a, '%%%%%%%%%%%%%%%%', T0);
    expect(store.size).toBe(1);
    await store.abandon(a, '################', T0);
    expect(store.size).toBe(0);
  });

  it('a number key that only ends like an E.164 number is another number', async () => {
    const store = new MemoryStore(quiet);
    await store.issue(subject('+9779800000405'), code('a'), LIMITS, T0);
    expect(await store.issue(subject('x+9779800000405'), code('b'), LIMITS, T0)).toMatchObject({
      ok: true,
    });
    expect(await store.issue(subject('9779800000405'), code('c'), LIMITS, T0)).toMatchObject({
      ok: true,
    });
  });
});

describe('MemoryStore bookkeeping', () => {
  it('an evicted number that is not E.164 is forgotten under its own key', async () => {
    const store = new MemoryStore({ maxEntries: 1, ...quiet });
    await store.issue(subject('not-e164'), code('a'), LIMITS, T0);
    await store.issue(subject('+9779800000406'), code('b'), LIMITS, T0 + 1);
    // not-e164 was evicted: it is a new number again, not the other number's slot.
    expect(await store.issue(subject('not-e164'), code('c'), LIMITS, T0 + 2)).toMatchObject({
      ok: true,
      sendsInWindow: 1,
    });
  });

  it('evicting a number deletes its pending codes: the next number in its slot inherits none', async () => {
    const store = new MemoryStore({ maxEntries: 2, ...quiet });
    const a = subject('+9779800000407', 'p1');
    const b = subject('+9779800000408', 'p1');
    const c = '+9779800000409';
    await store.issue(a, code('a'), LIMITS, T0);
    await store.issue(b, code('b'), LIMITS, T0 + 1);
    await store.cancel(b, T0 + 1); // b is live (cooldown) without a code
    await store.issue(subject(c, 'p2'), code('c'), LIMITS, T0 + 2); // evicts a, the oldest
    expect(await store.verify(subject(c, 'p1'), hash('a'), POLICY, T0 + 3)).toEqual({
      ok: false,
      detail: 'no_challenge',
    });
    expect(store.size).toBe(1);
  });

  it('cancel and abandon of nothing leave the store usable', async () => {
    const store = new MemoryStore({ maxEntries: 4, ...quiet });
    const a = '+9779800000410';
    await store.issue(subject(a, 'p1'), code('a1'), LIMITS, T0);
    await store.cancel(subject(a, 'p2'), T0);
    await store.cancel(subject(a, 'p1'), T0);
    await store.cancel(subject(a, 'p1'), T0);
    await store.abandon(subject(a, 'p1'), 'id-a1', T0);
    await store.cancel(subject('+9779800000411', 'p1'), T0);
    for (const [i, purpose] of ['p1', 'p2', 'p3'].entries()) {
      const issued = await store.issue(
        subject(a, purpose),
        code(purpose),
        LIMITS,
        T0 + (i + 1) * 1_000,
      );
      expect(issued.ok).toBe(true);
    }
    expect(store.size).toBe(3);
    for (const purpose of ['p1', 'p2', 'p3']) {
      expect(await store.verify(subject(a, purpose), hash(purpose), POLICY, T0 + 4_000)).toEqual({
        ok: true,
      });
    }
  });

  it('replacing a code keeps one entry', async () => {
    const store = new MemoryStore(quiet);
    const a = subject('+9779800000412');
    await store.issue(a, code('a'), LIMITS, T0);
    await store.issue(a, code('b'), LIMITS, T0 + 1_000);
    expect(store.size).toBe(1);
    await store.cancel(a, T0 + 1_001);
    expect(store.size).toBe(0);
  });

  it('sweeping as it goes drops only expired codes, never live ones', async () => {
    const store = new MemoryStore(quiet);
    for (let i = 0; i < 600; i++) {
      await store.issue(
        subject(`+97798${String(i).padStart(8, '0')}`),
        code(`c${i}`),
        LIMITS,
        T0 + i,
      );
    }
    const lost: number[] = [];
    for (let i = 0; i < 600; i++) {
      const outcome = await store.verify(
        subject(`+97798${String(i).padStart(8, '0')}`),
        hash(`c${i}`),
        POLICY,
        T0 + 600,
      );
      if (!outcome.ok) lost.push(i);
    }
    expect(lost).toEqual([]);
  });

  it('a code expiring at this very millisecond is swept to make room', async () => {
    const store = new MemoryStore({ maxEntries: 2, ...quiet });
    const a = '+9779800000413';
    await store.issue(subject(a, 'p1'), code('a1', T0 + 5_000), LIMITS, T0);
    await store.issue(subject(a, 'p2'), code('a2', T0 + 5_000), LIMITS, T0 + 1_000);
    await store.issue(subject(a, 'p3'), code('a3'), LIMITS, T0 + 5_000);
    expect(store.size).toBe(1);
  });

  it('hit counters: the full store evicts the least recently used even when a middle one is touched', async () => {
    const store = new MemoryStore({ maxEntries: 3, ...quiet });
    await store.hit('a', 60_000, T0);
    await store.hit('b', 60_000, T0);
    await store.hit('c', 60_000, T0);
    await store.hit('b', 60_000, T0 + 1); // order: a, c, b
    await store.hit('d', 60_000, T0 + 2); // evicts a
    expect(await store.hit('c', 60_000, T0 + 3)).toMatchObject({ count: 2 });
    expect(await store.hit('b', 60_000, T0 + 3)).toMatchObject({ count: 3 });
    expect(await store.hit('a', 60_000, T0 + 3)).toMatchObject({ count: 1 });
  });

  it('hit counters: a full store takes a new key by evicting one, before it grows past the bound', async () => {
    const store = new MemoryStore({ maxEntries: 2, ...quiet });
    await store.hit('a', 60_000, T0);
    await store.hit('a', 60_000, T0);
    await store.hit('b', 60_000, T0);
    await store.hit('c', 60_000, T0);
    expect(await store.hit('a', 60_000, T0)).toMatchObject({ count: 1 });
  });

  it('hit counters: one whose window ends at this very millisecond is the one evicted', async () => {
    const store = new MemoryStore({ maxEntries: 2, ...quiet });
    await store.hit('live', 60_000, T0);
    await store.hit('ending', 1_000, T0);
    await store.hit('new', 60_000, T0 + 1_000);
    expect(await store.hit('live', 60_000, T0 + 1_001)).toMatchObject({ count: 2 });
  });

  it('too many purposes: a StoreUnavailableError that says so; a bug: wrapped with its cause', async () => {
    const store = new MemoryStore(quiet);
    const a = '+9779800000414';
    for (let i = 0; i < 1_024; i++)
      await store.issue(subject(a, `p${i}`), code(`c${i}`), LIMITS, T0 + i * 1_000);
    const error = await store
      .issue(subject(a, 'one-more'), code('x'), LIMITS, T0 + 1e7)
      .catch((e: unknown) => e);
    expect(error).toEqual(
      new StoreUnavailableError(
        'MemoryStore holds at most 1024 distinct purposes; purposes should be a few fixed names',
      ),
    );
    const bug = await store.verify(null as never, hash('x'), POLICY, T0).catch((e: unknown) => e);
    expect(bug).toBeInstanceOf(StoreUnavailableError);
    expect((bug as Error).message).toBe('MemoryStore failed');
    expect((bug as Error).cause).toBeInstanceOf(TypeError);
  });
});
