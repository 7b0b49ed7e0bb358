import type {
  ChallengeRecord,
  DeliveryFailure,
  HitOutcome,
  IssueOutcome,
  OTPStore,
  SendLimits,
  Subject,
  VerifyOutcome,
  VerifyPolicy,
} from '@tingting-auth/core/store';
import {
  asArray,
  runnerOf,
  type ScriptRunner,
  type SendCommand,
  script,
  toNumber,
  toText,
  UnexpectedReplyError,
} from './script-runner.js';
import { ABANDON, CANCEL, HIT, ISSUE, VERIFY } from './scripts.js';

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /** Sends a raw command through your client (node-redis, ioredis, valkey). */
  sendCommand: SendCommand;
  /**
   * Prefix of every key.
   * @default 'tingting-auth'
   */
  prefix?: string;
  /**
   * A call that takes longer rejects with `StoreUnavailableError` (fail closed, no hang).
   * @default 5000
   */
  timeoutInMilliseconds?: number;
}

/** Extra lifetime given to keys past the moment the policy stops needing them. */
const MARGIN_IN_MILLISECONDS = 60_000;

const SCRIPTS = {
  issue: script(ISSUE),
  verify: script(VERIFY),
  abandon: script(ABANDON),
  cancel: script(CANCEL),
  hit: script(HIT),
};

/**
 * An {@link OTPStore} on Redis (or Valkey), for apps that run in more than one process.
 * Every operation is one Lua script (`EVALSHA`, falling back to `EVAL` on `NOSCRIPT`): atomic and
 * one round trip. The keys of one number share a hash slot, so it runs on Redis Cluster.
 * Any failure rejects with `StoreUnavailableError`: the engine fails closed.
 *
 * @example
 * ```ts
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const store = new RedisStore({ sendCommand: (args) => client.sendCommand(args) });
 * ```
 */
export class RedisStore implements OTPStore {
  private readonly runner: ScriptRunner;
  private readonly prefix: string;

  constructor(options: RedisStoreOptions) {
    // The message stays generic: no key (it holds the phone number) and no hash.
    const { prefix, runner } = runnerOf(
      'RedisStore',
      options,
      'The Redis OTP store is unavailable',
    );
    this.prefix = prefix;
    this.runner = runner;
  }

  private numberKey(phone: string): string {
    return `{${this.prefix}:${phone}}`;
  }

  private challengeKey(subject: Subject): string {
    return `${this.numberKey(subject.phone)}:c:${subject.purpose}`;
  }

  /** {@inheritDoc @tingting-auth/core#OTPStore.issue} */
  async issue(
    subject: Subject,
    challenge: ChallengeRecord,
    limits: SendLimits,
    now: number,
  ): Promise<IssueOutcome> {
    return (await this.runner.run(
      SCRIPTS.issue,
      [this.numberKey(subject.phone), this.challengeKey(subject)],
      [
        challenge.id,
        challenge.codeHash,
        challenge.expiresAt,
        challenge.channel,
        limits.cooldownInMilliseconds,
        limits.maxSendsPerWindow,
        limits.sendWindowInMilliseconds,
        now,
        MARGIN_IN_MILLISECONDS,
      ],
      (reply): IssueOutcome => {
        const [tag, value] = asArray(reply);
        const kind = toText(tag);
        if (kind === 'ok') return { ok: true, sendsInWindow: toNumber(value) };
        if (kind === 'locked' || kind === 'cooldown' || kind === 'window_cap') {
          return { ok: false, detail: kind, retryAfterInMilliseconds: toNumber(value) };
        }
        throw new UnexpectedReplyError();
      },
    )) as IssueOutcome;
  }

  /** {@inheritDoc @tingting-auth/core#OTPStore.abandon} */
  async abandon(
    subject: Subject,
    challengeId: string,
    _now: number,
    failure?: DeliveryFailure,
  ): Promise<void> {
    await this.runner.run(
      SCRIPTS.abandon,
      [this.numberKey(subject.phone), this.challengeKey(subject)],
      failure === undefined
        ? [challengeId, '0', 0]
        : [challengeId, '1', failure.limits.maxSendsPerWindow],
      () => undefined,
    );
  }

  /** {@inheritDoc @tingting-auth/core#OTPStore.verify} */
  async verify(
    subject: Subject,
    codeHash: string,
    policy: VerifyPolicy,
    now: number,
  ): Promise<VerifyOutcome> {
    return (await this.runner.run(
      SCRIPTS.verify,
      [this.numberKey(subject.phone), this.challengeKey(subject)],
      [
        codeHash,
        policy.maxAttemptsPerCode,
        policy.lockAfterFailures,
        policy.lockBaseInMilliseconds,
        policy.lockMaxInMilliseconds,
        policy.failureWindowInMilliseconds,
        now,
        MARGIN_IN_MILLISECONDS,
      ],
      (reply): VerifyOutcome => {
        const [tag, a, b, c] = asArray(reply);
        const kind = toText(tag);
        switch (kind) {
          case 'ok':
            return { ok: true };
          case 'no_challenge':
          case 'expired':
          case 'too_many_attempts':
            return { ok: false, detail: kind };
          case 'wrong_code':
            return {
              ok: false,
              detail: kind,
              failures: toNumber(a),
              attemptsLeft: toNumber(b),
            };
          case 'locked':
            return {
              ok: false,
              detail: kind,
              retryAfterInMilliseconds: toNumber(a),
              lockedNow: toNumber(b) === 1,
              failures: toNumber(c),
            };
          default:
            throw new UnexpectedReplyError();
        }
      },
    )) as VerifyOutcome;
  }

  /** {@inheritDoc @tingting-auth/core#OTPStore.cancel} */
  async cancel(subject: Subject, _now: number): Promise<void> {
    await this.runner.run(SCRIPTS.cancel, [this.challengeKey(subject)], [], () => undefined);
  }

  /** {@inheritDoc @tingting-auth/core#OTPStore.hit} */
  async hit(key: string, windowInMilliseconds: number, now: number): Promise<HitOutcome> {
    return (await this.runner.run(
      SCRIPTS.hit,
      [`{${this.prefix}:hit:${key}}`],
      [windowInMilliseconds, now, MARGIN_IN_MILLISECONDS],
      (reply): HitOutcome => {
        const [count, resetAt] = asArray(reply);
        return { count: toNumber(count), resetAt: toNumber(resetAt) };
      },
    )) as HitOutcome;
  }
}
