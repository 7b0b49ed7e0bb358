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
 * Send the browser to same-site URLs only: a path (`/account`) or an absolute URL on the app's
 * origin; anything else (another site, `//evil.example`, `/\evil.example`, or an unparseable
 * `evil.example`) goes to the site's root. Unlike next-auth's default, it never throws: the default
 * answers 500 (`Invalid URL`) for a `callbackUrl` like `evil.example`.
 */
export function redirect({ url, baseUrl }: { url: string; baseUrl: string }): string {
  try {
    const base = new URL(baseUrl);
    // Only a path or an absolute http(s) URL: `evil.example` would resolve as a relative path.
    if (typeof url === 'string' && /^(\/|https?:\/\/)/i.test(url)) {
      // The parsed form, not `url`: what a browser will make of it, with no parser disagreement.
      const { href, origin } = new URL(url, base.origin);
      if (origin === base.origin && href !== base.href) return href;
    }
  } catch {}
  return baseUrl;
}

/**
 * The three callbacks, to spread into the config: `callbacks: { ...callbacks }`. Compose them
 * with your own when you have some (call them from yours).
 */
export const callbacks: {
  jwt: typeof jwt;
  session: typeof session;
  redirect: typeof redirect;
} = { jwt, session, redirect };

/**
 * The session's user, as these callbacks shape it. With next-auth v4 it is `Session['user']`
 * (add your own fields to this interface: `declare module '@tingting-auth/next-auth'`).
 */
export interface TingTingSessionUser {
  /** The verified number, E.164 (absent for a session another provider started). */
  phone?: string;
  name?: string | null;
  email?: string | null;
  image?: string | null;
}
