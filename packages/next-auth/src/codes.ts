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

/** A failed sign-in's code (v4 `?error=CODE`, v5 `?code=CODE`); generic: never why a code failed. */
export type SignInErrorCode =
  | 'INVALID_REQUEST'
  | 'INVALID_CODE'
  | 'LOCKED'
  | 'ACCESS_DENIED'
  | 'SERVICE_UNAVAILABLE';

/** Every {@link SignInErrorCode}, for runtime checks. */
export const SIGN_IN_ERROR_CODES: readonly SignInErrorCode[] = [
  'INVALID_REQUEST',
  'INVALID_CODE',
  'LOCKED',
  'ACCESS_DENIED',
  'SERVICE_UNAVAILABLE',
];

/** A generic English message for every code, safe to show: core's `PUBLIC_ERROR_MESSAGES`. */
export const ERROR_MESSAGES: Readonly<Record<PublicErrorCode, string>> = PUBLIC_ERROR_MESSAGES;
