/** The exports the v4 entry (`.`) and the v5 entry (`./v5`) share: one list for both. */

export {
  type Channel,
  DeliveryFailedError,
  ErrorCode,
  isTingTingAuthError,
  type OTPEngineAPI,
  StoreUnavailableError,
  TingTingAuthError,
} from '@tingting-auth/core';
export { callbacks, jwt, redirect, session, type TingTingSessionUser } from './callbacks.js';
export {
  ERROR_MESSAGES,
  type PasswordSignInErrorCode,
  type SendErrorCode,
  SIGN_IN_ERROR_CODES,
  type SignInErrorCode,
} from './codes.js';
export type { EngineOption, ProxyOptions } from './options.js';
export type {
  TingTingCredentialInput,
  TingTingCredentials,
  TingTingProviderConfig,
  TingTingProviderOptions,
  TingTingUser,
} from './provider.js';
export type {
  RevocableJWT,
  RevocableJWTParams,
  RevocableSession,
  RevocableSessionCallback,
  RevocableSessionParams,
  RevocableSessionsConfig,
  RevocableSessionsOptions,
  RevocableSessionsStore,
  RevocableSignInParams,
  RevocableSignInUser,
  UpstreamSessionError,
} from './revocable.js';
export {
  createSendHandler,
  type SendCodeErrorBody,
  type SendCodeResponse,
  type SendHandler,
  type SendHandlerOptions,
} from './send-handler.js';
export type {
  UpstreamAccount,
  UpstreamCredentialFields,
  UpstreamCredentialInput,
  UpstreamCredentialsConfig,
  UpstreamCredentialsOptions,
  UpstreamCredentialsSessions,
  UpstreamCredentialsUser,
  UpstreamSignedInUser,
} from './upstream-credentials.js';
export type { UpstreamAccessTokenOptions, UpstreamTokenSessions } from './upstream-token.js';
