/**
 * The answers every adapter gives outward (HTTP status, stable code, generic message), in one
 * place so Express, Passport and NextAuth say the same thing for the same failure.
 *
 * Browser-safe: this module imports only the error classes (no Node API), so a client bundle can use the messages
 * (`@tingting-auth/core/public-errors`).
 *
 * @packageDocumentation
 */

import { isTingTingAuthError } from './errors.js';

/**
 * Every code an adapter answers with, in `{ error: { code, message } }` (Express, the NextAuth
 * send route), a Passport `fail` challenge, or a NextAuth sign-in error.
 */
export type PublicErrorCode =
  /** 400: a field is missing, of the wrong type, or malformed; or the body is not an object. */
  | 'INVALID_REQUEST'
  /** 400: the body could not be parsed (broken JSON, bad encoding). */
  | 'MALFORMED_BODY'
  /** 413: the body is larger than the limit. */
  | 'PAYLOAD_TOO_LARGE'
  /** 415: the body is neither JSON nor a form. */
  | 'UNSUPPORTED_MEDIA_TYPE'
  /** 405: only `POST` is answered. */
  | 'METHOD_NOT_ALLOWED'
  /** 400: not a phone number, or not one codes may be sent to. */
  | 'INVALID_PHONE'
  /** 401: the code is wrong, expired, used, or was never sent (one answer for all). */
  | 'INVALID_CODE'
  /** 401: the code was right but the app refused the sign-in (its verify callback said no). */
  | 'ACCESS_DENIED'
  /** 401: a guarded route was requested without a verified number. */
  | 'NOT_VERIFIED'
  /** 401: the upstream refused the username/email and password (also: unknown or inactive account). */
  | 'INVALID_CREDENTIALS'
  /** 401: the upstream session ended (refresh refused or lost); sign in again. */
  | 'SESSION_EXPIRED'
  /** 403: a browser sent the request from another site. */
  | 'CROSS_SITE_REQUEST'
  /** 404: not one of the signed-in user's active sessions (ended, or someone else's). */
  | 'SESSION_NOT_FOUND'
  /** 429: too many requests (per number, per IP); see `Retry-After`. */
  | 'RATE_LIMITED'
  /** 429: too many wrong codes for this number; see `Retry-After`. */
  | 'LOCKED'
  /** 500: the adapter is misconfigured (e.g. Express `verify` without a session or a hook). */
  | 'SESSION_REQUIRED'
  /** 502: TingTing could not deliver the code; nothing is pending, the user may try again at once. */
  | 'DELIVERY_FAILED'
  /** 503: the OTP store or TingTing is unavailable, or the send budget is spent. */
  | 'SERVICE_UNAVAILABLE';

/** The HTTP status of each {@link PublicErrorCode}. */
export const PUBLIC_ERROR_STATUS: Readonly<Record<PublicErrorCode, number>> = Object.freeze({
  INVALID_REQUEST: 400,
  MALFORMED_BODY: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  METHOD_NOT_ALLOWED: 405,
  INVALID_PHONE: 400,
  INVALID_CODE: 401,
  ACCESS_DENIED: 401,
  NOT_VERIFIED: 401,
  INVALID_CREDENTIALS: 401,
  SESSION_EXPIRED: 401,
  CROSS_SITE_REQUEST: 403,
  SESSION_NOT_FOUND: 404,
  RATE_LIMITED: 429,
  LOCKED: 429,
  SESSION_REQUIRED: 500,
  DELIVERY_FAILED: 502,
  SERVICE_UNAVAILABLE: 503,
});

/**
 * A generic English message for each {@link PublicErrorCode}, safe to show to an end user: never
 * built from input or a secret, and never saying why exactly a code failed (ASVS 6.3.8). Apps may
 * show their own text; the codes are the contract.
 */
export const PUBLIC_ERROR_MESSAGES: Readonly<Record<PublicErrorCode, string>> = Object.freeze({
  INVALID_REQUEST: 'The request is not valid.',
  MALFORMED_BODY: 'The request body could not be read.',
  PAYLOAD_TOO_LARGE: 'The request body is too large.',
  UNSUPPORTED_MEDIA_TYPE: 'Send the request as JSON or as a form.',
  METHOD_NOT_ALLOWED: 'The request is not valid.',
  INVALID_PHONE: 'Enter a valid mobile number.',
  INVALID_CODE: 'That code is not right, or it has expired.',
  ACCESS_DENIED: 'This number cannot sign in here.',
  NOT_VERIFIED: 'Sign in with your mobile number first.',
  INVALID_CREDENTIALS: 'The username or password is not right.',
  SESSION_EXPIRED: 'Your session has ended. Please sign in again.',
  CROSS_SITE_REQUEST: 'Requests from other sites are not allowed.',
  SESSION_NOT_FOUND: 'That session is not active.',
  RATE_LIMITED: 'Too many requests. Please wait and try again.',
  LOCKED: 'Too many wrong codes. Please wait and try again.',
  SESSION_REQUIRED: 'Something went wrong on our side.',
  DELIVERY_FAILED: 'The code could not be delivered. Try again, or choose a voice call.',
  SERVICE_UNAVAILABLE: 'The service is unavailable. Please try again later.',
});

/** The public code of each reason the engine refuses a send (`SendFailure['reason']`). */
export const SEND_FAILURE_CODES: Readonly<
  Record<'invalid_request' | 'invalid_phone' | 'rate_limited' | 'unavailable', PublicErrorCode>
> = Object.freeze({
  invalid_request: 'INVALID_REQUEST',
  invalid_phone: 'INVALID_PHONE',
  rate_limited: 'RATE_LIMITED',
  unavailable: 'SERVICE_UNAVAILABLE',
});

/** The public code of each reason a verify fails (`VerifyFailure['reason']`). */
export const VERIFY_FAILURE_CODES: Readonly<
  Record<'invalid_request' | 'invalid_code' | 'locked', PublicErrorCode>
> = Object.freeze({
  invalid_request: 'INVALID_REQUEST',
  invalid_code: 'INVALID_CODE',
  locked: 'LOCKED',
});

/**
 * What a page shows when a send's outcome is unknown (a 202 with `delivery: 'unknown'`): the code
 * may or may not arrive; it works if it does, and a new one can be asked for at `resendAt`.
 */
export const DELIVERY_UNKNOWN_MESSAGE =
  'We may have sent you a code. If it has not arrived, you can ask for a new one shortly.';

/**
 * `Retry-After` (seconds) adapters send with a 503 for a thrown error (store down, TingTing's
 * answer unknown): long enough for a restart or a failover, short enough for a user to wait.
 */
export const UNAVAILABLE_RETRY_AFTER_IN_SECONDS = 30;

/**
 * The public code of an error the engine threw: `DELIVERY_FAILED` for a definite delivery
 * failure (the engine undid the send), `SERVICE_UNAVAILABLE` for anything else (store down,
 * TingTing's answer unknown, a bug). The error itself is for server logs only.
 */
export function publicCodeOfError(error: unknown): 'DELIVERY_FAILED' | 'SERVICE_UNAVAILABLE' {
  return isTingTingAuthError(error) && error.code === 'DELIVERY_FAILED'
    ? 'DELIVERY_FAILED'
    : 'SERVICE_UNAVAILABLE';
}
