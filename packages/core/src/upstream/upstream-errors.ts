/**
 * The errors of the upstream clients and providers: one class per way a call to an upstream token
 * API fails, each with a stable `code` from {@link ErrorCode} (UPSTREAM.md §1, error taxonomy).
 *
 * None carries a request body, and none of their messages contains a password, a token or a
 * cookie: text the upstream sends back is scrubbed of those before it is used, and bounded.
 *
 * @packageDocumentation
 */

import { ErrorCode, TingTingAuthError } from '../errors.js';

/** Options of every upstream error. */
export interface UpstreamErrorOptions {
  /** The provider: `'timbr'`, `'notes'`, `'tingting'`. */
  provider: string;
  /** The endpoint that failed, e.g. `jwtCreate`, `login`, `teamTokensList`. */
  endpoint: string;
  /** HTTP status the upstream answered, when it answered. */
  status?: number;
  /** The upstream's own error text (`detail`, `error`, `message`), scrubbed of secrets. */
  upstreamMessage?: string;
  /** The underlying error (transport, or the body error of an unreadable refresh answer). */
  cause?: unknown;
}

/** The JSON form of an upstream error: no stack, no cause, nothing secret. */
export interface UpstreamErrorJSON {
  name: string;
  code: ErrorCode;
  message: string;
  provider: string;
  endpoint: string;
  status?: number;
}

/** Base of every error an upstream client or provider throws for a failed call. */
export class UpstreamError extends TingTingAuthError {
  /** The provider. */
  readonly provider: string;
  /** The endpoint that failed. */
  readonly endpoint: string;
  /** HTTP status, when the upstream answered. */
  readonly status: number | undefined;
  /** The upstream's error text, scrubbed of secrets and bounded. */
  readonly upstreamMessage: string | undefined;

  constructor(code: ErrorCode, message: string, options: UpstreamErrorOptions) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.provider = options.provider;
    this.endpoint = options.endpoint;
    this.status = options.status;
    this.upstreamMessage = options.upstreamMessage;
  }

  /** A JSON form without the stack or the cause, safe to log. */
  override toJSON(): UpstreamErrorJSON {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      provider: this.provider,
      endpoint: this.endpoint,
      ...(this.status === undefined ? {} : { status: this.status }),
    };
  }
}

/**
 * The upstream refused the credentials: Timbr 401 on `/api/auth/jwt/`, notes 406 on
 * `/auth/login`, TingTing 401 on login. Answer `INVALID_CREDENTIALS` (401).
 */
export class UpstreamInvalidCredentialsError extends UpstreamError {
  constructor(message: string, options: UpstreamErrorOptions) {
    super(ErrorCode.UPSTREAM_INVALID_CREDENTIALS, message, options);
  }
}

/**
 * The account exists but is not activated (TingTing 401 "Account is not activated."). Answer it
 * exactly like {@link UpstreamInvalidCredentialsError} (OWASP: do not say which); log the reason.
 */
export class UpstreamAccountInactiveError extends UpstreamError {
  constructor(message: string, options: UpstreamErrorOptions) {
    super(ErrorCode.UPSTREAM_ACCOUNT_INACTIVE, message, options);
  }
}

/** Why the upstream counts as unavailable. */
export type UpstreamUnavailableReason =
  /** The request certainly did not reach it (DNS, connection refused, TLS). */
  | 'transport'
  /** No (complete) answer within the timeout, or the caller's signal aborted the call. */
  | 'timeout'
  /** A 5xx. */
  | 'server-error'
  /** 429. */
  | 'rate-limited';

/**
 * The upstream could not be reached or would not serve: transport failure, timeout, 5xx, 429.
 * Not the user's fault: answer `SERVICE_UNAVAILABLE` (503) with `Retry-After`, keep the session.
 */
export class UpstreamUnavailableError extends UpstreamError {
  /** What happened. */
  readonly reason: UpstreamUnavailableReason;
  /** Seconds the upstream asked to wait (`Retry-After` on a 429 or 503), when it said. */
  readonly retryAfterInSeconds: number | undefined;

  constructor(
    message: string,
    options: UpstreamErrorOptions & {
      reason: UpstreamUnavailableReason;
      retryAfterInSeconds?: number;
    },
  ) {
    super(ErrorCode.UPSTREAM_UNAVAILABLE, message, options);
    this.reason = options.reason;
    this.retryAfterInSeconds = options.retryAfterInSeconds;
  }
}

/** What was wrong with an answer. */
export type UpstreamMalformedReason =
  /** Not JSON (an HTML page from a proxy or a captive portal). */
  | 'not-json'
  /** JSON, but not the documented shape (e.g. a 2xx without a token). */
  | 'wrong-shape'
  /** Timbr's JWT create echoed the request body instead of a token pair (seed 002's example). */
  | 'echo'
  /** Larger than `maxResponseSizeInBytes`. */
  | 'too-large'
  /** A redirect: never followed, so credentials never leave for another URL. */
  | 'redirect'
  /** An error status without an error body the client can read. */
  | 'unexpected-status';

/** The upstream answered something unusable. Answer `SERVICE_UNAVAILABLE` (503). */
export class UpstreamMalformedError extends UpstreamError {
  /** What was wrong. */
  readonly reason: UpstreamMalformedReason;

  constructor(
    message: string,
    options: UpstreamErrorOptions & { reason: UpstreamMalformedReason },
  ) {
    super(ErrorCode.UPSTREAM_MALFORMED, message, options);
    this.reason = options.reason;
  }
}

/**
 * The upstream refused the request's form (400, and 403/404/405/409/422 where not documented
 * otherwise): a bug here, or bad input that reached it. Answer `INVALID_REQUEST` (400).
 */
export class UpstreamBadRequestError extends UpstreamError {
  constructor(message: string, options: UpstreamErrorOptions) {
    super(ErrorCode.UPSTREAM_BAD_REQUEST, message, options);
  }
}

/**
 * The upstream refused the refresh token (Timbr 401, notes 406, TingTing 400/401): expired,
 * revoked or already used. The session is over: answer `SESSION_EXPIRED` (401).
 */
export class RefreshRejectedError extends UpstreamError {
  constructor(message: string, options: UpstreamErrorOptions) {
    super(ErrorCode.REFRESH_REJECTED, message, options);
  }
}

/**
 * A refresh may have reached the upstream but its answer was lost (reset, timeout after sending,
 * a 502/504 from a gateway, a 2xx whose body cannot be read): the upstream may already have
 * rotated the refresh token. Retry once with the same token, then give up (UPSTREAM.md §2).
 */
export class RefreshUnknownOutcomeError extends UpstreamError {
  constructor(message: string, options: UpstreamErrorOptions) {
    super(ErrorCode.REFRESH_UNKNOWN_OUTCOME, message, options);
  }
}

/**
 * The upstream refused the access token on a resource call (401 on profile, team tokens): it
 * expired or was revoked. Refresh, then retry once.
 */
export class AccessTokenRejectedError extends UpstreamError {
  constructor(message: string, options: UpstreamErrorOptions) {
    super(ErrorCode.ACCESS_TOKEN_REJECTED, message, options);
  }
}

/**
 * Signup: the account already exists (notes 409 "Unable to signup."). Answer it exactly like a
 * success (202, the same body), or signup becomes an account-enumeration oracle.
 */
export class SignupConflictError extends UpstreamError {
  constructor(message: string, options: UpstreamErrorOptions) {
    super(ErrorCode.SIGNUP_CONFLICT, message, options);
  }
}
