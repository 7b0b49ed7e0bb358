import { type NextFetchEvent, type NextRequest, NextResponse } from 'next/server';
import { withCSRFCookie } from 'next-demo-shared/csrf-cookie';
import { auth } from '@/auth';

/**
 * `/api/upstream/*` through Auth.js's `auth` (which runs the `jwt` callback, so an ended session is
 * refused here already): 401 without a signed-in session, before the route handler runs.
 */
const guardUpstreamAPI = auth((request) => {
  if (!request.auth) {
    return NextResponse.json(
      { error: { code: 'SESSION_EXPIRED', message: 'Sign in first.' } },
      { status: 401, headers: { 'cache-control': 'no-store' } },
    );
  }
  return NextResponse.next();
}) as unknown as (request: NextRequest, event: NextFetchEvent) => Promise<Response | undefined>;

/**
 * Next.js 16's proxy (formerly middleware): guards `/api/upstream/*`, and gives
 * `/signin/password` Auth.js's CSRF cookie before it renders, so its plain HTML form works without
 * JavaScript. Not through `auth` there: it would set a second, different CSRF cookie.
 */
export async function proxy(request: NextRequest, event: NextFetchEvent): Promise<Response> {
  if (request.nextUrl.pathname.startsWith('/api/upstream/')) {
    return (await guardUpstreamAPI(request, event)) ?? NextResponse.next();
  }
  return withCSRFCookie(request);
}

export const config = { matcher: ['/signin/password', '/api/upstream/:path*'] };
