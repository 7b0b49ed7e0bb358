/**
 * `@tingting-auth/core/upstream`: password sign-in against an upstream token API (Timbr, the notes
 * service, TingTing accounts, your own), with server-side sessions. A subpath, so an app that only
 * sends one-time codes never loads it. An explicit export list: everything here is public API.
 *
 * @packageDocumentation
 */

export { computeExpiresAt, decodeJWTClaims, type LifetimeHints } from './expiry.js';
export {
  NotesClient,
  type NotesClientOptions,
  type NotesSignupResult,
  type NotesTokens,
} from './notes-client.js';
export { type NotesProvider, type NotesProviderOptions, notesProvider } from './notes-provider.js';
export {
  errorNameAndCode,
  SessionEnder,
  type SessionEnderOptions,
  type SessionEndFailure,
  type SessionEndStore,
} from './session-ender.js';
export {
  type CreatedSession,
  type CreateSessionInput,
  refreshAheadOf,
  refreshAtOf,
  type SessionInfo,
  type SessionStatus,
  type SignInInput,
  type SignInResult,
  UpstreamSessions,
  type UpstreamSessionsOptions,
} from './sessions.js';
export { SessionExpiredError, SessionUnavailableError } from './sessions-errors.js';
export type {
  UpstreamSessionEvent,
  UpstreamSessionEventListener,
  UpstreamSessionEventType,
} from './sessions-events.js';
export {
  MemorySessionStore,
  type MemorySessionStoreOptions,
} from './sessions-memory-store.js';
export { sessionKeyOf } from './sessions-seal.js';
export type {
  ListedSession,
  ReplaceOutcome,
  SessionEndReason,
  SessionKey,
  SessionLookup,
  SessionUpdate,
  StoredSession,
  UpstreamSessionStore,
} from './sessions-store.js';
export {
  DEFAULT_THROTTLE_LIMITS,
  LoginThrottle,
  type LoginThrottleLimits,
  type LoginThrottleOptions,
  normalizeIdentifier,
  type ResolvedThrottleLimits,
  type SignUpLimit,
  type ThrottleAttempt,
  type ThrottleTicket,
} from './throttle.js';
export type {
  ConsecutiveRule,
  ConsumeOutcome,
  DelayRule,
  LoginThrottleStore,
  ThrottleEntry,
  ThrottleRule,
  WindowRule,
} from './throttle-store.js';
export {
  TIMBR_BASE_URL,
  TimbrClient,
  type TimbrClientOptions,
  type TimbrDeleteResult,
  type TimbrTeamToken,
  type TimbrTokenPair,
} from './timbr-client.js';
export {
  type TimbrProvider,
  type TimbrProviderOptions,
  TimbrTeamTokens,
  timbrProvider,
} from './timbr-provider.js';
export {
  type TingTingAccountsProvider,
  type TingTingAccountsProviderOptions,
  tingtingAccountsProvider,
} from './tingting-provider.js';
export { createTokenSet, tokenSetRecord, tokenSetSecrets } from './token-set.js';
export type * from './types.js';
export {
  AccessTokenRejectedError,
  RefreshRejectedError,
  RefreshUnknownOutcomeError,
  SignupConflictError,
  UpstreamAccountInactiveError,
  UpstreamBadRequestError,
  UpstreamError,
  type UpstreamErrorJSON,
  type UpstreamErrorOptions,
  UpstreamInvalidCredentialsError,
  UpstreamMalformedError,
  type UpstreamMalformedReason,
  UpstreamUnavailableError,
  type UpstreamUnavailableReason,
} from './upstream-errors.js';
export {
  type UpstreamFetch,
  type UpstreamFetchOptions,
  type UpstreamFetchSessions,
  upstreamFetch,
} from './upstream-fetch.js';
export type { UpstreamCallOptions, UpstreamHTTPOptions } from './upstream-http.js';
