import type { ReactNode } from 'react';

/** The account page's body, once the app has read its session (v4 and v5 read it differently). */
export function AccountDetails({
  phone,
  session,
  children,
}: {
  /** The signed-in number (E.164), from the session. */
  phone: string;
  /** The session as next-auth returned it, shown as JSON. */
  session: { user?: unknown; expires: string };
  /** The app's sign-out button. */
  children: ReactNode;
}): ReactNode {
  return (
    <>
      <h1>Your account</h1>
      <p>
        Signed in as <strong data-testid="session-phone">{phone}</strong>
      </p>
      <pre>{JSON.stringify({ user: session.user, expires: session.expires }, null, 2)}</pre>
      {children}
    </>
  );
}
