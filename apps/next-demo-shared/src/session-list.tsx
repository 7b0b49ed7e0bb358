import type { SessionInfo } from '@tingting-auth/core/upstream';
import type { ReactNode } from 'react';

const when = (at: number): string => new Date(at).toISOString().replace('T', ' ').slice(0, 16);

/**
 * The number's active sessions (device, when, where from), each with "Sign out this one", and
 * "Sign out everywhere". The actions are the app's server actions (they read its own session).
 */
export function SessionList({
  sessions,
  currentId,
  endOne,
  endAll,
}: {
  sessions: readonly SessionInfo[];
  /** The public id of the session this page was loaded with. */
  currentId: string | undefined;
  endOne: (form: FormData) => Promise<void>;
  endAll: () => Promise<void>;
}): ReactNode {
  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Where you are signed in</h2>
      <ul data-testid="session-list">
        {sessions.map((s) => (
          <li key={s.id} data-session-id={s.id}>
            <strong>{s.userAgent ?? 'Unknown device'}</strong>
            {s.id === currentId ? ' (this device)' : ''}
            <br />
            Signed in {when(s.createdAt)} UTC, last seen {when(s.lastSeenAt)} UTC
            {s.ip ? `, from ${s.ip}` : ''}
            <form action={endOne}>
              <input type="hidden" name="id" value={s.id} />
              <button type="submit">Sign out this one</button>
            </form>
          </li>
        ))}
      </ul>
      <form action={endAll}>
        <button type="submit">Sign out everywhere</button>
      </form>
    </section>
  );
}
