/**
 * The throttle store contract: counters that {@link LoginThrottle} checks and counts before a
 * password ever reaches the upstream. A check and its count are one atomic step, so N parallel
 * guesses can never all pass a counter that allows fewer (the express-brute advisory
 * GHSA-984p-xq9m-4rjw was a get-then-set).
 *
 * Keys are opaque (keyed hashes made by the limiter: no identifier or IP in clear). Time is passed
 * in (`now`, epoch milliseconds). The rules are applied identically by every store; the shared
 * contract suite `packages/core/test/throttle-store-contract.ts` pins the boundaries.
 *
 * @packageDocumentation
 */

/**
 * Block after `limit` counted attempts, for `blockInMilliseconds` after the last one; forgotten
 * `keepInMilliseconds` after the first (fixed window). Each attempt after a block has passed
 * counts and blocks again: one attempt per block period.
 */
export interface ConsecutiveRule {
  kind: 'consecutive';
  limit: number;
  blockInMilliseconds: number;
  keepInMilliseconds: number;
}

/** At most `limit` attempts in a fixed window that starts at the first. */
export interface WindowRule {
  kind: 'window';
  limit: number;
  windowInMilliseconds: number;
}

/**
 * `free` attempts per fixed window without delay; after that each attempt must come at least
 * `min(baseDelay * 2^(count - free), maxDelay)` after the previous one. Never a hard lock.
 */
export interface DelayRule {
  kind: 'delay';
  free: number;
  windowInMilliseconds: number;
  baseDelayInMilliseconds: number;
  maxDelayInMilliseconds: number;
}

/** One counting rule. */
export type ThrottleRule = ConsecutiveRule | WindowRule | DelayRule;

/** One counter and the rule it is checked against. */
export interface ThrottleEntry {
  /**
   * Entries of one group are checked and counted in one atomic step (in Redis: one Lua script,
   * so one hash slot). Different groups may be separate steps.
   */
  group: string;
  /** The counter, unique within its group. */
  key: string;
  rule: ThrottleRule;
}

/** Outcome of {@link LoginThrottleStore.consume}. */
export type ConsumeOutcome = { ok: true } | { ok: false; retryAfterInMilliseconds: number };

/**
 * The throttle store contract. All methods reject with `StoreUnavailableError` when the backing
 * service fails: the limiter then fails closed.
 */
export interface LoginThrottleStore {
  /**
   * Check every entry and, only when every entry allows, count one attempt in each. Atomic per
   * group; when one group refuses after another counted, the other is refunded before answering.
   * A refusal answers the longest wait among the refusing entries.
   */
  consume(entries: readonly ThrottleEntry[], now: number): Promise<ConsumeOutcome>;

  /** Take back one counted attempt from each entry (never below zero). */
  refund(entries: readonly ThrottleEntry[], now: number): Promise<void>;

  /** Forget the entries' counters (and any block they cause). */
  reset(entries: readonly ThrottleEntry[], now: number): Promise<void>;
}
