/**
 * The stable, generic codes this package surfaces to a browser, and their HTTP mapping.
 *
 * Browser-safe: no server import, so the client helper can use it too.
 *
 * @packageDocumentation
 */

// The import-free subpath: this module is bundled into browser code (the client helper).
import { PUBLIC_ERROR_MESSAGES, type PublicErrorCode } from '@tingting-auth/core/public-errors';

/**
 * Codes the send route answers with, in `{ error: { code, message } }`.
 * Identical to the Express adapter's answers (core's `PublicErrorCode`).
 */
export type SendErrorCode =
  | 'INVALID_REQUEST'
  | 'MALFORMED_BODY'
  | 'INVALID_PHONE'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE'
  | 'DELIVERY_FAILED'
  | 'CROSS_SITE_REQUEST'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'METHOD_NOT_ALLOWED';

/**
 * Codes a failed sign-in carries: `?error=CODE` with next-auth v4, `?code=CODE` (and
 * `error=CredentialsSignin`) with v5. Generic on purpose: they never say whether the number
 * had a pending code, or whether it expired or was wrong.
 */
export type SignInErrorCode =
  | 'INVALID_REQUEST'
  | 'INVALID_CODE'
  | 'LOCKED'
  | 'ACCESS_DENIED'
  | 'SERVICE_UNAVAILABLE';

/** Every code of {@link SignInErrorCode}, for runtime checks. */
export const SIGN_IN_ERROR_CODES: readonly SignInErrorCode[] = [
  'INVALID_REQUEST',
  'INVALID_CODE',
  'LOCKED',
  'ACCESS_DENIED',
  'SERVICE_UNAVAILABLE',
];

/**
 * Generic English messages for every code, safe to show to an end user: core's
 * `PUBLIC_ERROR_MESSAGES`, the same text every adapter uses. Apps may show their own text
 * instead; the codes are the contract.
 */
export const ERROR_MESSAGES: Readonly<Record<PublicErrorCode, string>> = PUBLIC_ERROR_MESSAGES;
