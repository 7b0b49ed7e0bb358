import Link from 'next/link';
import type { ReactNode } from 'react';

/** The demos' home page. */
export function HomePage(): ReactNode {
  return (
    <>
      <h1>TingTing sign-in demo</h1>
      <p>
        Sign in with your mobile number and a one-time code sent by SMS or a voice call, or with a
        password checked by an upstream account service.
      </p>
      <p>
        <Link href="/signin">Sign in</Link> ·{' '}
        <Link href="/signin/password" prefetch={false}>
          Sign in with a password
        </Link>{' '}
        · <Link href="/account">Your account</Link>
      </p>
    </>
  );
}
