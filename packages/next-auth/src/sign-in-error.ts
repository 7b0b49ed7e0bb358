import type { SignInErrorCode } from './codes.js';

/**
 * Thrown by the next-auth v4 provider's `authorize`. next-auth v4 turns its message, which is the
 * code, into `?error=CODE` (and `signIn(…, { redirect: false })` into `{ error: 'CODE' }`).
 */
export class TingTingSignInError extends Error {
  /** The generic code, also the message. */
  readonly code: SignInErrorCode;

  constructor(code: SignInErrorCode, options?: { cause?: unknown }) {
    super(code, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TingTingSignInError';
    this.code = code;
  }
}
