/**
 * Revocable sessions: the JWT carries a session id of core's `UpstreamSessions` (the mechanism
 * password sign-in uses), and the `jwt` callback checks it on every request, so sign-out, "sign
 * out everywhere" and ending a session by id take effect at once, for every copy of the cookie.
 * The providers start the session in `authorize`, before next-auth asks the `signIn` callback;
 * the `signIn` callback here runs the app's own and ends the session of a sign-in it refuses, and
 * the `jwt` callback runs the app's own and ends the session of a sign-in it fails (a throw, or no
 * token: next-auth then sets no cookie).
 */

import type { RequestHeaders } from '@tingting-auth/core';
// From the protocol entry (which next-auth loads anyway), not ./upstream: no upstream clients at import.
import { errorNameAndCode, SessionEnder } from '@tingting-auth/core/protocol';
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

// Structural, not next-auth's own types: this package may resolve another copy of next-auth
// than the app's (a monorepo, both majors installed), and these fit v4's and v5's alike.
/** The user next-auth hands the `signIn` callback: `authorize`'s (or the adapter's) user. */
export interface RevocableSignInUser {
  /** By default the E.164 number (phone) or the upstream's subject (password); `getUser`'s id. */
  id?: string;
  /** As next-auth's `User`. */
  name?: string | null;
  /** As next-auth's `User`. */
  email?: string | null;
  /** As next-auth's `User`. */
  image?: string | null;
  /** The verified number, E.164 (phone sign-in). */
  phone?: string;
}

/** What next-auth (v4 and v5 alike) hands the `signIn` callback. */
export interface RevocableSignInParams {
  /** The user `authorize` returned (for OAuth and email, the adapter's). */
  user: RevocableSignInUser;
  /** The provider's account: `{ provider: 'upstream', type: 'credentials', … }` for these. */
  account?: { provider: string; type: string; providerAccountId: string } | null;
  /** The OAuth profile, for an OAuth provider. */
  profile?: { sub?: string | null; name?: string | null; email?: string | null };
  /** Email provider: `verificationRequest` is `true` when the link is about to be sent. */
  email?: { verificationRequest?: boolean };
  /** Credentials provider: the posted fields. */
  credentials?: Record<string, unknown>;
}

/** What next-auth (v4 and v5 alike) hands the `jwt` callback, with the token `revocableSessions` made. */
export interface RevocableJWTParams {
  /**
   * On sign-in, the token `revocableSessions` made (`sub`, `sid`, `upstream`, and `phone` for
   * phone sign-in); later, the cookie's, for a session that is still active. A copy: its `sid`
   * (the session's bearer secret) is readable but not enumerable, so logging or spreading the
   * token leaves it out; the cookie keeps it whatever you answer.
   */
  token: Record<string, unknown>;
  /** On sign-in only: the user `authorize` returned. Absent on later requests. */
  user?: RevocableSignInUser;
  /** On sign-in only: the provider's account. */
  account?: { provider: string; type: string; providerAccountId: string } | null;
  /** On sign-in with an OAuth provider: its profile. */
  profile?: { sub?: string | null; name?: string | null; email?: string | null };
  /** `'signIn'` (or `'signUp'`) on sign-in, `'update'` for `update(data)`; absent otherwise. */
  trigger?: 'signIn' | 'signUp' | 'update';
  /** As next-auth's. */
  isNewUser?: boolean;
  /** With `trigger: 'update'`: the data the client sent to `update`. */
  session?: unknown;
}

/**
 * Your own `jwt` callback, as `revocableSessions(sessions, { jwt })` runs it: answer the token
 * (changed or not), or `null` for no session. `sid` and `upstream` are kept whatever it answers.
 */
export type RevocableJWT = (
  params: RevocableJWTParams,
) => Record<string, unknown> | null | PromiseLike<Record<string, unknown> | null>;

/**
 * The session `revocableSessions`' own `session` callback made, as your `session` callback gets
 * it: next-auth's (`expires`, `user` with `name`, `email`, `image`) with `user.id` (the token's
 * `sub`), `user.phone` (phone sign-in), `upstream` and `sessionId` (the session's public id, as
 * `sessions.list` shows it) added.
 */
export interface RevocableSession {
  /** The signed-in user: `id` (the token's `sub`), `phone` for phone sign-in, next-auth's fields. */
  user?: {
    id?: string;
    phone?: string;
    name?: string | null;
    email?: string | null;
    image?: string | null;
    /** Fields of your own (a role, a plan). */
    [key: string]: unknown;
  };
  /** As next-auth's: when the session cookie expires (ISO 8601). */
  expires: string;
  /** The `providerId` of the session's `UpstreamSessions` (`'phone'`, `'timbr'`, …). */
  upstream?: string;
  /** The session's public id (`sessions.list(subject)`'s `id`), never its secret `sid`. */
  sessionId?: string;
  /** Fields of your own, as your `session` callback adds them. */
  [key: string]: unknown;
}

/** What next-auth (v4 and v5 alike, JWT strategy) hands the `session` callback. */
export interface RevocableSessionParams {
  /** The session as `revocableSessions` shaped it, for an active session only. */
  session: RevocableSession;
  /**
   * The token the `jwt` callback answered (yours, if given). A copy: its `sid` (the session's
   * bearer secret) is readable but not enumerable, so logging or spreading the token leaves it out.
   */
  token: Record<string, unknown>;
}

/**
 * Your own `session` callback, as `revocableSessions(sessions, { session })` runs it: answer the
 * session the browser gets (`useSession`, `auth()`, `getServerSession`, `/api/auth/session`).
 */
export type RevocableSessionCallback = (
  params: RevocableSessionParams,
) => object | null | PromiseLike<object | null>;

/** Options of `revocableSessions`. */
export interface RevocableSessionsOptions {
  /**
   * Your own `signIn` callback, run by the one `revocableSessions` returns. When it refuses the
   * sign-in (`false`, or a URL to redirect to) or throws, the session the provider just started
   * is ended (reason `'ended_by_app'`) before next-auth answers with your refusal, unchanged.
   * Put it here, not beside the returned callbacks: next-auth makes no JWT for a refused
   * sign-in, so only this callback can end the session the refused `authorize` started.
   */
  signIn?(params: RevocableSignInParams): boolean | string | PromiseLike<boolean | string>;
  /**
   * Your own `jwt` callback, run by the one `revocableSessions` returns after it has made (on
   * sign-in) or checked (later) the token, and only for an active session. When it throws or
   * answers no token (`null`; `undefined` counts as `null`) during the sign-in, next-auth sets
   * no cookie, so the session the provider just started is ended (reason `'ended_by_app'`,
   * once) before next-auth answers with your throw, or `null`. On a later request a throw or
   * `null` signs the browser out (next-auth clears the cookie), so the session is ended there
   * too, as a sign-out ends it. The token's `sid` and `upstream` are kept whatever it answers. Put it
   * here, not beside the returned callbacks: yours would replace the one that checks the session.
   */
  jwt?(params: RevocableJWTParams): ReturnType<RevocableJWT>;
  /**
   * Your own `session` callback (to copy `token.sub`, a role or a plan into `session.user`), run
   * by the one `revocableSessions` returns after it has shaped the session (`user.id`,
   * `user.phone`, `upstream`, `sessionId`), and only for an active session: an ended session, a
   * session the store could not check, and one the upstream refused to refresh
   * (`session.error`) are answered as without it. What it answers is what the browser gets. The
   * token it is handed is a copy whose `sid` is readable but not enumerable. When it throws,
   * next-auth clears the browser's cookie (it signs the browser out), so the session is ended
   * too (`ended_by_app`), as a sign-out ends it. Put it here, not beside the returned callbacks:
   * yours would replace the one that shapes the session and tells the browser of an ended one.
   */
  session?(params: RevocableSessionParams): ReturnType<RevocableSessionCallback>;
}

/**
 * What `revocableSessions` returns, to spread into the config; `Ended` is what the `jwt` callback
 * answers for an ended session besides a token (v5: `null`; v4: `never`, it answers a token).
 */
export interface RevocableSessionsConfig<Ended = null> {
  /**
   * `signIn` (yours, if given; a refused sign-in's session is ended), `jwt` (one
   * `sessions.status(sid)` per request, then yours, if given; a sign-in it fails has its session
   * ended), `session` (then yours, if given: a promise then), `redirect`.
   */
  callbacks: {
    signIn: (params: RevocableSignInParams) => Promise<boolean | string>;
    jwt: <T extends object>(params: {
      token: T;
      user?: unknown;
      account?: unknown;
      profile?: unknown;
      trigger?: string;
      isNewUser?: boolean;
      session?: unknown;
    }) => Promise<T | Ended>;
    session: <S extends object>(params: { session: S; token?: unknown }) => S | Promise<S>;
    redirect: typeof redirect;
  };
  /**
   * `signOut` ends the session in the store: every copy of the cookie is refused after it. When
   * the store fails, it never throws: this process refuses the session's cookie at once and ends
   * it in the background once the store answers (warned once per outage:
   * `TINGTING_SESSION_END_FAILED`).
   */
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

/** The store failed on this request: no session now, but the cookie (and its `sid`) is kept. */
const UNAVAILABLE = Symbol('tingting-auth.store-unavailable');

/**
 * A copy of a token for the app's callbacks: its `sid` (a bearer secret) readable but not
 * enumerable, so the app's logs and spreads of it leave the secret out.
 */
function withHiddenSid(token: object): Record<string, unknown> {
  const handed: Record<string, unknown> = { ...(token as Record<string, unknown>) };
  const sid = field(token, 'sid');
  if (sid !== undefined) {
    delete handed.sid;
    Object.defineProperty(handed, 'sid', { value: sid, enumerable: false });
  }
  return handed;
}

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
  options: RevocableSessionsOptions | undefined,
  ended: <T extends object>(token: T) => T | Ended,
  endedSession: <S extends object>(session: S) => S,
): RevocableSessionsConfig<Ended> {
  const stores = storesOf('revocableSessions', sessions);
  const own = checkOptions('revocableSessions', options);
  /** The users the `signIn` below let through, to tell a replaced `signIn` callback apart. */
  const admitted = new WeakSet<object>();
  /** The users whose session was ended here: a sign-in's session is ended once. */
  const abandoned = new WeakSet<object>();
  let warned = false;
  let warnedStore = false;
  let warnedNoSid = false;
  /** Told once per outage: set by a failed session read, cleared by the next one that works. */
  let storeDown = false;
  /**
   * Sessions this process signed out (or abandoned) while the store failed to end them: core's
   * `SessionEnder` refuses them here at once and ends them again in the background (one timer,
   * backoff, `unref`ed) and whenever a session read shows the store is back (at most 10,000).
   */
  const ender = new SessionEnder({ onEndFailed: ({ error }) => endFailedWarning(error) });

  /**
   * End the session `authorize` started for a sign-in next-auth will not complete. Best effort:
   * the refusal stands whatever the store answers (the session then lasts until it expires).
   */
  const abandon = async (user: unknown): Promise<void> => {
    if (typeof user !== 'object' || user === null || abandoned.has(user)) return;
    abandoned.add(user);
    const sid = field(user, 'sid');
    const store = storeFor(stores, field(user, 'upstream'));
    if (typeof sid !== 'string' || store === undefined) return;
    await ender.end(store, sid, 'ended_by_app');
  };

  /**
   * Run the app's `session` callback on the session shaped here; its answer is the browser's.
   * A throw makes next-auth clear the cookie (both majors log it and sign the browser out): the
   * session is ended, as a sign-out would end it, then the throw goes on to next-auth.
   */
  const runOwnSession = async (
    appSession: NonNullable<RevocableSessionsOptions['session']>,
    session: object,
    token: object,
  ): Promise<object | null> => {
    try {
      return await appSession({
        session: session as RevocableSession,
        token: withHiddenSid(token),
      });
    } catch (error) {
      await abandon(token);
      throw error;
    }
  };

  /**
   * Run the app's `jwt` callback on the token made or checked here. A throw or an answer that is
   * no token means next-auth sets no cookie (a sign-in, `user` given) or clears it (later): the
   * session is ended, then the app's answer stands. The claims that name the session are kept.
   */
  const runOwnJWT = async <T extends object>(
    appJWT: NonNullable<RevocableSessionsOptions['jwt']>,
    params: object,
    token: T,
    user: unknown,
  ): Promise<T> => {
    // The app's copy: `sid` (a bearer secret) readable but not enumerable, out of its logs and
    // spreads; it is put back on whatever the app answers.
    const handed = withHiddenSid(token);
    let answer: unknown;
    try {
      answer = await appJWT({ ...params, token: handed } as unknown as RevocableJWTParams);
    } catch (error) {
      // During a sign-in next-auth sets no cookie; later, it clears the cookie (both majors log
      // the error and sign the browser out). Either way no browser holds this session any more,
      // so it is ended rather than left live (with its upstream tokens) for a copied cookie.
      await abandon(user ?? token);
      throw error;
    }
    // No token (`null`, or `undefined` and the like, which next-auth would encode as a token of
    // nothing): no session. During a sign-in no cookie will name this one; later, it is the
    // app signing the user out, and the session ends as a sign-out would end it.
    if (typeof answer !== 'object' || answer === null) {
      await abandon(user ?? token);
      // v4's types allow no `null` here; it is what next-auth gets from the app's own callback.
      return null as unknown as T;
    }
    const kept: Record<string, unknown> = { ...answer };
    for (const claim of ['sid', 'upstream']) {
      const value = field(token, claim);
      if (value !== undefined) kept[claim] = value;
    }
    const id = (token as { [PUBLIC_ID]?: string })[PUBLIC_ID];
    if (id !== undefined) Object.defineProperty(kept, PUBLIC_ID, { value: id, enumerable: false });
    return kept as T;
  };

  return {
    callbacks: {
      async signIn(params) {
        const user: unknown = params?.user;
        let answer: boolean | string;
        try {
          answer = own?.signIn === undefined ? true : await own.signIn(params);
        } catch (error) {
          // v4 redirects with the error's message, v5 answers AccessDenied: no JWT either way.
          await abandon(user);
          throw error;
        }
        // Both majors refuse a falsy answer and redirect to a string one, and make no JWT.
        if (!answer || typeof answer === 'string') await abandon(user);
        else if (typeof user === 'object' && user !== null) admitted.add(user);
        return answer;
      },
      async jwt(params) {
        const { token, user } = params;
        if (user !== undefined) {
          const sid = field(user, 'sid');
          const store = storeFor(stores, field(user, 'upstream'));
          if (typeof sid !== 'string') return ended(token);
          if (store === undefined) {
            if (!warnedStore) unknownStoreWarning(field(user, 'upstream'));
            warnedStore = true;
            return ended(token);
          }
          if (!warned && typeof user === 'object' && user !== null && !admitted.has(user)) {
            warned = true;
            replacedSignInWarning();
          }
          // Only what names the session: no profile data to go stale in a cookie.
          const claims = statelessJWT({ token: { sub: field(token, 'sub') }, user });
          const upstream = store.providerId;
          const made = {
            ...claims,
            sid,
            ...(upstream === undefined ? {} : { upstream }),
          } as unknown as typeof token;
          return own?.jwt === undefined ? made : runOwnJWT(own.jwt, params, made, user);
        }
        const sid = field(token, 'sid');
        // The upstream refused a refresh earlier: keep telling the browser, with no store read.
        if (sid === undefined && field(token, 'error') === 'RefreshTokenError') return token;
        // No session id (ended before, or minted while revocation was off): nothing to check.
        const store = storeFor(stores, field(token, 'upstream'));
        if (sid === undefined && typeof field(token, 'sub') === 'string' && !warnedNoSid) {
          // A user's token without the claim that names its session: minted while revocation
          // was off, or the app's `jwt.encode`/`jwt.decode` drop claims (every sign-in then
          // fails so, leaving its session in the store). Told once per config.
          warnedNoSid = true;
          missingSessionIdWarning();
        }
        if (typeof sid !== 'string' || store === undefined) return ended(token);
        // Signed out (or abandoned) here while the store failed to end it: refused, no read.
        if (ender.isPending(sid)) return ended(token);
        let status: Awaited<ReturnType<RevocableSessionsStore['status']>>;
        try {
          status = await store.status(sid);
        } catch (error) {
          // Fail closed without signing out: thrown, next-auth would clear the cookie, and the
          // session would stay in the store with no browser holding it. The session callback
          // answers no session; the next read after the outage checks the session again.
          if (!storeDown) storeUnavailableWarning(error);
          storeDown = true;
          ender.storeFailed();
          Object.defineProperty(token, UNAVAILABLE, { value: true, enumerable: false });
          return token;
        }
        storeDown = false;
        // The store answers again: the ends it failed are retried now, not at the next backoff
        // (once per failure seen: a store that reads but cannot end costs no end per request).
        ender.storeAnswered();
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
        return own?.jwt === undefined ? token : runOwnJWT(own.jwt, params, token, undefined);
      },
      session({ session, token }) {
        if (
          token === null ||
          token === undefined ||
          field(token, 'ended') === true ||
          (token as { [UNAVAILABLE]?: boolean })[UNAVAILABLE] === true
        ) {
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
        const made = {
          ...withUser,
          ...(typeof upstream === 'string' ? { upstream } : {}),
          ...(id === undefined ? {} : { sessionId: id }),
        };
        // Sync without the app's callback: code that calls this one from its own gets a session.
        return own?.session === undefined
          ? made
          : (runOwnSession(own.session, made, token as object) as Promise<typeof made>);
      },
      redirect,
    },
    events: {
      async signOut(message) {
        const token = field(message, 'token');
        const sid = field(token, 'sid');
        const store = storeFor(stores, field(token, 'upstream'));
        // Never throws: next-auth clears the cookie whatever happens here, and would only log
        // the store's error (whose message may hold its connection URL).
        if (typeof sid === 'string' && store !== undefined) await ender.end(store, sid);
      },
    },
  };
}

/** The options, checked: an object with `signIn`, `jwt` and `session` (functions) only, or nothing. */
function checkOptions(
  caller: string,
  options: RevocableSessionsOptions | undefined,
): RevocableSessionsOptions | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${caller}: options must be an object, e.g. { signIn, jwt, session }`);
  }
  for (const key of Object.keys(options)) {
    if (key !== 'signIn' && key !== 'jwt' && key !== 'session') {
      throw new TypeError(
        `${caller}: unknown option \`${key}\`; known options: signIn, jwt, session`,
      );
    }
  }
  for (const name of ['signIn', 'jwt', 'session'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new TypeError(`${caller}: \`${name}\` must be a function (your ${name} callback)`);
    }
  }
  return options;
}

/**
 * A sign-in's session is in an `UpstreamSessions` that `revocableSessions` was not given: the
 * cookie gets no session (the sign-in seems to fail), and nothing here can end that session.
 * Told once per config; the provider id is not secret, the session id never appears.
 */
function unknownStoreWarning(upstream: unknown): void {
  if (typeof process === 'undefined' || typeof process.emitWarning !== 'function') return;
  const named = typeof upstream === 'string' ? ` (providerId ${JSON.stringify(upstream)})` : '';
  process.emitWarning(
    `revocableSessions: a provider signed a user in with an UpstreamSessions${named} that revocableSessions was not given, so the session cookie stays empty and that session is left in the store until it expires. Pass the same UpstreamSessions to the provider and to revocableSessions (an array for several).`,
    { code: 'TINGTING_SESSIONS_NOT_REVOCABLE' },
  );
}

/**
 * The sessions store failed on a session read (Redis down): that read answers no session, the
 * cookie is kept. Told once per outage; the error's name and code only (a client's message may
 * hold its connection URL, password included), never a session id.
 */
function storeUnavailableWarning(error: unknown): void {
  if (typeof process === 'undefined' || typeof process.emitWarning !== 'function') return;
  const what = errorNameAndCode(error);
  process.emitWarning(
    `revocableSessions: the sessions store failed${what === '' ? '' : ` (${what})`}, so session reads answer no session until it is back; the session cookies are kept, and work again once the store answers.`,
    { code: 'TINGTING_SESSIONS_STORE_UNAVAILABLE' },
  );
}

/**
 * A session cookie's token names no session (no `sid`): it gives no session. Told once per
 * config: either the token predates revocable sessions (its user signs in again), or the app's
 * own JWT encoding drops the claim, which fails every sign-in and leaves its session behind.
 */
function missingSessionIdWarning(): void {
  if (typeof process === 'undefined' || typeof process.emitWarning !== 'function') return;
  process.emitWarning(
    "revocableSessions: a session cookie's token has a user but no session id (sid), so it gives no session. Either it was made before revocableSessions was on (its user signs in again), or your next-auth `jwt.encode`/`jwt.decode` leave out claims: then every sign-in gives no session and leaves the session it started in the store until it expires. A custom JWT encoding must keep every claim of the token (sid, upstream, sub).",
    { code: 'TINGTING_SESSION_ID_MISSING' },
  );
}

/**
 * The sessions store failed to end a session (sign-out, or a sign-in next-auth will not
 * complete): this process refuses its cookie and retries the end. Told once per outage (by
 * core's `SessionEnder`); `what` is the error's name and code only, never its message (a
 * client's may hold its connection URL) or a session id.
 */
function endFailedWarning(what: string): void {
  if (typeof process === 'undefined' || typeof process.emitWarning !== 'function') return;
  process.emitWarning(
    `revocableSessions: the sessions store failed to end a session${what === '' ? '' : ` (${what})`} on sign-out or a refused sign-in. This process refuses that session's cookie at once and ends it in the background (retried for about five minutes, and again whenever a session read shows the store is back); until then other processes still accept copies of the cookie.`,
    { code: 'TINGTING_SESSION_END_FAILED' },
  );
}

/**
 * A sign-in with a session reached the `jwt` callback without passing the `signIn` callback
 * `revocableSessions` returned: the app put its own `signIn` in its place, so a sign-in that one
 * refuses leaves its session in the store. Told once per config, on the first such sign-in.
 */
function replacedSignInWarning(): void {
  if (typeof process === 'undefined' || typeof process.emitWarning !== 'function') return;
  process.emitWarning(
    'revocableSessions: the signIn callback is not the one revocableSessions returned, so a sign-in your own signIn callback refuses leaves the session its provider started in the store until it expires (listed by sessions.list; for password sign-in, holding the upstream tokens). Pass your callback as revocableSessions(sessions, { signIn }) instead of beside the returned callbacks.',
    { code: 'TINGTING_SIGN_IN_CALLBACK_REPLACED' },
  );
}
