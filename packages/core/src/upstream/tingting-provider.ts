/**
 * `tingtingAccountsProvider`: the {@link UpstreamProvider} for TingTing accounts (seed 000): an
 * email and password, HttpOnly `access` and `refresh` cookies through a **per-login** cookie jar.
 *
 * fetch-cookie and tough-cookie are loaded with a dynamic `import()` on the first login or
 * refresh, so an app that signs users in with Timbr or notes never loads them.
 *
 * @see seed `000_*.txt`
 * @packageDocumentation
 */

import type makeFetchCookie from 'fetch-cookie';
import type { Cookie, CookieJar } from 'tough-cookie';
import { TingTingUnexpectedBodyError } from '../client/client-errors.js';
import { parseGetAPIToken, parseLogin, parseRefresh, parseUserProfile } from '../client/schemas.js';
import type { FetchLike } from '../http/exchange.js';
import { computeExpiresAt, decodeJWTClaims, jwtSubject } from './expiry.js';
import { createTokenSet, tokenSetSecrets } from './token-set.js';
import type {
  CallCtx,
  SerializedCookieJar,
  TokenSet,
  UpstreamCredentials,
  UpstreamGrant,
  UpstreamProfile,
  UpstreamProvider,
} from './types.js';
import {
  AccessTokenRejectedError,
  RefreshRejectedError,
  UpstreamAccountInactiveError,
  UpstreamInvalidCredentialsError,
} from './upstream-errors.js';
import {
  callOptionsOf,
  callUpstream,
  clockOf,
  credentialsOf,
  resolveUpstreamSettings,
  throwUnlessSuccess,
  type UpstreamAnswer,
  type UpstreamFailures,
  type UpstreamHTTPOptions,
  type UpstreamRequest,
  type UpstreamStatusError,
} from './upstream-http.js';

/** TingTing's public API origin. */
const TINGTING_BASE_URL = 'https://app.tingting.io';

/** The seed: "the JWT access token (expires in 1 day)". */
const DEFAULT_ACCESS_SECONDS = 86_400;

const PATHS = {
  login: 'api/v1/auths/login/',
  refresh: 'api/v1/auths/login/refresh/',
  getAPIToken: 'api/v1/auths/get-api-keys/',
  userProfile: 'api/v1/auths/user-profile/',
} as const;

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Options of {@link tingtingAccountsProvider}. */
export interface TingTingAccountsProviderOptions extends UpstreamHTTPOptions {
  /** API origin. @default 'https://app.tingting.io' */
  baseURL?: string;
  /** The provider id in sessions and events. @default 'tingting' */
  id?: string;
}

/** The TingTing accounts provider: login, refresh (cookies) and a read-only profile. */
export interface TingTingAccountsProvider extends UpstreamProvider {
  profile(tokens: TokenSet, ctx: CallCtx): Promise<UpstreamProfile>;
}

interface CookieModules {
  CookieJar: typeof CookieJar;
  fetchCookie: typeof makeFetchCookie;
}

let cookieModules: Promise<CookieModules> | undefined;

/** The default export of a module, whichever interop shape the build hands over. */
function defaultOf<T>(module: unknown): T {
  let value: unknown = module;
  for (let depth = 0; depth < 3 && typeof value !== 'function'; depth++) {
    value = (value as { default?: unknown } | undefined)?.default;
  }
  return value as T;
}

/** fetch-cookie and tough-cookie, imported once, on first use. */
function loadCookieModules(): Promise<CookieModules> {
  cookieModules ??= Promise.all([import('tough-cookie'), import('fetch-cookie')]).then(
    ([tough, fetchCookie]) => ({
      CookieJar: tough.CookieJar,
      fetchCookie: defaultOf<typeof makeFetchCookie>(fetchCookie),
    }),
  );
  // A failed import (a broken install) is retried on the next call rather than cached.
  cookieModules.catch(() => {
    cookieModules = undefined;
  });
  return cookieModules;
}

/** The session cookies in a jar: `access` (else a JWT-shaped cookie that is not `refresh`) and `refresh`. */
async function sessionCookies(
  jar: CookieJar,
  url: string,
): Promise<{ access?: Cookie; refresh?: Cookie }> {
  // `expire: false`: the jar must not drop a cookie by the real clock while tests (and the
  // session store) run on another one; the upstream is the judge of expiry.
  const cookies = await jar.getCookies(url, { expire: false });
  let access: Cookie | undefined;
  let refresh: Cookie | undefined;
  for (const cookie of cookies) {
    if (/refresh/i.test(cookie.key)) {
      refresh ??= cookie;
      continue;
    }
    if (cookie.key === 'access') access = cookie;
    else if (access === undefined && JWT.test(cookie.value)) access = cookie;
  }
  return {
    ...(access === undefined ? {} : { access }),
    ...(refresh === undefined ? {} : { refresh }),
  };
}

/**
 * The jar as `TokenSet.cookies`, without what `CookieJar.deserialize` restores by itself: the
 * jar's options (defaults), `creation` and `lastAccessed` (real-clock bookkeeping), `expires` when
 * `maxAge` is set, and false flags. About a third smaller, and it is sealed into every session.
 * Dropping `creation` restarts a Max-Age at each rebuild, so the jar never withholds a cookie the
 * upstream might still take: the upstream judges expiry, and `TokenSet` keeps our own.
 */
function compactJar(serialized: SerializedCookieJar): SerializedCookieJar {
  const keep = ['key', 'value', 'domain', 'path', 'secure', 'httpOnly', 'hostOnly', 'sameSite'];
  return {
    cookies: serialized.cookies.map((cookie) => {
      const compact: Record<string, unknown> = {};
      for (const field of keep) {
        const value = cookie[field];
        if (value !== undefined && value !== null && value !== false) compact[field] = value;
      }
      if (typeof cookie.maxAge === 'number') compact.maxAge = cookie.maxAge;
      else if (cookie.expires !== undefined && cookie.expires !== null) {
        compact.expires = cookie.expires;
      }
      return compact;
    }),
  };
}

/** A cookie's lifetime in seconds from Max-Age, else from Expires relative to its creation. */
function cookieSeconds(cookie: Cookie): number | undefined {
  if (typeof cookie.maxAge === 'number') return Math.max(0, cookie.maxAge);
  if (cookie.expires instanceof Date && cookie.creation instanceof Date) {
    return Math.max(0, (cookie.expires.getTime() - cookie.creation.getTime()) / 1000);
  }
  return undefined;
}

/** When a session cookie expires on our clock: the shorter of its Max-Age and its JWT's exp − iat. */
function cookieExpiresAt(cookie: Cookie, receivedAt: number): number | undefined {
  return computeExpiresAt(receivedAt, {
    seconds: cookieSeconds(cookie),
    jwt: JWT.test(cookie.value) ? cookie.value : undefined,
  });
}

/**
 * Sign users in with their TingTing account: email + password (`identifier` is the email).
 *
 * - Each login gets its own cookie jar; the jar is serialized into `TokenSet.cookies`, with the
 *   access cookie's value as `accessToken` (a JWT; `tokenType: 'Cookie'`) and the refresh
 *   cookie's as `refreshToken`.
 * - `accessExpiresAt`: the access cookie's Max-Age (1 day per the seed) or its JWT `exp − iat`,
 *   whichever is shorter, added to our clock at receipt.
 * - `refresh` rebuilds the jar from `cookies`, calls `login/refresh/`, and keeps whatever
 *   `Set-Cookie` comes back: a new `refresh` cookie is a rotation, none keeps the old one.
 * - `profile` reads the account's API token with get-api-keys (read-only), then user-profile.
 *   It **never** calls generate-api-keys: seed 000 says that "soft-deletes your previous token",
 *   which would break the account's integrations. Without an API token the profile has the
 *   JWT's `user_id` only.
 *
 * @example
 * ```ts
 * const tingting = tingtingAccountsProvider();
 * const { tokens } = await tingting.login({ identifier: 'ram@example.com', password }, { signal, now: Date.now });
 * ```
 */
export function tingtingAccountsProvider(
  options: TingTingAccountsProviderOptions = {},
): TingTingAccountsProvider {
  const { id = 'tingting', ...httpOptions } = options ?? {};
  if (typeof id !== 'string' || id === '') {
    throw new TypeError('tingtingAccountsProvider: id must be a non-empty string');
  }
  const settings = resolveUpstreamSettings(
    'tingtingAccountsProvider',
    id,
    'TingTing',
    httpOptions,
    TINGTING_BASE_URL,
  );
  const origin = settings.base.href;

  async function jarFetch(jar: CookieJar): Promise<FetchLike> {
    const { fetchCookie } = await loadCookieModules();
    return fetchCookie(
      settings.fetch as (input: string, init?: RequestInit) => Promise<Response>,
      jar,
    ) as unknown as FetchLike;
  }

  async function call(
    request: Omit<UpstreamRequest, 'signal'>,
    ctx: CallCtx,
  ): Promise<{ answer: UpstreamAnswer; failures: UpstreamFailures }> {
    return callUpstream(settings, { ...request, ...callOptionsOf(ctx) });
  }

  /** `parse(json)` with TingTing's body errors turned into `UPSTREAM_MALFORMED` (or unknown outcome). */
  function parsed<T>(failures: UpstreamFailures, answer: UpstreamAnswer, parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      if (error instanceof TingTingUnexpectedBodyError) {
        throw failures.malformed('wrong-shape', answer.status, 'with a body of the wrong shape');
      }
      throw error;
    }
  }

  function isInactive(answer: UpstreamAnswer, failures: UpstreamFailures): boolean {
    return /not activated/i.test(
      failures.options(answer.status, answer.json).upstreamMessage ?? '',
    );
  }

  async function tokenSetFrom(
    jar: CookieJar,
    receivedAt: number,
    generation: number,
    previous: TokenSet | undefined,
  ): Promise<{ tokens: TokenSet; access: Cookie } | undefined> {
    const { access, refresh } = await sessionCookies(jar, origin);
    if (access === undefined) return undefined;
    if (previous !== undefined && access.value === previous.accessToken) return undefined;
    const refreshChanged = refresh !== undefined && refresh.value !== previous?.refreshToken;
    const refreshExpiresAt =
      refresh === undefined
        ? undefined
        : refreshChanged
          ? cookieExpiresAt(refresh, receivedAt)
          : previous?.refreshExpiresAt;
    const serialized = compactJar((await jar.serialize()) as unknown as SerializedCookieJar);
    const tokens = createTokenSet({
      accessToken: access.value,
      ...(refresh === undefined ? {} : { refreshToken: refresh.value }),
      accessExpiresAt:
        cookieExpiresAt(access, receivedAt) ?? receivedAt + DEFAULT_ACCESS_SECONDS * 1000,
      ...(refreshExpiresAt === undefined ? {} : { refreshExpiresAt }),
      receivedAt,
      tokenType: 'Cookie',
      cookies: serialized,
      generation,
    });
    return { tokens, access };
  }

  return {
    id,
    async login(credentials: UpstreamCredentials, ctx: CallCtx): Promise<UpstreamGrant> {
      const { identifier: email, password } = credentialsOf(
        'tingtingAccountsProvider',
        credentials,
      );
      const { CookieJar: Jar } = await loadCookieModules();
      const jar = new Jar();
      // Taken before the request: the token cannot outlive the time we compute for it.
      const receivedAt = clockOf(ctx)();
      const { answer, failures } = await call(
        {
          endpoint: 'login',
          label: 'login',
          method: 'POST',
          path: PATHS.login,
          json: { email, password },
          fetch: await jarFetch(jar),
          secrets: [password],
        },
        ctx,
      );
      throwUnlessSuccess(answer, failures, (status) =>
        status === 401 || status === 403
          ? isInactive(answer, failures)
            ? UpstreamAccountInactiveError
            : UpstreamInvalidCredentialsError
          : undefined,
      );
      const loggedIn = parsed(failures, answer, () => parseLogin(answer.json, answer.status));
      const result = loggedIn ? await tokenSetFrom(jar, receivedAt, 0, undefined) : undefined;
      if (result === undefined) {
        throw failures.malformed(
          'wrong-shape',
          answer.status,
          loggedIn ? 'without an access cookie' : 'with has_logged_in: false',
        );
      }
      return {
        tokens: result.tokens,
        subject: jwtSubject(result.access.value) ?? email.toLowerCase(),
      };
    },

    async refresh(tokens: TokenSet, ctx: CallCtx): Promise<TokenSet> {
      const { CookieJar: Jar } = await loadCookieModules();
      if (tokens?.cookies === undefined) {
        throw new RefreshRejectedError('TingTing session refresh: the session has no cookies', {
          provider: id,
          endpoint: 'refresh',
        });
      }
      let jar: CookieJar;
      try {
        jar = await Jar.deserialize(tokens.cookies as never);
      } catch {
        throw new RefreshRejectedError(
          'TingTing session refresh: the stored cookie jar is unreadable',
          {
            provider: id,
            endpoint: 'refresh',
          },
        );
      }
      const receivedAt = clockOf(ctx)();
      // Seed 000: "No request body is required — the API reads the refresh token from your cookie".
      const { answer, failures } = await call(
        {
          endpoint: 'refresh',
          label: 'session refresh',
          method: 'POST',
          path: PATHS.refresh,
          fetch: await jarFetch(jar),
          secrets: tokenSetSecrets(tokens),
          mayRotate: true,
        },
        ctx,
      );
      // Seed 000: 400 "No refresh token provided" / "Invalid token payload.", 401 "Failed To
      // Refresh The Session" / "Account is not activated.": each ends the session.
      throwUnlessSuccess(answer, failures, (status) =>
        status === 400 || status === 401 || status === 403 ? RefreshRejectedError : undefined,
      );
      parsed(failures, answer, () => parseRefresh(answer.json, answer.status));
      const result = await tokenSetFrom(jar, receivedAt, tokens.generation + 1, tokens);
      if (result === undefined) {
        // A 2xx without a new access cookie: TingTing acted, but we cannot use what it did.
        throw failures.malformed('wrong-shape', answer.status, 'without a new access cookie');
      }
      return result.tokens;
    },

    async profile(tokens: TokenSet, ctx: CallCtx): Promise<UpstreamProfile> {
      const jwt = tokens?.accessToken;
      const secrets = tokenSetSecrets(tokens);
      const keys = await call(
        {
          endpoint: 'getAPIToken',
          label: 'get API token',
          method: 'GET',
          path: PATHS.getAPIToken,
          authorization: `Bearer ${jwt}`,
          secrets,
        },
        ctx,
      );
      throwUnlessSuccess(keys.answer, keys.failures, accessRejected);
      const apiToken = parsed(keys.failures, keys.answer, () =>
        parseGetAPIToken(keys.answer.json, keys.answer.status),
      );
      if (apiToken === undefined) {
        // No API token. Generating one is a write the user did not ask for (and on an account
        // that had one, it revokes it): the profile is what the access JWT says.
        const subject = jwtSubject(jwt);
        const email = decodeJWTClaims(jwt)?.email;
        if (subject === undefined) {
          throw keys.failures.malformed(
            'wrong-shape',
            keys.answer.status,
            'with no API token, and the access JWT has no user_id (generate-api-keys is never called for a user)',
          );
        }
        return { subject, ...(typeof email === 'string' ? { email } : {}) };
      }
      const profile = await call(
        {
          endpoint: 'userProfile',
          label: 'user profile',
          method: 'GET',
          path: PATHS.userProfile,
          authorization: `Bearer ${apiToken.token}`,
          secrets: [...secrets, apiToken.token],
        },
        ctx,
      );
      throwUnlessSuccess(profile.answer, profile.failures, accessRejected);
      const user = parsed(profile.failures, profile.answer, () =>
        parseUserProfile(profile.answer.json, profile.answer.status),
      );
      const name = `${user.user.firstName} ${user.user.lastName}`.trim();
      return {
        subject: String(user.id),
        ...(user.user.username === '' ? {} : { username: user.user.username }),
        ...(user.user.email === '' ? {} : { email: user.user.email }),
        ...(name === '' ? {} : { name }),
      };
    },
  };
}

/** For read-only resource calls: 401/403 → `ACCESS_TOKEN_REJECTED`, other 4xx → bad request. */
function accessRejected(status: number): UpstreamStatusError | undefined {
  return status === 401 || status === 403 ? AccessTokenRejectedError : undefined;
}
