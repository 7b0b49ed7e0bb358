import type { SendResult, VerifyResult } from '@tingting-auth/core';
import type { TingTingChallenge, TingTingFailureCode } from './types.js';

/** The HTTP status Passport answers with for each failure code (the table in ARCHITECTURE.md). */
export const FAILURE_STATUS: Readonly<Record<TingTingFailureCode, number>> = Object.freeze({
  INVALID_REQUEST: 400,
  INVALID_PHONE: 400,
  INVALID_CODE: 401,
  ACCESS_DENIED: 401,
  CROSS_SITE_REQUEST: 403,
  LOCKED: 429,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
});

/** The generic, user-facing message of each failure code. Never built from input or a secret. */
export const FAILURE_MESSAGES: Readonly<Record<TingTingFailureCode, string>> = Object.freeze({
  INVALID_REQUEST: 'The request is not valid.',
  INVALID_PHONE: 'Enter a valid mobile number.',
  INVALID_CODE: 'That code is not right, or it has expired.',
  ACCESS_DENIED: 'This number cannot sign in here.',
  CROSS_SITE_REQUEST: 'Requests from other sites are not allowed.',
  LOCKED: 'Too many wrong codes. Please wait and try again.',
  RATE_LIMITED: 'Too many requests. Please wait and try again.',
  SERVICE_UNAVAILABLE: 'The service is unavailable. Please try again later.',
});

/** Failure code of each reason the engine refuses a send. */
export const SEND_FAILURES: Readonly<
  Record<Exclude<SendResult, { ok: true }>['reason'], TingTingFailureCode>
> = Object.freeze({
  invalid_request: 'INVALID_REQUEST',
  invalid_phone: 'INVALID_PHONE',
  rate_limited: 'RATE_LIMITED',
  unavailable: 'SERVICE_UNAVAILABLE',
});

/** Failure code of each reason a verify fails. */
export const VERIFY_FAILURES: Readonly<
  Record<Exclude<VerifyResult, { ok: true }>['reason'], TingTingFailureCode>
> = Object.freeze({
  invalid_request: 'INVALID_REQUEST',
  invalid_code: 'INVALID_CODE',
  locked: 'LOCKED',
});

/** The challenge object for `fail(challenge, status)`. */
export function challengeOf(code: TingTingFailureCode, retryAfter?: number): TingTingChallenge {
  return retryAfter === undefined
    ? { message: FAILURE_MESSAGES[code], code }
    : { message: FAILURE_MESSAGES[code], code, retryAfter };
}
