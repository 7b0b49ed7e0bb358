import { revocableSessions, TingTing, UpstreamCredentials } from '@tingting-auth/next-auth/v5';
import NextAuth, { CredentialsSignin } from 'next-auth';
import { noticeOnce } from 'next-demo-shared/otp';
import { demo } from '@/lib/otp';
import { sessions } from '@/lib/sessions';
import { upstream } from '@/lib/upstream';

const DEV_AUTH_SECRET = 'next-demo-v5-dev-only-auth-secret-change-me';

if (!process.env.AUTH_SECRET) {
  noticeOnce(
    '[next-demo-v5] AUTH_SECRET is not set: using a development secret. Set it in production.',
  );
}

/** The JWT secret, for the server code that decodes the session cookie itself. */
export const authSecret: string = process.env.AUTH_SECRET ?? DEV_AUTH_SECRET;

/**
 * The demo's next-auth v5 configuration: phone sign-in and password sign-in (against the
 * upstream). `CredentialsSignin` comes from this app's own `next-auth`, so sign-in failures keep
 * their generic code. Phone and password sessions are both revocable, each under its provider id.
 */
export const { handlers, auth, signOut } = NextAuth({
  providers: [
    TingTing({
      engine: demo.getEngine,
      CredentialsSignin,
      trustProxy: process.env.TRUST_PROXY === '1',
      sessions, // revocable: sign-out ends the session for every copy of the cookie
    }),
    UpstreamCredentials({
      sessions: upstream.sessions,
      CredentialsSignin,
      trustProxy: process.env.TRUST_PROXY === '1',
    }),
  ],
  session: { strategy: 'jwt', maxAge: 60 * 60 * 24 },
  secret: authSecret,
  trustHost: true,
  pages: { signIn: '/signin', error: '/signin' },
  ...revocableSessions([sessions, upstream.sessions]),
  logger: {
    // Auth.js logs every refused sign-in with a stack trace; a wrong code is not a server error.
    error(error) {
      if (error instanceof CredentialsSignin) console.warn(`[auth] sign-in refused: ${error.code}`);
      else console.error(error);
    },
  },
});
