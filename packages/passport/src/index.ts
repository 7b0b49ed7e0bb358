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
// The device list's entries and the guard's `req.tingtingSession` (revocable sessions).
export type { CurrentSession, SessionView } from '@tingting-auth/core/protocol';
// Password sign-in against an upstream token API. The sessions, providers and stores are in
// `@tingting-auth/core/upstream` (a subpath, so an app that only sends codes never loads them).
export type {
  UpstreamProfile,
  UpstreamProvider,
  UpstreamSessions,
  UpstreamSessionsOptions,
} from '@tingting-auth/core/upstream';
export type { StrategyOptions, StrategyOptionsWithRequest } from './options.js';
export type {
  RevocableStrategy,
  SessionGuardOptions,
  SessionMiddleware,
  StrategySessions,
} from './revocable.js';
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
export type {
  UpstreamStrategyOptions,
  UpstreamStrategyOptionsWithRequest,
} from './upstream-options.js';
export { UPSTREAM_SESSION_KEY, UpstreamStrategy } from './upstream-strategy.js';
export type {
  UpstreamAccount,
  UpstreamChallenge,
  UpstreamVerifiedUser,
  UpstreamVerifyFunction,
  UpstreamVerifyFunctionWithRequest,
} from './upstream-types.js';
