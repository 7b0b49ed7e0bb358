/**
 * Passport strategy for phone sign-in with a one-time code sent by TingTing (SMS or voice call).
 *
 * @packageDocumentation
 */

// What an app needs from core, so that it imports from one place.
export type {
  Channel,
  OTPEngineOptions,
  OTPPolicy,
  OTPStore,
  Purpose,
  TingTingClientOptions,
  Voice,
} from '@tingting-auth/core';
export {
  createTingTingSender,
  DEFAULT_POLICY,
  DeliveryFailedError,
  ErrorCode,
  isCrossSiteRequest,
  isTingTingAuthError,
  MemoryStore,
  OTPEngine,
  StoreUnavailableError,
  TingTingAuthError,
  TingTingClient,
} from '@tingting-auth/core';
export type { StrategyOptions, StrategyOptionsWithRequest } from './options.js';
export { Strategy, Strategy as TingTingStrategy } from './strategy.js';
export type {
  TingTingAction,
  TingTingAuthenticateOptions,
  TingTingChallenge,
  TingTingFailureCode,
  TingTingSent,
  VerifiedUser,
  VerifyDone,
  VerifyFunction,
  VerifyFunctionWithRequest,
  VerifyReturn,
} from './types.js';
