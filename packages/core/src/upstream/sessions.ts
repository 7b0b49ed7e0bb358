import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { UNAVAILABLE_RETRY_AFTER_IN_SECONDS } from '../public-errors.js';
import { SessionExpiredError, SessionUnavailableError } from './sessions-errors.js';
import {
  SessionEvents,
  type UpstreamSessionEvent,
  type UpstreamSessionEventListener,
  type UpstreamSessionEventType,
} from './sessions-events.js';
import {
  deriveSessionKeys,
  keyedHash,
  newSessionId,
  open,
  openBytes,
  packJSON,
  type SessionKeys,
  seal,
  sessionKeyOf,
  subjectKeyOf,
  tokenKeyOf,
  unpackJSON,
} from './sessions-seal.js';
import type {
  SessionEndReason,
  SessionKey,
  SessionLookup,
  StoredSession,
  UpstreamSessionStore,
} from './sessions-store.js';
import {
  ipHashOf,
  LoginThrottle,
  type LoginThrottleLimits,
  normalizeIdentifier,
  type SignUpLimit,
} from './throttle.js';
import type { ConsumeOutcome, LoginThrottleStore } from './throttle-store.js';
import { createTokenSet, tokenSetRecord } from './token-set.js';
import type {
  CallCtx,
  TokenSet,
  TokenSetRecord,
  UpstreamProfile,
  UpstreamProvider,
} from './types.js';

/** Options of {@link UpstreamSessions}. */
export interface UpstreamSessionsOptions {
  /**
   * Where sessions live, and the attempt counters: sign-in's (unless `throttle: false`) and
   * sign-up's (`attemptSignUp`, when the store implements `LoginThrottleStore`).
   */
  store: UpstreamSessionStore & Partial<LoginThrottleStore>;
  /**
   * App secret, at least 32 bytes (`crypto.randomBytes(32).toString('base64url')`). Seals every
   * stored token set and keys every hash. Changing it ends every session (they read as `unreadable`).
   */
  secret: string | Uint8Array;
  /** The upstream that checks passwords and refreshes tokens. Without one, sessions carry no upstream tokens (e.g. phone sign-in). */
  provider?: UpstreamProvider;
  /**
   * The name sessions are filed under when there is no `provider` (`'phone'`, …). Subjects are
   * namespaced by it: `endAll('alice')` of one manager never ends another provider's `alice`.
   * @default provider.id, else 'session'
   */
  providerId?: string;
  /** The clock (epoch ms); pass the same fake clock as the provider in tests. @default Date.now */
  clock?: () => number;
  /** Absolute session lifetime from sign-in (also capped by the refresh token's own expiry). @default 30 days */
  maxSessionAgeInMilliseconds?: number;
  /** An upstream refresh call is aborted after this long. @default 10_000 */
  refreshTimeoutInMilliseconds?: number;
  /** An upstream login call is aborted after this long. @default 10_000 */
  loginTimeoutInMilliseconds?: number;
  /** `lastSeenAt` is written at most this often per session. @default 60_000 */
  touchIntervalInMilliseconds?: number;
  /** How long `status()` still says why an ended session ended. @default 86_400_000 (1 day) */
  endedReasonInMilliseconds?: number;
  /**
   * Password attempt limits (see `LoginThrottle`), counted in `store`; `false` turns them off
   * (only when something in front of `signIn` limits attempts).
   * @default the defaults of `LoginThrottleLimits`
   */
  throttle?: LoginThrottleLimits | false;
  /** Receives warnings (a listener threw, a lock could not be released). @default process.emitWarning */
  logger?: { warn(message: string): void };
}

/** What {@link UpstreamSessions.signIn} takes; `identifier` and `password` come from a request. */
export interface SignInInput {
  identifier: unknown;
  password: unknown;
  /** The client's IP, for the per-IP and per-(identifier, IP) limits. */
  ip?: string;
  /** Kept (sealed) with the session for a device list. */
  userAgent?: string;
  /** A device name the app chose, kept (sealed) with the session. */
  device?: string;
}

/** A session as a device list shows it. No secret: `id` is the public id, not the session id. */
export interface SessionInfo {
  /** Public id: safe to show, log and send to the browser; `endById(subject, id)` ends it. */
  readonly id: string;
  readonly provider: string;
  readonly subject: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly expiresAt: number;
  readonly userAgent?: string;
  readonly ip?: string;
  readonly device?: string;
  /** Whether upstream tokens are kept with it. */
  readonly hasUpstreamTokens: boolean;
}

/** A session just created: `sid` is the bearer value (a cookie, or NextAuth's JWT), never logged. */
export interface CreatedSession {
  /** The session id the browser holds. Secret: non-enumerable, redacted in `inspect`. */
  readonly sid: string;
  readonly session: SessionInfo;
}

/** Outcome of {@link UpstreamSessions.signIn}. */
export type SignInResult =
  | {
      ok: true;
      /** The session id to keep in the cookie / JWT. Secret: non-enumerable, redacted in `inspect`. */
      readonly sid: string;
      subject: string;
      profile?: UpstreamProfile;
      session: SessionInfo;
    }
  | { ok: false; reason: 'invalid_request'; field: 'identifier' | 'password' }
  /** Wrong password, unknown user and inactive account alike (the event says which). */
  | { ok: false; reason: 'invalid_credentials' }
  | { ok: false; reason: 'rate_limited'; retryAfterInMilliseconds: number }
  | { ok: false; reason: 'unavailable'; retryAfterInMilliseconds: number };

/** Outcome of {@link UpstreamSessions.status}. */
export type SessionStatus =
  | ({ active: true } & SessionInfo)
  | { active: false; reason: SessionEndReason | 'unknown' };

/** Input of {@link UpstreamSessions.create}. */
export interface CreateSessionInput {
  /** Who: the upstream's subject, an E.164 phone number, your user id. */
  subject: string;
  /** Upstream tokens to keep; none for a session that only needs to be revocable. */
  tokens?: TokenSet;
  userAgent?: string;
  ip?: string;
  device?: string;
  /** Shorter than the manager's maximum age for this one session. */
  maxAgeInMilliseconds?: number;
}

interface SealedInfo {
  s: string;
  ua?: string;
  ip?: string;
  dv?: string;
}

/** What the manager keeps per session id it has seen: its store key, its last opened token set. */
interface Opened {
  readonly key: SessionKey;
  sealed: string | undefined;
  tokens: TokenSet | undefined;
  infoSealed?: string;
  info?: SealedInfo;
}

interface ActiveState {
  session: StoredSession;
  tokens: TokenSet;
}

const DAY = 86_400_000;
const MAX_IDENTIFIER_LENGTH = 320;
const MAX_PASSWORD_LENGTH = 4_096;
const MAX_META_LENGTH = 512;
const POLL_FIRST_IN_MILLISECONDS = 50;
const POLL_MAX_IN_MILLISECONDS = 400;
const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const OPENED_CACHE_SIZE = 10_000;

function positive(owner: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`${owner}: ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function accessTokenOf(tokens: TokenSet): string {
  return tokens.accessToken;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function retryAfterOf(error: unknown): number {
  const value = (error as { retryAfterInSeconds?: unknown } | null)?.retryAfterInSeconds;
  return typeof value === 'number' && Number.isFinite(value) && value > 0
    ? Math.ceil(value)
    : UNAVAILABLE_RETRY_AFTER_IN_SECONDS;
}

function meta(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value.slice(0, MAX_META_LENGTH) : undefined;
}

/**
 * `refreshAhead = clamp(10% of the access token's lifetime, 30 s, 5 min)`, and never more than half
 * the lifetime (a 20-second token is not refreshed on every read). 30 s is openid-client's default
 * clock tolerance.
 */
export function refreshAheadOf(lifetimeInMilliseconds: number): number {
  const ahead = Math.min(Math.max(lifetimeInMilliseconds * 0.1, 30_000), 300_000);
  return Math.min(ahead, Math.max(lifetimeInMilliseconds, 0) / 2);
}

/** When a token set is refreshed: `accessExpiresAt − refreshAhead`. */
export function refreshAtOf(tokens: TokenSet): number {
  return tokens.accessExpiresAt - refreshAheadOf(tokens.accessExpiresAt - tokens.receivedAt);
}

/** Make `sid` non-enumerable and redacted in `util.inspect` / `JSON.stringify`. */
function hideSid<T extends object>(target: T, sid: string): T & { readonly sid: string } {
  Object.defineProperty(target, 'sid', { value: sid, enumerable: false });
  Object.defineProperty(target, INSPECT, {
    value: () => ({ ...target, sid: '[redacted]' }),
    enumerable: false,
  });
  return target as T & { readonly sid: string };
}

/**
 * Server-side sessions over an upstream token API: sign in with a password (throttled), keep the
 * upstream tokens sealed in a store under an opaque session id, hand out a fresh access token, and
 * end sessions one at a time or all of a subject's at once.
 *
 * - The browser (or NextAuth's JWT) holds only `sid`; the tokens never leave the server.
 * - `getAccessToken(sid)` costs one store read while the token is fresh. Ahead of expiry, one
 *   refresh runs per session across every request of this process (an in-flight promise) and of
 *   every process sharing the store (a lock with compare-and-delete; the others wait for the new
 *   generation), so a refresh token is never presented twice. The rotated tokens are stored
 *   (compare-and-set on the generation) before anyone gets the new access token.
 * - A refresh the upstream refuses ends the session (`SessionExpiredError`, reason
 *   `refresh_rejected`); an answer lost, then lost or refused on its one retry, ends it as
 *   `refresh_lost` (never a loop); an outage does not, even one that hits the retry: the access token is served while it lasts, then `SessionUnavailableError`
 *   (503, Retry-After) with the refresh token kept.
 *
 * @example
 * ```ts
 * const sessions = new UpstreamSessions({ store, secret: process.env.SESSION_SECRET!, provider });
 * const result = await sessions.signIn({ identifier, password, ip });
 * if (result.ok) cookies.set('sid', result.sid, { httpOnly: true, secure: true });
 * const token = await sessions.getAccessToken(sid);
 * ```
 */
export class UpstreamSessions {
  /** The provider id sessions are filed under. */
  readonly providerId: string;
  /** The password attempt limiter (`undefined` with `throttle: false`). */
  readonly throttle: LoginThrottle | undefined;
  readonly #store: UpstreamSessionStore;
  /** The store's attempt counters, when it keeps them (`LoginThrottleStore`). */
  readonly #counters: LoginThrottleStore | undefined;
  readonly #provider: UpstreamProvider | undefined;
  readonly #keys: SessionKeys;
  readonly #clock: () => number;
  readonly #maxAge: number;
  readonly #refreshTimeout: number;
  readonly #loginTimeout: number;
  readonly #touch: number;
  readonly #endedFor: number;
  readonly #lockTtl: number;
  readonly #warn: (message: string) => void;
  readonly #events: SessionEvents;
  /**
   * The last token set opened per session id, with the sealed blob it came from: a read whose
   * blob is unchanged skips the key derivation, the decryption and the parse. Bounded; holds what
   * the process hands out anyway.
   */
  readonly #opened = new Map<string, Opened>();
  /** Refreshes in flight in this process, by session id: every concurrent caller joins one. */
  readonly #inflight = new Map<string, Promise<TokenSet>>();

  constructor(options: UpstreamSessionsOptions) {
    const owner = 'UpstreamSessions';
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`${owner}: options are required: { store, secret, provider? }`);
    }
    const store = options.store;
    for (const method of ['create', 'get', 'replace', 'end', 'list', 'endAll', 'lock', 'unlock']) {
      if (typeof (store as unknown as Record<string, unknown>)?.[method] !== 'function') {
        throw new TypeError(`${owner}: store must implement UpstreamSessionStore (${method})`);
      }
    }
    this.#store = store;
    this.#counters =
      typeof store.consume === 'function' ? (store as LoginThrottleStore) : undefined;
    const provider = options.provider;
    if (
      provider !== undefined &&
      (typeof provider?.id !== 'string' ||
        provider.id === '' ||
        typeof provider.login !== 'function' ||
        typeof provider.refresh !== 'function')
    ) {
      throw new TypeError(
        `${owner}: provider must implement UpstreamProvider (id, login, refresh)`,
      );
    }
    this.#provider = provider;
    const providerId = options.providerId ?? provider?.id ?? 'session';
    if (typeof providerId !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(providerId)) {
      throw new TypeError(`${owner}: providerId must be 1-64 characters of A-Z a-z 0-9 . _ -`);
    }
    this.providerId = providerId;
    this.#keys = deriveSessionKeys(options.secret, owner);
    if (options.clock !== undefined && typeof options.clock !== 'function') {
      throw new TypeError(`${owner}: clock must be a function returning epoch milliseconds`);
    }
    this.#clock = options.clock ?? Date.now;
    this.#maxAge = positive(
      owner,
      'maxSessionAgeInMilliseconds',
      options.maxSessionAgeInMilliseconds,
      30 * DAY,
    );
    this.#refreshTimeout = positive(
      owner,
      'refreshTimeoutInMilliseconds',
      options.refreshTimeoutInMilliseconds,
      10_000,
    );
    this.#loginTimeout = positive(
      owner,
      'loginTimeoutInMilliseconds',
      options.loginTimeoutInMilliseconds,
      10_000,
    );
    this.#touch = positive(
      owner,
      'touchIntervalInMilliseconds',
      options.touchIntervalInMilliseconds,
      60_000,
    );
    this.#endedFor = positive(
      owner,
      'endedReasonInMilliseconds',
      options.endedReasonInMilliseconds,
      DAY,
    );
    // Two upstream calls at most (one retry after a lost answer), plus slack for the store.
    this.#lockTtl = 2 * this.#refreshTimeout + 2_000;
    const logger = options.logger;
    if (logger !== undefined && typeof logger?.warn !== 'function') {
      throw new TypeError(`${owner}: logger must have a warn(message) method`);
    }
    this.#warn = logger
      ? (message) => logger.warn(message)
      : (message) => process.emitWarning(message, { code: 'TINGTING_UPSTREAM_SESSIONS' });
    if (options.throttle === false) this.throttle = undefined;
    else {
      if (typeof store.consume !== 'function') {
        throw new TypeError(
          `${owner}: store must implement LoginThrottleStore (consume, refund, reset) for the sign-in limits, or pass throttle: false`,
        );
      }
      this.throttle = new LoginThrottle(
        { ...(options.throttle ?? {}), store: store as LoginThrottleStore, secret: options.secret },
        this.#keys,
      );
    }
    this.#events = new SessionEvents((type, error) => {
      this.#warn(
        `tingting-auth: an "${type}" event listener threw (${error instanceof Error ? error.name : typeof error}); the operation went on`,
      );
    });
  }

  /**
   * Whether the store keeps attempt counters (implements `LoginThrottleStore`, as
   * `MemorySessionStore` and `RedisSessionStore` do): {@link UpstreamSessions.attemptSignUp}
   * needs them.
   */
  get countsAttempts(): boolean {
    return this.#counters !== undefined;
  }

  /**
   * Check and count one sign-up attempt from `ip` against `limit` (`createPasswordProtocol`'s
   * sign-up limit), in the store the sign-in limits use: every process sharing the store shares
   * the count. One atomic `consume` of a fixed-window counter under the IP's keyed hash (an IPv6
   * address counts by its /64), so N parallel attempts never all pass a limit that allows fewer.
   * Without an IP nothing is counted (`{ ok: true }`), as for the sign-in limits' per-IP counters.
   *
   * A refused attempt emits `sign-up.limited` (the IP, the wait; never the fields sent).
   *
   * @returns `{ ok: true }`, or the wait until the window ends.
   * @throws `TypeError` when the store keeps no counters ({@link UpstreamSessions.countsAttempts})
   *   or `limit` is not two positive integers; rejects with `StoreUnavailableError` when the
   *   store fails (fail closed).
   */
  async attemptSignUp(ip: string | undefined, limit: SignUpLimit): Promise<ConsumeOutcome> {
    const counters = this.#counters;
    if (counters === undefined) {
      throw new TypeError(
        'UpstreamSessions.attemptSignUp: store must implement LoginThrottleStore (consume, refund, reset)',
      );
    }
    const maxPerIP = limit?.maxPerIP;
    const windowInMilliseconds = limit?.windowInMilliseconds;
    if (
      !Number.isSafeInteger(maxPerIP) ||
      maxPerIP <= 0 ||
      !Number.isSafeInteger(windowInMilliseconds) ||
      windowInMilliseconds <= 0
    ) {
      throw new TypeError(
        'UpstreamSessions.attemptSignUp: limit must be { maxPerIP, windowInMilliseconds }, positive integers',
      );
    }
    const ipHash = ipHashOf(this.#keys, typeof ip === 'string' ? ip : undefined);
    if (ipHash === undefined) return { ok: true };
    const outcome = await counters.consume(
      [
        {
          group: `signup-${ipHash}`,
          key: 'ip',
          rule: { kind: 'window', limit: maxPerIP, windowInMilliseconds },
        },
      ],
      this.#clock(),
    );
    if (!outcome.ok) {
      this.#events.emit({
        type: 'sign-up.limited',
        provider: this.providerId,
        ip: ip as string,
        retryAfterInMilliseconds: outcome.retryAfterInMilliseconds,
        at: new Date(this.#clock()),
      });
    }
    return outcome;
  }

  /** Subscribe to an event type; returns a function that unsubscribes. */
  on<T extends UpstreamSessionEventType>(
    type: T,
    listener: UpstreamSessionEventListener<T>,
  ): () => void {
    return this.#events.on(type, listener);
  }

  /**
   * Sign in with a password: limiter, then `provider.login`, then a new session. Unknown user,
   * wrong password and inactive account give the same result (`invalid_credentials`) after the
   * same work. Store failures reject (`StoreUnavailableError`); upstream failures are results.
   */
  async signIn(input: SignInInput): Promise<SignInResult> {
    const provider = this.#provider;
    if (provider === undefined) {
      throw new TypeError('UpstreamSessions.signIn needs a provider (options.provider)');
    }
    input = typeof input === 'object' && input !== null ? input : ({} as SignInInput);
    const { identifier, password } = input;
    if (
      typeof identifier !== 'string' ||
      identifier.trim() === '' ||
      identifier.length > MAX_IDENTIFIER_LENGTH
    ) {
      return { ok: false, reason: 'invalid_request', field: 'identifier' };
    }
    if (typeof password !== 'string' || password === '' || password.length > MAX_PASSWORD_LENGTH) {
      return { ok: false, reason: 'invalid_request', field: 'password' };
    }
    const ip = typeof input.ip === 'string' && input.ip !== '' ? input.ip : undefined;
    const now = this.#clock();
    const failed = (
      reason: Extract<UpstreamSessionEvent, { type: 'sign-in.failed' }>['reason'],
      identifierHash: string,
    ): void =>
      this.#events.emit({
        type: 'sign-in.failed',
        provider: this.providerId,
        identifierHash,
        ...(ip === undefined ? {} : { ip }),
        reason,
        at: new Date(this.#clock()),
      });
    let ticket: Awaited<ReturnType<LoginThrottle['attempt']>> | undefined;
    if (this.throttle !== undefined) {
      ticket = await this.throttle.attempt(identifier, ip, now);
      if (!ticket.ok) {
        failed('rate_limited', ticket.identifierHash);
        return {
          ok: false,
          reason: 'rate_limited',
          retryAfterInMilliseconds: ticket.retryAfterInMilliseconds,
        };
      }
    }
    const identifierHash =
      ticket?.ok === true ? ticket.ticket.identifierHash : this.#identifierHash(identifier);
    let grant: Awaited<ReturnType<UpstreamProvider['login']>>;
    try {
      // A timer cleared when the login settles: `AbortSignal.timeout` keeps a timer and a weak
      // reference per call alive until it fires, which cost a tenth of a sign-in's CPU. The
      // reason is the same `TimeoutError` it gives.
      const controller = new AbortController();
      const timer = setTimeout(
        () => controller.abort(new DOMException('The operation timed out.', 'TimeoutError')),
        this.#loginTimeout,
      );
      try {
        grant = await provider.login(
          { identifier, password },
          { signal: controller.signal, now: this.#clock },
        );
      } finally {
        clearTimeout(timer);
      }
    } catch (error) {
      const code = codeOf(error);
      switch (code) {
        case 'UPSTREAM_INVALID_CREDENTIALS':
        case 'UPSTREAM_ACCOUNT_INACTIVE':
          failed(
            code === 'UPSTREAM_ACCOUNT_INACTIVE' ? 'account_inactive' : 'invalid_credentials',
            identifierHash,
          );
          return { ok: false, reason: 'invalid_credentials' };
        case 'UPSTREAM_BAD_REQUEST':
          failed('bad_request', identifierHash);
          return { ok: false, reason: 'invalid_credentials' };
        case 'VALIDATION_ERROR':
          // The provider refused the input's shape before sending it (no account was consulted).
          return {
            ok: false,
            reason: 'invalid_request',
            field: (error as { field?: unknown }).field === 'password' ? 'password' : 'identifier',
          };
        case 'UPSTREAM_UNAVAILABLE':
          // Not the user's fault (down, 5xx, 429): the attempt does not count.
          if (ticket?.ok) await this.throttle!.refund(ticket.ticket, this.#clock());
          failed('unavailable', identifierHash);
          return {
            ok: false,
            reason: 'unavailable',
            retryAfterInMilliseconds: retryAfterOf(error) * 1000,
          };
        case 'UPSTREAM_MALFORMED':
          failed('malformed', identifierHash);
          return {
            ok: false,
            reason: 'unavailable',
            retryAfterInMilliseconds: UNAVAILABLE_RETRY_AFTER_IN_SECONDS * 1000,
          };
        default:
          throw error;
      }
    }
    if (ticket?.ok) await this.throttle!.succeeded(ticket.ticket, this.#clock());
    const created = await this.#create(grant.subject, grant.tokens, input, undefined);
    const result = {
      ok: true as const,
      subject: grant.subject,
      ...(grant.profile === undefined ? {} : { profile: grant.profile }),
      session: created.session,
    };
    return hideSid(result, created.sid);
  }

  /**
   * Create a session for a subject signed in some other way (a phone number checked by OTP), with
   * or without upstream tokens: it gets a session id, metadata, `status`, `list` and `end*`.
   */
  async create(input: CreateSessionInput): Promise<CreatedSession> {
    if (
      typeof input?.subject !== 'string' ||
      input.subject === '' ||
      input.subject.length > 1_024
    ) {
      throw new TypeError('UpstreamSessions.create: subject must be a non-empty string');
    }
    const maxAge =
      input.maxAgeInMilliseconds === undefined
        ? undefined
        : positive(
            'UpstreamSessions.create',
            'maxAgeInMilliseconds',
            input.maxAgeInMilliseconds,
            1,
          );
    return this.#create(input.subject, input.tokens, input, maxAge);
  }

  async #create(
    subject: string,
    tokens: TokenSet | undefined,
    input: { userAgent?: unknown; ip?: unknown; device?: unknown },
    maxAge: number | undefined,
  ): Promise<CreatedSession> {
    const now = this.#clock();
    const sid = newSessionId(subjectKeyOf(this.#keys, this.providerId, subject));
    const key = sessionKeyOf(sid)!;
    const info: SealedInfo = { s: subject };
    const ua = meta(input.userAgent);
    const ip = meta(input.ip);
    const dv = meta(input.device);
    if (ua !== undefined) info.ua = ua;
    if (ip !== undefined) info.ip = ip;
    if (dv !== undefined) info.dv = dv;
    const createdAt = now;
    const cap = createdAt + Math.min(maxAge ?? this.#maxAge, this.#maxAge);
    const generation = tokens?.generation ?? 0;
    const session: StoredSession = {
      provider: this.providerId,
      generation,
      createdAt,
      lastSeenAt: now,
      expiresAt: tokens === undefined ? cap : this.#expiryOf(cap, tokens),
      info: seal(this.#keys.info, JSON.stringify(info), key.id),
      ...(tokens === undefined ? {} : { tokens: this.#sealTokens(sid, tokens, generation) }),
    };
    await this.#store.create(key, session, now);
    const described = this.#describe(key.id, session, info);
    this.#events.emit({
      type: 'sign-in',
      provider: this.providerId,
      subject,
      session: key.id,
      at: new Date(now),
    });
    return hideSid({ session: described }, sid);
  }

  /**
   * Whether the session is active, in one store round trip (it also records `lastSeenAt`).
   * Unknown or malformed ids answer `{ active: false, reason: 'unknown' }`.
   */
  async status(sid: string): Promise<SessionStatus> {
    const entry = this.#entryOf(sid);
    if (entry === undefined) return { active: false, reason: 'unknown' };
    const key = entry.key;
    const lookup = await this.#store.get(key, this.#clock(), this.#touch);
    if (lookup.state === 'ended') return { active: false, reason: lookup.reason };
    if (lookup.state === 'none') return { active: false, reason: 'unknown' };
    let info = entry.infoSealed === lookup.session.info ? entry.info : undefined;
    if (info === undefined) {
      info = this.#openInfo(key.id, lookup.session);
      if (info === undefined) return { active: false, reason: 'unreadable' };
      entry.infoSealed = lookup.session.info;
      entry.info = info;
    }
    return { active: true, ...this.#describe(key.id, lookup.session, info) };
  }

  /** The upstream access token, refreshed first when it is near expiry. See {@link getTokens}. */
  getAccessToken(sid: string): Promise<string> {
    return this.#current(sid, true) as Promise<string>;
  }

  /**
   * The session's current upstream tokens; one store read while fresh. Near expiry, exactly one
   * refresh runs per session across processes; the new tokens are stored before they are returned.
   *
   * `options.rejected`: the upstream answered 401 to these tokens before they were due (revoked
   * or expired early): refresh now, unless another request already replaced them (their
   * generation moved), in which case the newer tokens are returned. Still one refresh per session.
   *
   * @throws {SessionExpiredError} the session is over (`reason` says why).
   * @throws {SessionUnavailableError} the upstream could not refresh and the access token expired.
   * @throws {StoreUnavailableError} the store failed.
   */
  getTokens(sid: string, options: { rejected?: TokenSet } = {}): Promise<TokenSet> {
    return this.#current(sid, false, options?.rejected?.generation) as Promise<TokenSet>;
  }

  /** {@link getTokens} (or only its access token): one promise on the common path, one store read. */
  #current(sid: string, accessTokenOnly: boolean, rejected?: number): Promise<TokenSet | string> {
    const key = this.#entryOf(sid)?.key;
    if (key === undefined) return Promise.reject(new SessionExpiredError('unknown'));
    return this.#store.get(key, this.#clock(), this.#touch).then((lookup) => {
      const state = this.#activeState(sid, key, lookup);
      // An unreadable record: ending it, then rejecting with SESSION_EXPIRED (never resolves).
      if (state instanceof Promise) return state.then((never) => never.tokens);
      if (!this.#due(state.tokens, rejected)) {
        return accessTokenOnly ? state.tokens.accessToken : state.tokens;
      }
      let flight = this.#inflight.get(sid);
      if (flight === undefined) {
        flight = this.#refreshShared(sid, key, rejected).finally(() => this.#inflight.delete(sid));
        this.#inflight.set(sid, flight);
      }
      return accessTokenOnly ? flight.then(accessTokenOf) : flight;
    });
  }

  /**
   * Sign out: the upstream's `logout` when the provider has one (best effort), then the session is
   * deleted. Answers whether it was active.
   */
  async end(sid: string, reason: SessionEndReason = 'signed_out'): Promise<boolean> {
    const key = sessionKeyOf(sid);
    if (key === undefined) return false;
    this.#opened.delete(sid);
    const logout = this.#provider?.logout;
    if (logout !== undefined) {
      try {
        const state = await this.#read(sid, key, undefined);
        await logout.call(this.#provider, state.tokens, this.#ctx(this.#refreshTimeout));
      } catch {
        // Ending our copy is the revocation that matters; the upstream's may fail (or be gone).
      }
    }
    return this.#end(key, reason);
  }

  /** End one session of `subject` by its public id (from {@link list}). */
  async endById(
    subject: string,
    id: string,
    reason: SessionEndReason = 'ended_by_app',
  ): Promise<boolean> {
    if (typeof subject !== 'string' || typeof id !== 'string' || !/^[A-Za-z0-9_-]{22}$/.test(id)) {
      return false;
    }
    return this.#end({ subject: subjectKeyOf(this.#keys, this.providerId, subject), id }, reason);
  }

  /**
   * "Sign out everywhere": end every session of `subject` (filed under this manager's provider id),
   * in every process sharing the store, but the one `options.except` names. Answers how many ended.
   */
  async endAll(subject: string, options: { except?: string } = {}): Promise<number> {
    if (typeof subject !== 'string' || subject === '') return 0;
    const subjectKey = subjectKeyOf(this.#keys, this.providerId, subject);
    const except = options.except === undefined ? undefined : sessionKeyOf(options.except);
    const now = this.#clock();
    const count = await this.#store.endAll(
      subjectKey,
      'ended_everywhere',
      now,
      now + this.#endedFor,
      except?.subject === subjectKey ? except.id : undefined,
    );
    this.#events.emit({
      type: 'ended',
      provider: this.providerId,
      subject,
      reason: 'ended_everywhere',
      count,
      at: new Date(now),
    });
    return count;
  }

  /** Every active session of `subject`, oldest first (public ids, device data; no secret). */
  async list(subject: string): Promise<SessionInfo[]> {
    if (typeof subject !== 'string' || subject === '') return [];
    const subjectKey = subjectKeyOf(this.#keys, this.providerId, subject);
    const listed = await this.#store.list(subjectKey, this.#clock());
    const out: SessionInfo[] = [];
    for (const { id, session } of listed) {
      const info = this.#openInfo(id, session);
      if (info !== undefined && info.s === subject) out.push(this.#describe(id, session, info));
    }
    return out;
  }

  #identifierHash(identifier: string): string {
    return keyedHash(this.#keys.identifier, `identifier\n${normalizeIdentifier(identifier)}`, 16);
  }

  #ctx(timeout: number): CallCtx {
    return { signal: AbortSignal.timeout(timeout), now: this.#clock };
  }

  /** The session's expiry: the absolute cap, and no later than what its refresh token allows. */
  #expiryOf(cap: number, tokens: TokenSet): number {
    const tokenEnd = Math.max(
      tokens.refreshExpiresAt ?? Number.POSITIVE_INFINITY,
      tokens.accessExpiresAt,
    );
    return Math.min(cap, tokenEnd);
  }

  #sealTokens(sid: string, tokens: TokenSet, generation: number): string {
    const record = { ...tokenSetRecord(tokens), generation };
    return seal(tokenKeyOf(this.#keys, sid), packJSON(record), sid);
  }

  /** The cache entry of a session id (its store key, hashed once), `undefined` for a non-id. */
  #entryOf(sid: unknown): Opened | undefined {
    if (typeof sid !== 'string') return undefined;
    const cached = this.#opened.get(sid);
    if (cached !== undefined) return cached;
    const key = sessionKeyOf(sid);
    if (key === undefined) return undefined;
    if (this.#opened.size >= OPENED_CACHE_SIZE) {
      this.#opened.delete(this.#opened.keys().next().value!);
    }
    const entry: Opened = { key, sealed: undefined, tokens: undefined };
    this.#opened.set(sid, entry);
    return entry;
  }

  /** Open a sealed token set (from the cache when it is the same blob as last time). */
  #openTokens(sid: string, sealed: string): TokenSet | undefined {
    const entry = this.#entryOf(sid);
    if (entry !== undefined && entry.sealed === sealed) return entry.tokens;
    const packed = openBytes(tokenKeyOf(this.#keys, sid), sealed, sid);
    if (packed === undefined) return undefined;
    let tokens: TokenSet;
    try {
      tokens = createTokenSet(unpackJSON(packed) as TokenSetRecord);
    } catch {
      return undefined;
    }
    if (entry !== undefined) {
      entry.sealed = sealed;
      entry.tokens = tokens;
    }
    return tokens;
  }

  #openInfo(id: string, session: StoredSession): SealedInfo | undefined {
    const text = open(this.#keys.info, session.info, id);
    if (text === undefined) return undefined;
    try {
      const info = JSON.parse(text) as SealedInfo;
      return typeof info?.s === 'string' ? info : undefined;
    } catch {
      return undefined;
    }
  }

  #describe(id: string, session: StoredSession, info: SealedInfo): SessionInfo {
    return {
      id,
      provider: session.provider,
      subject: info.s,
      createdAt: session.createdAt,
      lastSeenAt: session.lastSeenAt,
      expiresAt: session.expiresAt,
      ...(info.ua === undefined ? {} : { userAgent: info.ua }),
      ...(info.ip === undefined ? {} : { ip: info.ip }),
      ...(info.dv === undefined ? {} : { device: info.dv }),
      hasUpstreamTokens: session.tokens !== undefined,
    };
  }

  async #end(key: SessionKey, reason: SessionEndReason): Promise<boolean> {
    const now = this.#clock();
    const ended = await this.#store.end(key, reason, now, now + this.#endedFor);
    if (ended) {
      this.#events.emit({
        type: 'ended',
        provider: this.providerId,
        session: key.id,
        reason,
        count: 1,
        at: new Date(now),
      });
    }
    return ended;
  }

  /** Read and open the session's tokens, or throw why there are none. */
  #read(sid: string, key: SessionKey, touch: number | undefined): Promise<ActiveState> {
    return this.#store
      .get(key, this.#clock(), touch)
      .then((lookup) => this.#activeState(sid, key, lookup));
  }

  #activeState(
    sid: string,
    key: SessionKey,
    lookup: SessionLookup,
  ): ActiveState | Promise<ActiveState> {
    if (lookup.state === 'ended') throw new SessionExpiredError(lookup.reason);
    if (lookup.state === 'none') throw new SessionExpiredError('unknown');
    const session = lookup.session;
    if (session.tokens === undefined) {
      throw new TypeError('UpstreamSessions: this session keeps no upstream tokens');
    }
    const tokens = this.#openTokens(sid, session.tokens);
    if (tokens === undefined) {
      // Another secret, or a tampered record: nothing usable is left in it.
      return this.#end(key, 'unreadable').then(() => {
        throw new SessionExpiredError('unreadable');
      });
    }
    return { session, tokens };
  }

  /**
   * One refresh for this process's callers: take the cross-process lock, or wait for whoever holds
   * it to store the next generation.
   */
  /** Whether tokens must be refreshed: near expiry, or rejected by the upstream (not replaced since). */
  #due(tokens: TokenSet, rejected: number | undefined): boolean {
    return (
      this.#clock() >= refreshAtOf(tokens) ||
      (rejected !== undefined && tokens.generation <= rejected)
    );
  }

  async #refreshShared(
    sid: string,
    key: SessionKey,
    rejected: number | undefined,
  ): Promise<TokenSet> {
    // Real time, not the (possibly fake) session clock: locks and waits are about processes.
    const deadline = Date.now() + this.#lockTtl + 1_000;
    let delay = POLL_FIRST_IN_MILLISECONDS;
    for (;;) {
      const token = randomBytes(16).toString('base64url');
      if (await this.#store.lock(key, token, this.#lockTtl)) {
        try {
          return await this.#refreshLocked(sid, key, rejected);
        } finally {
          await this.#store.unlock(key, token).catch(() => {
            this.#warn(
              'tingting-auth: a session refresh lock could not be released; it expires on its own',
            );
          });
        }
      }
      await sleep(delay);
      delay = Math.min(delay * 2, POLL_MAX_IN_MILLISECONDS);
      const state = await this.#read(sid, key, undefined);
      if (!this.#due(state.tokens, rejected)) return state.tokens;
      if (Date.now() >= deadline) return this.#serveOrUnavailable(state.tokens, undefined);
    }
  }

  /** Under the lock: re-read (someone may have rotated already), refresh, store, then return. */
  async #refreshLocked(
    sid: string,
    key: SessionKey,
    rejected: number | undefined,
  ): Promise<TokenSet> {
    const { session, tokens } = await this.#read(sid, key, undefined);
    if (!this.#due(tokens, rejected)) return tokens;
    let next: TokenSet;
    try {
      next = await this.#callRefresh(tokens);
    } catch (error) {
      // Whether a failure is left: a provider may reject with `undefined` (not an Error).
      let failed = true;
      let failure = error;
      if (codeOf(error) === 'REFRESH_UNKNOWN_OUTCOME') {
        // The upstream may have rotated without us hearing. Once more with the same refresh token
        // (works without rotation or within a grace period); never a third time.
        this.#emitFailed(key.id, 'unknown_outcome', session.generation);
        try {
          next = await this.#callRefresh(tokens);
          failed = false;
        } catch (retryError) {
          // Lost twice, or refused (the first call rotated it): the tokens held are gone.
          const retryCode = codeOf(retryError);
          if (retryCode === 'REFRESH_UNKNOWN_OUTCOME' || retryCode === 'REFRESH_REJECTED') {
            return this.#refreshLost(key, tokens, retryError);
          }
          // The retry never reached the upstream's token logic (down, 5xx, 429, refused): the
          // first call's outcome is still unknown, so keep the session as any outage does
          // (current access token while it lasts, else a 503). The next refresh presents the
          // same token once more: with a grace period it works, after a rotation the upstream
          // refuses it and the session ends then as `refresh_rejected`.
          failure = retryError;
        }
      }
      if (failed) return this.#refreshFailed(key, tokens, failure);
    }
    const generation = session.generation + 1;
    const outcome = await this.#store.replace(
      key,
      session.generation,
      {
        generation,
        tokens: this.#sealTokens(sid, next!, generation),
        expiresAt: this.#expiryOf(session.createdAt + this.#maxAge, next!),
      },
      this.#clock(),
    );
    if (outcome === 'missing') throw await this.#expiredNow(key);
    if (outcome === 'conflict') {
      // Only if our lock expired mid-call: whoever wrote first wins; use what the store holds.
      this.#warn('tingting-auth: a session was rotated twice at once (lock expired mid-refresh)');
      return (await this.#read(sid, key, undefined)).tokens;
    }
    this.#events.emit({
      type: 'refresh',
      provider: this.providerId,
      session: key.id,
      generation,
      at: new Date(this.#clock()),
    });
    return createTokenSet({ ...tokenSetRecord(next!), generation });
  }

  #callRefresh(tokens: TokenSet): Promise<TokenSet> {
    return this.#provider!.refresh(tokens, this.#ctx(this.#refreshTimeout));
  }

  #emitFailed(
    session: string,
    reason: Extract<UpstreamSessionEvent, { type: 'refresh.failed' }>['reason'],
    generation: number,
  ): void {
    this.#events.emit({
      type: 'refresh.failed',
      provider: this.providerId,
      session,
      reason,
      generation,
      at: new Date(this.#clock()),
    });
  }

  async #refreshLost(key: SessionKey, tokens: TokenSet, _error: unknown): Promise<never> {
    await this.#rejected(key, tokens, 'lost');
    throw new SessionExpiredError('refresh_lost');
  }

  async #refreshFailed(key: SessionKey, tokens: TokenSet, error: unknown): Promise<TokenSet> {
    const code = codeOf(error);
    if (code === 'REFRESH_REJECTED') {
      await this.#rejected(key, tokens, 'rejected');
      throw new SessionExpiredError('refresh_rejected');
    }
    if (code === 'UPSTREAM_UNAVAILABLE' || code === 'UPSTREAM_MALFORMED') {
      this.#emitFailed(
        key.id,
        code === 'UPSTREAM_MALFORMED' ? 'malformed' : 'unavailable',
        tokens.generation,
      );
      return this.#serveOrUnavailable(tokens, error);
    }
    if (
      (error as Error | undefined)?.name === 'TimeoutError' ||
      (error as Error | undefined)?.name === 'AbortError'
    ) {
      this.#emitFailed(key.id, 'timeout', tokens.generation);
      return this.#serveOrUnavailable(tokens, error);
    }
    throw error;
  }

  async #rejected(key: SessionKey, tokens: TokenSet, reason: 'rejected' | 'lost'): Promise<void> {
    const now = this.#clock();
    this.#events.emit({
      type: 'refresh.rejected',
      provider: this.providerId,
      session: key.id,
      reason,
      generation: tokens.generation,
      ageMs: now - tokens.receivedAt,
      at: new Date(now),
    });
    await this.#end(key, reason === 'lost' ? 'refresh_lost' : 'refresh_rejected');
  }

  /** The current access token while it lasts; after that a 503 with the refresh token kept. */
  #serveOrUnavailable(tokens: TokenSet, error: unknown): TokenSet {
    if (this.#clock() < tokens.accessExpiresAt) return tokens;
    throw new SessionUnavailableError(
      this.providerId,
      error === undefined ? UNAVAILABLE_RETRY_AFTER_IN_SECONDS : retryAfterOf(error),
      error === undefined ? undefined : { cause: error },
    );
  }

  async #expiredNow(key: SessionKey): Promise<SessionExpiredError> {
    const lookup = await this.#store.get(key, this.#clock());
    return new SessionExpiredError(lookup.state === 'ended' ? lookup.reason : 'unknown');
  }
}
