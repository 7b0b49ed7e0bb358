import { createHash } from 'node:crypto';
import {
  type ChallengeRecord,
  type DeliveryFailure,
  type HitOutcome,
  type IssueOutcome,
  type OTPStore,
  type SendLimits,
  StoreUnavailableError,
  type Subject,
  type VerifyOutcome,
  type VerifyPolicy,
} from '@tingting-auth/core';
import { ABANDON, CANCEL, HIT, ISSUE, VERIFY } from './scripts.js';

/**
 * Sends one raw Redis command (`['EVALSHA', sha, '2', key1, key2, ...args]`) and resolves with
 * the reply. node-redis: `(args) => client.sendCommand(args)`; ioredis:
 * `(args) => client.call(args[0], ...args.slice(1))`.
 */
export type SendCommand = (args: string[]) => Promise<unknown>;

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

interface Script {
  source: string;
  sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

const SCRIPTS = {
  issue: script(ISSUE),
  verify: script(VERIFY),
  abandon: script(ABANDON),
  cancel: script(CANCEL),
  hit: script(HIT),
};

class UnexpectedReplyError extends Error {
  constructor() {
    super('Unexpected reply from Redis');
    this.name = 'UnexpectedReplyError';
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

function toNumber(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(String(value));
  if (!Number.isFinite(n)) throw new UnexpectedReplyError();
  return n;
}

function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  throw new UnexpectedReplyError();
}

function asArray(value: unknown): unknown[] {
  if (!Array.isArray(value) || value.length === 0) throw new UnexpectedReplyError();
  return value;
}

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
  private readonly sendCommand: SendCommand;
  private readonly prefix: string;
  private readonly timeoutInMilliseconds: number;

  constructor(options: RedisStoreOptions) {
    if (typeof options?.sendCommand !== 'function') {
      throw new TypeError('RedisStore: options.sendCommand must be a function (args) => Promise');
    }
    const prefix = options.prefix ?? 'tingting-auth';
    if (typeof prefix !== 'string' || prefix === '' || /[{}]/.test(prefix)) {
      throw new TypeError('RedisStore: options.prefix must be a non-empty string without { or }');
    }
    const timeout = options.timeoutInMilliseconds ?? 5_000;
    if (!Number.isFinite(timeout) || timeout <= 0) {
      throw new TypeError('RedisStore: options.timeoutInMilliseconds must be a positive number');
    }
    this.sendCommand = options.sendCommand;
    this.prefix = prefix;
    this.timeoutInMilliseconds = timeout;
  }

  private numberKey(phone: string): string {
    return `{${this.prefix}:${phone}}`;
  }

  private challengeKey(subject: Subject): string {
    return `${this.numberKey(subject.phone)}:c:${subject.purpose}`;
  }

  private async send(args: string[]): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error('Redis command timed out')),
        this.timeoutInMilliseconds,
      );
    });
    try {
      return await Promise.race([this.sendCommand(args), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async run(
    s: Script,
    keys: string[],
    args: (string | number)[],
    parse: (reply: unknown) => unknown,
  ): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args.map(String)];
    try {
      let reply: unknown;
      try {
        reply = await this.send(['EVALSHA', s.sha, ...tail]);
      } catch (error) {
        if (!isNoScript(error)) throw error;
        // The script cache was flushed (or this is a fresh node): EVAL runs and caches it.
        reply = await this.send(['EVAL', s.source, ...tail]);
      }
      return parse(reply);
    } catch (error) {
      // The message stays generic: no key (it holds the phone number) and no hash.
      throw new StoreUnavailableError('The Redis OTP store is unavailable', { cause: error });
    }
  }

  /** {@inheritDoc @tingting-auth/core#OTPStore.issue} */
  async issue(
    subject: Subject,
    challenge: ChallengeRecord,
    limits: SendLimits,
    now: number,
  ): Promise<IssueOutcome> {
    return (await this.run(
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
    await this.run(
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
    return (await this.run(
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
    await this.run(SCRIPTS.cancel, [this.challengeKey(subject)], [], () => undefined);
  }

  /** {@inheritDoc @tingting-auth/core#OTPStore.hit} */
  async hit(key: string, windowInMilliseconds: number, now: number): Promise<HitOutcome> {
    return (await this.run(
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
