import type { DefaultSession } from 'next-auth';
import type { TingTingSessionUser } from './callbacks.js';
import type { SignInErrorCode } from './codes.js';
import {
  createProvider,
  type TingTingProviderConfig,
  type TingTingProviderOptions,
} from './provider.js';
import {
  createRevocableSessions,
  type RevocableSessionsConfig,
  type RevocableSessionsStore,
} from './revocable.js';

/** What the v4 `authorize` throws: its message is the code, which v4 puts in `?error=CODE`. */
export class TingTingSignInError extends Error {
  /** The generic code, also the message. */
  readonly code: SignInErrorCode;

  constructor(code: SignInErrorCode, options?: { cause?: unknown }) {
    super(code, options?.cause === undefined ? undefined : options);
    this.name = 'TingTingSignInError';
    this.code = code;
  }
}

/**
 * The TingTing provider for next-auth v4: a credentials provider that verifies the code through
 * the engine; a failure throws {@link TingTingSignInError}. Needs `session: { strategy: 'jwt' }`.
 *
 * @example
 * ```ts
 * export const authOptions: NextAuthOptions = {
 *   providers: [TingTing({ engine: getEngine })],
 *   session: { strategy: 'jwt' },
 *   callbacks,
 * };
 * ```
 */
export function TingTing(options: TingTingProviderOptions): TingTingProviderConfig {
  return createProvider(options, (code, cause) => {
    throw new TingTingSignInError(code, { cause });
  });
}

/**
 * Callbacks and events for revocable sessions (next-auth v4): pass the same `UpstreamSessions` to
 * `TingTing({ sessions })`. Each request's `jwt` callback reads the session once; an ended
 * session's cookie gives no session (`getServerSession` answers `null`).
 *
 * @example
 * ```ts
 * const revocable = revocableSessions(sessions);
 * export const authOptions: NextAuthOptions = {
 *   providers: [TingTing({ engine: getEngine, sessions })],
 *   session: { strategy: 'jwt' },
 *   callbacks: revocable.callbacks,
 *   events: revocable.events,
 * };
 * ```
 */
export function revocableSessions(
  sessions: RevocableSessionsStore,
): RevocableSessionsConfig<never> {
  // v4 encodes whatever the jwt callback returns (null throws and is logged as an error): a
  // marked token, which later requests refuse without a store read, and an empty session.
  return createRevocableSessions<never>(
    sessions,
    <T extends object>() => ({ ended: true }) as unknown as T,
    <S extends object>() => ({}) as S,
  );
}

// What `callbacks` put in the session (v4's `Session['user']` is no interface: extend ours).
declare module 'next-auth' {
  interface Session {
    user?: DefaultSession['user'] & TingTingSessionUser;
  }
  interface User {
    phone?: string;
  }
}
