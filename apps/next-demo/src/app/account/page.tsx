import { redirect } from 'next/navigation';
import { getServerSession } from 'next-auth';
import type { ReactNode } from 'react';
import { authOptions } from '@/auth';
import { SignOutButton } from './sign-out-button';

export const dynamic = 'force-dynamic';

export default async function AccountPage(): Promise<ReactNode> {
  const session = await getServerSession(authOptions);
  if (!session?.user?.phone) redirect('/signin?callbackUrl=/account');
  return (
    <>
      <h1>Your account</h1>
      <p>
        Signed in as <strong data-testid="session-phone">{session.user.phone}</strong>
      </p>
      <pre>{JSON.stringify({ user: session.user, expires: session.expires }, null, 2)}</pre>
      <SignOutButton />
    </>
  );
}
