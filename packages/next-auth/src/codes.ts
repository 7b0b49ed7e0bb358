/**
 * The stable, generic codes this package surfaces to a browser. Browser-safe: no server import.
 *
 * @packageDocumentation
 */

// The import-free subpath: this module is bundled into browser code (the client helper).
import { PUBLIC_ERROR_MESSAGES, type PublicErrorCode } from '@tingting-auth/core/public-errors';

/** Codes the send route answers with, in `{ error: { code, message } }`: core's, as every adapter's. */
export type SendErrorCode = Exclude<
  PublicErrorCode,
  'INVALID_CODE' | 'ACCESS_DENIED' | 'NOT_VERIFIED' | 'LOCKED' | 'SESSION_REQUIRED'
>;

/**
 * A failed sign-in's code (v4 `?error=CODE`, v5 `?code=CODE`); generic: never why a code or a
 * password failed. `INVALID_CODE` and `LOCKED` come from `TingTing()`; `INVALID_CREDENTIALS`
 * (wrong password, unknown user and inactive account alike) and `RATE_LIMITED` from
 * `UpstreamCredentials()`.
 */
export type SignInErrorCode =
  | 'INVALID_REQUEST'
  | 'INVALID_CODE'
  | 'LOCKED'
  | 'INVALID_CREDENTIALS'
  | 'RATE_LIMITED'
  | 'ACCESS_DENIED'
  | 'SERVICE_UNAVAILABLE';

/** Every {@link SignInErrorCode}, for runtime checks. */
export const SIGN_IN_ERROR_CODES: readonly SignInErrorCode[] = [
  'INVALID_REQUEST',
  'INVALID_CODE',
  'LOCKED',
  'INVALID_CREDENTIALS',
  'RATE_LIMITED',
  'ACCESS_DENIED',
  'SERVICE_UNAVAILABLE',
];

/** The codes a password sign-in (`UpstreamCredentials()`) fails with. */
export type PasswordSignInErrorCode = Extract<
  SignInErrorCode,
  | 'INVALID_REQUEST'
  | 'INVALID_CREDENTIALS'
  | 'RATE_LIMITED'
  | 'ACCESS_DENIED'
  | 'SERVICE_UNAVAILABLE'
>;

/** A generic English message for every code, safe to show: core's `PUBLIC_ERROR_MESSAGES`. */
export const ERROR_MESSAGES: Readonly<Record<PublicErrorCode, string>> = PUBLIC_ERROR_MESSAGES;
