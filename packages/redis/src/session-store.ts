import type {
  ConsumeOutcome,
  ListedSession,
  LoginThrottleStore,
  ReplaceOutcome,
  SessionEndReason,
  SessionKey,
  SessionLookup,
  SessionUpdate,
  StoredSession,
  ThrottleEntry,
  UpstreamSessionStore,
} from '@tingting-auth/core/upstream';
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
import {
  SESSION_CREATE,
  SESSION_END,
  SESSION_END_ALL,
  SESSION_GET,
  SESSION_LIST,
  SESSION_LOCK,
  SESSION_REPLACE,
  SESSION_UNLOCK,
  THROTTLE_CONSUME,
  THROTTLE_REFUND,
  THROTTLE_RESET,
} from './session-scripts.js';

/** Options of {@link RedisSessionStore}. */
export interface RedisSessionStoreOptions {
  /** Sends a raw command through your client (node-redis, ioredis, valkey; cluster clients too). */
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
const OPAQUE = /^[A-Za-z0-9_-]{1,64}$/;

const SCRIPTS = {
  create: script(SESSION_CREATE),
  get: script(SESSION_GET),
  replace: script(SESSION_REPLACE),
  end: script(SESSION_END),
  list: script(SESSION_LIST),
  endAll: script(SESSION_END_ALL),
  lock: script(SESSION_LOCK),
  unlock: script(SESSION_UNLOCK),
  consume: script(THROTTLE_CONSUME),
  refund: script(THROTTLE_REFUND),
  reset: script(THROTTLE_RESET),
};

const END_REASONS: readonly string[] = [
  'signed_out',
  'ended_everywhere',
  'ended_by_app',
  'refresh_rejected',
  'refresh_lost',
  'unreadable',
];

function opaque(value: string): string {
  // Key parts come from the manager (base64url hashes); anything else would let a caller reach
  // another subject's keys or break the hash tag.
  if (!OPAQUE.test(value)) throw new TypeError('RedisSessionStore: malformed session key');
  return value;
}

function sessionOf(fields: unknown[], at: number): StoredSession {
  const tokens = toText(fields[at + 6]);
  return {
    provider: toText(fields[at]),
    generation: toNumber(fields[at + 1]),
    createdAt: toNumber(fields[at + 2]),
    lastSeenAt: toNumber(fields[at + 3]),
    expiresAt: toNumber(fields[at + 4]),
    info: toText(fields[at + 5]),
    ...(tokens === '' ? {} : { tokens }),
  };
}

function ruleArgs(entry: ThrottleEntry): (string | number)[] {
  const r = entry.rule;
  switch (r.kind) {
    case 'consecutive':
      return [r.kind, r.limit, r.blockInMilliseconds, r.keepInMilliseconds, 0];
    case 'window':
      return [r.kind, r.limit, r.windowInMilliseconds, 0, 0];
    case 'delay':
      return [
        r.kind,
        r.free,
        r.windowInMilliseconds,
        r.baseDelayInMilliseconds,
        r.maxDelayInMilliseconds,
      ];
  }
}

/**
 * An {@link UpstreamSessionStore} and {@link LoginThrottleStore} on Redis (or Valkey), Redis
 * Cluster included: every operation is one Lua script over keys of one hash slot (a subject's
 * sessions, index and locks share `{prefix:u:<subject key>}`; a throttle group shares
 * `{prefix:t:<group>}`), atomic and one round trip. `consume` over two groups (identifier, IP)
 * runs their two scripts at once. Keys and values hold only hashes and sealed blobs.
 *
 * @example
 * ```ts
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const store = new RedisSessionStore({ sendCommand: (args) => client.sendCommand(args) });
 * ```
 */
export class RedisSessionStore implements UpstreamSessionStore, LoginThrottleStore {
  private readonly runner: ScriptRunner;
  private readonly prefix: string;

  constructor(options: RedisSessionStoreOptions) {
    const { prefix, runner } = runnerOf(
      'RedisSessionStore',
      options,
      'The Redis session store is unavailable',
    );
    this.prefix = prefix;
    this.runner = runner;
  }

  /** The hash tag of a subject's keys. */
  private tag(subject: string): string {
    return `{${this.prefix}:u:${opaque(subject)}}`;
  }

  private keysOf(key: SessionKey): { session: string; index: string; lock: string } {
    const tag = this.tag(key.subject);
    const id = opaque(key.id);
    return { session: `${tag}:s:${id}`, index: `${tag}:idx`, lock: `${tag}:l:${id}` };
  }

  /** {@inheritDoc @tingting-auth/core#UpstreamSessionStore.create} */
  async create(key: SessionKey, session: StoredSession, now: number): Promise<void> {
    const k = this.keysOf(key);
    await this.runner.run(
      SCRIPTS.create,
      [k.session, k.index],
      [
        key.id,
        session.provider,
        session.generation,
        session.createdAt,
        session.lastSeenAt,
        session.expiresAt,
        session.info,
        session.tokens ?? '',
        now,
        MARGIN_IN_MILLISECONDS,
      ],
      () => undefined,
    );
  }

  /** {@inheritDoc @tingting-auth/core#UpstreamSessionStore.get} */
  async get(
    key: SessionKey,
    now: number,
    touchAfterInMilliseconds?: number,
  ): Promise<SessionLookup> {
    return this.runner.run(
      SCRIPTS.get,
      [this.keysOf(key).session],
      [now, touchAfterInMilliseconds ?? ''],
      (reply): SessionLookup => {
        const fields = asArray(reply);
        const state = toText(fields[0]);
        if (state === 'none') return { state };
        if (state === 'ended') {
          const reason = toText(fields[1]);
          if (!END_REASONS.includes(reason)) throw new UnexpectedReplyError();
          return { state, reason: reason as SessionEndReason };
        }
        if (state !== 'active') throw new UnexpectedReplyError();
        return { state, session: sessionOf(fields, 1) };
      },
    );
  }

  /** {@inheritDoc @tingting-auth/core#UpstreamSessionStore.replace} */
  async replace(
    key: SessionKey,
    expectedGeneration: number,
    next: SessionUpdate,
    now: number,
  ): Promise<ReplaceOutcome> {
    const k = this.keysOf(key);
    return this.runner.run(
      SCRIPTS.replace,
      [k.session, k.index],
      [
        key.id,
        expectedGeneration,
        next.generation,
        next.tokens,
        next.expiresAt,
        now,
        MARGIN_IN_MILLISECONDS,
      ],
      (reply): ReplaceOutcome => {
        const outcome = toText(reply);
        if (outcome !== 'ok' && outcome !== 'conflict' && outcome !== 'missing') {
          throw new UnexpectedReplyError();
        }
        return outcome;
      },
    );
  }

  /** {@inheritDoc @tingting-auth/core#UpstreamSessionStore.end} */
  async end(
    key: SessionKey,
    reason: SessionEndReason,
    now: number,
    keepReasonUntil: number,
  ): Promise<boolean> {
    const k = this.keysOf(key);
    return this.runner.run(
      SCRIPTS.end,
      [k.session, k.index, k.lock],
      [key.id, reason, now, keepReasonUntil],
      (reply) => toNumber(reply) === 1,
    );
  }

  /** {@inheritDoc @tingting-auth/core#UpstreamSessionStore.list} */
  async list(subject: string, now: number): Promise<ListedSession[]> {
    const tag = this.tag(subject);
    return this.runner.run(SCRIPTS.list, [`${tag}:idx`], [now, `${tag}:s:`], (reply) => {
      const flat = asArray(reply);
      if (flat.length % 8 !== 0) throw new UnexpectedReplyError();
      const out: ListedSession[] = [];
      for (let at = 0; at < flat.length; at += 8) {
        out.push({ id: toText(flat[at]), session: sessionOf(flat, at + 1) });
      }
      return out.sort((a, b) => a.session.createdAt - b.session.createdAt);
    });
  }

  /** {@inheritDoc @tingting-auth/core#UpstreamSessionStore.endAll} */
  async endAll(
    subject: string,
    reason: SessionEndReason,
    now: number,
    keepReasonUntil: number,
    exceptId?: string,
  ): Promise<number> {
    const tag = this.tag(subject);
    return this.runner.run(
      SCRIPTS.endAll,
      [`${tag}:idx`],
      [reason, now, keepReasonUntil, exceptId ?? '', `${tag}:s:`, `${tag}:l:`],
      toNumber,
    );
  }

  /** {@inheritDoc @tingting-auth/core#UpstreamSessionStore.lock} */
  async lock(key: SessionKey, token: string, ttlInMilliseconds: number): Promise<boolean> {
    return this.runner.run(
      SCRIPTS.lock,
      [this.keysOf(key).lock],
      [token, Math.max(1, Math.ceil(ttlInMilliseconds))],
      (reply) => toNumber(reply) === 1,
    );
  }

  /** {@inheritDoc @tingting-auth/core#UpstreamSessionStore.unlock} */
  async unlock(key: SessionKey, token: string): Promise<void> {
    await this.runner.run(SCRIPTS.unlock, [this.keysOf(key).lock], [token], () => undefined);
  }

  /** The entries grouped by hash slot group, each with its keys and arguments. */
  private groups(entries: readonly ThrottleEntry[], now: number) {
    const byGroup = new Map<string, { keys: string[]; args: (string | number)[] }>();
    for (const entry of entries) {
      let group = byGroup.get(entry.group);
      if (group === undefined) {
        group = { keys: [], args: [now] };
        byGroup.set(entry.group, group);
      }
      group.keys.push(`{${this.prefix}:t:${opaque(entry.group)}}:${entry.key}`);
      group.args.push(...ruleArgs(entry));
    }
    for (const group of byGroup.values()) group.args.push(MARGIN_IN_MILLISECONDS);
    return [...byGroup.values()];
  }

  /** {@inheritDoc @tingting-auth/core#LoginThrottleStore.consume} */
  async consume(entries: readonly ThrottleEntry[], now: number): Promise<ConsumeOutcome> {
    const groups = this.groups(entries, now);
    const outcomes = await Promise.all(
      groups.map((group) =>
        this.runner.run(SCRIPTS.consume, group.keys, group.args, (reply) => {
          const [ok, wait] = asArray(reply);
          if (toNumber(ok) === 1) return 0;
          // A refusal without a positive wait ('', 0) would read as allowed: fail closed.
          const ms = toNumber(wait);
          if (!(ms > 0)) throw new UnexpectedReplyError();
          return ms;
        }),
      ),
    );
    const wait = Math.max(0, ...outcomes);
    if (wait === 0) return { ok: true };
    // Groups run apart (one slot each): take back what the allowing groups counted.
    await Promise.all(
      groups
        .filter((_, i) => outcomes[i] === 0)
        .map((group) => this.runner.run(SCRIPTS.refund, group.keys, group.args, () => undefined)),
    );
    return { ok: false, retryAfterInMilliseconds: wait };
  }

  /** {@inheritDoc @tingting-auth/core#LoginThrottleStore.refund} */
  async refund(entries: readonly ThrottleEntry[], now: number): Promise<void> {
    await Promise.all(
      this.groups(entries, now).map((group) =>
        this.runner.run(SCRIPTS.refund, group.keys, group.args, () => undefined),
      ),
    );
  }

  /** {@inheritDoc @tingting-auth/core#LoginThrottleStore.reset} */
  async reset(entries: readonly ThrottleEntry[], now: number): Promise<void> {
    await Promise.all(
      this.groups(entries, now).map((group) =>
        this.runner.run(SCRIPTS.reset, group.keys, [], () => undefined),
      ),
    );
  }
}
