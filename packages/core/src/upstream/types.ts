/**
 * The upstream provider contract: what a token API that checks a username (or email) and a
 * password must offer so that tingting-auth can sign users in with it, keep its tokens server-side
 * and rotate them. Built-in implementations: `timbrProvider`, `notesProvider`,
 * `tingtingAccountsProvider`; anyone can implement it for another API.
 *
 * @see UPSTREAM.md §1 (design), seeds 000, 002 and 003
 * @packageDocumentation
 */

/**
 * A tough-cookie `CookieJar` in its JSON form (`jar.serialize()`): what a cookie-based upstream
 * (TingTing accounts) keeps between calls. It holds the session cookies, so treat it as a secret.
 */
export interface SerializedCookieJar {
  readonly version?: string;
  readonly storeType?: string | null;
  readonly rejectPublicSuffixes?: boolean;
  readonly cookies: readonly Readonly<Record<string, unknown>>[];
  readonly [key: string]: unknown;
}

/**
 * The tokens of one upstream sign-in.
 *
 * `accessToken`, `refreshToken` and `cookies` are **non-enumerable**: readable, but left out of
 * `JSON.stringify`, object spread and `util.inspect` (which prints a redacted form), so logging a
 * token set never logs a secret. Build one with `createTokenSet`; copy one with `createTokenSet(
 * tokenSetRecord(t))` (spread would drop the secrets).
 *
 * Times are epoch milliseconds on **our** clock (`CallCtx.now` at receipt), never the upstream's:
 * `receivedAt + valid_for`, or `receivedAt + (exp − iat)` for a JWT. Upstream clock skew therefore
 * cannot make a fresh token look expired (a refresh storm) or an expired one look fresh.
 */
export interface TokenSet {
  /** The access token (a JWT for Timbr and TingTing, an opaque `a.…` string for notes). Secret. */
  readonly accessToken: string;
  /** The refresh token, when the upstream gives one in a body (Timbr, notes). Secret. */
  readonly refreshToken?: string;
  /** When the access token expires, epoch ms on our clock. */
  readonly accessExpiresAt: number;
  /** When the refresh token expires, epoch ms on our clock, when known. */
  readonly refreshExpiresAt?: number;
  /** When these tokens were received, epoch ms on our clock (`CallCtx.now()`). */
  readonly receivedAt: number;
  /**
   * How the access token is presented: `Bearer` (an `Authorization` header) or `Cookie` (the
   * cookies in {@link TokenSet.cookies}, TingTing accounts).
   */
  readonly tokenType: 'Bearer' | 'Cookie';
  /** TingTing accounts: the login's cookie jar (access and refresh cookies). Secret. */
  readonly cookies?: SerializedCookieJar;
  /**
   * 0 for a login's tokens, +1 on every successful refresh (`refresh(t)` returns
   * `t.generation + 1`). The session store compares it to replace a record atomically.
   */
  readonly generation: number;
}

/**
 * A {@link TokenSet} as plain data, secrets included and enumerable: what a session store seals
 * (encrypts) before it keeps it. Never log it; `tokenSetRecord` / `createTokenSet` convert. In
 * `cookies`, a cookie whose value is the access or refresh token carries `valueFrom:
 * 'accessToken' | 'refreshToken'` instead of the value, so each token is stored once.
 */
export interface TokenSetRecord {
  accessToken: string;
  refreshToken?: string;
  accessExpiresAt: number;
  refreshExpiresAt?: number;
  receivedAt: number;
  tokenType: 'Bearer' | 'Cookie';
  cookies?: SerializedCookieJar;
  generation: number;
}

/**
 * What every provider call receives: a signal that cancels it, and the clock (epoch ms) token
 * expiry is computed with. Pass the same clock as the session store, so tests can move it.
 */
export interface CallCtx {
  /** Aborts the call (the request in flight is cancelled; the call rejects). */
  readonly signal: AbortSignal;
  /** Current time, epoch ms. `Date.now` in production, a fake clock in tests. */
  readonly now: () => number;
}

/** Who signed in, as far as the upstream tells. Never carries a token or a password. */
export interface UpstreamProfile {
  /** The upstream's stable user id (`user_id` claim, TingTing's `id`), as a string. */
  readonly subject: string;
  readonly username?: string;
  readonly email?: string;
  /** A display name, when the upstream has one. */
  readonly name?: string;
}

/** The result of a successful `login`. */
export interface UpstreamGrant {
  /** The tokens; keep them server-side. */
  readonly tokens: TokenSet;
  /**
   * A stable id of the user at the upstream: a `user_id` claim when the token carries one, else
   * the identifier the user signed in with (trimmed).
   */
  readonly subject: string;
  /** The profile, when the login answer carries it (no provider makes an extra call for it). */
  readonly profile?: UpstreamProfile;
}

/** Credentials typed by the user. */
export interface UpstreamCredentials {
  /** Username or email, as the upstream accepts it (TingTing: the email). */
  readonly identifier: string;
  readonly password: string;
}

/** A new account (notes signup). */
export interface UpstreamSignup {
  readonly username: string;
  readonly email: string;
  readonly password: string;
}

/**
 * One upstream token API. Each method is one upstream round trip (TingTing's `profile`: two,
 * read-only) and keeps no per-user state: the caller keeps the {@link TokenSet}.
 *
 * Methods reject with a `TingTingAuthError` whose `code` says what happened:
 * `UPSTREAM_INVALID_CREDENTIALS`, `UPSTREAM_ACCOUNT_INACTIVE`, `UPSTREAM_UNAVAILABLE` (transport,
 * timeout, 5xx, 429; `retryAfterInSeconds` kept), `UPSTREAM_MALFORMED`, `UPSTREAM_BAD_REQUEST`,
 * `REFRESH_REJECTED`, `REFRESH_UNKNOWN_OUTCOME`, `ACCESS_TOKEN_REJECTED`, `SIGNUP_CONFLICT`.
 */
export interface UpstreamProvider {
  /** `'timbr'`, `'notes'`, `'tingting'`, or your own. */
  readonly id: string;
  /**
   * Check the credentials upstream and return the tokens.
   *
   * @throws `UPSTREAM_INVALID_CREDENTIALS`, `UPSTREAM_ACCOUNT_INACTIVE` (report both the same way
   *   to the user), `UPSTREAM_UNAVAILABLE`, `UPSTREAM_MALFORMED`, `UPSTREAM_BAD_REQUEST`.
   */
  login(credentials: UpstreamCredentials, ctx: CallCtx): Promise<UpstreamGrant>;
  /**
   * Exchange the refresh token (or cookie) for new tokens. MUST return the rotated refresh token
   * when the upstream rotates, and the old one when it does not; `generation` is `t.generation + 1`.
   *
   * @throws `REFRESH_REJECTED` (the upstream refused: end the session), `REFRESH_UNKNOWN_OUTCOME`
   *   (sent, no answer: the upstream may have rotated), `UPSTREAM_UNAVAILABLE` (not sent or
   *   answered 5xx/429: keep the session), `UPSTREAM_MALFORMED`.
   */
  refresh(tokens: TokenSet, ctx: CallCtx): Promise<TokenSet>;
  /** Who the tokens belong to (read-only calls only). @throws `ACCESS_TOKEN_REJECTED` and the above. */
  profile?(tokens: TokenSet, ctx: CallCtx): Promise<UpstreamProfile>;
  /** Whether the upstream still accepts the access token (Timbr `/jwt/verify/`). */
  verify?(tokens: TokenSet, ctx: CallCtx): Promise<boolean>;
  /** End the session upstream, when the upstream has such a call (none of the three seeds does). */
  logout?(tokens: TokenSet, ctx: CallCtx): Promise<void>;
  /**
   * Create an account (notes). Resolves `{ created: true }`; an existing account rejects with
   * `SIGNUP_CONFLICT`, which callers must answer exactly like a success (no enumeration).
   */
  signup?(account: UpstreamSignup, ctx: CallCtx): Promise<{ created: boolean }>;
}
