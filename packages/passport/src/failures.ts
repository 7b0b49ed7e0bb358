import {
  PUBLIC_ERROR_MESSAGES,
  PUBLIC_ERROR_STATUS,
  SEND_FAILURE_CODES,
  VERIFY_FAILURE_CODES,
} from '@tingting-auth/core';
import type { TingTingChallenge, TingTingFailureCode } from './types.js';

/** The HTTP status Passport answers with for each failure code (core's outward table). */
export const FAILURE_STATUS: Readonly<Record<TingTingFailureCode, number>> = PUBLIC_ERROR_STATUS;

/** The generic, user-facing message of each failure code (core's `PUBLIC_ERROR_MESSAGES`). */
export const FAILURE_MESSAGES: Readonly<Record<TingTingFailureCode, string>> =
  PUBLIC_ERROR_MESSAGES;

/** Failure code of each reason the engine refuses a send. */
export const SEND_FAILURES = SEND_FAILURE_CODES as Readonly<
  Record<keyof typeof SEND_FAILURE_CODES, TingTingFailureCode>
>;

/** Failure code of each reason a verify fails. */
export const VERIFY_FAILURES = VERIFY_FAILURE_CODES as Readonly<
  Record<keyof typeof VERIFY_FAILURE_CODES, TingTingFailureCode>
>;

/** The challenge object for `fail(challenge, status)`. */
export function challengeOf(code: TingTingFailureCode, retryAfter?: number): TingTingChallenge {
  return retryAfter === undefined
    ? { message: FAILURE_MESSAGES[code], code }
    : { message: FAILURE_MESSAGES[code], code, retryAfter };
}
