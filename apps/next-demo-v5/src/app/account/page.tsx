import { getUpstreamAccessToken } from '@tingting-auth/next-auth/v5';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { AccountDetails } from 'next-demo-shared/account';
import { PasswordAccountDetails, readProfile } from 'next-demo-shared/password-account';
import { SessionList } from 'next-demo-shared/session-list';
import type { ReactNode } from 'react';
import { auth, authSecret } from '@/auth';
import { sessions } from '@/lib/sessions';
import { upstream } from '@/lib/upstream';
import { endAll, endOne } from './actions';
import { SignOutButton } from './sign-out-button';

export const dynamic = 'force-dynamic';

export default async function AccountPage(): Promise<ReactNode> {
  const session = await auth();
  // What `revocableSessions` adds: the provider id, and `error` when the upstream refused a refresh.
  const state = (session ?? {}) as { upstream?: string; error?: string };
  if (state.error === 'RefreshTokenError') redirect('/signin?error=SESSION_EXPIRED');
  if (session?.user && state.upstream === upstream.sessions.providerId) {
    // A password session: the profile comes from the upstream, read here with the session's
    // access token (refreshed when due; a Server Component cannot write cookies, and needs not).
    const profile = await readProfile(upstream, async () =>
      getUpstreamAccessToken({
        sessions: upstream.sessions,
        headers: await headers(),
        secret: authSecret,
      }),
    );
    if (!profile.ok && profile.reason === 'signed_out') redirect('/signin?error=SESSION_EXPIRED');
    const user = session.user as { id?: string; name?: string | null; email?: string | null };
    const subject = user.id ?? '';
    return (
      <PasswordAccountDetails
        upstream={upstream}
        // Timbr's tokens name the account by id only; the notes service and TingTing give more.
        account={user.email || user.name || `account ${subject}`}
        subject={subject}
        profile={profile}
      >
        <SignOutButton />
      </PasswordAccountDetails>
    );
  }
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
