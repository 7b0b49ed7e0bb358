/**
 * LoginThrottle on its own (`throttle.ts`): the limits it accepts, the counters one attempt is
 * checked against (per identifier, per (identifier, IP), per IP), and how a ticket is settled.
 * The end-to-end behaviour (blocks, delays, Retry-After) is in `sessions/sign-in-throttling.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../src/upstream/sessions-memory-store.js';
import { deriveSessionKeys, keyedHash } from '../src/upstream/sessions-seal.js';
import {
  DEFAULT_THROTTLE_LIMITS,
  LoginThrottle,
  type LoginThrottleOptions,
  normalizeIdentifier,
} from '../src/upstream/throttle.js';
import type {
  ConsumeOutcome,
  LoginThrottleStore,
  ThrottleEntry,
} from '../src/upstream/throttle-store.js';

const SECRET = 'login-throttle-units-secret-0123456789abcdef';
const T0 = 1_700_000_000_000;
const DAY = 86_400_000;

/** A store that records every call and answers `answer` to consume. */
function recordingStore(answer: ConsumeOutcome = { ok: true }) {
  const calls: { method: string; entries: readonly ThrottleEntry[]; now: number }[] = [];
  const store: LoginThrottleStore = {
    async consume(entries, now) {
      calls.push({ method: 'consume', entries, now });
      return answer;
    },
    async refund(entries, now) {
      calls.push({ method: 'refund', entries, now });
    },
    async reset(entries, now) {
      calls.push({ method: 'reset', entries, now });
    },
  };
  return { store, calls };
}

const make = (limits: Partial<LoginThrottleOptions> = {}) =>
  new LoginThrottle({ store: new MemorySessionStore(), secret: SECRET, ...limits });

describe('DEFAULT_THROTTLE_LIMITS', () => {
  it('are the documented figures, frozen', () => {
    expect(DEFAULT_THROTTLE_LIMITS).toEqual({
      maxConsecutiveFailuresPerIdentifierAndIP: 10,
      consecutiveBlockInMilliseconds: 3_600_000,
      consecutiveWindowInMilliseconds: 7_776_000_000,
      maxFailuresPerIPPerDay: 100,
      maxFailuresPerIdentifierPerDay: 50,
      identifierDelayBaseInMilliseconds: 1_000,
      identifierDelayMaxInMilliseconds: 900_000,
    });
    expect(Object.isFrozen(DEFAULT_THROTTLE_LIMITS)).toBe(true);
  });

  it('are the limits of a throttle given none, and the limits are frozen', () => {
    const throttle = make();
    expect(throttle.limits).toEqual(DEFAULT_THROTTLE_LIMITS);
    expect(Object.isFrozen(throttle.limits)).toBe(true);
  });
});

describe('normalizeIdentifier', () => {
  it('applies NFKC, trims and lower-cases', () => {
    // Full-width letters (NFKC folds them), surrounding spaces and tabs, upper case.
    expect(normalizeIdentifier('\t ＡＳＨＡ@Example.COM \n')).toBe('asha@example.com');
    expect(normalizeIdentifier('ﬁle')).toBe('file');
  });

  it('counts the forms of one identifier as one', () => {
    const throttle = make();
    expect(throttle.identifierHash(' ＡＳＨＡ ')).toBe(throttle.identifierHash('asha'));
    expect(throttle.identifierHash('asha')).not.toBe(throttle.identifierHash('ashb'));
  });
});

describe('limits', () => {
  const names = Object.keys(DEFAULT_THROTTLE_LIMITS) as (keyof typeof DEFAULT_THROTTLE_LIMITS)[];

  it('takes each limit given, and the defaults for the others', () => {
    for (const name of names) {
      // Raising the delay base above the default cap needs the cap raised too.
      const value = name === 'identifierDelayMaxInMilliseconds' ? 2_000_000 : 7;
      const throttle = make({ [name]: value });
      expect(throttle.limits).toEqual({ ...DEFAULT_THROTTLE_LIMITS, [name]: value });
    }
  });

  it('accepts 1 for every limit (with base and cap both 1)', () => {
    const ones = Object.fromEntries(names.map((name) => [name, 1]));
    expect(make(ones).limits).toEqual(ones);
  });

  it('refuses zero, negatives, fractions, NaN, unsafe integers and non-numbers, naming the limit', () => {
    for (const name of names) {
      for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 53, '5']) {
        expect(() => make({ [name]: bad } as Partial<LoginThrottleOptions>)).toThrow(
          new TypeError(`LoginThrottle: ${name} must be a positive integer, got ${String(bad)}`),
        );
      }
    }
  });

  it('accepts Infinity only for maxFailuresPerIPPerDay (turns the per-IP counter off)', () => {
    expect(make({ maxFailuresPerIPPerDay: Number.POSITIVE_INFINITY }).limits).toMatchObject({
      maxFailuresPerIPPerDay: Number.POSITIVE_INFINITY,
    });
    for (const name of names.filter((n) => n !== 'maxFailuresPerIPPerDay')) {
      expect(() => make({ [name]: Number.POSITIVE_INFINITY })).toThrow(
        `LoginThrottle: ${name} must be a positive integer, got Infinity`,
      );
    }
    expect(() => make({ maxFailuresPerIPPerDay: Number.NEGATIVE_INFINITY })).toThrow(
      'LoginThrottle: maxFailuresPerIPPerDay must be a positive integer, got -Infinity',
    );
  });

  it('refuses a delay cap below the delay base, and takes them equal', () => {
    expect(() =>
      make({ identifierDelayBaseInMilliseconds: 2_000, identifierDelayMaxInMilliseconds: 1_999 }),
    ).toThrow(
      new TypeError(
        'LoginThrottle: identifierDelayMaxInMilliseconds must be >= identifierDelayBaseInMilliseconds',
      ),
    );
    expect(
      make({ identifierDelayBaseInMilliseconds: 2_000, identifierDelayMaxInMilliseconds: 2_000 })
        .limits.identifierDelayMaxInMilliseconds,
    ).toBe(2_000);
    // A base above the default cap is refused too, when the cap is left at its default.
    expect(() => make({ identifierDelayBaseInMilliseconds: 900_001 })).toThrow(TypeError);
  });
});

describe('the constructor', () => {
  it('refuses missing options', () => {
    for (const options of [undefined, null, 'x']) {
      expect(() => new LoginThrottle(options as unknown as LoginThrottleOptions)).toThrow(
        new TypeError('LoginThrottle: options are required: { store, secret }'),
      );
    }
  });

  it('refuses a store without consume, refund or reset, naming the missing method', () => {
    const full = recordingStore().store;
    expect(() => new LoginThrottle({ secret: SECRET } as LoginThrottleOptions)).toThrow(
      new TypeError('LoginThrottle: store must implement LoginThrottleStore (consume)'),
    );
    for (const method of ['consume', 'refund', 'reset'] as const) {
      const store = { ...full, [method]: 'not a function' } as unknown as LoginThrottleStore;
      expect(() => new LoginThrottle({ store, secret: SECRET })).toThrow(
        new TypeError(`LoginThrottle: store must implement LoginThrottleStore (${method})`),
      );
    }
  });

  it('checks the secret, unless keys are given', () => {
    const { store } = recordingStore();
    // The error names LoginThrottle, so the app knows which option is wrong.
    expect(() => new LoginThrottle({ store, secret: 'short' })).toThrow(
      new TypeError(
        "LoginThrottle: `secret` must be at least 32 bytes, got 5; generate one with `crypto.randomBytes(32).toString('base64url')`",
      ),
    );
    const keys = deriveSessionKeys(SECRET, 'test');
    const throttle = new LoginThrottle({ store, secret: 'short' }, keys);
    // The keys given are the ones identifiers are hashed with.
    expect(throttle.identifierHash('asha')).toBe(
      keyedHash(keys.identifier, 'identifier\nasha', 16),
    );
  });
});

describe('entriesOf', () => {
  const keys = deriveSessionKeys(SECRET, 'LoginThrottle');
  const throttle = make();
  const idHash = keyedHash(keys.identifier, 'identifier\nasha', 16);
  const ipHash = (ip: string) => keyedHash(keys.identifier, `ip\n${ip}`, 16);
  const identifierEntry = {
    group: idHash,
    key: 'id',
    rule: {
      kind: 'delay',
      free: 50,
      windowInMilliseconds: DAY,
      baseDelayInMilliseconds: 1_000,
      maxDelayInMilliseconds: 900_000,
    },
  };
  const pairEntry = (ip: string) => ({
    group: idHash,
    key: `pair:${ipHash(ip)}`,
    rule: {
      kind: 'consecutive',
      limit: 10,
      blockInMilliseconds: 3_600_000,
      keepInMilliseconds: 90 * DAY,
    },
  });
  const ipEntry = (ip: string) => ({
    group: `ip-${ipHash(ip)}`,
    key: 'day',
    rule: { kind: 'window', limit: 100, windowInMilliseconds: DAY },
  });

  it('identifiers are kept as keyed hashes under a fixed format (counters survive upgrades)', () => {
    // The secret derives the key as `deriveSessionKeys(secret, …).identifier`; the hash is 16 bytes.
    expect(throttle.identifierHash(' Asha ')).toBe(idHash);
    expect(idHash).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('with an IP: the identifier delay, the (identifier, IP) block and the per-IP day', () => {
    expect(throttle.entriesOf('ASHA', '203.0.113.5')).toEqual([
      identifierEntry,
      pairEntry('203.0.113.5'),
      ipEntry('203.0.113.5'),
    ]);
  });

  it('the limits given are the ones the entries carry', () => {
    const custom = make({
      maxConsecutiveFailuresPerIdentifierAndIP: 3,
      consecutiveBlockInMilliseconds: 4,
      consecutiveWindowInMilliseconds: 5,
      maxFailuresPerIPPerDay: 6,
      maxFailuresPerIdentifierPerDay: 7,
      identifierDelayBaseInMilliseconds: 8,
      identifierDelayMaxInMilliseconds: 9,
    });
    expect(custom.entriesOf('asha', '203.0.113.5').map((e) => e.rule)).toEqual([
      {
        kind: 'delay',
        free: 7,
        windowInMilliseconds: DAY,
        baseDelayInMilliseconds: 8,
        maxDelayInMilliseconds: 9,
      },
      { kind: 'consecutive', limit: 3, blockInMilliseconds: 4, keepInMilliseconds: 5 },
      { kind: 'window', limit: 6, windowInMilliseconds: DAY },
    ]);
  });

  it('without an IP, or with a blank one, only the identifier delay (never a per-identifier block)', () => {
    expect(throttle.entriesOf('asha', undefined)).toEqual([identifierEntry]);
    expect(throttle.entriesOf('asha', '')).toEqual([identifierEntry]);
    expect(throttle.entriesOf('asha', '   ')).toEqual([identifierEntry]);
  });

  it('with the per-IP counter off (Infinity): no per-IP entry, the pair block stays', () => {
    const off = make({ maxFailuresPerIPPerDay: Number.POSITIVE_INFINITY });
    expect(off.entriesOf('asha', '203.0.113.5')).toEqual([
      identifierEntry,
      pairEntry('203.0.113.5'),
    ]);
  });

  it('an IPv6 address counts by its /64, an opaque value as given (trimmed, lower case)', () => {
    const a = throttle.entriesOf('asha', '2001:db8:1:2::1');
    const b = throttle.entriesOf('asha', '2001:db8:1:2:ffff::9');
    expect(a).toEqual(b);
    expect(a[2]!.group).toBe(`ip-${ipHash('2001:db8:1:2::/64')}`);
    expect(throttle.entriesOf('asha', ' Proxy-ID ')[2]!.group).toBe(`ip-${ipHash('proxy-id')}`);
  });

  it('an IP value too long to be one still counts, by its first 100 characters (trimmed)', () => {
    const long = `  ${'x'.repeat(100)}${'y'.repeat(50)}  `;
    const entries = throttle.entriesOf('asha', long);
    expect(entries).toHaveLength(3);
    expect(entries[2]!.group).toBe(`ip-${ipHash('x'.repeat(100))}`);
    expect(entries[1]!.key).toBe(`pair:${ipHash('x'.repeat(100))}`);
  });

  it('different IPs and identifiers get different counters', () => {
    const one = throttle.entriesOf('asha', '203.0.113.5');
    const two = throttle.entriesOf('asha', '203.0.113.6');
    const three = throttle.entriesOf('bina', '203.0.113.5');
    expect(two[1]!.key).not.toBe(one[1]!.key);
    expect(two[2]!.group).not.toBe(one[2]!.group);
    expect(three[0]!.group).not.toBe(one[0]!.group);
    // The per-IP counter is shared by every identifier from that IP.
    expect(three[2]!.group).toBe(one[2]!.group);
  });
});

describe('attempt and settle', () => {
  it('an allowed attempt answers a frozen ticket with the identifier hash and the entries', async () => {
    const { store, calls } = recordingStore();
    const throttle = new LoginThrottle({ store, secret: SECRET });
    const outcome = await throttle.attempt('Asha', '203.0.113.5', T0);
    expect(calls).toEqual([
      { method: 'consume', entries: throttle.entriesOf('asha', '203.0.113.5'), now: T0 },
    ]);
    expect(outcome).toEqual({
      ok: true,
      ticket: {
        identifierHash: throttle.identifierHash('asha'),
        entries: throttle.entriesOf('asha', '203.0.113.5'),
      },
    });
    if (!outcome.ok) throw new Error('unreachable');
    expect(Object.isFrozen(outcome.ticket)).toBe(true);
    expect(Object.isFrozen(outcome.ticket.entries)).toBe(true);
  });

  it('a refused attempt answers the wait and the identifier hash', async () => {
    const { store } = recordingStore({ ok: false, retryAfterInMilliseconds: 1_234 });
    const throttle = new LoginThrottle({ store, secret: SECRET });
    expect(await throttle.attempt('asha', undefined, T0)).toEqual({
      ok: false,
      identifierHash: throttle.identifierHash('asha'),
      retryAfterInMilliseconds: 1_234,
    });
  });

  it('a store failure rejects (fail closed)', async () => {
    const failing: LoginThrottleStore = {
      consume: () => Promise.reject(new Error('down')),
      refund: async () => {},
      reset: async () => {},
    };
    const throttle = new LoginThrottle({ store: failing, secret: SECRET });
    await expect(throttle.attempt('asha', '203.0.113.5', T0)).rejects.toThrow('down');
  });

  it('a success resets the pair counter and refunds the daily counters', async () => {
    const { store, calls } = recordingStore();
    const throttle = new LoginThrottle({ store, secret: SECRET });
    const outcome = await throttle.attempt('asha', '203.0.113.5', T0);
    if (!outcome.ok) throw new Error('unreachable');
    const [id, pair, ip] = outcome.ticket.entries;
    calls.length = 0;
    await throttle.succeeded(outcome.ticket, T0 + 5);
    expect(calls).toEqual([
      { method: 'reset', entries: [pair], now: T0 + 5 },
      { method: 'refund', entries: [id, ip], now: T0 + 5 },
    ]);
  });

  it('a refund takes back every counter', async () => {
    const { store, calls } = recordingStore();
    const throttle = new LoginThrottle({ store, secret: SECRET });
    const outcome = await throttle.attempt('asha', '203.0.113.5', T0);
    if (!outcome.ok) throw new Error('unreachable');
    calls.length = 0;
    await throttle.refund(outcome.ticket, T0 + 7);
    expect(calls).toEqual([{ method: 'refund', entries: outcome.ticket.entries, now: T0 + 7 }]);
  });

  it('over the memory store: a success lifts a pair count, a refund gives the attempt back', async () => {
    const throttle = make({ maxConsecutiveFailuresPerIdentifierAndIP: 2 });
    const fail = () => throttle.attempt('asha', '203.0.113.5', T0);
    await fail();
    const second = await fail();
    if (!second.ok) throw new Error('unreachable');
    // Two counted: the third is blocked...
    expect((await fail()).ok).toBe(false);
    // ...until the second is taken back.
    await throttle.refund(second.ticket, T0);
    const third = await fail();
    expect(third.ok).toBe(true);
    if (!third.ok) throw new Error('unreachable');
    await throttle.succeeded(third.ticket, T0);
    expect((await fail()).ok).toBe(true);
    expect((await fail()).ok).toBe(true);
    expect(await fail()).toEqual({
      ok: false,
      identifierHash: throttle.identifierHash('asha'),
      retryAfterInMilliseconds: 3_600_000,
    });
  });
});
