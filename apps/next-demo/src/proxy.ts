import { type NextRequest, NextResponse } from 'next/server';
import { getToken } from 'next-auth/jwt';
import { withCSRFCookie } from 'next-demo-shared/csrf-cookie';
import { nextAuthSecret } from '@/auth';

/**
 * Next.js 16's proxy (formerly middleware):
 * - `/api/upstream/*` answers 401 without a signed-in session, before the route handler runs
 *   (the handler still checks the session in the store: the JWT alone may outlive a sign-out);
 * - `/signin/password` gets next-auth's CSRF cookie first, so its plain HTML form works without
 *   JavaScript.
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  if (request.nextUrl.pathname.startsWith('/api/upstream/')) {
    const token = await getToken({ req: request, secret: nextAuthSecret });
    if (typeof token?.sid !== 'string') {
      return NextResponse.json(
        { error: { code: 'SESSION_EXPIRED', message: 'Sign in first.' } },
        { status: 401, headers: { 'cache-control': 'no-store' } },
      );
    }
    return NextResponse.next();
  }
  return withCSRFCookie(request);
}

export const config = { matcher: ['/signin/password', '/api/upstream/:path*'] };
