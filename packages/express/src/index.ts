/**
 * Express middleware for phone sign-in with a one-time code sent by TingTing (SMS or voice call).
 *
 * @packageDocumentation
 */

export type {
  Channel,
  OTPEngineAPI,
  OTPEngineOptions,
  OTPEvent,
  OTPPolicy,
  OTPSender,
  OTPStore,
  Purpose,
  SendResult,
  VerifyResult,
  VerifySuccess,
  Voice,
} from '@tingting-auth/core';
// What users of this package need from core, so an app imports from one place.
export {
  DEFAULT_POLICY,
  DeliveryFailedError,
  ErrorCode,
  isTingTingAuthError,
  MemoryStore,
  OTPEngine,
  StoreUnavailableError,
  TingTingAuthError,
} from '@tingting-auth/core';
export { createTingTingAuth, type TingTingExpress } from './create-tingting-auth.js';
export {
  HTTP_ERROR_MESSAGES,
  type HTTPErrorCode,
  isTingTingHTTPError,
  TingTingHTTPError,
  type TingTingHTTPErrorOptions,
} from './http-error.js';
export type { RateLimitOptions, RedirectOptions, TingTingExpressOptions } from './options.js';
export type {
  ErrorMiddleware,
  ExpressLikeRequest,
  FormState,
  Middleware,
  NextFunction,
  PendingChallenge,
  SessionLike,
  VerifiedIdentity,
} from './types.js';
