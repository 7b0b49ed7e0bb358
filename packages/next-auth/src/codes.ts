/**
 * The stable, generic codes this package surfaces to a browser, and their HTTP mapping.
 *
 * Browser-safe: no server import, so the client helper can use it too.
 *
 * @packageDocumentation
 */

/**
 * Codes the send route answers with, in `{ error: { code, message } }`.
 * Identical to the Express adapter's answers.
 */
export type SendErrorCode =
  | 'INVALID_REQUEST'
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
 * Generic English messages for every code, safe to show to an end user. Apps may show their
 * own text instead; the codes are the contract.
 */
export const ERROR_MESSAGES: Readonly<Record<SendErrorCode | SignInErrorCode, string>> = {
  INVALID_REQUEST: 'The request was not understood. Check the number and the code.',
  INVALID_PHONE: 'Enter a valid mobile number.',
  RATE_LIMITED: 'Too many attempts. Wait a moment, then try again.',
  SERVICE_UNAVAILABLE: 'The service is temporarily unavailable. Try again later.',
  DELIVERY_FAILED: 'The code could not be delivered. Try again, or choose a voice call.',
  CROSS_SITE_REQUEST: 'This request was refused.',
  UNSUPPORTED_MEDIA_TYPE: 'The request was not understood.',
  PAYLOAD_TOO_LARGE: 'The request was too large.',
  METHOD_NOT_ALLOWED: 'The request was not understood.',
  INVALID_CODE: 'That code is not valid. Check it, or ask for a new one.',
  LOCKED: 'Too many wrong codes. Wait a while, then ask for a new code.',
  ACCESS_DENIED: 'This number cannot sign in here.',
};
