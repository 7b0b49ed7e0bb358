import { callbackPath } from 'next-demo-shared/callback-path';
import type { ReactNode } from 'react';
import { SignInForm } from './sign-in-form';

export const dynamic = 'force-dynamic';

/** `?error=` is set by next-auth when a sign-in fails without JavaScript (generic codes only). */
export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ error?: string; callbackUrl?: string }>;
}): Promise<ReactNode> {
  const { error, callbackUrl } = await searchParams;
  return (
    <>
      <h1>Sign in</h1>
      <SignInForm
        initialError={typeof error === 'string' ? error : undefined}
        callbackUrl={callbackPath(callbackUrl)}
      />
    </>
  );
}
