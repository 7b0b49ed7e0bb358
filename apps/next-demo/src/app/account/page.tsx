import { redirect } from 'next/navigation';
import { getServerSession } from 'next-auth';
import { AccountDetails } from 'next-demo-shared/account';
import type { ReactNode } from 'react';
import { authOptions } from '@/auth';
import { SignOutButton } from './sign-out-button';

export const dynamic = 'force-dynamic';

export default async function AccountPage(): Promise<ReactNode> {
  const session = await getServerSession(authOptions);
  if (!session?.user?.phone) redirect('/signin?callbackUrl=/account');
  return (
    <AccountDetails phone={session.user.phone} session={session}>
      <SignOutButton />
    </AccountDetails>
  );
}
