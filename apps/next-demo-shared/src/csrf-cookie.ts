/**
 * For the app's proxy: make sure next-auth's CSRF cookie is there before the password sign-in page
 * renders, so the page's plain HTML form (no JavaScript) can carry the token. A Server Component
 * cannot set a cookie; the proxy can. The cookie comes from next-auth's own `/api/auth/csrf`, so
 * its name, format and signature stay next-auth's (v4 and v5 alike).
 */

import { type NextRequest, NextResponse } from 'next/server';

const CSRF_COOKIE = /(^|[.-])csrf-token$/;

/** Continue `request`, with next-auth's CSRF cookie added to it and to the browser when missing. */
export async function withCSRFCookie(
  request: NextRequest,
  authBasePath = '/api/auth',
): Promise<NextResponse> {
  if (request.cookies.getAll().some((cookie) => CSRF_COOKIE.test(cookie.name))) {
    return NextResponse.next();
  }
  let lines: string[] = [];
  try {
    const answer = await fetch(new URL(`${authBasePath}/csrf`, request.nextUrl.origin), {
      headers: { accept: 'application/json' },
      cache: 'no-store',
      // Never hang the page on it: without the cookie the form still renders (and is refused).
      signal: AbortSignal.timeout(5_000),
    });
    await answer.text();
    lines = answer.headers
      .getSetCookie()
      .filter((line) => CSRF_COOKIE.test(line.slice(0, line.indexOf('=')).trim()));
  } catch {
    // next-auth did not answer: the page renders without a token and next-auth refuses the post.
  }
  const [line] = lines;
  if (line === undefined) return NextResponse.next();
  const pair = line.split(';', 1)[0] ?? '';
  const headers = new Headers(request.headers);
  headers.set('cookie', [request.headers.get('cookie'), pair].filter(Boolean).join('; '));
  const response = NextResponse.next({ request: { headers } });
  response.headers.append('set-cookie', line);
  return response;
}
