import { ErrorCode, TingTingAuthError, type TingTingAuthErrorOptions } from '../errors.js';
import type { SessionEndReason } from './sessions-store.js';
import { UpstreamUnavailableError } from './upstream-errors.js';

/**
 * The session is over (or never existed): sign the user in again. Adapters answer 401
 * `SESSION_EXPIRED` (NextAuth: `token.error = 'RefreshTokenError'`). `reason` says why, for logs
 * and for the app's own wording; it carries no secret.
 */
export class SessionExpiredError extends TingTingAuthError {
  /** Why the session is over; `unknown` when the id was never a session or was forgotten. */
  readonly reason: SessionEndReason | 'unknown';

  constructor(reason: SessionEndReason | 'unknown', options?: TingTingAuthErrorOptions) {
    super(ErrorCode.SESSION_EXPIRED, `The session is over (${reason})`, options);
    this.reason = reason;
  }
}

/**
 * The upstream could not refresh the tokens (down, 5xx, 429, an unusable answer, or another
 * process's refresh did not finish in time) and the access token has expired: try again later.
 * The session and its refresh token are kept. Adapters answer 503 `SERVICE_UNAVAILABLE` with
 * `Retry-After: retryAfterInSeconds` (always set here).
 */
export class SessionUnavailableError extends UpstreamUnavailableError {
  /** Seconds after which a retry makes sense (the upstream's `Retry-After`, else 30). */
  declare readonly retryAfterInSeconds: number;

  constructor(provider: string, retryAfterInSeconds: number, options?: TingTingAuthErrorOptions) {
    super('The upstream could not refresh the session; try again later', {
      provider,
      endpoint: 'refresh',
      reason: 'server-error',
      retryAfterInSeconds,
      ...(options?.cause === undefined ? {} : { cause: options.cause }),
    });
  }
}
