/**
 * Every error this package throws is a {@link TingTingAuthError} with a stable, UPPER_SNAKE `code`.
 *
 * Messages are written for developers and never contain a secret: no API token, password,
 * cookie or one-time code. `cause` is kept for debugging; it is a transport-level error or a
 * parse error, never a value built from a secret.
 *
 * Which errors may reach an end user: none verbatim. Adapters map `code` to a generic answer.
 *
 * @packageDocumentation
 */

/** Stable codes of every error this toolkit throws. */
export const ErrorCode = {
  /** Transport failure before any response (DNS, connection refused, TLS). */
  TRANSPORT: 'TRANSPORT_ERROR',
  /** A connect or total timeout elapsed. */
  TIMEOUT: 'TIMEOUT',
  /** TingTing answered with an error status and a parseable error body. */
  API: 'API_ERROR',
  /** TingTing rejected the credentials (login, API token, expired session that could not be refreshed). */
  AUTHENTICATION: 'AUTHENTICATION_ERROR',
  /** TingTing reported that the account has no credits left for this channel. */
  INSUFFICIENT_CREDITS: 'INSUFFICIENT_CREDITS',
  /**
   * TingTing throttled this app's call (HTTP 429). Not the public `RATE_LIMITED` an adapter
   * answers when the user is throttled.
   */
  TINGTING_RATE_LIMITED: 'TINGTING_RATE_LIMITED',
  /** A status the client does not expect for this endpoint (including redirects, which are never followed). */
  UNEXPECTED_STATUS: 'UNEXPECTED_STATUS',
  /** A response body that is not JSON, has the wrong shape, or is larger than the cap. */
  UNEXPECTED_BODY: 'UNEXPECTED_BODY',
  /** A send request may have reached TingTing but no answer came back: the SMS may or may not go out. */
  UNKNOWN_OUTCOME: 'UNKNOWN_OUTCOME',
  /** Input rejected before any request was made. */
  VALIDATION: 'VALIDATION_ERROR',
  /** The OTP store (Redis, …) could not be reached or answered nonsense: fail closed. */
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  /** The code could not be delivered (the sender failed definitively). */
  DELIVERY_FAILED: 'DELIVERY_FAILED',
  /** An upstream token API refused the username/email and password (Timbr 401, notes 406, TingTing 401). */
  UPSTREAM_INVALID_CREDENTIALS: 'UPSTREAM_INVALID_CREDENTIALS',
  /** The upstream account exists but is not activated (TingTing). Answer it like invalid credentials. */
  UPSTREAM_ACCOUNT_INACTIVE: 'UPSTREAM_ACCOUNT_INACTIVE',
  /** The upstream could not be reached, timed out, or answered 5xx or 429 (`Retry-After` kept). */
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  /** The upstream answered something unusable: no token in a 2xx, HTML, oversized, a redirect. */
  UPSTREAM_MALFORMED: 'UPSTREAM_MALFORMED',
  /** The upstream refused the request's form (400 and kin): a bug, or bad input that reached it. */
  UPSTREAM_BAD_REQUEST: 'UPSTREAM_BAD_REQUEST',
  /** The upstream refused the refresh token (expired, revoked, reused): the session is over. */
  REFRESH_REJECTED: 'REFRESH_REJECTED',
  /** A refresh was sent but its answer was lost: the upstream may already have rotated the token. */
  REFRESH_UNKNOWN_OUTCOME: 'REFRESH_UNKNOWN_OUTCOME',
  /** The upstream refused the access token on a resource call (401): refresh, then retry once. */
  ACCESS_TOKEN_REJECTED: 'ACCESS_TOKEN_REJECTED',
  /** Signup: the account already exists (notes 409). Answer it exactly like a success. */
  SIGNUP_CONFLICT: 'SIGNUP_CONFLICT',
  /** A server-side session is over (signed out, ended everywhere, refresh refused or lost, expired, unknown). */
  SESSION_EXPIRED: 'SESSION_EXPIRED',
} as const;

/** A stable error code. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Options common to every error. */
export interface TingTingAuthErrorOptions {
  /** The underlying error, kept for debugging. */
  cause?: unknown;
}

// Marks tingting-auth's errors, also across two copies of the package (Symbol.for is global).
const BRAND = Symbol.for('tingting-auth.error');

/** Base class of every error thrown by tingting-auth. */
export class TingTingAuthError extends Error {
  /** A stable machine-readable code. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: TingTingAuthErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** A JSON form without the stack or the cause, safe to log. */
  toJSON(): { name: string; code: ErrorCode; message: string } {
    return { name: this.name, code: this.code, message: this.message };
  }
}

/** Input rejected before any request was made (bad phone number, missing `{otp}`, …). */
export class ValidationError extends TingTingAuthError {
  /** The input field at fault, e.g. `number` or `message`. */
  readonly field: string;

  constructor(field: string, message: string, options?: TingTingAuthErrorOptions) {
    super(ErrorCode.VALIDATION, message, options);
    this.field = field;
  }
}

/** The OTP store could not be reached or failed: the operation failed closed. */
export class StoreUnavailableError extends TingTingAuthError {
  constructor(message = 'The OTP store is unavailable', options?: TingTingAuthErrorOptions) {
    super(ErrorCode.STORE_UNAVAILABLE, message, options);
  }
}

/** The code could not be delivered: the sender failed definitively (nothing was sent). */
export class DeliveryFailedError extends TingTingAuthError {
  constructor(
    message = 'The one-time code could not be delivered',
    options?: TingTingAuthErrorOptions,
  ) {
    super(ErrorCode.DELIVERY_FAILED, message, options);
  }
}

/**
 * `true` when `value` is a {@link TingTingAuthError}, also one from a duplicated copy of the
 * package; not any error that happens to carry a matching `code`.
 */
export function isTingTingAuthError(value: unknown): value is TingTingAuthError {
  if (value instanceof TingTingAuthError) return true;
  const code: unknown = (value as { code?: unknown } | null)?.code;
  return (
    value instanceof Error &&
    (value as unknown as Record<symbol, unknown>)[BRAND] === true &&
    typeof code === 'string' &&
    (Object.values(ErrorCode) as string[]).includes(code)
  );
}
