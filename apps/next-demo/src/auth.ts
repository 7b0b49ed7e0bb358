import { revocableSessions, TingTing, UpstreamCredentials } from '@tingting-auth/next-auth';
import type { NextAuthOptions } from 'next-auth';
import { noticeOnce } from 'next-demo-shared/otp';
import { demo } from '@/lib/otp';
import { sessions } from '@/lib/sessions';
import { upstream } from '@/lib/upstream';

const DEV_NEXTAUTH_SECRET = 'next-demo-dev-only-nextauth-secret-change-me';

if (!process.env.NEXTAUTH_SECRET) {
  noticeOnce(
    '[next-demo] NEXTAUTH_SECRET is not set: using a development secret. Set it in production.',
  );
}
// next-auth v4 builds its URLs from NEXTAUTH_URL; default it to the port `next start` uses.
process.env.NEXTAUTH_URL ??= `http://localhost:${process.env.PORT ?? 3002}`;

/** The JWT secret, for the server code that decodes the session cookie itself. */
export const nextAuthSecret: string = process.env.NEXTAUTH_SECRET ?? DEV_NEXTAUTH_SECRET;

// Phone sessions and password sessions: each `UpstreamSessions` names its own provider id.
const revocable = revocableSessions([sessions, upstream.sessions]);

/**
 * The demo's next-auth v4 configuration: phone sign-in and password sign-in (against the
 * upstream), JWT sessions that name a revocable session (sign-out ends it for every copy of the
 * cookie); the upstream tokens stay server-side.
 */
export const authOptions: NextAuthOptions = {
  providers: [
    TingTing({
      engine: demo.getEngine,
      trustProxy: process.env.TRUST_PROXY === '1',
      sessions,
    }),
    UpstreamCredentials({
      sessions: upstream.sessions,
      trustProxy: process.env.TRUST_PROXY === '1',
    }),
  ],
  session: { strategy: 'jwt', maxAge: 60 * 60 * 24 },
  secret: nextAuthSecret,
  pages: { signIn: '/signin', error: '/signin' },
  callbacks: revocable.callbacks,
  events: revocable.events,
};
