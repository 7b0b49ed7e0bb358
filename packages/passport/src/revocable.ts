import {
  createSessionSwap,
  type ProtocolRefusal,
  type ProtocolRequest,
  type ProtocolResult,
  type SessionsProtocol,
  type SessionView,
  TingTingHTTPError,
} from '@tingting-auth/core/protocol';
import type { UpstreamSessions } from '@tingting-auth/core/upstream';
import type { Request } from 'express';
import { Strategy as PassportStrategy } from 'passport-strategy';
import type { Actions } from './types.js';

/** Where both strategies keep the session id: in the app's (server-side) session. */
export const UPSTREAM_SESSION_KEY = 'tingtingUpstream';

/** What {@link UPSTREAM_SESSION_KEY} holds in `req.session`. */
export interface StoredSession {
  /** The strategy name that signed the user in. */
  strategy: string;
  sid: string;
}

/** The parts of express-session's `req.session` the strategies touch (typed without its types). */
export interface SessionLike {
  regenerate?: (callback: (error?: unknown) => void) => unknown;
  save?: (callback: (error?: unknown) => void) => unknown;
  [key: string]: unknown;
}

type WithSession = Request & {
  session?: SessionLike;
  isAuthenticated?: () => boolean;
  logout?: (callback: (error?: unknown) => void) => void;
};

/** Express-style middleware, typed without Express's `RequestHandler` generics. */
export type SessionMiddleware = (
  req: Request,
  res: import('express').Response,
  next: (error?: unknown) => void,
) => void;

/** Options of a strategy's `sessionGuard`. */
export interface SessionGuardOptions {
  /** Where a browser's page request (GET, prefers HTML) goes when signed out. Unset: the 401 error. */
  signIn?: string;
}

/** Define `name` on `target` as a non-enumerable own method (express-session never stores it). */
function hide(target: object, name: string, value: unknown): void {
  Object.defineProperty(target, name, {
    configurable: true,
    enumerable: false,
    writable: true,
    value,
  });
}

/** `req.logIn` (Passport's `http/request.js`): `(user, options?, done?)`. */
type LogIn = (user: unknown, options?: unknown, done?: (error?: unknown) => void) => unknown;

/** What {@link keepOnLogIn} may ask the strategy. */
export interface KeepOptions {
  /**
   * Whether the app has the session id itself (the password strategy's `account.sessionId` was
   * read): then a sign-in that never logs the user in leaves it to the app.
   */
  claimed?: () => boolean;
}

/**
 * After Passport's `req.logIn` regenerates the session (Passport 0.6+), put the session id into
 * the new one. Nothing is written before: a user the app never logs in (a custom callback that
 * refuses) gets no session id in their cookie session.
 *
 * A session no browser will hold is ended (once), never left live: when `req.logIn` fails (the
 * cookie session cannot be regenerated, `serializeUser` fails or finds no id, the save fails),
 * when it succeeds without a cookie session (`session: false`), when the response is over with
 * no `req.logIn` begun (a custom callback or `assignProperty`), and when it was over before the
 * strategy succeeded (the client went away); the last three unless `options.claimed` says the app
 * took the id. Once the new cookie session is saved, or once `regenerate` has destroyed the old
 * one and the sign-in failed after it, the session the old cookie session held (this
 * strategy's, the browser signing in again, or the app's other revocable strategy's, found
 * through its Passport instance) is ended too: nobody can present it any more. A failed
 * `regenerate` (the old cookie session may be intact) and a sign-in that never logs in keep it.
 */
export function keepOnLogIn(
  request: Request,
  stored: StoredSession,
  sessions: Pick<UpstreamSessions, 'end'>,
  options: KeepOptions = {},
): void {
  const req = request as WithSession & { logIn?: LogIn; res?: import('express').Response };
  const session = req.session;
  const held = session?.[UPSTREAM_SESSION_KEY] as Partial<StoredSession> | undefined;
  const heldIn = held?.strategy === stored.strategy ? sessions : sessionsOf(req, held?.strategy);
  // Core decides which sessions end (the new one, the one the old cookie session held); this
  // wraps Passport's `logIn`, `regenerate` and `save` and reports what happened.
  const swap = createSessionSwap({
    held:
      heldIn !== undefined && typeof held?.sid === 'string'
        ? [{ sid: held.sid, end: (sid: string) => heldIn.end(sid) }]
        : [],
    fresh: { sid: stored.sid, end: (sid: string) => sessions.end(sid, 'ended_by_app') },
  });
  /** Passport's `req.logIn` is under way (`undefined`: this request has no `req.logIn`). */
  let loggingIn: boolean | undefined;
  // Nobody will hold the new session: ended (with the old one once `regenerate` destroyed its
  // cookie session), unless `claimed` says the app took it; its id leaves the cookie session.
  const settle = (claimed?: () => boolean): Promise<unknown> => {
    const before = swap.state;
    const ending = swap.abandoned(claimed);
    const fresh = req.session;
    // Only when this ended it (`open` to `ended`): never a kept id, nor one the app claimed.
    if (before !== swap.state && fresh?.[UPSTREAM_SESSION_KEY] === stored) {
      delete fresh[UPSTREAM_SESSION_KEY];
    }
    return ending;
  };
  const abandon = (): Promise<unknown> => settle();
  // The sign-in is over without a cookie session holding the id.
  const unheld = (): Promise<unknown> => settle(options.claimed);

  const logIn = req.logIn;
  if (typeof logIn === 'function') {
    loggingIn = false;
    const wrapped: LogIn = function (this: unknown, user, logInOptions, done) {
      if (typeof logInOptions === 'function') {
        done = logInOptions as typeof done;
        logInOptions = {};
      }
      if (swap.state !== 'open' || loggingIn || typeof done !== 'function') {
        return logIn.call(this, user, logInOptions, done);
      }
      loggingIn = true;
      const callback = done;
      return logIn.call(this, user, logInOptions, (error?: unknown) => {
        loggingIn = false;
        // Saved (`kept`) or failed in the wrappers (`ended`): settled. Else `serializeUser`
        // failed (or no session manager): ended before the error goes on, as for a failed save.
        if (swap.state !== 'open') return callback(error);
        if (error) return void abandon().then(() => callback(error));
        // `session: false`: logged in without a cookie session; the answer need not wait.
        void unheld();
        callback();
      });
    };
    // Passport's `initialize()` and `authenticate()` set both names on `req`.
    hide(req, 'logIn', wrapped);
    hide(req, 'login', wrapped);
  }
  // No `req.logIn` begun by the end of the response (a custom callback, `assignProperty`).
  const res = req.res;
  // Over already (the client went away during the sign-in): no cookie will reach anyone.
  if (res?.closed === true) void unheld();
  else if (typeof res?.once === 'function') {
    res.once('close', () => {
      if (swap.state === 'open' && loggingIn === false) void unheld();
    });
  }

  const regenerate = session?.regenerate;
  if (session === undefined || typeof regenerate !== 'function') return;
  // Non-enumerable: express-session never stores it, and `keepSessionInfo` never copies it.
  hide(session, 'regenerate', function (this: SessionLike, done: (error?: unknown) => void) {
    // Not Passport's `logIn` (`req.logout()` regenerates too): nothing to keep.
    if (swap.state !== 'open' || loggingIn === false) return regenerate.call(this, done);
    return regenerate.call(this, (error?: unknown) => {
      if (error) {
        // The old cookie session may be intact: its revocable session stays.
        return void abandon().then(() => done(error));
      }
      swap.regenerated();
      const fresh = req.session;
      if (fresh !== undefined) {
        fresh[UPSTREAM_SESSION_KEY] = stored;
        const save = fresh.save;
        if (typeof save === 'function') {
          hide(fresh, 'save', function (this: SessionLike, saved: (error?: unknown) => void) {
            // Only Passport's save, within its `logIn`: not express-session's after a failure.
            if (swap.state !== 'open') return save.call(this, saved);
            // Again: Passport's `keepSessionInfo` copies the old session's entries over it.
            this[UPSTREAM_SESSION_KEY] = stored;
            return save.call(this, (error?: unknown) => {
              // Before Passport answers; ending the old one cannot fail the sign-in.
              if (error) return void abandon().then(() => saved(error));
              swap.saved().then(() => saved());
            });
          });
        }
      }
      done();
    });
  });
}

/**
 * The sessions of the strategy named `name` in the Passport instance that runs this request (its
 * `initialize()` sets `req._passport.instance`, as in Passport 0.4 to 0.7): a sign-in with one
 * strategy ends the session the browser held from the other (phone then password, or the
 * reverse). Scoped to the app's own Passport: another app's strategy of that name is never asked.
 */
function sessionsOf(req: Request, name: string | undefined) {
  type Instance = { _strategy?: (name: string) => unknown };
  const passport = (req as { _passport?: { instance?: Instance } })._passport?.instance;
  const strategy = name === undefined ? undefined : passport?._strategy?.(name);
  if (!(strategy instanceof RevocableStrategy)) return undefined;
  // `revocable` is protected (TypeScript only): read here, where the strategies keep their ids.
  return (strategy as unknown as { revocable?: StrategySessions }).revocable?.sessions;
}

/** The session id `strategy` stored for the signed-in user of `req`, if any. */
export function storedSessionId(req: Request, strategy: string): string | undefined {
  const r = req as WithSession;
  if (typeof r.isAuthenticated === 'function' && !r.isAuthenticated()) return undefined;
  const stored = r.session?.[UPSTREAM_SESSION_KEY] as Partial<StoredSession> | undefined;
  if (stored?.strategy !== strategy || typeof stored.sid !== 'string') return undefined;
  return stored.sid;
}

/** The method and cross-site facts of a request (the session posts read no body). */
export function requestOf(req: Request): ProtocolRequest {
  return {
    method: req.method,
    headers: req.headers,
    trustForwardedHost: Boolean(req.app?.get?.('trust proxy')),
  };
}

/** Passport's `req.logout` (0.6+: a callback, a new session id), else forget the id. */
function logOut(req: WithSession): Promise<void> {
  if (typeof req.logout === 'function') {
    return new Promise((resolve, reject) =>
      req.logout!((error) => (error ? reject(error) : resolve())),
    );
  }
  if (req.session !== undefined) delete req.session[UPSTREAM_SESSION_KEY];
  return Promise.resolve();
}

function thrown<V>(result: ProtocolResult<V>): V {
  if (result.ok) return result.value;
  // A store failure keeps its cause for the app's logs; the answer stays generic.
  throw TingTingHTTPError.fromRefusal(result.error);
}

/**
 * A sign-in step's request: the body Express parsed, never the query string (no method: Passport
 * runs a strategy on whatever route the app mounts it).
 */
export function bodyRequestOf(req: Request, ip: string | undefined): ProtocolRequest {
  return {
    headers: req.headers,
    // X-Forwarded-Host is the app's own host only behind a trusted proxy (as in Express's router).
    trustForwardedHost: Boolean(req.app?.get?.('trust proxy')),
    // `undefined` when no body parser ran: refused as INVALID_REQUEST.
    fields: req.body,
    ...(typeof ip === 'string' && ip !== '' ? { clientIP: ip } : {}),
  };
}

// passport-strategy's class, typed here so the declarations need no `@types/passport-strategy`.
const StrategyBase = PassportStrategy as unknown as abstract new () => Actions;

/** What a strategy's revocable sessions run on: core's sessions protocol and the sessions it ends. */
export interface StrategySessions {
  /** Core's sessions protocol (`createSessionsProtocol`): list, end one, end all, current. */
  protocol: SessionsProtocol;
  /** The sessions `signOut` ends a session in. */
  sessions: Pick<UpstreamSessions, 'end'>;
}

/**
 * The revocable-session methods both strategies have (`sessionGuard`, `listSessions`,
 * `endSession`, `signOutEverywhere`, `signOut`): core's `createSessionsProtocol` mapped onto
 * Passport's request, with its `req.logout` for signing out here. The session id is kept in
 * `req.session` when Passport logs the user in.
 */
export abstract class RevocableStrategy extends StrategyBase {
  /** The name to use with `passport.authenticate(name)`. */
  abstract name: string;
  // TypeScript `protected`, never `#private`: Passport calls `authenticate` on a copy.
  /** `undefined`: the TingTing strategy without its `sessions` option. */
  protected abstract readonly revocable: StrategySessions | undefined;
  /** The strategy's method and cross-site check (core's `checkRequest`, with its options). */
  protected abstract readonly checkRequest: (
    request: ProtocolRequest,
  ) => ProtocolRefusal | undefined;

  private need(method: string): SessionsProtocol {
    if (this.revocable !== undefined) return this.revocable.protocol;
    throw new TypeError(`TingTing Strategy: ${method} needs the \`sessions\` option`);
  }

  /**
   * Middleware for routes of signed-in users: one sessions-store read (`sessions.status`); sets
   * `req.tingtingSession = { subject, id }` (the subject, this session's public id). A session
   * ended elsewhere ("sign out everywhere", another device) is `req.logout()`-ed here too, then a
   * `TingTingHTTPError` 401 goes to `next` (`NOT_VERIFIED` for phone sign-in, `SESSION_EXPIRED`
   * for password sign-in), or a 303 to `options.signIn` for a browser's page request.
   */
  sessionGuard(options: SessionGuardOptions = {}): SessionMiddleware {
    const protocol = this.need('sessionGuard');
    const signIn = options.signIn;
    if (signIn !== undefined && (typeof signIn !== 'string' || !/^\/(?![/\\])/.test(signIn))) {
      throw new TypeError("sessionGuard: signIn must be a path like '/login'");
    }
    return (req, res, next) => {
      this.decide(protocol, req, signIn).then(
        (outcome) => {
          if (outcome !== 'redirect') return next(outcome);
          res.setHeader('cache-control', 'no-store');
          res.redirect(303, signIn!);
        },
        (error: unknown) => next(error),
      );
    };
  }

  /** `undefined` to go on, the error to answer, or a redirect to the sign-in page. */
  private async decide(
    protocol: SessionsProtocol,
    req: Request,
    signIn: string | undefined,
  ): Promise<unknown> {
    const live = await protocol.current(storedSessionId(req, this.name));
    if (live.ok) {
      (req as { tingtingSession?: unknown }).tingtingSession = live.value;
      return undefined;
    }
    const error = TingTingHTTPError.fromRefusal(live.error);
    if (live.error.cause !== undefined) return error;
    // Ended elsewhere (or signed in without a session id): Passport's own sign-out, then signed out.
    if ((req as WithSession).isAuthenticated?.()) await logOut(req as WithSession);
    const isPage = /^(GET|HEAD)$/.test(req.method) && req.accepts?.(['json', 'html']) === 'html';
    return signIn !== undefined && isPage ? 'redirect' : error;
  }

  /**
   * The signed-in user's active sessions, oldest first, for a device list: public ids, device,
   * IP, times and `current`; never a session id. Rejects with a `TingTingHTTPError` (401, 503) for
   * the app's error handler.
   */
  async listSessions(req: Request): Promise<SessionView[]> {
    const protocol = this.need('listSessions');
    return thrown(await protocol.list(storedSessionId(req, this.name)));
  }

  /**
   * "Sign out this one": end the signed-in user's session with public id `id` (from
   * `listSessions`). Runs the cross-site check first (403 `CROSS_SITE_REQUEST`); an id that is not
   * one of the user's active sessions rejects with 404 `SESSION_NOT_FOUND` and ends nothing.
   * Ending this request's own session calls `req.logout()`. Resolves whether it was this one.
   */
  async endSession(req: Request, id: unknown): Promise<boolean> {
    const protocol = this.need('endSession');
    const sid = storedSessionId(req, this.name);
    const current = thrown(await protocol.endOne(requestOf(req), sid, id));
    if (current) await logOut(req as WithSession);
    return current;
  }

  /**
   * "Sign out everywhere": end every session of the signed-in user, in every process sharing the
   * store, then `req.logout()` here. The cross-site check runs first. Resolves how many ended.
   */
  async signOutEverywhere(req: Request): Promise<number> {
    const protocol = this.need('signOutEverywhere');
    const sid = storedSessionId(req, this.name);
    const count = thrown(await protocol.endAll(requestOf(req), sid));
    await logOut(req as WithSession);
    return count;
  }

  /**
   * End the session of `req` in the store (for password sign-in, the upstream session: its
   * logout when the provider has one) and forget its id. Call it before `req.logout()`. Resolves
   * whether a session was active; `false` when there is none (or no `sessions`). A cross-site
   * request (the strategy's check, as for its sign-in posts; any method) rejects with a 403
   * `CROSS_SITE_REQUEST` `TingTingHTTPError` and ends nothing: do not log the user out then.
   */
  async signOut(req: Request): Promise<boolean> {
    const { method: _, ...crossSite } = requestOf(req);
    const refusal = this.checkRequest(crossSite);
    if (refusal !== undefined) throw TingTingHTTPError.fromRefusal(refusal);
    const session = (req as WithSession).session;
    const stored = session?.[UPSTREAM_SESSION_KEY] as Partial<StoredSession> | undefined;
    if (this.revocable === undefined || stored?.strategy !== this.name) return false;
    if (typeof stored.sid !== 'string') return false;
    const ended = await this.revocable.sessions.end(stored.sid);
    delete session![UPSTREAM_SESSION_KEY];
    return ended;
  }
}
