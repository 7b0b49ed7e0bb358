/**
 * `@tingting-auth/core/upstream`: password sign-in against an upstream token API (Timbr, the notes
 * service, TingTing accounts, your own), with server-side sessions. A subpath, so an app that only
 * sends one-time codes never loads it. An explicit export list: everything here is public API.
 *
 * @packageDocumentation
 */

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
export { createTokenSet, tokenSetRecord, tokenSetSecrets } from './token-set.js';
export type * from './types.js';
export * from './upstream-errors.js';
