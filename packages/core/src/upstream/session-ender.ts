/**
 * Ending a session that no browser will name again (a sign-out, a sign-in the framework will not
 * complete) when the sessions store may be down: the end never throws; a failed one is refused by
 * this process at once and retried in the background, and again when a session read shows the
 * store is back. Framework-neutral: an adapter calls `end`, asks `isPending` before a store read,
 * and reports what its reads saw (`storeAnswered`, `storeFailed`).
 *
 * @packageDocumentation
 */

import type { SessionEndReason } from './sessions-store.js';

/** Failed ends kept (and refused) per ender: a sid is 43 characters, ~1 MB in all. */
const MAX_PENDING = 10_000;

/** The background retries of failed ends, in milliseconds: about five minutes in all. */
const RETRY_DELAYS: readonly number[] = [
  1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000,
];

/**
 * What a {@link SessionEnder} uses of a sessions store: `end(sid, reason?)`, as
 * `UpstreamSessions.end`. It may throw or reject when the store is down.
 */
export interface SessionEndStore {
  /** End the session `sid` names; called with `reason` only when one was given to `end`. */
  end(sid: string, reason?: SessionEndReason): Promise<unknown>;
}

/**
 * What a {@link SessionEnder} tells when the store fails to end a session. Never the session id
 * nor the error's message (a store client's may hold its connection URL, password included).
 */
export interface SessionEndFailure {
  /** The warning's stable code. */
  readonly code: 'TINGTING_SESSION_END_FAILED';
  /** The store error's `name` and `code`, space-separated (`''` when it has neither); see {@link errorNameAndCode}. */
  readonly error: string;
}

/** Options of a {@link SessionEnder}. */
export interface SessionEnderOptions {
  /**
   * Told once per outage (the first failed end after every earlier one went through). Keep what
   * you log to what it hands you: it holds no session id and no error message.
   * @default `process.emitWarning(message, { code: 'TINGTING_SESSION_END_FAILED' })`
   */
  readonly onEndFailed?: (failure: SessionEndFailure) => void;
}

/**
 * The error's `name` and `code` (strings only), space-separated, `''` when it has neither: what
 * a warning about a store failure may say of the error. Never its message, which for some store
 * clients holds the connection URL (password included).
 *
 * @example
 * ```ts
 * errorNameAndCode(new StoreUnavailableError('redis://:secret@host')); // 'StoreUnavailableError STORE_UNAVAILABLE'
 * ```
 */
export function errorNameAndCode(error: unknown): string {
  if (error === null || typeof error !== 'object') return '';
  const { name, code } = error as { name?: unknown; code?: unknown };
  return [name, code].filter((part) => typeof part === 'string' && part !== '').join(' ');
}

/**
 * Ends sessions no browser will name again, and keeps them refused while the store cannot end
 * them. `end` never throws: when the store fails, the sid is kept (at most 10,000, the oldest
 * dropped, which then lasts until it expires), `isPending` answers `true` for it at once, and the
 * end is retried oldest first by one `unref`ed timer (backoff 1 s, 2 s, … 60 s: ten tries, about
 * five minutes, then none until a new failed end or a read that works) and at once by the first
 * `storeAnswered` after a failure. Told once per outage through `onEndFailed`. Other processes
 * accept the session until its end goes through: this is a per-process refusal.
 *
 * Creating one does no work (no timer until an end fails).
 *
 * @example
 * ```ts
 * import { SessionEnder, UpstreamSessions } from '@tingting-auth/core/upstream';
 *
 * const ender = new SessionEnder();
 * // Sign-out: never throws, whatever the store does.
 * await ender.end(sessions, sid);
 * // A later request with a copy of the cookie.
 * if (ender.isPending(sid)) return signedOut();
 * try {
 *   const status = await sessions.status(sid);
 *   ender.storeAnswered(); // the store is back: failed ends are retried now
 * } catch {
 *   ender.storeFailed(); // the next read that works retries them
 * }
 * ```
 */
export class SessionEnder {
  /** The failed ends, oldest first, with their store and reason. */
  readonly #pending = new Map<
    string,
    { store: SessionEndStore; reason: SessionEndReason | undefined }
  >();
  readonly #onEndFailed: (failure: SessionEndFailure) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Background retries since the last success or new failure; none past the last delay. */
  #retries = 0;
  #flushing = false;
  /** Told once per outage: set by a failed end, cleared once every failed end went through. */
  #endFailed = false;
  /** Set by a failed end or read: the next `storeAnswered` retries the ends (once per failure). */
  #retryOnRead = false;

  /** @param options - `onEndFailed`, the warning hook. */
  constructor(options: SessionEnderOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError('SessionEnder: options must be an object, e.g. { onEndFailed }');
    }
    for (const key of Object.keys(options)) {
      if (key !== 'onEndFailed') {
        throw new TypeError(`SessionEnder: unknown option \`${key}\`; known options: onEndFailed`);
      }
    }
    const { onEndFailed } = options;
    if (onEndFailed !== undefined && typeof onEndFailed !== 'function') {
      throw new TypeError('SessionEnder: onEndFailed must be a function');
    }
    this.#onEndFailed = onEndFailed ?? defaultWarning;
  }

  /** How many failed ends are kept (refused here, retried); at most 10,000. */
  get pending(): number {
    return this.#pending.size;
  }

  /**
   * End the session `sid` in `store` (`store.end(sid)`, or `store.end(sid, reason)` when a reason
   * is given). Never throws: when the store fails, the sid is refused here and retried.
   */
  async end(store: SessionEndStore, sid: string, reason?: SessionEndReason): Promise<void> {
    try {
      await (reason === undefined ? store.end(sid) : store.end(sid, reason));
      return;
    } catch (error) {
      if (!this.#endFailed) this.#warn(error);
      this.#endFailed = true;
      this.#retryOnRead = true;
    }
    this.#pending.delete(sid);
    this.#pending.set(sid, { store, reason });
    if (this.#pending.size > MAX_PENDING) {
      const oldest = this.#pending.keys().next().value;
      if (oldest !== undefined) this.#pending.delete(oldest);
    }
    // A new failure starts the backoff again once the last one gave up.
    if (this.#timer === undefined && !this.#flushing) this.#retries = 0;
    this.#schedule();
  }

  /** Whether `sid` is a failed end not yet gone through: refuse it here, with no store read. */
  isPending(sid: string): boolean {
    return this.#pending.has(sid);
  }

  /**
   * A session read worked: the store is back. The failed ends are retried now (not at the next
   * backoff), once per failure seen, so a store that reads but cannot end costs no end per read.
   */
  storeAnswered(): void {
    if (!this.#retryOnRead || this.#pending.size === 0 || this.#flushing) return;
    this.#retryOnRead = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#retries = 0;
    void this.#flush();
  }

  /** A session read failed: the next {@link SessionEnder.storeAnswered} retries the failed ends. */
  storeFailed(): void {
    this.#retryOnRead = true;
  }

  #warn(error: unknown): void {
    try {
      this.#onEndFailed({ code: 'TINGTING_SESSION_END_FAILED', error: errorNameAndCode(error) });
    } catch {
      // A throwing hook must not make `end` throw.
    }
  }

  /** Retry the failed ends after the next delay, unless a retry is already due or under way. */
  #schedule(): void {
    if (this.#timer !== undefined || this.#flushing || this.#pending.size === 0) return;
    const delay = RETRY_DELAYS[this.#retries];
    if (delay === undefined) return; // given up until the store answers a read or fails an end
    this.#retries += 1;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#flush();
    }, delay);
    // Never what keeps the process alive (a CLI, a test, a draining server).
    const timer: unknown = this.#timer;
    if (typeof timer === 'object' && typeof (timer as { unref?: unknown })?.unref === 'function') {
      (timer as { unref(): void }).unref();
    }
  }

  /** End the failed ends, oldest first; stop at the first failure (the store is still down). */
  async #flush(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      for (const [sid, { store, reason }] of this.#pending) {
        try {
          await (reason === undefined ? store.end(sid) : store.end(sid, reason));
        } catch {
          break;
        }
        this.#pending.delete(sid);
      }
    } finally {
      this.#flushing = false;
    }
    if (this.#pending.size === 0) {
      this.#retries = 0;
      this.#endFailed = false;
    } else this.#schedule();
  }
}

/** The default `onEndFailed`: a process warning with the stable code, no sid, no error message. */
function defaultWarning(failure: SessionEndFailure): void {
  if (typeof process === 'undefined' || typeof process.emitWarning !== 'function') return;
  process.emitWarning(
    `SessionEnder: the sessions store failed to end a session${failure.error === '' ? '' : ` (${failure.error})`}. This process refuses it at once and ends it in the background (retried for about five minutes, and again whenever a session read shows the store is back); until then other processes still accept it.`,
    { code: failure.code },
  );
}
