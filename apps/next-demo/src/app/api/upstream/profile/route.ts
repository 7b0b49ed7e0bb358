import { getUpstreamAccessToken } from '@tingting-auth/next-auth';
import { upstreamProfileResponse } from 'next-demo-shared/password-account';
import { nextAuthSecret } from '@/auth';
import { upstream } from '@/lib/upstream';

export const dynamic = 'force-dynamic';

/**
 * The signed-in account's upstream profile as JSON, behind `src/proxy.ts`: the upstream token is
 * read (and rotated when due) here, in a route handler, as the account page does in a Server
 * Component. 401 `SESSION_EXPIRED` without a password session, 503 on an upstream outage.
 */
export function GET(request: Request): Promise<Response> {
  return upstreamProfileResponse(upstream, () =>
    getUpstreamAccessToken({
      sessions: upstream.sessions,
      headers: request.headers,
      secret: nextAuthSecret,
    }),
  );
}
