/**
 * `jwt` and `session` callbacks that carry the verified number into the session.
 *
 * With a credentials provider, next-auth hands the user `authorize` returned to the `jwt`
 * callback as `user` (only on sign-in; `account` carries nothing useful), so the number is copied
 * from `user` to the token there, then from the token to the session.
 *
 * @see https://github.com/nextauthjs/next-auth/issues/13281
 */

/** Copy `user.phone` into the token on sign-in; later calls keep the token as it is. */
export function jwt<T extends object>({ token, user }: { token: T; user?: unknown }): T {
  const phone =
    user !== null && typeof user === 'object' ? (user as { phone?: unknown }).phone : undefined;
  return typeof phone === 'string' ? { ...token, phone } : token;
}

/** Expose `token.phone` as `session.user.phone`. */
export function session<S extends object>({ session, token }: { session: S; token?: unknown }): S {
  const phone =
    token !== null && typeof token === 'object' ? (token as { phone?: unknown }).phone : undefined;
  if (typeof phone !== 'string') return session;
  const user = (session as { user?: unknown }).user;
  return {
    ...session,
    user: { ...(user !== null && typeof user === 'object' ? user : {}), phone },
  };
}

/**
 * Both callbacks, to spread into the config: `callbacks: { ...callbacks }`. Compose them with
 * your own when you have some (call them from yours).
 */
export const callbacks: {
  jwt: typeof jwt;
  session: typeof session;
} = { jwt, session };

/** The session's user, as these callbacks shape it. */
export interface TingTingSessionUser {
  /** The verified number, E.164. */
  phone: string;
  name?: string | null;
  email?: string | null;
  image?: string | null;
}
