/**
 * Revocable sessions: the JWT carries a session id of core's `UpstreamSessions` (the mechanism
 * password sign-in uses), and the `jwt` callback checks it on every request, so sign-out, "sign
 * out everywhere" and ending a session by id take effect at once, for every copy of the cookie.
 */

import type { RequestHeaders } from '@tingting-auth/core';
import type { UpstreamSessions } from '@tingting-auth/core/upstream';
import { redirect, jwt as statelessJWT, session as statelessSession } from './callbacks.js';

/** What the provider and the callbacks use of an `UpstreamSessions`. */
export type RevocableSessionsStore = Pick<UpstreamSessions, 'create' | 'status' | 'end'>;

/**
 * What `revocableSessions` returns, to spread into the config; `Ended` is what the `jwt` callback
 * answers for an ended session besides a token (v5: `null`; v4: `never`, it answers a token).
 */
export interface RevocableSessionsConfig<Ended = null> {
  /** `jwt` (one `sessions.status(sid)` per request), `session`, `redirect`. */
  callbacks: {
    jwt: <T extends object>(params: { token: T; user?: unknown }) => Promise<T | Ended>;
    session: <S extends object>(params: { session: S; token?: unknown }) => S;
    redirect: typeof redirect;
  };
  /** `signOut` ends the session in the store: every copy of the cookie is refused after it. */
  events: { signOut: (message: { token?: unknown } | object) => Promise<void> };
}

const field = (value: unknown, name: string): unknown =>
  value !== null && typeof value === 'object'
    ? (value as Record<string, unknown>)[name]
    : undefined;

function header(headers: RequestHeaders, name: string): string | undefined {
  const value =
    typeof headers.get === 'function'
      ? (headers as { get(name: string): string | null }).get(name)
      : (headers as Record<string, unknown>)[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The public id of the session a token names, for the session callback (never stored). */
const PUBLIC_ID = Symbol('tingting-auth.session-id');

/** Start a session for a verified number; the session id goes to the `jwt` callback on `user`. */
export async function startSession(
  sessions: RevocableSessionsStore,
  subject: string,
  headers: RequestHeaders,
  ip: string | undefined,
): Promise<string> {
  const userAgent = header(headers, 'user-agent');
  const created = await sessions.create({
    subject,
    ...(userAgent === undefined ? {} : { userAgent }),
    ...(ip === undefined ? {} : { ip }),
  });
  return created.sid;
}

/**
 * The callbacks and events that make sessions revocable; `ended` is what each major's `jwt`
 * callback answers for a session that is over (v5: `null`; v4: a token the session callback empties).
 */
export function createRevocableSessions<Ended>(
  sessions: RevocableSessionsStore,
  ended: <T extends object>(token: T) => T | Ended,
  endedSession: <S extends object>(session: S) => S,
): RevocableSessionsConfig<Ended> {
  if (typeof sessions?.status !== 'function' || typeof sessions.end !== 'function') {
    throw new TypeError('revocableSessions: pass an UpstreamSessions (status, end, create)');
  }
  return {
    callbacks: {
      async jwt({ token, user }) {
        if (user !== undefined) {
          const sid = field(user, 'sid');
          if (typeof sid !== 'string') return ended(token);
          // Only what names the session: no profile data to go stale in a cookie.
          const claims = statelessJWT({ token: { sub: field(token, 'sub') }, user });
          return { ...claims, sid } as unknown as typeof token;
        }
        const sid = field(token, 'sid');
        // No session id (ended before, or minted while revocation was off): nothing to check.
        if (typeof sid !== 'string') return ended(token);
        const status = await sessions.status(sid);
        if (!status.active) return ended(token);
        // Non-enumerable: the session callback sees it; the encoded JWT does not carry it.
        Object.defineProperty(token, PUBLIC_ID, { value: status.id, enumerable: false });
        return token;
      },
      session({ session, token }) {
        if (token === null || token === undefined || field(token, 'ended') === true) {
          return endedSession(session);
        }
        const shaped = statelessSession({ session, token });
        const id = (token as { [PUBLIC_ID]?: string })[PUBLIC_ID];
        return id === undefined ? shaped : { ...shaped, sessionId: id };
      },
      redirect,
    },
    events: {
      async signOut(message) {
        const sid = field(field(message, 'token'), 'sid');
        if (typeof sid === 'string') await sessions.end(sid);
      },
    },
  };
}
