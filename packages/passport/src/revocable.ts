import {
  type ProtocolRequest,
  type ProtocolResult,
  type SessionsProtocol,
  type SessionView,
  TingTingHTTPError,
} from '@tingting-auth/core/protocol';
import type { Request } from 'express';

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

/**
 * After Passport's `req.logIn` regenerates the session (Passport 0.6+), put the session id into
 * the new one. Nothing is written before: a user the app never logs in (a custom callback that
 * refuses) gets no session id in their cookie session.
 */
export function keepOnLogIn(request: Request, stored: StoredSession): void {
  const req = request as WithSession;
  const session = req.session;
  const regenerate = session?.regenerate;
  if (session === undefined || typeof regenerate !== 'function') return;
  // Non-enumerable: express-session never stores it, and `keepSessionInfo` never copies it.
  Object.defineProperty(session, 'regenerate', {
    configurable: true,
    enumerable: false,
    writable: true,
    value(this: SessionLike, callback: (error?: unknown) => void) {
      return regenerate.call(this, (error?: unknown) => {
        if (!error && req.session !== undefined) req.session[UPSTREAM_SESSION_KEY] = stored;
        callback(error);
      });
    },
  });
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

/** Forget the stored session id of `req` (after it ended). */
export function forgetSessionId(req: Request): void {
  const session = (req as WithSession).session;
  if (session !== undefined) delete session[UPSTREAM_SESSION_KEY];
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
 * The revocable-session helpers both strategies expose (`sessionGuard`, `listSessions`,
 * `endSession`, `signOutEverywhere`): core's `createSessionsProtocol` mapped onto Passport's
 * request (its `req.logout` for signing out here). Internal: users call the strategy's methods.
 */
export class SessionHelpers {
  constructor(
    private readonly strategy: () => string,
    private readonly protocol: SessionsProtocol,
    private readonly request: (req: Request) => ProtocolRequest,
  ) {}

  private sid(req: Request): string | undefined {
    return storedSessionId(req, this.strategy());
  }

  guard(options: SessionGuardOptions = {}): SessionMiddleware {
    const signIn = options.signIn;
    if (signIn !== undefined && (typeof signIn !== 'string' || !/^\/(?![/\\])/.test(signIn))) {
      throw new TypeError("sessionGuard: signIn must be a path like '/login'");
    }
    return (req, res, next) => {
      this.decide(req, signIn).then(
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
  private async decide(req: Request, signIn: string | undefined): Promise<unknown> {
    const live = await this.protocol.current(this.sid(req));
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

  async list(req: Request): Promise<SessionView[]> {
    return thrown(await this.protocol.list(this.sid(req)));
  }

  async endOne(req: Request, id: unknown): Promise<boolean> {
    const result = await this.protocol.endOne(this.request(req), this.sid(req), id);
    const current = thrown(result);
    if (current) await logOut(req as WithSession);
    return current;
  }

  async endAll(req: Request): Promise<number> {
    const count = thrown(await this.protocol.endAll(this.request(req), this.sid(req)));
    await logOut(req as WithSession);
    return count;
  }
}
