import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { auth } from '@/auth';
import { SignOutButton } from './sign-out-button';

export const dynamic = 'force-dynamic';

export default async function AccountPage(): Promise<ReactNode> {
  const session = await auth();
  const phone = (session?.user as { phone?: string } | undefined)?.phone;
  if (!session || !phone) redirect('/signin?callbackUrl=/account');
  return (
    <>
      <h1>Your account</h1>
      <p>
        Signed in as <strong data-testid="session-phone">{phone}</strong>
      </p>
      <pre>{JSON.stringify({ user: session.user, expires: session.expires }, null, 2)}</pre>
      <SignOutButton />
    </>
  );
}
