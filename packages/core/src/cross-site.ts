/**
 * The cross-site request check every adapter runs before it sends a code or spends an attempt.
 *
 * @packageDocumentation
 */

/**
 * Request headers as Node gives them (`req.headers`, lower-case keys) or as the Fetch API does
 * (a `Headers` object).
 */
export type RequestHeaders =
  | { get(name: string): string | null }
  | { readonly [name: string]: string | readonly string[] | undefined };

/** Options of {@link isCrossSiteRequest}. */
export interface CrossSiteOptions {
  /**
   * Other origins allowed to post, compared exactly with the `Origin` header
   * (`scheme://host[:port]`, as browsers send it). @default none
   */
  allowedOrigins?: ReadonlySet<string> | readonly string[];
  /**
   * Accept requests with neither `Origin` nor `Sec-Fetch-Site` (curl, server-to-server). Browsers
   * send one of them on every cross-site POST, so these requests cannot be cross-site forgeries.
   * @default true
   */
  allowRequestsWithoutOrigin?: boolean;
  /**
   * Count `X-Forwarded-Host` as one of the app's own hosts. A browser cannot set it on a
   * cross-site request without a CORS preflight the app does not answer, so it is safe to trust
   * for this check even without a proxy. @default true
   */
  trustForwardedHost?: boolean;
  /** More hosts (`host[:port]`) that are the app's own, besides the `Host` header. @default none */
  hosts?: readonly string[];
}

/** One header (lower-case `name`) from Node's `req.headers` or a Fetch `Headers`; the first of a list. */
export function headerOf(headers: RequestHeaders, name: string): string | undefined {
  if (typeof headers.get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const value = (headers as { readonly [name: string]: string | readonly string[] | undefined })[
    name
  ];
  return typeof value === 'string' ? value : value?.[0];
}

function includes(list: ReadonlySet<string> | readonly string[], value: string): boolean {
  return 'has' in list ? list.has(value) : list.includes(value);
}

/**
 * `true` when a browser sent this request from another site.
 *
 * Browsers send `Sec-Fetch-Site` (all current ones) or at least `Origin` on every cross-site POST,
 * and a page cannot forge either. Only the host is compared with `Origin`, not the scheme: behind a
 * TLS-terminating proxy without `trust proxy`, the app sees `http` while the browser says `https`.
 *
 * Takes anything with `headers`: a Node `IncomingMessage` (Express, Passport) or a Fetch `Request`.
 *
 * @example
 * ```ts
 * if (isCrossSiteRequest(req, { allowedOrigins: ['https://app.example.com'] })) refuse(403);
 * ```
 * @see https://developer.mozilla.org/docs/Web/HTTP/Headers/Sec-Fetch-Site
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html
 */
export function isCrossSiteRequest(
  request: { readonly headers: RequestHeaders },
  options: CrossSiteOptions = {},
): boolean {
  const headers = request.headers;
  const origin = headerOf(headers, 'origin');
  const allowed = options.allowedOrigins;
  if (origin !== undefined && allowed !== undefined && includes(allowed, origin)) return false;
  const site = headerOf(headers, 'sec-fetch-site');
  if (site !== undefined) return site !== 'same-origin' && site !== 'none';
  if (origin === undefined) return options.allowRequestsWithoutOrigin === false;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    // `Origin: null` (sandboxed frames, some redirects) and garbage.
    return true;
  }
  if (host === headerOf(headers, 'host')) return false;
  if (options.trustForwardedHost !== false) {
    const forwarded = headerOf(headers, 'x-forwarded-host')?.split(',')[0]?.trim();
    if (host === forwarded) return false;
  }
  return options.hosts === undefined || !options.hosts.includes(host);
}
