import Link from 'next/link';
import { redirect } from 'next/navigation';
import { callbackPath } from 'next-demo-shared/callback-path';
import { passwordErrorPath } from 'next-demo-shared/password-sign-in';
import type { ReactNode } from 'react';
import { SignInForm } from './sign-in-form';

export const dynamic = 'force-dynamic';

/**
 * `?error=` is set by next-auth when a sign-in fails without JavaScript (generic codes only); a
 * password sign-in's failure goes on to the password page (next-auth has one error page).
 */
export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ error?: string; callbackUrl?: string }>;
}): Promise<ReactNode> {
  const { error, callbackUrl } = await searchParams;
  const target = callbackPath(callbackUrl);
  const password = passwordErrorPath(error, target);
  if (password !== undefined) redirect(password);
  return (
    <>
      <h1>Sign in</h1>
      <SignInForm
        initialError={typeof error === 'string' ? error : undefined}
        callbackUrl={target}
      />
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
