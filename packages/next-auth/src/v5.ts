/**
 * `@tingting-auth/next-auth/v5`: the TingTing provider for next-auth v5 (Auth.js).
 *
 * @packageDocumentation
 */

// The import makes the augmented module known to the declaration build.
import type {} from 'next-auth';
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

/** The shape of next-auth v5's `CredentialsSignin` this entry relies on. */
export type CredentialsSigninClass = new (
  message?: string,
  options?: { cause?: unknown },
) => Error & { code: string };

/** Options of the v5 {@link TingTing}: the shared ones and the app's `CredentialsSignin`. */
export interface TingTingV5Options extends TingTingProviderOptions {
  /**
   * `import { CredentialsSignin } from 'next-auth'`, from the app: Auth.js forwards a failure's
   * `code` only for its own copy's class (any other error becomes `error=Configuration`).
   */
  CredentialsSignin: CredentialsSigninClass;
}

/**
 * The TingTing provider for next-auth v5. A failure throws a subclass of the app's
 * `CredentialsSignin` with a generic `code`: `?error=CredentialsSignin&code=INVALID_CODE`.
 * Needs `session: { strategy: 'jwt' }`.
 *
 * @example
 * ```ts
 * export const { handlers, auth } = NextAuth({
 *   providers: [TingTing({ engine: getEngine, CredentialsSignin })],
 *   session: { strategy: 'jwt' },
 *   callbacks,
 * });
 * ```
 */
export function TingTing(options: TingTingV5Options): TingTingProviderConfig {
  const fail = failWith(
    'TingTing',
    options?.CredentialsSignin,
    'TingTingSignInError',
    'The one-time code could not be verified',
  );
  const { CredentialsSignin: _, ...shared } = options;
  return createProvider(shared, fail, { CredentialsSignin: 'function' });
}

/**
 * How a v5 provider fails: throws a subclass of the app's `CredentialsSignin` (checked here) whose
 * `code` Auth.js forwards as `?code=`.
 */
function failWith(caller: string, Base: unknown, name: string, message: string) {
  if (typeof Base !== 'function' || !(Base.prototype instanceof Error)) {
    throw new TypeError(
      `${caller}: \`CredentialsSignin\` must be the class from your app: import { CredentialsSignin } from 'next-auth'`,
    );
  }
  const Failure = class extends (Base as CredentialsSigninClass) {
    constructor(code: string, cause: unknown) {
      super(message, cause === undefined ? undefined : { cause });
      this.name = name;
      this.code = code; // after `super`: Auth.js sets its default `code` in the constructor
    }
  };
  return (code: string, cause?: unknown): never => {
    throw new Failure(code, cause);
  };
}

/** Options of the v5 {@link UpstreamCredentials}: the shared ones and the app's `CredentialsSignin`. */
export interface UpstreamCredentialsV5Options extends UpstreamCredentialsOptions {
  /**
   * `import { CredentialsSignin } from 'next-auth'`, from the app: Auth.js forwards a failure's
   * `code` only for its own copy's class (any other error becomes `error=Configuration`).
   */
  CredentialsSignin: CredentialsSigninClass;
}

/**
 * Password sign-in against an upstream token API (Timbr, the notes service, TingTing accounts) for
 * next-auth v5: a credentials provider whose `authorize` runs core's password protocol (fields
 * `username` or `email`, and `password`; the sign-in limits; the upstream login) and starts a
 * session in `sessions`; the JWT carries only its id (use `revocableSessions(sessions)`). A
 * failure throws a subclass of the app's `CredentialsSignin` with a generic `code`:
 * `?error=CredentialsSignin&code=INVALID_CREDENTIALS` (wrong password, unknown user and inactive
 * account alike), `RATE_LIMITED`, `INVALID_REQUEST`, `ACCESS_DENIED`, `SERVICE_UNAVAILABLE`.
 * Needs `session: { strategy: 'jwt' }`.
 *
 * @example
 * ```ts
 * const sessions = new UpstreamSessions({ store, secret, provider: notesProvider({ baseURL }) });
 * export const { handlers, auth } = NextAuth({
 *   providers: [UpstreamCredentials({ sessions, CredentialsSignin })],
 *   session: { strategy: 'jwt' },
 *   ...revocableSessions(sessions),
 * });
 * ```
 */
export function UpstreamCredentials(
  options: UpstreamCredentialsV5Options,
): UpstreamCredentialsConfig {
  const fail = failWith(
    'UpstreamCredentials',
    options?.CredentialsSignin,
    'UpstreamSignInError',
    'The sign-in could not be completed',
  );
  const { CredentialsSignin: _, ...shared } = options;
  return createUpstreamCredentials('UpstreamCredentials', shared, fail, {
    CredentialsSignin: 'function',
  });
}

/**
 * Callbacks and events for revocable sessions (next-auth v5): pass the same `UpstreamSessions` to
 * `TingTing({ sessions })` and `UpstreamCredentials({ sessions })`, or an array of them (each with
 * its own `providerId`: the token's `upstream` claim picks one). Each request's `jwt` callback
 * reads the session once; for an ended session it answers `null`, so Auth.js clears the cookie
 * and `auth()` answers `null`; a session the upstream refused to refresh gives
 * `{ error: 'RefreshTokenError' }` with no user. Your own `signIn` callback goes in `options`:
 * when it refuses (`false`, a redirect URL) or throws, the session `authorize` started is ended
 * before Auth.js answers; so does your `jwt` callback (`options.jwt`) when it throws or answers
 * `null` during the sign-in. Your `session` callback (`options.session`) runs after the one that
 * shapes the session, for an active session only; what it answers is what the browser gets.
 *
 * @example
 * ```ts
 * const revocable = revocableSessions([phoneSessions, timbrSessions], {
 *   signIn: ({ user }) => !isSuspended(user.id), // refused: the session is ended
 * });
 * export const { handlers, auth } = NextAuth({
 *   providers: [
 *     TingTing({ engine: getEngine, CredentialsSignin, sessions: phoneSessions }),
 *     UpstreamCredentials({ sessions: timbrSessions, CredentialsSignin }),
 *   ],
 *   session: { strategy: 'jwt' },
 *   ...revocable,
 * });
 * ```
 */
export function revocableSessions(
  sessions: RevocableSessionsStore | readonly RevocableSessionsStore[],
  options?: RevocableSessionsOptions,
): RevocableSessionsConfig {
  return createRevocableSessions<null>(
    sessions,
    options,
    () => null,
    // The store failed on this read: no session (`auth()` answers `null`), the cookie is kept.
    <S extends object>() => null as unknown as S,
  );
}

/**
 * The signed-in user's upstream access token, for server code (route handlers, Server
 * Components, server actions): decodes the session cookie in `headers` with next-auth v5's
 * `getToken` (salt: the cookie name, as Auth.js does), then `sessions.getAccessToken(sid)`
 * (refreshed on demand, one refresh at a time per session). Needs no cookie write. `null`: no
 * cookie, a session of another provider, or the session is over (signed out, refresh refused).
 * Rethrows `SessionUnavailableError` (the upstream is down: answer 503) and store errors.
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
  return upstreamAccessToken('getUpstreamAccessToken', options, 'authjs.session-token', true);
}

export * from './shared-exports.js';

// What `callbacks` put in the session (Auth.js's `Session['user']` is `User`).
declare module 'next-auth' {
  interface User {
    phone?: string;
  }
  interface Session {
    /** The `providerId` of the session's `UpstreamSessions` (`'timbr'`, `'phone'`, …). */
    upstream?: string;
    /** The upstream refused to refresh: sign in again (`revocableSessions`). */
    error?: UpstreamSessionError;
  }
}
