/**
 * Express middleware for phone sign-in with a one-time code sent by TingTing (SMS or voice call).
 *
 * @packageDocumentation
 */

// What users of this package need from core, so an app imports from one place.
export type {
  Channel,
  OTPEngineAPI,
  OTPEngineOptions,
  OTPPolicy,
  OTPSender,
  OTPStore,
  Purpose,
  VerifySuccess,
  Voice,
} from '@tingting-auth/core';
export {
  DeliveryFailedError,
  ErrorCode,
  isTingTingAuthError,
  MemoryStore,
  OTPEngine,
  StoreUnavailableError,
  TingTingAuthError,
} from '@tingting-auth/core';
export {
  type HTTPErrorCode,
  isTingTingHTTPError,
  TingTingHTTPError,
  type TingTingHTTPErrorOptions,
} from '@tingting-auth/core/protocol';
/** The generic, user-facing message of each code (core's `PUBLIC_ERROR_MESSAGES`). */
export { PUBLIC_ERROR_MESSAGES as HTTP_ERROR_MESSAGES } from '@tingting-auth/core/public-errors';
export { createTingTingAuth, type TingTingExpress } from './create-tingting-auth.js';
export { createUpstreamAuth, type UpstreamExpress } from './create-upstream-auth.js';
export type * from './types.js';
export type * from './upstream-types.js';
