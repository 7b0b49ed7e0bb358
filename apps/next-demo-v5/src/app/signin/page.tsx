import Link from 'next/link';
import { redirect } from 'next/navigation';
import { callbackPath } from 'next-demo-shared/callback-path';
import { passwordErrorPath } from 'next-demo-shared/password-sign-in';
import type { ReactNode } from 'react';
import { SignInForm } from './sign-in-form';

export const dynamic = 'force-dynamic';

/**
 * `?error=CredentialsSignin&code=CODE` is set by Auth.js when a sign-in fails without JavaScript;
 * a password sign-in's failure goes on to the password page (Auth.js has one sign-in page).
 */
export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ error?: string; code?: string; callbackUrl?: string }>;
}): Promise<ReactNode> {
  const { error, code, callbackUrl } = await searchParams;
  const target = callbackPath(callbackUrl);
  const failure = typeof code === 'string' ? code : typeof error === 'string' ? error : undefined;
  const password = passwordErrorPath(failure, target);
  if (password !== undefined) redirect(password);
  return (
    <>
      <h1>Sign in</h1>
      <SignInForm initialError={failure} callbackUrl={target} />
      <p className="hint">
        {/* No prefetch: the password page's proxy sets next-auth's CSRF cookie, which a prefetch
            racing the phone form's own CSRF request would replace. */}
        <Link
          href={`/signin/password?${new URLSearchParams({ callbackUrl: target })}`}
          prefetch={false}
        >
          Sign in with a password
        </Link>
      </p>
    </>
  );
}
