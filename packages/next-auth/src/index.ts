/**
 * `@tingting-auth/next-auth`: phone sign-in with a one-time code sent by TingTing, for
 * next-auth v4 (this entry). For v5 (Auth.js), import from `@tingting-auth/next-auth/v5`.
 *
 * @packageDocumentation
 */

export {
  type Channel,
  DeliveryFailedError,
  ErrorCode,
  isTingTingAuthError,
  type OTPEngineAPI,
  StoreUnavailableError,
  TingTingAuthError,
} from '@tingting-auth/core';
export { callbacks, jwt, session, type TingTingSessionUser } from './callbacks.js';
export {
  ERROR_MESSAGES,
  type SendErrorCode,
  SIGN_IN_ERROR_CODES,
  type SignInErrorCode,
} from './codes.js';
export type {
  TingTingCredentialInput,
  TingTingCredentials,
  TingTingProviderConfig,
  TingTingProviderOptions,
  TingTingUser,
} from './provider.js';
export type { ProxyOptions } from './request.js';
export {
  createSendHandler,
  type SendCodeErrorBody,
  type SendCodeResponse,
  type SendHandler,
  type SendHandlerOptions,
} from './send-handler.js';
export { TingTingSignInError } from './sign-in-error.js';
export { TingTing } from './v4.js';
