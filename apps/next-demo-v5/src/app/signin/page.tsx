import { callbackPath } from 'next-demo-shared/callback-path';
import type { ReactNode } from 'react';
import { SignInForm } from './sign-in-form';

export const dynamic = 'force-dynamic';

/** `?error=CredentialsSignin&code=CODE` is set by Auth.js when a sign-in fails without JavaScript. */
export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ error?: string; code?: string; callbackUrl?: string }>;
}): Promise<ReactNode> {
  const { error, code, callbackUrl } = await searchParams;
  return (
    <>
      <h1>Sign in</h1>
      <SignInForm
        initialError={
          typeof code === 'string' ? code : typeof error === 'string' ? error : undefined
        }
        callbackUrl={callbackPath(callbackUrl)}
      />
    </>
  );
}
