import { runInProcess, warnInProduction } from '../stores/in-process.js';
import type {
  ListedSession,
  ReplaceOutcome,
  SessionEndReason,
  SessionKey,
  SessionLookup,
  SessionUpdate,
  StoredSession,
  UpstreamSessionStore,
} from './sessions-store.js';
import { type CounterState, counted, forgetAt, refunded, waitOf } from './throttle-rules.js';
import type { ConsumeOutcome, LoginThrottleStore, ThrottleEntry } from './throttle-store.js';

/** Options of {@link MemorySessionStore}. */
export interface MemorySessionStoreOptions {
  /**
   * Most sessions kept (and, separately, most ended-session reasons and throttle counters). When
   * full, expired entries go first, then the oldest.
   * @default 100_000
   */
  maxEntries?: number;
  /** Receives the production warning. @default `process.emitWarning` */
  logger?: { warn(message: string): void };
}

interface Lock {
  token: string;
  until: number;
}

function copy(session: StoredSession): StoredSession {
  return { ...session };
}

/**
 * An {@link UpstreamSessionStore} and {@link LoginThrottleStore} in this process's memory: for
 * tests, development and single-process apps. Every method runs synchronously, so each is atomic.
 * With more than one process, sessions and limits are per process: use `RedisSessionStore`.
 */
export class MemorySessionStore implements UpstreamSessionStore, LoginThrottleStore {
  /** The bound on sessions, ended-session reasons and throttle counters (each). */
  readonly maxEntries: number;
  /** Sessions by `subject \n id`, oldest first. */
  private readonly sessions = new Map<string, StoredSession>();
  /** Session ids by subject. */
  private readonly bySubject = new Map<string, Set<string>>();
  private readonly ended = new Map<string, { reason: SessionEndReason; until: number }>();
  private readonly locks = new Map<string, Lock>();
  private readonly counters = new Map<string, { state: CounterState; forgetAt: number }>();

  constructor(options: MemorySessionStoreOptions = {}) {
    const maxEntries = options.maxEntries ?? 100_000;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError(
        `MemorySessionStore: maxEntries must be a positive integer, got ${String(maxEntries)}`,
      );
    }
    this.maxEntries = maxEntries;
    warnInProduction(
      'MemorySessionStore keeps sessions and sign-in limits in this process only: with more than ' +
        'one process, a session made by one process is unknown to the others and limits are per ' +
        'process. Use RedisSessionStore from @tingting-auth/redis.',
      'TINGTING_MEMORY_SESSION_STORE',
      options.logger,
    );
  }

  /** Sessions held right now (expired ones included until they are swept). */
  get size(): number {
    return this.sessions.size;
  }

  create(key: SessionKey, session: StoredSession, now: number): Promise<void> {
    return runInProcess('MemorySessionStore', () => {
      const k = mapKey(key);
      this.sessions.delete(k);
      if (this.sessions.size >= this.maxEntries) this.evictSession(now);
      this.sessions.set(k, copy(session));
      this.ended.delete(k);
      let ids = this.bySubject.get(key.subject);
      if (ids === undefined) {
        ids = new Set();
        this.bySubject.set(key.subject, ids);
      }
      ids.add(key.id);
    });
  }

  get(key: SessionKey, now: number, touchAfterInMilliseconds?: number): Promise<SessionLookup> {
    return runInProcess('MemorySessionStore', (): SessionLookup => {
      const k = mapKey(key);
      const session = this.sessions.get(k);
      if (session !== undefined) {
        if (now < session.expiresAt) {
          if (
            touchAfterInMilliseconds !== undefined &&
            now >= session.lastSeenAt + touchAfterInMilliseconds
          ) {
            session.lastSeenAt = now;
          }
          return { state: 'active', session: copy(session) };
        }
        this.drop(key);
        return { state: 'none' };
      }
      const ended = this.ended.get(k);
      if (ended !== undefined) {
        if (now < ended.until) return { state: 'ended', reason: ended.reason };
        this.ended.delete(k);
      }
      return { state: 'none' };
    });
  }

  replace(
    key: SessionKey,
    expectedGeneration: number,
    next: SessionUpdate,
    now: number,
  ): Promise<ReplaceOutcome> {
    return runInProcess('MemorySessionStore', (): ReplaceOutcome => {
      const session = this.sessions.get(mapKey(key));
      if (session === undefined || now >= session.expiresAt) return 'missing';
      if (session.generation !== expectedGeneration) return 'conflict';
      session.generation = next.generation;
      session.tokens = next.tokens;
      session.expiresAt = next.expiresAt;
      return 'ok';
    });
  }

  end(
    key: SessionKey,
    reason: SessionEndReason,
    now: number,
    keepReasonUntil: number,
  ): Promise<boolean> {
    return runInProcess('MemorySessionStore', () => this.endNow(key, reason, now, keepReasonUntil));
  }

  list(subject: string, now: number): Promise<ListedSession[]> {
    return runInProcess('MemorySessionStore', () => {
      const out: ListedSession[] = [];
      for (const id of [...(this.bySubject.get(subject) ?? [])]) {
        const session = this.sessions.get(mapKey({ subject, id }));
        if (session === undefined || now >= session.expiresAt) {
          this.drop({ subject, id });
          continue;
        }
        out.push({ id, session: copy(session) });
      }
      return out.sort((a, b) => a.session.createdAt - b.session.createdAt);
    });
  }

  endAll(
    subject: string,
    reason: SessionEndReason,
    now: number,
    keepReasonUntil: number,
    exceptId?: string,
  ): Promise<number> {
    return runInProcess('MemorySessionStore', () => {
      let n = 0;
      for (const id of [...(this.bySubject.get(subject) ?? [])]) {
        if (id === exceptId) continue;
        if (this.endNow({ subject, id }, reason, now, keepReasonUntil)) n += 1;
      }
      return n;
    });
  }

  lock(key: SessionKey, token: string, ttlInMilliseconds: number): Promise<boolean> {
    return runInProcess('MemorySessionStore', () => {
      const k = mapKey(key);
      const held = this.locks.get(k);
      const at = Date.now();
      if (held !== undefined && at < held.until) return false;
      this.locks.set(k, { token, until: at + ttlInMilliseconds });
      return true;
    });
  }

  unlock(key: SessionKey, token: string): Promise<void> {
    return runInProcess('MemorySessionStore', () => {
      const k = mapKey(key);
      if (this.locks.get(k)?.token === token) this.locks.delete(k);
    });
  }

  consume(entries: readonly ThrottleEntry[], now: number): Promise<ConsumeOutcome> {
    return runInProcess('MemorySessionStore', (): ConsumeOutcome => {
      let wait = 0;
      for (const entry of entries) {
        wait = Math.max(wait, waitOf(entry.rule, this.counters.get(counterKey(entry))?.state, now));
      }
      if (wait > 0) return { ok: false, retryAfterInMilliseconds: wait };
      for (const entry of entries) {
        const k = counterKey(entry);
        const state = counted(entry.rule, this.counters.get(k)?.state, now);
        this.counters.delete(k);
        if (this.counters.size >= this.maxEntries) this.evictCounter(now);
        this.counters.set(k, { state, forgetAt: forgetAt(entry.rule, state) });
      }
      return { ok: true };
    });
  }

  refund(entries: readonly ThrottleEntry[], now: number): Promise<void> {
    return runInProcess('MemorySessionStore', () => {
      for (const entry of entries) {
        const k = counterKey(entry);
        const held = this.counters.get(k);
        if (held === undefined) continue;
        const state = refunded(entry.rule, held.state, now);
        if (state === undefined) this.counters.delete(k);
        else held.state = state;
      }
    });
  }

  reset(entries: readonly ThrottleEntry[], _now: number): Promise<void> {
    return runInProcess('MemorySessionStore', () => {
      for (const entry of entries) this.counters.delete(counterKey(entry));
    });
  }

  private endNow(
    key: SessionKey,
    reason: SessionEndReason,
    now: number,
    keepReasonUntil: number,
  ): boolean {
    const k = mapKey(key);
    const session = this.sessions.get(k);
    const wasActive = session !== undefined && now < session.expiresAt;
    this.drop(key);
    if (wasActive && keepReasonUntil > now) {
      if (this.ended.size >= this.maxEntries) this.evictEnded(now);
      this.ended.set(k, { reason, until: keepReasonUntil });
    }
    return wasActive;
  }

  private drop(key: SessionKey): void {
    const k = mapKey(key);
    this.sessions.delete(k);
    this.locks.delete(k);
    const ids = this.bySubject.get(key.subject);
    if (ids !== undefined) {
      ids.delete(key.id);
      if (ids.size === 0) this.bySubject.delete(key.subject);
    }
  }

  private evictSession(now: number): void {
    let seen = 0;
    for (const [k, session] of this.sessions) {
      if (seen++ >= 32) break;
      if (now >= session.expiresAt) this.drop(splitKey(k));
    }
    if (this.sessions.size >= this.maxEntries) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.drop(splitKey(oldest));
    }
  }

  private evictEnded(now: number): void {
    for (const [k, ended] of this.ended) {
      if (now >= ended.until) this.ended.delete(k);
    }
    if (this.ended.size >= this.maxEntries) {
      const oldest = this.ended.keys().next().value;
      if (oldest !== undefined) this.ended.delete(oldest);
    }
  }

  private evictCounter(now: number): void {
    let seen = 0;
    for (const [k, held] of this.counters) {
      if (seen++ >= 32) break;
      if (now >= held.forgetAt) this.counters.delete(k);
    }
    if (this.counters.size >= this.maxEntries) {
      const oldest = this.counters.keys().next().value;
      if (oldest !== undefined) this.counters.delete(oldest);
    }
  }
}

function mapKey(key: SessionKey): string {
  return `${key.subject}\n${key.id}`;
}

function splitKey(k: string): SessionKey {
  const at = k.indexOf('\n');
  return { subject: k.slice(0, at), id: k.slice(at + 1) };
}

function counterKey(entry: ThrottleEntry): string {
  return `${entry.group}\n${entry.key}`;
}
