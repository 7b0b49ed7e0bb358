import type { IncomingMessage } from 'node:http';

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * `true` when a browser sent this request from another site.
 *
 * Browsers send `Sec-Fetch-Site` (all current ones) or at least `Origin` on every cross-site POST,
 * and a page cannot forge either. Only the host is compared with `Origin`, not the scheme: behind a
 * TLS-terminating proxy without `trust proxy`, the app sees `http` while the browser says `https`.
 * `X-Forwarded-Host` is accepted as the app's host too: a browser cannot set it on a cross-site
 * request without a CORS preflight that the app does not answer.
 *
 * @see https://developer.mozilla.org/docs/Web/HTTP/Headers/Sec-Fetch-Site
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html
 */
export function isCrossSiteRequest(
  req: IncomingMessage,
  allowedOrigins: ReadonlySet<string>,
  allowRequestsWithoutOrigin: boolean,
): boolean {
  const origin = header(req, 'origin');
  if (origin !== undefined && allowedOrigins.has(origin)) return false;
  const site = header(req, 'sec-fetch-site');
  if (site !== undefined) return site !== 'same-origin' && site !== 'none';
  if (origin === undefined) return !allowRequestsWithoutOrigin;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    // `Origin: null` (sandboxed frames, some redirects) and garbage.
    return true;
  }
  const own = header(req, 'host');
  const forwarded = header(req, 'x-forwarded-host')?.split(',')[0]?.trim();
  return host !== own && host !== forwarded;
}
