import type { DefaultSession } from 'next-auth';
import type { TingTingSessionUser } from './callbacks.js';
import {
  createProvider,
  type TingTingProviderConfig,
  type TingTingProviderOptions,
} from './provider.js';
import { TingTingSignInError } from './sign-in-error.js';

/**
 * The TingTing provider for next-auth v4: a credentials provider that verifies the code through
 * the engine. A failure throws {@link TingTingSignInError}, which next-auth v4 turns into
 * `?error=CODE` (`INVALID_CODE`, `LOCKED`, …). Needs `session: { strategy: 'jwt' }`.
 *
 * @example
 * ```ts
 * import { TingTing, callbacks } from '@tingting-auth/next-auth';
 * export const authOptions = {
 *   providers: [TingTing({ engine })],
 *   session: { strategy: 'jwt' },
 *   callbacks,
 * } satisfies NextAuthOptions;
 * ```
 */
export function TingTing(options: TingTingProviderOptions): TingTingProviderConfig {
  return createProvider(options, (code, cause) => {
    throw new TingTingSignInError(code, { cause });
  });
}

// What the `callbacks` put in the session, typed for the app (next-auth v4's `Session['user']` is
// not an interface: extend `TingTingSessionUser` for more fields).
declare module 'next-auth' {
  interface Session {
    user?: DefaultSession['user'] & TingTingSessionUser;
  }
  interface User {
    phone?: string;
  }
}
