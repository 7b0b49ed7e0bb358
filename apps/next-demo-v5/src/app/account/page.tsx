import { redirect } from 'next/navigation';
import { AccountDetails } from 'next-demo-shared/account';
import { SessionList } from 'next-demo-shared/session-list';
import type { ReactNode } from 'react';
import { auth } from '@/auth';
import { sessions } from '@/lib/sessions';
import { endAll, endOne } from './actions';
import { SignOutButton } from './sign-out-button';

export const dynamic = 'force-dynamic';

export default async function AccountPage(): Promise<ReactNode> {
  const session = await auth();
  const phone = (session?.user as { phone?: string } | undefined)?.phone;
  if (!session || !phone) redirect('/signin?callbackUrl=/account');
  const currentId = (session as { sessionId?: string }).sessionId;
  return (
    <>
      <AccountDetails phone={phone} session={session}>
        <SignOutButton />
      </AccountDetails>
      <SessionList
        sessions={await sessions.list(phone)}
        currentId={currentId}
        endOne={endOne}
        endAll={endAll}
      />
    </>
  );
}
