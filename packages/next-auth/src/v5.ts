/**
 * `@tingting-auth/next-auth/v5`: the TingTing provider for next-auth v5 (Auth.js).
 *
 * @packageDocumentation
 */

import type { SignInErrorCode } from './codes.js';
import {
  createProvider,
  type TingTingProviderConfig,
  type TingTingProviderOptions,
} from './provider.js';

/** The shape of next-auth v5's `CredentialsSignin` class that this entry relies on. */
export type CredentialsSigninClass = new (
  message?: string,
  options?: { cause?: unknown },
) => Error & { code: string };

/** Options of the v5 {@link TingTing}: the shared options plus the app's `CredentialsSignin`. */
export interface TingTingV5Options extends TingTingProviderOptions {
  /**
   * `CredentialsSignin` imported from the app's own `next-auth` (`import { CredentialsSignin }
   * from 'next-auth'`). Auth.js only forwards a failure's `code` when the error is an instance
   * of the very class its copy of `@auth/core` defines; any other error becomes
   * `error=Configuration`. Taking the class from the app guarantees that single copy, whatever
   * the package manager's layout.
   */
  CredentialsSignin: CredentialsSigninClass;
}

/**
 * The TingTing provider for next-auth v5. A failure throws a subclass of the app's
 * `CredentialsSignin` whose `code` is generic (`INVALID_CODE`, `LOCKED`, …): Auth.js redirects
 * with `?error=CredentialsSignin&code=CODE`, and `signIn(…, { redirect: false })` resolves to
 * `{ error: 'CredentialsSignin', code: 'CODE' }`. Needs `session: { strategy: 'jwt' }`.
 *
 * @example
 * ```ts
 * import NextAuth, { CredentialsSignin } from 'next-auth';
 * import { TingTing, callbacks } from '@tingting-auth/next-auth/v5';
 * export const { handlers, auth, signIn, signOut } = NextAuth({
 *   providers: [TingTing({ engine, CredentialsSignin })],
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
      // Set after `super`: Auth.js assigns its default `code` in the constructor.
      this.code = code;
    }
  }
  const { CredentialsSignin: _, ...shared } = options;
  return createProvider(
    shared,
    (code, cause) => {
      throw new TingTingSignInError(code, cause);
    },
    ['CredentialsSignin'],
  );
}

export * from './shared-exports.js';

// What the `callbacks` put in the session, typed for the app (Auth.js's `Session['user']` is `User`).
// The import makes the module known to the declaration build.
import type {} from 'next-auth';

declare module 'next-auth' {
  interface User {
    phone?: string;
  }
}
