/**
 * Passport strategy for phone sign-in with a one-time code sent by TingTing (SMS or voice call).
 *
 * @packageDocumentation
 */

export type {
  Channel,
  OTPDelivery,
  OTPEngineAPI,
  OTPEngineOptions,
  OTPEvent,
  OTPPolicy,
  OTPSender,
  OTPStore,
  Purpose,
  SendResult,
  TingTingClientOptions,
  VerifyResult,
  VerifySuccess,
  Voice,
} from '@tingting-auth/core';
// What users of this package need from core, so an app imports from one place.
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
export type {
  StrategyOptions,
  StrategyOptionsWithRequest,
} from './options.js';
export { Strategy, Strategy as TingTingStrategy } from './strategy.js';
export type {
  TingTingAction,
  TingTingAuthenticateOptions,
  TingTingChallenge,
  TingTingFailureCode,
  TingTingSent,
  VerifyDone,
  VerifyFunction,
  VerifyFunctionWithRequest,
  VerifyReturn,
} from './types.js';
