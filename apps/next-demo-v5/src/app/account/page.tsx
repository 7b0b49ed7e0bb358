import { redirect } from 'next/navigation';
import { AccountDetails } from 'next-demo-shared/account';
import type { ReactNode } from 'react';
import { auth } from '@/auth';
import { SignOutButton } from './sign-out-button';

export const dynamic = 'force-dynamic';

export default async function AccountPage(): Promise<ReactNode> {
  const session = await auth();
  const phone = (session?.user as { phone?: string } | undefined)?.phone;
  if (!session || !phone) redirect('/signin?callbackUrl=/account');
  return (
    <AccountDetails phone={phone} session={session}>
      <SignOutButton />
    </AccountDetails>
  );
}
