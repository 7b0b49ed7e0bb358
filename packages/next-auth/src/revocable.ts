/**
 * Revocable sessions: the JWT carries a session id of core's `UpstreamSessions` (the mechanism
 * password sign-in uses), and the `jwt` callback checks it on every request, so sign-out, "sign
 * out everywhere" and ending a session by id take effect at once, for every copy of the cookie.
 */

import type { RequestHeaders } from '@tingting-auth/core';
import type { UpstreamSessions } from '@tingting-auth/core/upstream';
import { redirect, jwt as statelessJWT, session as statelessSession } from './callbacks.js';

/**
 * What the provider and the callbacks use of an `UpstreamSessions`. `providerId` names the store
 * in the token's `upstream` claim when `revocableSessions` is given several.
 */
export type RevocableSessionsStore = Pick<UpstreamSessions, 'create' | 'status' | 'end'> & {
  readonly providerId?: string;
};

/** What `session.error` says when the upstream refused to refresh the session's tokens. */
export type UpstreamSessionError = 'RefreshTokenError';

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

/** Why a session ended that the browser is told about (`session.error`), not merely ended. */
const REFRESH_FAILURES: ReadonlySet<string> = new Set(['refresh_rejected', 'refresh_lost']);

/** The stores, checked: one or several, each with `status` and `end`, distinct `providerId`s. */
export function storesOf(
  caller: string,
  sessions: RevocableSessionsStore | readonly RevocableSessionsStore[],
): readonly RevocableSessionsStore[] {
  const list = Array.isArray(sessions) ? [...sessions] : [sessions];
  if (list.length === 0) throw new TypeError(`${caller}: pass at least one UpstreamSessions`);
  const ids = new Set<string | undefined>();
  for (const store of list) {
    if (typeof store?.status !== 'function' || typeof store.end !== 'function') {
      throw new TypeError(`${caller}: pass an UpstreamSessions (status, end, create)`);
    }
    if (list.length > 1 && (typeof store.providerId !== 'string' || ids.has(store.providerId))) {
      throw new TypeError(
        `${caller}: several UpstreamSessions need distinct \`providerId\`s (the token's \`upstream\` claim picks one)`,
      );
    }
    ids.add(store.providerId);
  }
  return list;
}

/**
 * The store a token or a user names by its `upstream` claim; a token without one (minted by
 * phone sign-in, or before the claim existed) belongs to the first store.
 */
export function storeFor(
  stores: readonly RevocableSessionsStore[],
  upstream: unknown,
): RevocableSessionsStore | undefined {
  if (upstream === undefined) return stores[0];
  return typeof upstream === 'string'
    ? stores.find((store) => store.providerId === upstream)
    : undefined;
}

/**
 * The callbacks and events that make sessions revocable; `ended` is what each major's `jwt`
 * callback answers for a session that is over (v5: `null`; v4: a token the session callback empties).
 *
 * The token holds `sub`, `sid`, `upstream` (the store's provider id) and, for a phone session,
 * `phone`; after the upstream refused to refresh, `sub`, `upstream` and `error` only.
 */
export function createRevocableSessions<Ended>(
  sessions: RevocableSessionsStore | readonly RevocableSessionsStore[],
  ended: <T extends object>(token: T) => T | Ended,
  endedSession: <S extends object>(session: S) => S,
): RevocableSessionsConfig<Ended> {
  const stores = storesOf('revocableSessions', sessions);
  return {
    callbacks: {
      async jwt({ token, user }) {
        if (user !== undefined) {
          const sid = field(user, 'sid');
          const store = storeFor(stores, field(user, 'upstream'));
          if (typeof sid !== 'string' || store === undefined) return ended(token);
          // Only what names the session: no profile data to go stale in a cookie.
          const claims = statelessJWT({ token: { sub: field(token, 'sub') }, user });
          const upstream = store.providerId;
          return {
            ...claims,
            sid,
            ...(upstream === undefined ? {} : { upstream }),
          } as unknown as typeof token;
        }
        const sid = field(token, 'sid');
        // The upstream refused a refresh earlier: keep telling the browser, with no store read.
        if (sid === undefined && field(token, 'error') === 'RefreshTokenError') return token;
        // No session id (ended before, or minted while revocation was off): nothing to check.
        const store = storeFor(stores, field(token, 'upstream'));
        if (typeof sid !== 'string' || store === undefined) return ended(token);
        const status = await store.status(sid);
        if (!status.active) {
          if (!REFRESH_FAILURES.has(status.reason)) return ended(token);
          // next-auth#11653: the session callback tells the app to sign in again. No session id:
          // later requests need no store read, and the ended session cannot be named again.
          const error: UpstreamSessionError = 'RefreshTokenError';
          return {
            sub: field(token, 'sub'),
            upstream: field(token, 'upstream'),
            error,
          } as unknown as typeof token;
        }
        // Non-enumerable: the session callback sees it; the encoded JWT does not carry it.
        Object.defineProperty(token, PUBLIC_ID, { value: status.id, enumerable: false });
        return token;
      },
      session({ session, token }) {
        if (token === null || token === undefined || field(token, 'ended') === true) {
          return endedSession(session);
        }
        const error = field(token, 'error');
        if (error === 'RefreshTokenError') {
          // No user: the session is over; the app signs in again (the guide's `session.error`).
          const { user: _, ...rest } = session as { user?: unknown };
          return { ...rest, error } as unknown as typeof session;
        }
        const shaped = statelessSession({ session, token });
        const sub = field(token, 'sub');
        const upstream = field(token, 'upstream');
        const user = field(shaped, 'user');
        const withUser =
          typeof sub === 'string'
            ? { ...shaped, user: { ...(typeof user === 'object' ? user : {}), id: sub } }
            : shaped;
        const id = (token as { [PUBLIC_ID]?: string })[PUBLIC_ID];
        return {
          ...withUser,
          ...(typeof upstream === 'string' ? { upstream } : {}),
          ...(id === undefined ? {} : { sessionId: id }),
        };
      },
      redirect,
    },
    events: {
      async signOut(message) {
        const token = field(message, 'token');
        const sid = field(token, 'sid');
        const store = storeFor(stores, field(token, 'upstream'));
        if (typeof sid === 'string' && store !== undefined) await store.end(sid);
      },
    },
  };
}
