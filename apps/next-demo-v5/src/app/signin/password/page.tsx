import { cookies } from 'next/headers';
import { callbackPath } from 'next-demo-shared/callback-path';
import { csrfTokenOf, PasswordSignIn } from 'next-demo-shared/password-sign-in';
import type { ReactNode } from 'react';
import { upstream } from '@/lib/upstream';

export const dynamic = 'force-dynamic';

/**
 * "Sign in with a password": a plain form post to Auth.js's callback (works without JavaScript).
 * A failure comes back through `/signin` as `?error=CredentialsSignin&code=CODE` (v5).
 */
export default async function PasswordSignInPage({
  searchParams,
}: {
  searchParams: Promise<{ error?: string; code?: string; callbackUrl?: string }>;
}): Promise<ReactNode> {
  const { error, code, callbackUrl } = await searchParams;
  const target = callbackPath(callbackUrl);
  const failure = typeof code === 'string' ? code : typeof error === 'string' ? error : undefined;
  return (
    <PasswordSignIn
      action="/api/auth/callback/upstream"
      csrfToken={csrfTokenOf((await cookies()).getAll())}
      callbackUrl={target}
      upstream={upstream}
      demoAccount={upstream.demoAccount}
      error={failure}
      phoneHref={`/signin?${new URLSearchParams({ callbackUrl: target })}`}
    />
  );
}
