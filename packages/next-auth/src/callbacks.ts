/**
 * Callbacks that carry the verified number into the session and keep redirects on this site.
 * With a credentials provider, next-auth hands `authorize`'s user to the `jwt` callback as `user`
 * (on sign-in only), so the number goes from `user` to the token, then to the session.
 *
 * @see https://github.com/nextauthjs/next-auth/issues/13281
 */

const field = (value: unknown, name: string): unknown =>
  value !== null && typeof value === 'object'
    ? (value as Record<string, unknown>)[name]
    : undefined;

/** Copy `user.phone` into the token on sign-in; later calls keep the token as it is. */
export function jwt<T extends object>({ token, user }: { token: T; user?: unknown }): T {
  const phone = field(user, 'phone');
  return typeof phone === 'string' ? { ...token, phone } : token;
}

/** Expose `token.phone` as `session.user.phone`. */
export function session<S extends object>({ session, token }: { session: S; token?: unknown }): S {
  const phone = field(token, 'phone');
  if (typeof phone !== 'string') return session;
  const user = field(session, 'user');
  return { ...session, user: { ...(typeof user === 'object' ? user : {}), phone } };
}

/**
 * Same-site redirects only: a path (`/account`) or a URL on the app's origin; anything else
 * (another site, `//evil.example`, `/\evil.example`, an unparseable `evil.example`) goes to the
 * site's root. Never throws, where next-auth's default answers 500 (`Invalid URL`).
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

/** The three callbacks, to spread into the config (`callbacks`), or to call from your own. */
export const callbacks: {
  jwt: typeof jwt;
  session: typeof session;
  redirect: typeof redirect;
} = { jwt, session, redirect };

/** The session's user as `callbacks` shape it; with v4, add your own fields to this interface. */
export interface TingTingSessionUser {
  /** The token's `sub` (with `revocableSessions`): the E.164 number, or the upstream's subject. */
  id?: string;
  /** The verified number, E.164 (absent for a session another provider started). */
  phone?: string;
  name?: string | null;
  email?: string | null;
  image?: string | null;
}
