/**
 * `upstreamFetch`: a `fetch` for one session that presents its upstream credentials (a Bearer
 * token, or TingTing's cookies) and, on a 401, refreshes once and retries idempotent requests.
 * What adapters hand to route code (`req.upstream.fetch` in Express and Passport).
 *
 * @packageDocumentation
 */

import type { CookieJar } from 'tough-cookie';
import type { TokenSet } from './types.js';

/** What {@link upstreamFetch} needs of `UpstreamSessions`. */
export interface UpstreamFetchSessions {
  getTokens(sid: string, options?: { rejected?: TokenSet }): Promise<TokenSet>;
}

/** Options of {@link upstreamFetch}. */
export interface UpstreamFetchOptions {
  /**
   * The upstream API's origin (and base path): relative URLs resolve against it, and a URL on any
   * other origin is refused with a `TypeError` before anything is sent, so the session's
   * credentials only ever go to the upstream.
   */
  baseURL: string | URL;
  /** The fetch to call. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** A `fetch` bound to one session (see {@link upstreamFetch}). */
export type UpstreamFetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** RFC 9110 §9.2.2: a repeat has the same effect, so a 401 may be retried with new tokens. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

let toughCookie: Promise<typeof import('tough-cookie')> | undefined;

/** tough-cookie, on the first cookie-based call only (Timbr and notes apps never load it). */
function loadToughCookie(): Promise<typeof import('tough-cookie')> {
  toughCookie ??= import('tough-cookie');
  toughCookie.catch(() => {
    toughCookie = undefined;
  });
  return toughCookie;
}

/** The `Cookie` header the session's jar sends to `url` (its domain, path and `Secure` rules). */
async function cookieHeaderOf(tokens: TokenSet, url: URL): Promise<string | undefined> {
  if (tokens.cookies === undefined) return undefined;
  const { CookieJar: Jar } = await loadToughCookie();
  const jar: CookieJar = await Jar.deserialize(tokens.cookies as never);
  // `expire: false`: the upstream judges expiry; our clock may be a test's fake one.
  const header = await jar.getCookieString(url.href, { expire: false });
  return header === '' ? undefined : header;
}

/** The upstream's base URL, checked once: http(s) only. */
function baseOf(value: unknown): URL {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' || value instanceof URL ? new URL(value) : undefined;
  } catch {}
  if (url === undefined || !/^https?:$/.test(url.protocol)) {
    // Never the value itself: a configured URL may carry credentials (`ftp://user:pass@…`).
    const got =
      url !== undefined
        ? `a URL with protocol ${JSON.stringify(url.protocol)}`
        : typeof value === 'string'
          ? 'a string that is not a URL'
          : typeof value;
    throw new TypeError(
      `upstreamFetch: baseURL must be the upstream API's http(s) URL, got ${got}`,
    );
  }
  return url;
}

/**
 * A `fetch` for session `sid`. Each call takes the session's current tokens (one store read while
 * fresh, a single-flight refresh near expiry), adds them (`Authorization: Bearer …`, or the
 * `Cookie` header of TingTing's jar), and sends the request with `redirect: 'manual'` unless the
 * caller chose otherwise (credentials never follow a redirect on their own). On a 401 it refreshes
 * once (`getTokens(sid, { rejected })`) and retries the request when its method is idempotent and
 * its body can be sent again; otherwise the 401 is returned (the next call has the new tokens).
 *
 * Rejects with the errors of `getTokens` (`SessionExpiredError`, `SessionUnavailableError`, a store
 * error), and with a `TypeError` for a URL outside `baseURL`'s origin.
 *
 * @example
 * ```ts
 * const api = upstreamFetch(sessions, sid, { baseURL: 'https://notes.example.com' });
 * const me = await (await api('/auth/user')).json();
 * ```
 */
export function upstreamFetch(
  sessions: UpstreamFetchSessions,
  sid: string,
  options: UpstreamFetchOptions,
): UpstreamFetch {
  if (typeof sessions?.getTokens !== 'function') {
    throw new TypeError('upstreamFetch: sessions must be an UpstreamSessions');
  }
  const base = baseOf(options?.baseURL);
  const send = options.fetch ?? globalThis.fetch;
  if (typeof send !== 'function') throw new TypeError('upstreamFetch: fetch must be a function');

  const present = async (tokens: TokenSet, url: URL, init: RequestInit): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (tokens.tokenType === 'Cookie') {
      const cookie = await cookieHeaderOf(tokens, url);
      if (cookie !== undefined) headers.set('cookie', cookie);
    } else {
      headers.set('authorization', `Bearer ${tokens.accessToken}`);
    }
    return send(url, { ...init, headers, redirect: init.redirect ?? 'manual' });
  };

  return async (input, init = {}) => {
    let url: URL;
    try {
      url = new URL(input, base);
    } catch {
      throw new TypeError('upstreamFetch: not a URL');
    }
    if (url.origin !== base.origin) {
      throw new TypeError(
        `upstreamFetch: ${url.origin} is not the upstream (${base.origin}); the session's credentials go nowhere else`,
      );
    }
    const tokens = await sessions.getTokens(sid);
    const response = await present(tokens, url, init);
    if (response.status !== 401) return response;
    const method = (init.method ?? 'GET').toUpperCase();
    const replayable =
      IDEMPOTENT.has(method) &&
      (init.body === undefined ||
        init.body === null ||
        typeof (init.body as ReadableStream).getReader !== 'function');
    const fresh = await sessions.getTokens(sid, { rejected: tokens });
    if (!replayable || fresh.generation === tokens.generation) return response;
    await response.body?.cancel().catch(() => {});
    return present(fresh, url, init);
  };
}
