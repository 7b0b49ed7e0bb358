/**
 * `@tingting-auth/next-auth/v5`: the TingTing provider for next-auth v5 (Auth.js).
 *
 * @packageDocumentation
 */

// The import makes the augmented module known to the declaration build.
import type {} from 'next-auth';
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
  const Base = options?.CredentialsSignin;
  if (typeof Base !== 'function' || !(Base.prototype instanceof Error)) {
    throw new TypeError(
      "TingTing: `CredentialsSignin` must be the class from your app: import { CredentialsSignin } from 'next-auth'",
    );
  }
  class TingTingSignInError extends Base {
    constructor(code: SignInErrorCode, cause: unknown) {
      super('The one-time code could not be verified', cause === undefined ? undefined : { cause });
      this.name = 'TingTingSignInError';
      this.code = code; // after `super`: Auth.js sets its default `code` in the constructor
    }
  }
  const { CredentialsSignin: _, ...shared } = options;
  const fail = (code: SignInErrorCode, cause: unknown): never => {
    throw new TingTingSignInError(code, cause);
  };
  return createProvider(shared, fail, { CredentialsSignin: 'function' });
}

/**
 * Callbacks and events for revocable sessions (next-auth v5): pass the same `UpstreamSessions` to
 * `TingTing({ sessions })`. Each request's `jwt` callback reads the session once; for an ended
 * session it answers `null`, so Auth.js clears the cookie and `auth()` answers `null`.
 *
 * @example
 * ```ts
 * const revocable = revocableSessions(sessions);
 * export const { handlers, auth } = NextAuth({
 *   providers: [TingTing({ engine: getEngine, CredentialsSignin, sessions })],
 *   session: { strategy: 'jwt' },
 *   ...revocable,
 * });
 * ```
 */
export function revocableSessions(sessions: RevocableSessionsStore): RevocableSessionsConfig {
  return createRevocableSessions<null>(
    sessions,
    () => null,
    (session) => session,
  );
}

export * from './shared-exports.js';

// What `callbacks` put in the session (Auth.js's `Session['user']` is `User`).
declare module 'next-auth' {
  interface User {
    phone?: string;
  }
}
