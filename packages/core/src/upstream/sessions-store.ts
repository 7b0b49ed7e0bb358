/**
 * The session store contract: the few atomic operations {@link UpstreamSessions} needs to keep
 * server-side sessions (with or without upstream tokens), rotate their tokens without ever
 * presenting a refresh token twice, and end them one by one or all of a subject's at once.
 *
 * What a store sees is opaque: a {@link SessionKey} (never the session id the browser holds: a
 * Redis dump or key listing gives no usable session), sealed blobs it cannot read, and a few
 * numbers. Time is always passed in (`now`, epoch milliseconds) by the manager's clock.
 *
 * Implementations: `MemorySessionStore` (this package), `RedisSessionStore`
 * (`@tingting-auth/redis`). The shared contract suite in
 * `packages/core/test/sessions-store-contract.ts` is the executable specification.
 *
 * @packageDocumentation
 */

/**
 * Where a session lives in a store. Both parts are opaque base64url strings made by the manager:
 * `subject` is a keyed hash of the session's subject (the per-subject index, and the Redis Cluster
 * hash slot of every key of that subject), `id` a hash of the secret session id (so the store
 * never holds the bearer value).
 */
export interface SessionKey {
  /** Keyed hash of (provider, subject): all of one subject's sessions share it. */
  subject: string;
  /** Public id of the session: a hash of the secret session id. Safe to show and to log. */
  id: string;
}

/** One session as a store keeps it. */
export interface StoredSession {
  /** Which provider signed the session in (`'timbr'`, `'notes'`, `'tingting'`, `'phone'`, …). */
  provider: string;
  /** +1 on every token rotation: the compare-and-set key of {@link UpstreamSessionStore.replace}. */
  generation: number;
  /** Epoch ms when the session was created. */
  createdAt: number;
  /** Epoch ms when the session was last used (updated at most once per touch interval). */
  lastSeenAt: number;
  /** Epoch ms after which the session no longer exists (absolute cap; the store may drop it). */
  expiresAt: number;
  /** Sealed non-token data (subject, user agent, IP, device), readable with the app secret. */
  info: string;
  /** Sealed upstream token set, readable only with the app secret and the session id; absent for a session without upstream tokens. */
  tokens?: string;
}

/** Why a session ended. */
export type SessionEndReason =
  /** The user signed out of this session. */
  | 'signed_out'
  /** The app ended every session of the subject ("sign out everywhere"). */
  | 'ended_everywhere'
  /** The app ended this one session (e.g. from a device list). */
  | 'ended_by_app'
  /** The upstream rejected the refresh token. */
  | 'refresh_rejected'
  /** A refresh was sent and its answer lost; the retry with the same refresh token was lost too, or refused. An outage on the retry keeps the session. */
  | 'refresh_lost'
  /** The stored record could not be opened (another app secret, or tampered). */
  | 'unreadable';

/** Outcome of {@link UpstreamSessionStore.get}. */
export type SessionLookup =
  | { state: 'active'; session: StoredSession }
  /** Ended recently: the reason is kept for a while so the app can tell the user why. */
  | { state: 'ended'; reason: SessionEndReason }
  /** Never existed, expired, or ended long ago. */
  | { state: 'none' };

/** The part of a session {@link UpstreamSessionStore.replace} writes. */
export interface SessionUpdate {
  /** Must be the expected generation + 1. */
  generation: number;
  tokens: string;
  expiresAt: number;
}

/** Outcome of {@link UpstreamSessionStore.replace}. */
export type ReplaceOutcome = 'ok' | 'conflict' | 'missing';

/** One entry of {@link UpstreamSessionStore.list}. */
export interface ListedSession {
  id: string;
  session: StoredSession;
}

/**
 * The session store contract. Every method is atomic on its own and one round trip in a networked
 * store; all reject with `StoreUnavailableError` when the backing service fails (fail closed).
 */
export interface UpstreamSessionStore {
  /**
   * Store a new session under `key` and add it to its subject's index. The key is fresh (random):
   * an existing session under it is replaced.
   */
  create(key: SessionKey, session: StoredSession, now: number): Promise<void>;

  /**
   * Read a session. `active` only while `now < expiresAt`; an expired one reads as `none` (and may
   * be deleted). When `touchAfterInMilliseconds` is given and `now >= lastSeenAt + touchAfter`,
   * set `lastSeenAt = now` in the same atomic step (the returned record shows the new value).
   */
  get(key: SessionKey, now: number, touchAfterInMilliseconds?: number): Promise<SessionLookup>;

  /**
   * Compare-and-set: when the session is active and its generation is `expectedGeneration`,
   * write `next` (tokens, generation, expiresAt) and answer `ok`; another generation: `conflict`,
   * nothing written; no active session: `missing`.
   */
  replace(
    key: SessionKey,
    expectedGeneration: number,
    next: SessionUpdate,
    now: number,
  ): Promise<ReplaceOutcome>;

  /**
   * Delete the session and its index entry, and remember `reason` until `keepReasonUntil` (a later
   * `get` answers `ended`). Answers whether an active session was there.
   */
  end(
    key: SessionKey,
    reason: SessionEndReason,
    now: number,
    keepReasonUntil: number,
  ): Promise<boolean>;

  /** Every active session of `subject` (a {@link SessionKey.subject}), oldest first. */
  list(subject: string, now: number): Promise<ListedSession[]>;

  /**
   * End every active session of `subject` but `exceptId`, atomically (a session created by the
   * same subject concurrently either ends too or is created after this call). Answers how many.
   */
  endAll(
    subject: string,
    reason: SessionEndReason,
    now: number,
    keepReasonUntil: number,
    exceptId?: string,
  ): Promise<number>;

  /**
   * Take the refresh lock of a session for `ttlInMilliseconds` if nobody holds it (Redis
   * `SET NX PX`). `token` is a random value only the taker knows. Lock time is the store's own
   * clock (a lock must expire even if its holder's clock is fake or wrong).
   */
  lock(key: SessionKey, token: string, ttlInMilliseconds: number): Promise<boolean>;

  /** Release the lock only if it still holds `token` (compare-and-delete). */
  unlock(key: SessionKey, token: string): Promise<void>;
}
