/**
 * The upstream access token of the signed-in user, for server code (route handlers, Server
 * Components, server actions): the session cookie is decoded with next-auth's own `getToken`
 * (loaded on first use, so the entries import no next-auth at runtime), then the token comes from
 * the store (refreshed on demand, one refresh per session across requests and processes). No
 * cookie is written: the JWT holds only the session id, which never changes on rotation.
 */

import type { UpstreamSessions } from '@tingting-auth/core/upstream';

/** What `getUpstreamAccessToken` needs of an `UpstreamSessions`. */
export type UpstreamTokenSessions = Pick<UpstreamSessions, 'providerId' | 'getAccessToken'>;

/** Options of `getUpstreamAccessToken`. */
export interface UpstreamAccessTokenOptions {
  /** The sessions `UpstreamCredentials` signed in with: a session of another provider gives `null`. */
  sessions: UpstreamTokenSessions;
  /** The request's headers: `await headers()` from `next/headers`, or `request.headers`. */
  headers: Headers | Readonly<Record<string, string | string[] | undefined>>;
  /** The JWT secret. @default process.env.AUTH_SECRET ?? process.env.NEXTAUTH_SECRET */
  secret?: string;
  /**
   * Whether the session cookie is the `__Secure-` one (an https app). Unset: whichever of the two
   * the request carries, the `__Secure-` one first (browsers accept it only over https).
   */
  secureCookie?: boolean;
  /** The session cookie's name, when the app renamed it (`cookies.sessionToken.name`). */
  cookieName?: string;
  /** v5 only: the JWT salt. @default the cookie name, as Auth.js does */
  salt?: string;
  /**
   * The app's own `jwt.decode`, when its next-auth config replaced next-auth's encoding
   * (`jwt: { encode, decode }`): the session cookie is decoded with it, as next-auth does.
   * Without it such a cookie does not decode, and the answer is `null`. @default next-auth's
   */
  decode?: (params: { token?: string; secret: string; salt?: string }) => unknown;
}

/** next-auth's `getToken`, as both majors' `next-auth/jwt` export it. */
type GetToken = (params: {
  req: { headers: Headers; cookies?: Record<string, string> };
  secret: string;
  secureCookie?: boolean;
  cookieName?: string;
  salt?: string;
  decode?: UpstreamAccessTokenOptions['decode'];
  logger?: unknown;
}) => Promise<unknown>;

const field = (value: unknown, name: string): unknown =>
  value !== null && typeof value === 'object'
    ? (value as Record<string, unknown>)[name]
    : undefined;

/** Cookie header -> name/value pairs (values percent-decoded when they decode). */
function parseCookies(header: string | null): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index <= 0) continue;
    const name = part.slice(0, index).trim();
    let value = part.slice(index + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {}
    if (name !== '' && !(name in cookies)) cookies[name] = value;
  }
  return cookies;
}

const has = (cookies: Record<string, string>, name: string): boolean =>
  name in cookies || `${name}.0` in cookies;

/** A silent logger: a cookie that does not decode is `null`, not a log line. */
const quiet = { error() {}, warn() {}, debug() {} };

let loaded: Promise<GetToken> | undefined;

/** `getToken` from the app's `next-auth/jwt`, loaded once. */
function loadGetToken(): Promise<GetToken> {
  loaded ??= import('next-auth/jwt')
    .then((module: unknown) => {
      const getToken = field(module, 'getToken') ?? field(field(module, 'default'), 'getToken');
      if (typeof getToken !== 'function') {
        throw new TypeError("getUpstreamAccessToken: 'next-auth/jwt' has no getToken");
      }
      return getToken as GetToken;
    })
    .catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
  return loaded;
}

/**
 * The shared helper; `base` is the major's session cookie name (`next-auth.session-token` for v4,
 * `authjs.session-token` for v5), `salted` whether the major's `getToken` takes a salt.
 */
export async function upstreamAccessToken(
  caller: string,
  options: UpstreamAccessTokenOptions,
  base: string,
  salted: boolean,
): Promise<string | null> {
  const sessions = options?.sessions;
  if (typeof sessions?.getAccessToken !== 'function' || typeof sessions.providerId !== 'string') {
    throw new TypeError(`${caller}: \`sessions\` must be the UpstreamSessions of the provider`);
  }
  const given = options.headers;
  if (typeof given !== 'object' || given === null) {
    throw new TypeError(
      `${caller}: pass the request's \`headers\` (await headers(), request.headers)`,
    );
  }
  const env: Record<string, string | undefined> = typeof process === 'undefined' ? {} : process.env;
  const secret = options.secret ?? env.AUTH_SECRET ?? env.NEXTAUTH_SECRET;
  if (typeof secret !== 'string' || secret === '') {
    throw new TypeError(`${caller}: no secret: pass \`secret\` or set AUTH_SECRET`);
  }
  const headers =
    given instanceof Headers
      ? given
      : new Headers(
          Object.entries(given).flatMap(([name, value]) =>
            value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]],
          ) as [string, string][],
        );
  const decode = options.decode;
  if (decode !== undefined && typeof decode !== 'function') {
    throw new TypeError(`${caller}: \`decode\` must be a function (your jwt.decode)`);
  }
  const cookies = parseCookies(headers.get('cookie'));
  let secureCookie = options.secureCookie;
  let cookieName = options.cookieName;
  if (cookieName === undefined) {
    secureCookie ??= has(cookies, `__Secure-${base}`) || !has(cookies, base);
    cookieName = secureCookie ? `__Secure-${base}` : base;
  }
  const getToken = await loadGetToken();
  const token = await getToken({
    req: { headers, cookies },
    secret,
    cookieName,
    ...(secureCookie === undefined ? {} : { secureCookie }),
    ...(salted ? { salt: options.salt ?? cookieName } : {}),
    ...(decode === undefined ? {} : { decode }),
    logger: quiet,
  });
  const sid = field(token, 'sid');
  // No cookie, a cookie that does not decode, an ended session, another provider's session.
  if (typeof sid !== 'string' || field(token, 'upstream') !== sessions.providerId) return null;
  try {
    return await sessions.getAccessToken(sid);
  } catch (error) {
    // The session is over (signed out, refresh refused): no token. An outage rethrows (503).
    if (field(error, 'code') === 'SESSION_EXPIRED') return null;
    throw error;
  }
}
