import type { TingTingSessionUser } from '@tingting-auth/next-auth';
import type { DefaultSession } from 'next-auth';

// @tingting-auth/next-auth declares this itself, for the `next-auth` it resolves. In this
// workspace that is the package's own dev copy of next-auth, not this app's, so the app repeats
// the declaration (the same type, so the two merge wherever they meet one copy).
declare module 'next-auth' {
  interface Session {
    user?: DefaultSession['user'] & TingTingSessionUser;
  }
}
