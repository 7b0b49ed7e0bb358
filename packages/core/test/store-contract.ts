/**
 * The shared contract suite of {@link OTPStore}: every rule documented in `src/store.ts`, with
 * explicit `now` values on both sides of every boundary, plus the concurrency properties.
 *
 * Run it for your store:
 *
 * ```ts
 * import { describeStoreContract } from '@tingting-auth/core/test/store-contract';
 * describeStoreContract('RedisStore', () => new RedisStore({ sendCommand }), { cleanup });
 * ```
 *
 * Every test uses its own phone numbers and hit keys, so a store shared across tests (one Redis
 * database) can run the suite; `makeStore` is called once, `cleanup` once at the end.
 *
 * Boundaries, as the suite pins them (every store must agree):
 * - cooldown: refused while `now < lastSentAt + cooldown`, allowed at `now === lastSentAt + cooldown`;
 * - send window: fixed, `[firstSend, firstSend + window)`; a send at `firstSend + window` opens a new one;
 * - lock: in force while `now < lockedUntil`, over at `now === lockedUntil`;
 * - expiry: the code verifies while `now < expiresAt`, `expired` at `now === expiresAt`;
 * - failure window: the count is forgotten once `now >= lastFailureAt + failureWindow`;
 * - hit window: `[firstHit, firstHit + window)`, `resetAt = firstHit + window`.
 */

import { createHash, randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ChallengeRecord,
  IssueOutcome,
  OTPStore,
  SendLimits,
  Subject,
  VerifyOutcome,
  VerifyPolicy,
} from '../src/store.js';

/** Options of {@link describeStoreContract}. */
export interface StoreContractOptions {
  /** Called once after the suite (close connections, delete keys). */
  cleanup?: () => Promise<void>;
}

const T0 = 1_700_000_000_000;

const LIMITS: SendLimits = {
  cooldownInMilliseconds: 1_000,
  maxSendsPerWindow: 3,
  sendWindowInMilliseconds: 10_000,
};

const POLICY: VerifyPolicy = {
  maxAttemptsPerCode: 3,
  lockAfterFailures: 100,
  lockBaseInMilliseconds: 1_000,
  lockMaxInMilliseconds: 4_000,
  failureWindowInMilliseconds: 60_000,
};

/**
 * Three-digit Nepali mobile prefixes (NTC 984-986, Ncell 980-982): followed by any seven digits,
 * a valid mobile number. Not `98` + anything: 983…, 987… and 989… are not mobile ranges.
 */
const MOBILE_PREFIXES = ['984', '985', '986', '980', '981', '982'] as const;
const PER_PREFIX = 10_000_000;
const NUMBERS = MOBILE_PREFIXES.length * PER_PREFIX;

// A random start keeps runs apart in a store that outlives them (a shared Redis without a fresh
// prefix); every value maps to a valid number, so the draw cannot make an invalid one.
let sequence = randomInt(0, NUMBERS);

/** A fresh E.164 Nepali mobile number, unique within this run, valid whatever the draw. */
function freshPhone(): string {
  sequence = (sequence + 1) % NUMBERS;
  const prefix = MOBILE_PREFIXES[Math.floor(sequence / PER_PREFIX)]!;
  return `+977${prefix}${String(sequence % PER_PREFIX).padStart(7, '0')}`;
}

const RUN = randomUUID();

/** A realistic code hash (base64url of 32 bytes), distinct per label and run. */
function hashOf(label: string): string {
  return createHash('sha256').update(`${RUN}:${label}`).digest('base64url');
}

function subjectOf(phone = freshPhone(), purpose = 'sign-in'): Subject {
  return { phone, purpose };
}

function challengeOf(label: string, expiresAt = T0 + 300_000): ChallengeRecord {
  return { id: randomUUID(), codeHash: hashOf(label), expiresAt, channel: 'text' };
}

/**
 * Define a vitest `describe` block that checks `makeStore`'s store against every rule of the
 * {@link OTPStore} contract, including the concurrency properties.
 *
 * @param name - Shown in the test report, e.g. `MemoryStore`.
 * @param makeStore - Creates the store (called once for the whole suite).
 * @param options - `cleanup` runs once after the suite.
 */
export function describeStoreContract(
  name: string,
  makeStore: () => Promise<OTPStore> | OTPStore,
  options: StoreContractOptions = {},
): void {
  describe(`OTPStore contract: ${name}`, () => {
    let store: OTPStore;

    beforeAll(async () => {
      store = await makeStore();
    });

    afterAll(async () => {
      await options.cleanup?.();
    });

    async function issueOK(
      subject: Subject,
      challenge: ChallengeRecord,
      now: number,
      limits: SendLimits = LIMITS,
    ): Promise<Extract<IssueOutcome, { ok: true }>> {
      const outcome = await store.issue(subject, challenge, limits, now);
      expect(outcome.ok).toBe(true);
      return outcome as Extract<IssueOutcome, { ok: true }>;
    }

    describe('issue', () => {
      it('stores the challenge and counts the first send', async () => {
        const subject = subjectOf();
        const outcome = await store.issue(subject, challengeOf('a'), LIMITS, T0);
        expect(outcome).toEqual({ ok: true, sendsInWindow: 1 });
        expect(await store.verify(subject, hashOf('a'), POLICY, T0 + 1)).toEqual({ ok: true });
      });

      it('refuses during the cooldown and allows at its end', async () => {
        const subject = subjectOf();
        await issueOK(subject, challengeOf('a'), T0);
        expect(await store.issue(subject, challengeOf('b'), LIMITS, T0 + 999)).toEqual({
          ok: false,
          detail: 'cooldown',
          retryAfterInMilliseconds: 1,
        });
        expect(await store.issue(subject, challengeOf('c'), LIMITS, T0 + 1_000)).toEqual({
          ok: true,
          sendsInWindow: 2,
        });
      });

      it('applies the cooldown per number, across purposes', async () => {
        const phone = freshPhone();
        await issueOK(subjectOf(phone, 'sign-in'), challengeOf('a'), T0);
        const outcome = await store.issue(
          subjectOf(phone, 'phone-change'),
          challengeOf('b'),
          LIMITS,
          T0 + 500,
        );
        expect(outcome).toEqual({ ok: false, detail: 'cooldown', retryAfterInMilliseconds: 500 });
      });

      it('a refused issue changes nothing: the pending code stays, the window count stays', async () => {
        const subject = subjectOf();
        await issueOK(subject, challengeOf('first'), T0);
        const refused = await store.issue(subject, challengeOf('second'), LIMITS, T0 + 10);
        expect(refused.ok).toBe(false);
        // The refused challenge was not stored: its hash is a wrong code, the first still verifies.
        const wrong = await store.verify(subject, hashOf('second'), POLICY, T0 + 20);
        expect(wrong).toMatchObject({ ok: false, detail: 'wrong_code', attemptsLeft: 2 });
        expect(await store.verify(subject, hashOf('first'), POLICY, T0 + 30)).toEqual({ ok: true });
        expect(await store.issue(subject, challengeOf('third'), LIMITS, T0 + 1_000)).toEqual({
          ok: true,
          sendsInWindow: 2,
        });
      });

      it('caps sends per window and opens a new window when it ends', async () => {
        const subject = subjectOf();
        await issueOK(subject, challengeOf('1'), T0);
        await issueOK(subject, challengeOf('2'), T0 + 1_000);
        expect((await issueOK(subject, challengeOf('3'), T0 + 2_000)).sendsInWindow).toBe(3);
        expect(await store.issue(subject, challengeOf('4'), LIMITS, T0 + 3_000)).toEqual({
          ok: false,
          detail: 'window_cap',
          retryAfterInMilliseconds: 7_000,
        });
        expect(await store.issue(subject, challengeOf('5'), LIMITS, T0 + 9_999)).toEqual({
          ok: false,
          detail: 'window_cap',
          retryAfterInMilliseconds: 1,
        });
        // The pending code is still the third one.
        expect(await store.verify(subject, hashOf('3'), POLICY, T0 + 9_999)).toEqual({ ok: true });
        expect(await store.issue(subject, challengeOf('6'), LIMITS, T0 + 10_000)).toEqual({
          ok: true,
          sendsInWindow: 1,
        });
      });

      it('counts the window per number, across purposes', async () => {
        const phone = freshPhone();
        await issueOK(subjectOf(phone, 'sign-in'), challengeOf('1'), T0);
        await issueOK(subjectOf(phone, 'phone-change'), challengeOf('2'), T0 + 1_000);
        await issueOK(subjectOf(phone, 'sign-in'), challengeOf('3'), T0 + 2_000);
        const outcome = await store.issue(
          subjectOf(phone, 'other'),
          challengeOf('4'),
          LIMITS,
          T0 + 3_000,
        );
        expect(outcome).toMatchObject({ ok: false, detail: 'window_cap' });
      });

      it('replaces the pending code and resets its attempt count', async () => {
        const subject = subjectOf();
        await issueOK(subject, challengeOf('old'), T0);
        await store.verify(subject, hashOf('x'), POLICY, T0 + 1);
        await store.verify(subject, hashOf('y'), POLICY, T0 + 2);
        await issueOK(subject, challengeOf('new'), T0 + 1_000);
        // The old code is gone.
        expect(await store.verify(subject, hashOf('old'), POLICY, T0 + 1_001)).toMatchObject({
          ok: false,
          detail: 'wrong_code',
          attemptsLeft: 2,
        });
        expect(await store.verify(subject, hashOf('z'), POLICY, T0 + 1_002)).toMatchObject({
          ok: false,
          detail: 'wrong_code',
          attemptsLeft: 1,
        });
        expect(await store.verify(subject, hashOf('new'), POLICY, T0 + 1_003)).toEqual({
          ok: true,
        });
      });

      it('keeps one pending code per purpose', async () => {
        const phone = freshPhone();
        const signIn = subjectOf(phone, 'sign-in');
        const change = subjectOf(phone, 'phone-change');
        await issueOK(signIn, challengeOf('s'), T0);
        await issueOK(change, challengeOf('c'), T0 + 1_000);
        expect(await store.verify(change, hashOf('s'), POLICY, T0 + 1_001)).toMatchObject({
          detail: 'wrong_code',
        });
        expect(await store.verify(signIn, hashOf('s'), POLICY, T0 + 1_002)).toEqual({ ok: true });
        expect(await store.verify(change, hashOf('c'), POLICY, T0 + 1_003)).toEqual({ ok: true });
      });

      it('refuses while the number is locked and allows when the lock ends', async () => {
        const subject = subjectOf();
        const policy = { ...POLICY, lockAfterFailures: 2 };
        await issueOK(subject, challengeOf('a'), T0);
        await store.verify(subject, hashOf('w1'), policy, T0 + 10);
        const locked = await store.verify(subject, hashOf('w2'), policy, T0 + 20);
        expect(locked).toMatchObject({ ok: false, detail: 'locked', lockedNow: true });
        // Locked until T0 + 20 + 1_000; the cooldown (T0 + 1_000) is already over by then.
        expect(await store.issue(subject, challengeOf('b'), LIMITS, T0 + 1_019)).toEqual({
          ok: false,
          detail: 'locked',
          retryAfterInMilliseconds: 1,
        });
        expect(await store.issue(subject, challengeOf('c'), LIMITS, T0 + 1_020)).toEqual({
          ok: true,
          sendsInWindow: 2,
        });
      });
    });

    describe('abandon', () => {
      it('with the matching id: deletes the code and clears the cooldown, the window count stays', async () => {
        const subject = subjectOf();
        const challenge = challengeOf('a');
        await issueOK(subject, challenge, T0);
        await store.abandon(subject, challenge.id, T0 + 1);
        expect(await store.verify(subject, hashOf('a'), POLICY, T0 + 2)).toEqual({
          ok: false,
          detail: 'no_challenge',
        });
        expect(await store.issue(subject, challengeOf('b'), LIMITS, T0 + 3)).toEqual({
          ok: true,
          sendsInWindow: 2,
        });
      });

      it('with another id: changes nothing', async () => {
        const subject = subjectOf();
        await issueOK(subject, challengeOf('a'), T0);
        await store.abandon(subject, randomUUID(), T0 + 1);
        expect(await store.issue(subject, challengeOf('b'), LIMITS, T0 + 2)).toMatchObject({
          ok: false,
          detail: 'cooldown',
        });
        expect(await store.verify(subject, hashOf('a'), POLICY, T0 + 3)).toEqual({ ok: true });
      });

      it('with the id of a replaced code: keeps the newer code', async () => {
        const subject = subjectOf();
        const old = challengeOf('old');
        await issueOK(subject, old, T0);
        await issueOK(subject, challengeOf('new'), T0 + 1_000);
        await store.abandon(subject, old.id, T0 + 1_001);
        expect(await store.verify(subject, hashOf('new'), POLICY, T0 + 1_002)).toEqual({
          ok: true,
        });
      });

      it('of another purpose: keeps this purpose’s code', async () => {
        const phone = freshPhone();
        const challenge = challengeOf('a');
        await issueOK(subjectOf(phone, 'sign-in'), challenge, T0);
        await store.abandon(subjectOf(phone, 'phone-change'), challenge.id, T0 + 1);
        expect(await store.verify(subjectOf(phone), hashOf('a'), POLICY, T0 + 2)).toEqual({
          ok: true,
        });
      });

      it('of nothing: is a no-op', async () => {
        await expect(store.abandon(subjectOf(), randomUUID(), T0)).resolves.toBeUndefined();
      });
    });

    describe('abandon after a definite delivery failure', () => {
      const failed = { limits: LIMITS };

      it('the first failure in a window clears the cooldown; a repeated one closes the window until it ends', async () => {
        const subject = subjectOf();
        const a = challengeOf('a');
        await issueOK(subject, a, T0);
        await store.abandon(subject, a.id, T0, failed);
        const b = challengeOf('b');
        expect(await store.issue(subject, b, LIMITS, T0 + 1)).toEqual({
          ok: true,
          sendsInWindow: 2,
        });
        await store.abandon(subject, b.id, T0 + 1, failed);
        expect(await store.verify(subject, hashOf('b'), POLICY, T0 + 2)).toEqual({
          ok: false,
          detail: 'no_challenge',
        });
        // Past the cooldown, but the window (T0 .. T0 + 10_000) is closed.
        expect(await store.issue(subject, challengeOf('c'), LIMITS, T0 + 2_000)).toEqual({
          ok: false,
          detail: 'window_cap',
          retryAfterInMilliseconds: 8_000,
        });
        expect(await store.issue(subject, challengeOf('d'), LIMITS, T0 + 9_999)).toMatchObject({
          ok: false,
          detail: 'window_cap',
        });
        const e = challengeOf('e');
        expect(await store.issue(subject, e, LIMITS, T0 + 10_000)).toEqual({
          ok: true,
          sendsInWindow: 1,
        });
        // A new window: its first failure is a first failure again.
        await store.abandon(subject, e.id, T0 + 10_000, failed);
        expect(await store.issue(subject, challengeOf('f'), LIMITS, T0 + 10_001)).toEqual({
          ok: true,
          sendsInWindow: 2,
        });
      });

      it('keeps the cooldown when the window is closed', async () => {
        const subject = subjectOf();
        const limits = { ...LIMITS, maxSendsPerWindow: 100 };
        const a = challengeOf('a');
        await issueOK(subject, a, T0);
        await store.abandon(subject, a.id, T0, { limits });
        const b = challengeOf('b');
        await issueOK(subject, b, T0 + 1);
        await store.abandon(subject, b.id, T0 + 1, { limits });
        expect(await store.issue(subject, challengeOf('c'), limits, T0 + 2)).toMatchObject({
          ok: false,
          detail: 'cooldown',
        });
        expect(await store.issue(subject, challengeOf('d'), limits, T0 + 1_001)).toMatchObject({
          ok: false,
          detail: 'window_cap',
        });
      });

      it('a repeated failure of a replaced code closes the window and keeps the newer code', async () => {
        const subject = subjectOf();
        const limits = { ...LIMITS, maxSendsPerWindow: 100 };
        const a = challengeOf('a');
        expect(await store.issue(subject, a, limits, T0)).toMatchObject({ ok: true });
        await store.abandon(subject, a.id, T0, { limits });
        const b = challengeOf('b');
        expect(await store.issue(subject, b, limits, T0 + 1)).toMatchObject({ ok: true });
        expect(await store.issue(subject, challengeOf('c'), limits, T0 + 1_001)).toMatchObject({
          ok: true,
        });
        await store.abandon(subject, b.id, T0 + 1, { limits });
        expect(await store.issue(subject, challengeOf('d'), limits, T0 + 2_002)).toMatchObject({
          ok: false,
          detail: 'window_cap',
        });
        expect(await store.verify(subject, hashOf('c'), POLICY, T0 + 2_003)).toEqual({ ok: true });
      });

      it('counts per number, across purposes', async () => {
        const phone = freshPhone();
        const a = challengeOf('a');
        await issueOK(subjectOf(phone, 'sign-in'), a, T0);
        await store.abandon(subjectOf(phone, 'sign-in'), a.id, T0, failed);
        const b = challengeOf('b');
        await issueOK(subjectOf(phone, 'phone-change'), b, T0 + 1);
        await store.abandon(subjectOf(phone, 'phone-change'), b.id, T0 + 1, failed);
        expect(
          await store.issue(subjectOf(phone, 'sign-in'), challengeOf('c'), LIMITS, T0 + 2_000),
        ).toMatchObject({ ok: false, detail: 'window_cap' });
      });

      it('abandons without a failure (nothing sent) never close the window', async () => {
        const subject = subjectOf();
        for (let i = 0; i < 3; i++) {
          const challenge = challengeOf(`x${i}`);
          expect(await store.issue(subject, challenge, LIMITS, T0 + i)).toEqual({
            ok: true,
            sendsInWindow: i + 1,
          });
          await store.abandon(subject, challenge.id, T0 + i);
        }
      });
    });

    describe('verify', () => {
      it('answers no_challenge for a number that never had a code', async () => {
        expect(await store.verify(subjectOf(), hashOf('a'), POLICY, T0)).toEqual({
          ok: false,
          detail: 'no_challenge',
        });
      });

      it('answers no_challenge for another purpose of the same number', async () => {
        const phone = freshPhone();
        await issueOK(subjectOf(phone, 'sign-in'), challengeOf('a'), T0);
        expect(
          await store.verify(subjectOf(phone, 'phone-change'), hashOf('a'), POLICY, T0 + 1),
        ).toEqual({
          ok: false,
          detail: 'no_challenge',
        });
      });

      it('accepts the right code just before expiry', async () => {
        const subject = subjectOf();
        await issueOK(subject, challengeOf('a', T0 + 5_000), T0);
        expect(await store.verify(subject, hashOf('a'), POLICY, T0 + 4_999)).toEqual({ ok: true });
      });

      it('answers expired at expiry, deletes the code, and spends no attempt', async () => {
        const subject = subjectOf();
        await issueOK(subject, challengeOf('a', T0 + 5_000), T0);
        expect(await store.verify(subject, hashOf('a'), POLICY, T0 + 5_000)).toEqual({
          ok: false,
          detail: 'expired',
        });
        expect(await store.verify(subject, hashOf('a'), POLICY, T0 + 5_001)).toEqual({
          ok: false,
          detail: 'no_challenge',
        });
        // No failure was counted: the next wrong guess on a new code is failure 1.
        await issueOK(subject, challengeOf('b'), T0 + 6_000);
        expect(await store.verify(subject, hashOf('w'), POLICY, T0 + 6_001)).toMatchObject({
          detail: 'wrong_code',
          failures: 1,
        });
      });

      it('is single use: the right code succeeds once', async () => {
        const subject = subjectOf();
        await issueOK(subject, challengeOf('a'), T0);
        expect(await store.verify(subject, hashOf('a'), POLICY, T0 + 1)).toEqual({ ok: true });
        expect(await store.verify(subject, hashOf('a'), POLICY, T0 + 2)).toEqual({
          ok: false,
          detail: 'no_challenge',
        });
      });

      it('counts wrong guesses per code, then refuses even the right code', async () => {
        const subject = subjectOf();
        await issueOK(subject, challengeOf('a'), T0);
        expect(await store.verify(subject, hashOf('w1'), POLICY, T0 + 1)).toEqual({
          ok: false,
          detail: 'wrong_code',
          failures: 1,
          attemptsLeft: 2,
        });
        expect(await store.verify(subject, hashOf('w2'), POLICY, T0 + 2)).toEqual({
          ok: false,
          detail: 'wrong_code',
          failures: 2,
          attemptsLeft: 1,
        });
        expect(await store.verify(subject, hashOf('w3'), POLICY, T0 + 3)).toEqual({
          ok: false,
          detail: 'wrong_code',
          failures: 3,
          attemptsLeft: 0,
        });
        expect(await store.verify(subject, hashOf('a'), POLICY, T0 + 4)).toEqual({
          ok: false,
          detail: 'too_many_attempts',
        });
      });

      it('does not count a failure for a too_many_attempts answer', async () => {
        const subject = subjectOf();
        await issueOK(subject, challengeOf('a'), T0);
        for (let i = 0; i < 3; i++) await store.verify(subject, hashOf(`w${i}`), POLICY, T0 + i);
        for (let i = 0; i < 3; i++) {
          expect(await store.verify(subject, hashOf('z'), POLICY, T0 + 10 + i)).toEqual({
            ok: false,
            detail: 'too_many_attempts',
          });
        }
        await issueOK(subject, challengeOf('b'), T0 + 1_000);
        expect(await store.verify(subject, hashOf('w'), POLICY, T0 + 1_001)).toMatchObject({
          detail: 'wrong_code',
          failures: 4,
        });
      });

      it('keeps the failure count across a re-issue (a resend never resets it)', async () => {
        const subject = subjectOf();
        await issueOK(subject, challengeOf('a'), T0);
        await store.verify(subject, hashOf('w1'), POLICY, T0 + 1);
        await store.verify(subject, hashOf('w2'), POLICY, T0 + 2);
        await issueOK(subject, challengeOf('b'), T0 + 1_000);
        expect(await store.verify(subject, hashOf('w3'), POLICY, T0 + 1_001)).toEqual({
          ok: false,
          detail: 'wrong_code',
          failures: 3,
          attemptsLeft: 2,
        });
      });

      it('counts failures per number, across purposes', async () => {
        const phone = freshPhone();
        await issueOK(subjectOf(phone, 'sign-in'), challengeOf('a'), T0);
        await issueOK(subjectOf(phone, 'phone-change'), challengeOf('b'), T0 + 1_000);
        await store.verify(subjectOf(phone, 'sign-in'), hashOf('w1'), POLICY, T0 + 1_001);
        expect(
          await store.verify(subjectOf(phone, 'phone-change'), hashOf('w2'), POLICY, T0 + 1_002),
        ).toMatchObject({
          detail: 'wrong_code',
          failures: 2,
        });
      });

      it('resets the failure count on success', async () => {
        const subject = subjectOf();
        await issueOK(subject, challengeOf('a'), T0);
        await store.verify(subject, hashOf('w1'), POLICY, T0 + 1);
        await store.verify(subject, hashOf('w2'), POLICY, T0 + 2);
        expect(await store.verify(subject, hashOf('a'), POLICY, T0 + 3)).toEqual({ ok: true });
        await issueOK(subject, challengeOf('b'), T0 + 1_000);
        expect(await store.verify(subject, hashOf('w3'), POLICY, T0 + 1_001)).toMatchObject({
          detail: 'wrong_code',
          failures: 1,
        });
      });

      it('forgets the failure count after the failure window without a failure', async () => {
        const subject = subjectOf();
        const policy = { ...POLICY, maxAttemptsPerCode: 100, failureWindowInMilliseconds: 10_000 };
        await issueOK(subject, challengeOf('a', T0 + 1_000_000), T0);
        await store.verify(subject, hashOf('w1'), policy, T0 + 1);
        // Just before the window ends: still counted, and the window is refreshed.
        expect(await store.verify(subject, hashOf('w2'), policy, T0 + 10_000)).toMatchObject({
          failures: 2,
        });
        // The window now ends at T0 + 20_000.
        expect(await store.verify(subject, hashOf('w3'), policy, T0 + 19_999)).toMatchObject({
          failures: 3,
        });
        expect(
          await store.verify(subject, hashOf('w4'), policy, T0 + 19_999 + 10_000),
        ).toMatchObject({
          failures: 1,
        });
      });

      it('locks at every lockAfterFailures-th failure, for the base duration first', async () => {
        const subject = subjectOf();
        const policy = { ...POLICY, maxAttemptsPerCode: 100, lockAfterFailures: 3 };
        await issueOK(subject, challengeOf('a', T0 + 1_000_000), T0);
        await store.verify(subject, hashOf('w1'), policy, T0 + 1);
        expect(await store.verify(subject, hashOf('w2'), policy, T0 + 2)).toMatchObject({
          detail: 'wrong_code',
          failures: 2,
        });
        expect(await store.verify(subject, hashOf('w3'), policy, T0 + 3)).toEqual({
          ok: false,
          detail: 'locked',
          retryAfterInMilliseconds: 1_000,
          lockedNow: true,
          failures: 3,
        });
      });

      it('while locked: answers locked without spending an attempt, even for the right code', async () => {
        const subject = subjectOf();
        const policy = { ...POLICY, maxAttemptsPerCode: 3, lockAfterFailures: 2 };
        await issueOK(subject, challengeOf('a', T0 + 1_000_000), T0);
        await store.verify(subject, hashOf('w1'), policy, T0 + 1);
        await store.verify(subject, hashOf('w2'), policy, T0 + 2); // locked until T0 + 1_002
        for (let i = 0; i < 5; i++) {
          expect(await store.verify(subject, hashOf('a'), policy, T0 + 1_001)).toEqual({
            ok: false,
            detail: 'locked',
            retryAfterInMilliseconds: 1,
            lockedNow: false,
            failures: 2,
          });
        }
        // The lock is over at T0 + 1_002; one attempt is left on the code, and it is right.
        expect(await store.verify(subject, hashOf('a'), policy, T0 + 1_002)).toEqual({ ok: true });
      });

      it('locks across purposes', async () => {
        const phone = freshPhone();
        const policy = { ...POLICY, lockAfterFailures: 2 };
        await issueOK(subjectOf(phone, 'sign-in'), challengeOf('a'), T0);
        await issueOK(subjectOf(phone, 'phone-change'), challengeOf('b'), T0 + 1_000);
        await store.verify(subjectOf(phone, 'sign-in'), hashOf('w1'), policy, T0 + 1_001);
        await store.verify(subjectOf(phone, 'sign-in'), hashOf('w2'), policy, T0 + 1_002);
        expect(
          await store.verify(subjectOf(phone, 'phone-change'), hashOf('b'), policy, T0 + 1_003),
        ).toMatchObject({
          ok: false,
          detail: 'locked',
          lockedNow: false,
        });
      });

      it('doubles the lock at each further lock, up to the cap', async () => {
        const subject = subjectOf();
        const policy = {
          ...POLICY,
          maxAttemptsPerCode: 100,
          lockAfterFailures: 2,
          lockBaseInMilliseconds: 1_000,
          lockMaxInMilliseconds: 5_000,
          failureWindowInMilliseconds: 1_000_000,
        };
        await issueOK(subject, challengeOf('a', T0 + 1_000_000), T0);
        let now = T0;
        const locks: number[] = [];
        for (let failure = 1; failure <= 10; failure++) {
          now += 1;
          const outcome: VerifyOutcome = await store.verify(
            subject,
            hashOf(`w${failure}`),
            policy,
            now,
          );
          if (failure % 2 === 0) {
            expect(outcome).toMatchObject({
              ok: false,
              detail: 'locked',
              lockedNow: true,
              failures: failure,
            });
            const retry = (outcome as { retryAfterInMilliseconds: number })
              .retryAfterInMilliseconds;
            locks.push(retry);
            // Still locked one millisecond before the end, free at the end.
            expect(await store.verify(subject, hashOf('x'), policy, now + retry - 1)).toMatchObject(
              {
                detail: 'locked',
                lockedNow: false,
              },
            );
            now += retry;
          } else {
            expect(outcome).toMatchObject({ ok: false, detail: 'wrong_code', failures: failure });
          }
        }
        expect(locks).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
      });
    });

    describe('cancel', () => {
      it('deletes the pending code; the cooldown and the failure count stay', async () => {
        const subject = subjectOf();
        await issueOK(subject, challengeOf('a'), T0);
        await store.verify(subject, hashOf('w'), POLICY, T0 + 1);
        await store.cancel(subject, T0 + 2);
        expect(await store.verify(subject, hashOf('a'), POLICY, T0 + 3)).toEqual({
          ok: false,
          detail: 'no_challenge',
        });
        expect(await store.issue(subject, challengeOf('b'), LIMITS, T0 + 4)).toMatchObject({
          ok: false,
          detail: 'cooldown',
        });
        await issueOK(subject, challengeOf('c'), T0 + 1_000);
        expect(await store.verify(subject, hashOf('w2'), POLICY, T0 + 1_001)).toMatchObject({
          failures: 2,
        });
      });

      it('only the given purpose', async () => {
        const phone = freshPhone();
        await issueOK(subjectOf(phone, 'sign-in'), challengeOf('a'), T0);
        await store.cancel(subjectOf(phone, 'phone-change'), T0 + 1);
        expect(await store.verify(subjectOf(phone), hashOf('a'), POLICY, T0 + 2)).toEqual({
          ok: true,
        });
      });

      it('of nothing: is a no-op', async () => {
        await expect(store.cancel(subjectOf(), T0)).resolves.toBeUndefined();
      });
    });

    describe('hit', () => {
      it('counts hits in a fixed window and starts a new one when it ends', async () => {
        const key = `contract:${randomUUID()}`;
        expect(await store.hit(key, 1_000, T0)).toEqual({ count: 1, resetAt: T0 + 1_000 });
        expect(await store.hit(key, 1_000, T0 + 500)).toEqual({ count: 2, resetAt: T0 + 1_000 });
        expect(await store.hit(key, 1_000, T0 + 999)).toEqual({ count: 3, resetAt: T0 + 1_000 });
        expect(await store.hit(key, 1_000, T0 + 1_000)).toEqual({ count: 1, resetAt: T0 + 2_000 });
        expect(await store.hit(key, 1_000, T0 + 2_500)).toEqual({ count: 1, resetAt: T0 + 3_500 });
      });

      it('counts keys independently', async () => {
        const a = `contract:${randomUUID()}`;
        const b = `contract:${randomUUID()}`;
        await store.hit(a, 1_000, T0);
        await store.hit(a, 1_000, T0);
        expect(await store.hit(b, 1_000, T0)).toEqual({ count: 1, resetAt: T0 + 1_000 });
        expect(await store.hit(a, 1_000, T0)).toEqual({ count: 3, resetAt: T0 + 1_000 });
      });

      it('keeps hit keys apart from phone numbers', async () => {
        const phone = freshPhone();
        await store.hit(phone, 1_000, T0);
        await store.hit(`${phone}:sign-in`, 1_000, T0);
        await issueOK(subjectOf(phone), challengeOf('a'), T0);
        expect(await store.verify(subjectOf(phone), hashOf('a'), POLICY, T0 + 1)).toEqual({
          ok: true,
        });
      });
    });

    describe('concurrency', () => {
      it('50 parallel wrong guesses evaluate at most the allowed number; the right code fails afterwards', async () => {
        const subject = subjectOf();
        const policy = { ...POLICY, maxAttemptsPerCode: 5, lockAfterFailures: 1_000 };
        await issueOK(subject, challengeOf('right'), T0);
        const outcomes = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            store.verify(subject, hashOf(`wrong${i}`), policy, T0 + 1),
          ),
        );
        const evaluated = outcomes.filter((o) => !o.ok && o.detail === 'wrong_code');
        expect(evaluated).toHaveLength(5);
        expect(outcomes.filter((o) => !o.ok && o.detail === 'too_many_attempts')).toHaveLength(45);
        expect(
          evaluated.map((o) => (o as { failures: number }).failures).sort((a, b) => a - b),
        ).toEqual([1, 2, 3, 4, 5]);
        expect(await store.verify(subject, hashOf('right'), policy, T0 + 2)).toEqual({
          ok: false,
          detail: 'too_many_attempts',
        });
      });

      it('50 parallel wrong guesses with locking on: at most the allowed number evaluated, one lock', async () => {
        const subject = subjectOf();
        const policy = { ...POLICY, maxAttemptsPerCode: 5, lockAfterFailures: 5 };
        await issueOK(subject, challengeOf('right'), T0);
        const outcomes = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            store.verify(subject, hashOf(`wrong${i}`), policy, T0 + 1),
          ),
        );
        const wrong = outcomes.filter((o) => !o.ok && o.detail === 'wrong_code');
        const lockedNow = outcomes.filter((o) => !o.ok && o.detail === 'locked' && o.lockedNow);
        expect(wrong).toHaveLength(4);
        expect(lockedNow).toHaveLength(1);
        expect(outcomes.filter((o) => o.ok)).toHaveLength(0);
        expect(await store.verify(subject, hashOf('right'), policy, T0 + 2)).toMatchObject({
          ok: false,
          detail: 'locked',
        });
      });

      it('20 parallel right guesses succeed exactly once', async () => {
        const subject = subjectOf();
        await issueOK(subject, challengeOf('right'), T0);
        const outcomes = await Promise.all(
          Array.from({ length: 20 }, () => store.verify(subject, hashOf('right'), POLICY, T0 + 1)),
        );
        expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
        expect(outcomes.filter((o) => !o.ok && o.detail === 'no_challenge')).toHaveLength(19);
      });

      it('20 parallel issues to one number: one is sent, the rest are in the cooldown', async () => {
        const subject = subjectOf();
        const outcomes = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.issue(subject, challengeOf(`c${i}`), LIMITS, T0),
          ),
        );
        expect(outcomes.filter((o) => o.ok)).toEqual([{ ok: true, sendsInWindow: 1 }]);
        expect(outcomes.filter((o) => !o.ok && o.detail === 'cooldown')).toHaveLength(19);
      });

      it('30 parallel hits count 1..30 exactly once each', async () => {
        const key = `contract:${randomUUID()}`;
        const outcomes = await Promise.all(
          Array.from({ length: 30 }, () => store.hit(key, 60_000, T0)),
        );
        expect(outcomes.map((o) => o.count).sort((a, b) => a - b)).toEqual(
          Array.from({ length: 30 }, (_, i) => i + 1),
        );
      });
    });
  });
}
