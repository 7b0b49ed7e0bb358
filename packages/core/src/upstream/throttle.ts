import { ipRateLimitKey } from '../engine/ip.js';
import { deriveSessionKeys, keyedHash, type SessionKeys } from './sessions-seal.js';
import type { LoginThrottleStore, ThrottleEntry } from './throttle-store.js';

/**
 * Limits on password attempts, checked before the password reaches the upstream.
 *
 * @see UPSTREAM.md §3; rate-limiter-flexible's "login endpoint protection"; OWASP Authentication
 *   Cheat Sheet ("Account Lockout"); NIST SP 800-63B §3.2.2
 */
export interface LoginThrottleLimits {
  /**
   * Consecutive failures per (identifier, IP) before that pair is blocked; a success resets it.
   * @default 10
   */
  maxConsecutiveFailuresPerIdentifierAndIP?: number;
  /** How long that block lasts after the last failure. @default 3_600_000 (1 hour) */
  consecutiveBlockInMilliseconds?: number;
  /** The consecutive count is forgotten this long after its first failure. @default 7_776_000_000 (90 days) */
  consecutiveWindowInMilliseconds?: number;
  /**
   * Failures per IP per day (any identifier). Many users can share one IP behind carrier NAT: keep
   * it generous. `Infinity` turns it off.
   * @default 100
   */
  maxFailuresPerIPPerDay?: number;
  /**
   * Failures per identifier per day (any IP) before each further attempt waits a growing delay.
   * Never a hard lock, so a stranger cannot lock a user out.
   * @default 50
   */
  maxFailuresPerIdentifierPerDay?: number;
  /** The first delay after that; it doubles with each further failure. @default 1_000 */
  identifierDelayBaseInMilliseconds?: number;
  /** The delay's cap. @default 900_000 (15 minutes) */
  identifierDelayMaxInMilliseconds?: number;
}

/** Options of {@link LoginThrottle}. */
export interface LoginThrottleOptions extends LoginThrottleLimits {
  /** Where the counters live (`MemorySessionStore`, `RedisSessionStore`). */
  store: LoginThrottleStore;
  /** App secret (at least 32 bytes): identifiers and IPs are kept only as keyed hashes. */
  secret: string | Uint8Array;
}

/** A counted attempt, to settle once the upstream has answered. */
export interface ThrottleTicket {
  /** Keyed hash of the normalized identifier (safe to log: `identifierHash` in events). */
  readonly identifierHash: string;
  readonly entries: readonly ThrottleEntry[];
}

/** Outcome of {@link LoginThrottle.attempt}. */
export type ThrottleAttempt =
  | { ok: true; ticket: ThrottleTicket }
  | { ok: false; identifierHash: string; retryAfterInMilliseconds: number };

const DAY = 86_400_000;

/** The limits in force, all set. */
export type ResolvedThrottleLimits = Required<LoginThrottleLimits>;

/** Defaults of {@link LoginThrottleLimits}. */
export const DEFAULT_THROTTLE_LIMITS: Readonly<ResolvedThrottleLimits> = Object.freeze({
  maxConsecutiveFailuresPerIdentifierAndIP: 10,
  consecutiveBlockInMilliseconds: 3_600_000,
  consecutiveWindowInMilliseconds: 90 * DAY,
  maxFailuresPerIPPerDay: 100,
  maxFailuresPerIdentifierPerDay: 50,
  identifierDelayBaseInMilliseconds: 1_000,
  identifierDelayMaxInMilliseconds: 900_000,
});

/**
 * The keyed hash an IP's counters are kept under: its rate-limit key (an IPv4 address, an IPv6
 * /64) hashed with the app secret, so no IP is stored in clear. `undefined` without an IP (an
 * empty one included): then no per-IP counter applies.
 */
export function ipHashOf(keys: SessionKeys, ip: string | undefined): string | undefined {
  // An IP too long to be one (a misconfigured proxy header) still counts, by its first 100 characters.
  const ipKey = ip === undefined ? undefined : (ipRateLimitKey(ip) ?? ip.trim().slice(0, 100));
  return ipKey === undefined || ipKey === ''
    ? undefined
    : keyedHash(keys.identifier, `ip\n${ipKey}`, 16);
}

/**
 * A per-IP limit on password sign-up attempts (`createPasswordProtocol`'s `signUpLimit`, counted
 * by `UpstreamSessions.attemptSignUp`): at most `maxPerIP` attempts from one IP (an IPv6
 * /64) in a fixed window that starts at the first.
 */
export interface SignUpLimit {
  /** Attempts per IP per window. */
  maxPerIP: number;
  /** The window. */
  windowInMilliseconds: number;
}

/** The normalized form identifiers are counted under: NFKC, trimmed, lower case. */
export function normalizeIdentifier(identifier: string): string {
  return identifier.normalize('NFKC').trim().toLowerCase();
}

function resolveLimits(limits: LoginThrottleLimits): ResolvedThrottleLimits {
  const out = { ...DEFAULT_THROTTLE_LIMITS };
  for (const name of Object.keys(DEFAULT_THROTTLE_LIMITS) as (keyof ResolvedThrottleLimits)[]) {
    const value = limits[name];
    if (value === undefined) continue;
    const infinite = name === 'maxFailuresPerIPPerDay' && value === Number.POSITIVE_INFINITY;
    if (!infinite && (!Number.isSafeInteger(value) || value < 1)) {
      throw new TypeError(
        `LoginThrottle: ${name} must be a positive integer, got ${String(value)}`,
      );
    }
    out[name] = value;
  }
  if (out.identifierDelayMaxInMilliseconds < out.identifierDelayBaseInMilliseconds) {
    throw new TypeError(
      'LoginThrottle: identifierDelayMaxInMilliseconds must be >= identifierDelayBaseInMilliseconds',
    );
  }
  return out;
}

/**
 * Password attempt limits, counted **before** the upstream call (pessimistically), settled after:
 * a success resets the (identifier, IP) count and takes back the daily counts (a success is not a
 * failure); an upstream outage or 429 takes the attempt back (not the user's fault); a refusal
 * keeps it. Three counters:
 * - per (identifier, IP): `maxConsecutiveFailuresPerIdentifierAndIP` then a block;
 * - per IP per day: `maxFailuresPerIPPerDay` then blocked for the rest of that day;
 * - per identifier per day (any IP): `maxFailuresPerIdentifierPerDay`, then a doubling delay.
 * Without an IP only the per-identifier delay applies (a per-identifier block would let anyone
 * lock a user out). A refusal looks the same whether or not the account exists.
 */
export class LoginThrottle {
  /** The limits in force. */
  readonly limits: Readonly<ResolvedThrottleLimits>;
  readonly #store: LoginThrottleStore;
  readonly #keys: SessionKeys;

  constructor(options: LoginThrottleOptions, keys?: SessionKeys) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('LoginThrottle: options are required: { store, secret }');
    }
    const store = options.store;
    for (const method of ['consume', 'refund', 'reset'] as const) {
      if (typeof (store as unknown as Record<string, unknown>)?.[method] !== 'function') {
        throw new TypeError(`LoginThrottle: store must implement LoginThrottleStore (${method})`);
      }
    }
    this.#store = store;
    this.#keys = keys ?? deriveSessionKeys(options.secret, 'LoginThrottle');
    this.limits = Object.freeze(resolveLimits(options));
  }

  /** The keyed hash events carry instead of the identifier. */
  identifierHash(identifier: string): string {
    return keyedHash(this.#keys.identifier, `identifier\n${normalizeIdentifier(identifier)}`, 16);
  }

  /** The counters one attempt by `identifier` from `ip` is checked against. */
  entriesOf(identifier: string, ip: string | undefined): ThrottleEntry[] {
    const l = this.limits;
    const id = this.identifierHash(identifier);
    const entries: ThrottleEntry[] = [
      {
        group: id,
        key: 'id',
        rule: {
          kind: 'delay',
          free: l.maxFailuresPerIdentifierPerDay,
          windowInMilliseconds: DAY,
          baseDelayInMilliseconds: l.identifierDelayBaseInMilliseconds,
          maxDelayInMilliseconds: l.identifierDelayMaxInMilliseconds,
        },
      },
    ];
    const ipHash = ipHashOf(this.#keys, ip);
    if (ipHash !== undefined) {
      // Same group as the identifier's counter: both are checked in one atomic step (one slot).
      entries.push({
        group: id,
        key: `pair:${ipHash}`,
        rule: {
          kind: 'consecutive',
          limit: l.maxConsecutiveFailuresPerIdentifierAndIP,
          blockInMilliseconds: l.consecutiveBlockInMilliseconds,
          keepInMilliseconds: l.consecutiveWindowInMilliseconds,
        },
      });
      if (Number.isFinite(l.maxFailuresPerIPPerDay)) {
        entries.push({
          group: `ip-${ipHash}`,
          key: 'day',
          rule: { kind: 'window', limit: l.maxFailuresPerIPPerDay, windowInMilliseconds: DAY },
        });
      }
    }
    return entries;
  }

  /** Check and count one attempt. Store failures reject (fail closed). */
  async attempt(identifier: string, ip: string | undefined, now: number): Promise<ThrottleAttempt> {
    const entries = this.entriesOf(identifier, ip);
    const identifierHash = entries[0]!.group;
    const outcome = await this.#store.consume(entries, now);
    if (!outcome.ok) {
      return {
        ok: false,
        identifierHash,
        retryAfterInMilliseconds: outcome.retryAfterInMilliseconds,
      };
    }
    return { ok: true, ticket: Object.freeze({ identifierHash, entries: Object.freeze(entries) }) };
  }

  /** The attempt succeeded: reset the (identifier, IP) count, take back the daily counts. */
  async succeeded(ticket: ThrottleTicket, now: number): Promise<void> {
    const pair = ticket.entries.filter((e) => e.rule.kind === 'consecutive');
    const daily = ticket.entries.filter((e) => e.rule.kind !== 'consecutive');
    await Promise.all([this.#store.reset(pair, now), this.#store.refund(daily, now)]);
  }

  /** The attempt never reached a verdict (upstream down, 429): take it back entirely. */
  async refund(ticket: ThrottleTicket, now: number): Promise<void> {
    await this.#store.refund(ticket.entries, now);
  }
}
