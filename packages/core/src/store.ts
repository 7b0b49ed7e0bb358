/**
 * The store contract: the few atomic operations the OTP engine needs. Every operation is atomic
 * on its own (no get-then-set across calls), so N parallel guesses evaluate at most the allowed
 * number and N parallel right codes succeed once, in every store.
 *
 * Time is always passed in (`now`, epoch milliseconds) from the engine's clock, so that the
 * policy is the same in every store and tests can use fake timers. Stores may additionally
 * expire their data on their own (TTL) as long as that never happens before the policy says.
 *
 * Implementations: `MemoryStore` (this package), `RedisStore` (`@tingting-auth/redis`). The
 * shared contract test suite in `packages/core/test/store-contract.ts` is the specification.
 *
 * @packageDocumentation
 */

import type { Channel } from './otp-types.js';

/** Who a challenge is for: a canonical (E.164) number and a purpose. */
export interface Subject {
  /** E.164, e.g. `+9779812345678`. Per-number state (cooldown, window, failures, lock) is keyed by this alone. */
  phone: string;
  /** The challenge itself is keyed by phone and purpose. */
  purpose: string;
}

/** A pending challenge as stored. Never the code: only its keyed hash. */
export interface ChallengeRecord {
  /** Random id, so that `abandon` only removes the challenge it created. */
  id: string;
  /** Keyed hash (HMAC-SHA-256, base64url) of the code, bound to phone and purpose. */
  codeHash: string;
  /** Epoch milliseconds after which the code no longer verifies. */
  expiresAt: number;
  channel: Channel;
}

/** Send limits per number, checked and recorded atomically by {@link OTPStore.issue}. */
export interface SendLimits {
  /** Minimum time between two sends to one number. */
  cooldownInMilliseconds: number;
  /** At most this many sends to one number per window. */
  maxSendsPerWindow: number;
  /** Length of that window (fixed window, starting at the first send). */
  sendWindowInMilliseconds: number;
}

/** Verify policy, applied atomically by {@link OTPStore.verify}. */
export interface VerifyPolicy {
  /** Wrong guesses allowed per code; the next guess is refused even if right. */
  maxAttemptsPerCode: number;
  /** Every `lockAfterFailures`-th failure for a number (across codes and purposes) locks it. */
  lockAfterFailures: number;
  /** First lock duration; each further lock doubles it. */
  lockBaseInMilliseconds: number;
  /** Lock duration cap. */
  lockMaxInMilliseconds: number;
  /** The per-number failure count is forgotten after this long without a failure. Never reset by a resend. */
  failureWindowInMilliseconds: number;
}

/** A definite delivery failure, passed to {@link OTPStore.abandon}. */
export interface DeliveryFailure {
  /** The limits of the `issue` being undone (the same the engine passes to `issue`). */
  limits: SendLimits;
}

/**
 * Outcome of {@link OTPStore.issue}.
 * `retryAfterInMilliseconds` is when the refused send could succeed.
 */
export type IssueOutcome =
  | { ok: true; sendsInWindow: number }
  | {
      ok: false;
      detail: 'locked' | 'cooldown' | 'window_cap';
      retryAfterInMilliseconds: number;
    };

/** Outcome of {@link OTPStore.verify}. */
export type VerifyOutcome =
  | { ok: true }
  | { ok: false; detail: 'no_challenge' | 'expired' | 'too_many_attempts' }
  | { ok: false; detail: 'wrong_code'; failures: number; attemptsLeft: number }
  | {
      ok: false;
      detail: 'locked';
      retryAfterInMilliseconds: number;
      /** Set when this very call caused the lock (emit `locked` once). */
      lockedNow: boolean;
      failures: number;
    };

/** Outcome of {@link OTPStore.hit}. */
export interface HitOutcome {
  /** Hits in the current window, this one included. */
  count: number;
  /** Epoch milliseconds when the window ends. */
  resetAt: number;
}

/**
 * The store contract. All methods reject with `StoreUnavailableError` when the backing service
 * fails: the engine fails closed.
 */
export interface OTPStore {
  /**
   * Atomically, for `subject`:
   * 1. if the number is locked (`lockedUntil > now`): refuse with `locked`;
   * 2. if `now < lastSentAt + cooldown`: refuse with `cooldown`;
   * 3. if the number already had `maxSendsPerWindow` sends in the current window: refuse with `window_cap`
   *    (retry after the window ends);
   * 4. else store `challenge` for (phone, purpose), replacing any pending one and its attempt count,
   *    set `lastSentAt = now`, count the send in the window, and answer `ok` with the count.
   * A refused call changes nothing.
   */
  issue(
    subject: Subject,
    challenge: ChallengeRecord,
    limits: SendLimits,
    now: number,
  ): Promise<IssueOutcome>;

  /**
   * Undo an `issue` whose code was not delivered: if the pending challenge for (phone, purpose)
   * still has `challengeId`, delete it. The window count stays (a failed send still counts
   * against abuse).
   *
   * - Without `failure`, the send never reached the provider (the engine refused it after
   *   `issue`, e.g. over the global budget): also clear the number's cooldown (`lastSentAt`).
   * - With `failure`, the provider refused the delivery definitively. The first such failure in
   *   the number's current send window is recorded and clears the cooldown (when the challenge is
   *   still `challengeId`), so the user may try again at once, by voice say. A repeated one in the
   *   same window, whatever the challenge, closes the window: the window count becomes
   *   `failure.limits.maxSendsPerWindow` and the cooldown stays, so the number gets no provider
   *   call until the window ends. Retries to a number the provider refuses thus cost at most two
   *   provider calls per window.
   */
  abandon(
    subject: Subject,
    challengeId: string,
    now: number,
    failure?: DeliveryFailure,
  ): Promise<void>;

  /**
   * Atomically:
   * 1. number locked: `locked` (`lockedNow: false`), no attempt spent;
   * 2. no pending challenge for (phone, purpose): `no_challenge`;
   * 3. challenge expired (`now >= expiresAt`): delete it, `expired`;
   * 4. attempts already `>= maxAttemptsPerCode`: `too_many_attempts`;
   * 5. count the attempt; if `codeHash` equals the stored hash: delete the challenge, reset the
   *    number's failure count, answer `ok`;
   * 6. else add one to the number's failure count (refreshing its `failureWindow`); when the count
   *    is a multiple of `lockAfterFailures`, lock the number for
   *    `min(lockBase * 2^(count / lockAfterFailures - 1), lockMax)` and answer `locked` with
   *    `lockedNow: true`; otherwise `wrong_code`.
   */
  verify(
    subject: Subject,
    codeHash: string,
    policy: VerifyPolicy,
    now: number,
  ): Promise<VerifyOutcome>;

  /** Delete the pending challenge for (phone, purpose), if any. Limits and failures stay. */
  cancel(subject: Subject, now: number): Promise<void>;

  /**
   * Fixed-window counter (per-IP caps, the global daily budget): add one hit to `key` in the
   * window that started at its first hit, creating the window when there is none or it ended.
   */
  hit(key: string, windowInMilliseconds: number, now: number): Promise<HitOutcome>;
}
