import { redirect } from 'next/navigation';
import { getServerSession } from 'next-auth';
import { AccountDetails } from 'next-demo-shared/account';
import { SessionList } from 'next-demo-shared/session-list';
import type { ReactNode } from 'react';
import { authOptions } from '@/auth';
import { sessions } from '@/lib/sessions';
import { endAll, endOne } from './actions';
import { SignOutButton } from './sign-out-button';

export const dynamic = 'force-dynamic';

export default async function AccountPage(): Promise<ReactNode> {
  const session = await getServerSession(authOptions);
  if (!session?.user?.phone) redirect('/signin?callbackUrl=/account');
  const phone = session.user.phone;
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
