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
  type RevocableSessionsOptions,
  type RevocableSessionsStore,
  type UpstreamSessionError,
} from './revocable.js';
import {
  createUpstreamCredentials,
  type UpstreamCredentialsConfig,
  type UpstreamCredentialsOptions,
} from './upstream-credentials.js';
import { type UpstreamAccessTokenOptions, upstreamAccessToken } from './upstream-token.js';

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
 * Password sign-in against an upstream token API (Timbr, the notes service, TingTing accounts) for
 * next-auth v4: a credentials provider whose `authorize` runs core's password protocol (fields
 * `username` or `email`, and `password`; the sign-in limits; the upstream login) and starts a
 * session in `sessions`; the JWT carries only its id (use `revocableSessions(sessions)`'s
 * callbacks and events). A failure throws {@link TingTingSignInError}: `?error=INVALID_CREDENTIALS`
 * (wrong password, unknown user and inactive account alike), `RATE_LIMITED`, `INVALID_REQUEST`,
 * `ACCESS_DENIED`, `SERVICE_UNAVAILABLE`. Needs `session: { strategy: 'jwt' }`.
 *
 * @example
 * ```ts
 * const sessions = new UpstreamSessions({ store, secret, provider: timbrProvider({ baseURL }) });
 * const revocable = revocableSessions(sessions);
 * export const authOptions: NextAuthOptions = {
 *   providers: [UpstreamCredentials({ sessions })],
 *   session: { strategy: 'jwt' },
 *   callbacks: revocable.callbacks,
 *   events: revocable.events,
 * };
 * ```
 */
export function UpstreamCredentials(
  options: UpstreamCredentialsOptions,
): UpstreamCredentialsConfig {
  return createUpstreamCredentials('UpstreamCredentials', options, (code, cause) => {
    throw new TingTingSignInError(code, { cause });
  });
}

/**
 * Callbacks and events for revocable sessions (next-auth v4): pass the same `UpstreamSessions` to
 * `TingTing({ sessions })` and `UpstreamCredentials({ sessions })`, or an array of them (each with
 * its own `providerId`: the token's `upstream` claim picks one). Each request's `jwt` callback
 * reads the session once; an ended session's cookie gives no session (`getServerSession` answers
 * an empty one); a session the upstream refused to refresh gives `{ error: 'RefreshTokenError' }`
 * with no user. Your own `signIn` callback goes in `options`: when it refuses (`false`, a
 * redirect URL) or throws, the session `authorize` started is ended before v4 answers; so
 * does your `jwt` callback (`options.jwt`) when it throws or answers `null` during the sign-in.
 * Your `session` callback (`options.session`) runs after the one that shapes the session, for
 * an active session only; what it answers is what the browser gets.
 *
 * @example
 * ```ts
 * const revocable = revocableSessions([phoneSessions, timbrSessions], {
 *   signIn: ({ user }) => !isSuspended(user.id), // refused: the session is ended
 * });
 * export const authOptions: NextAuthOptions = {
 *   providers: [
 *     TingTing({ engine: getEngine, sessions: phoneSessions }),
 *     UpstreamCredentials({ sessions: timbrSessions }),
 *   ],
 *   session: { strategy: 'jwt' },
 *   callbacks: revocable.callbacks,
 *   events: revocable.events,
 * };
 * ```
 */
export function revocableSessions(
  sessions: RevocableSessionsStore | readonly RevocableSessionsStore[],
  options?: RevocableSessionsOptions,
): RevocableSessionsConfig<never> {
  // v4 encodes whatever the jwt callback returns (null throws and is logged as an error): a
  // marked token, which later requests refuse without a store read, and an empty session.
  return createRevocableSessions<never>(
    sessions,
    options,
    <T extends object>() => ({ ended: true }) as unknown as T,
    <S extends object>() => ({}) as S,
  );
}

/**
 * The signed-in user's upstream access token, for server code (route handlers, Server Components,
 * `getServerSideProps`): decodes the session cookie in `headers` with next-auth v4's `getToken`,
 * then `sessions.getAccessToken(sid)` (refreshed on demand, one refresh at a time per session).
 * Needs no cookie write. `null`: no cookie, a session of another provider, or the session is over
 * (signed out, refresh refused). Rethrows `SessionUnavailableError` (the upstream is down: answer
 * 503) and store errors.
 *
 * @example
 * ```ts
 * const token = await getUpstreamAccessToken({ sessions, headers: await headers() });
 * if (token === null) redirect('/signin');
 * ```
 */
export function getUpstreamAccessToken(
  options: UpstreamAccessTokenOptions,
): Promise<string | null> {
  return upstreamAccessToken('getUpstreamAccessToken', options, 'next-auth.session-token', false);
}

// What `callbacks` put in the session (v4's `Session['user']` is no interface: extend ours).
declare module 'next-auth' {
  interface Session {
    user?: DefaultSession['user'] & TingTingSessionUser;
    /** The `providerId` of the session's `UpstreamSessions` (`'timbr'`, `'phone'`, …). */
    upstream?: string;
    /** The upstream refused to refresh: sign in again (`revocableSessions`). */
    error?: UpstreamSessionError;
  }
  interface User {
    phone?: string;
  }
}
