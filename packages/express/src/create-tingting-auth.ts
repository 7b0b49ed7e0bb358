import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OTPEngineAPI } from '@tingting-auth/core';
import * as P from '@tingting-auth/core/protocol';
import { isTingTingHTTPError, TingTingHTTPError } from '@tingting-auth/core/protocol';
import type { UpstreamSessions } from '@tingting-auth/core/upstream';
import { rateLimit } from 'express-rate-limit';
import {
  callback,
  target as checkedTarget,
  createHost,
  type Done,
  failer,
  type HostRequest,
  isPage,
  redirect,
  type Session,
  sessionKeyOf,
  sessionOf,
  stored,
  toProtocol,
  unavailable,
} from './host.js';
import type * as T from './types.js';

/** What {@link createTingTingAuth} returns. */
export interface TingTingExpress {
  /** `POST /send`, `/verify`, `/sign-out`: `app.use('/auth/otp', tingting.router)`. */
  router: T.Middleware;
  /** Sends a code to `phone` (`channel`: `text` | `voice`, `voice`, `resend`); 202. */
  send: T.Middleware;
  /** Checks `code` for `phone`, then `onVerified` or signs the session in; 200. */
  verify: T.Middleware;
  /**
   * Clears the verified number and rotates the session id; 204. With `sessions`, ends the session
   * first, and a session of the app's password router the cookie session holds too (503 on a
   * store failure, nothing dropped).
   */
  signOut: T.Middleware;
  /**
   * Lets requests with a verified number through (`req.tingting`), else 401 `NOT_VERIFIED`. With
   * `sessions`: one `sessions.status` read per request; an ended session is signed out here too.
   */
  requireVerified: T.Middleware;
  /** With `sessions`: `GET /sessions`, 200 `{ sessions: SessionView[] }` (public ids, never a session id). */
  sessionList: T.Middleware | undefined;
  /** With `sessions`: ends the signed-in number's session `req.params.id` (public id); 204, 404 `SESSION_NOT_FOUND`. */
  endSession: T.Middleware | undefined;
  /** With `sessions`: ends every session of the signed-in number, this one included; 204. */
  signOutEverywhere: T.Middleware | undefined;
  /**
   * With `sessions`: the signed-in number's active sessions for a server-rendered page. Rejects
   * with a `TingTingHTTPError` (`NOT_VERIFIED`, `SERVICE_UNAVAILABLE`) for `errorHandler`.
   */
  listSessions(req: IncomingMessage): Promise<T.SessionView[]>;
  /** Renders this package's errors as `{ error: { code, message } }`; passes others on. */
  errorHandler: T.ErrorMiddleware;
  /** For server-rendered pages: verified number, pending code, last form error (read once). */
  formState(req: IncomingMessage): T.FormState;
}

/** What the session integration keeps at `req.session[sessionKey]`: the sid only with `sessions`. */
type Stored = T.VerifiedIdentity & { sid?: string };
type Req = HostRequest & { tingting?: T.VerifiedIdentity };

const CALLER = 'createTingTingAuth';
const fail = failer(CALLER);
const target = (name: string, value: unknown) => checkedTarget(CALLER, name, value);

function limiter(name: string, value: unknown, limit: number): T.Middleware | undefined {
  if (value === false) return undefined;
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    fail(`rateLimit.${name} must be express-rate-limit options (e.g. { limit: 10 }) or false`);
  }
  const given = (value ?? {}) as T.RateLimitOptions;
  if ('handler' in given) {
    fail(`rateLimit.${name}.handler cannot be replaced: the router answers 429 RATE_LIMITED`);
  }
  const handler = (req: object, _res: unknown, next: Done) => {
    const reset = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
    const retryAfter = reset ? { retryAfter: (reset.getTime() - Date.now()) / 1_000 } : {};
    next(new TingTingHTTPError('RATE_LIMITED', { ...retryAfter, message: 'Per-IP limit' }));
  };
  const defaults = { limit, windowMs: 15 * 60_000, standardHeaders: 'draft-7' as const };
  return rateLimit({ ...defaults, legacyHeaders: false, ...given, handler }) as never;
}

/**
 * Express middleware for phone sign-in with a one-time code, on Express 4 and 5. The protocol
 * (options, bodies, cross-site check, answers) is core's; this adds sessions, per-IP limits
 * (express-rate-limit) and the no-JavaScript form redirects.
 *
 * @param engine An `OTPEngine` from `@tingting-auth/core` (anything implementing `OTPEngineAPI`).
 * @param options See {@link T.TingTingExpressOptions}; checked here (`TypeError` on a mistake).
 * @example
 * ```ts
 * const tingting = createTingTingAuth(engine);
 * app.use(session({ secret, resave: false, saveUninitialized: false }));
 * app.use('/auth/otp', tingting.router);
 * app.get('/account', tingting.requireVerified, (req, res) => res.json(req.tingting));
 * app.use(tingting.errorHandler);
 * ```
 */
export function createTingTingAuth(
  engine: OTPEngineAPI,
  options?: T.TingTingExpressOptions,
): TingTingExpress {
  const protocol = P.resolveProtocolOptions('createTingTingAuth', options, {
    engine,
    engineUsage: 'createTingTingAuth(new OTPEngine({ sender, secret }), options)',
    crossSiteMiddleware: true,
    adapterOptions: {
      onVerified: 'function',
      onSignOut: 'function',
      getVerified: 'function',
      sessionKey: 'string',
      rateLimit: 'object|false',
      redirects: 'object',
      sessions: 'object',
    },
  });
  const { onVerified, onSignOut, getVerified, rateLimit: limits = {}, ...o } = options ?? {};
  const sessions = o.sessions as UpstreamSessions | undefined;
  if (sessions !== undefined && typeof sessions?.status !== 'function') {
    fail('`sessions` must be an UpstreamSessions from @tingting-auth/core/upstream');
  }
  if (sessions !== undefined && (onVerified !== undefined || getVerified !== undefined)) {
    fail(
      '`sessions` works with the session integration; with onVerified, call sessions.create() yourself',
    );
  }
  const key = sessionKeyOf(CALLER, o.sessionKey, 'tingting');
  const sendLimit = limits && limiter('send', limits.send, 30);
  const verifyLimit = limits && limiter('verify', limits.verify, 60);
  const r = o.redirects as Record<string, unknown> | undefined;
  const redirects = r && {
    afterSend: target('afterSend', r.afterSend),
    afterVerify: target('afterVerify', r.afterVerify),
    onError: target('onError', r.onError),
    afterSignOut: target('afterSignOut', r.afterSignOut ?? '/'),
    signIn: r.signIn === undefined ? undefined : target('signIn', r.signIn),
    afterEndSession: target('afterEndSession', r.afterEndSession ?? r.afterVerify),
  };
  const otp = P.createOTPProtocol(protocol);
  const managed =
    sessions && P.createSessionsProtocol(protocol, { sessions, signedOut: 'NOT_VERIFIED' });
  const host = createHost({ key, redirects, csrf: protocol.crossSiteProtection, sessions });
  const { formKey, formOf: formOfAny, answer, appCsrf, handle, sidOf } = host;
  const formOf = (session: Session) => formOfAny<T.FormState>(session);
  let warned = false;

  /** Method and cross-site checks (or the app's CSRF middleware, once), then the per-IP limiter. */
  async function guard(req: Req, res: ServerResponse, limit?: T.Middleware | false) {
    const refusal = otp.check(toProtocol(req));
    if (refusal !== undefined) throw TingTingHTTPError.fromRefusal(refusal);
    await appCsrf(req, res);
    await limited(req, res, limit);
  }
  async function limited(req: Req, res: ServerResponse, limit?: T.Middleware | false) {
    if (limit) await callback((done) => limit(req, res, done));
  }

  const send = handle(async (req: Req, res) => {
    await guard(req, res, sendLimit);
    const result = await otp.send(toProtocol(req));
    if (!result.ok) throw TingTingHTTPError.fromRefusal(result.error);
    const session = sessionOf(req);
    // Only pages without JavaScript read the pending code: a JSON API never writes the session.
    if (session !== undefined && redirects !== undefined) {
      const state = formOf(session);
      state.pending = result.answer.body as T.PendingChallenge;
      delete state.error;
      await stored((done) => session.save(done));
    }
    answer(req, res, redirects?.afterSend, result.answer);
  });

  // A refused code goes back to the code page, where the user can try again.
  const verify = handle(async (req: Req, res) => {
    await guard(req, res);
    const session = sessionOf(req);
    // Checked before the engine, so a misconfigured app never spends a user's attempt.
    if (onVerified === undefined && session === undefined) {
      const message = 'verify needs express-session before the router, or an onVerified hook';
      if (!warned) process.emitWarning(message, { code: 'TINGTING_EXPRESS_NO_SESSION' });
      warned = true;
      throw new TingTingHTTPError('SESSION_REQUIRED', { message });
    }
    // The checks (and the app's CSRF middleware) ran above: only the limiter is left.
    await limited(req, res, verifyLimit);
    const result = await otp.verify(toProtocol(req));
    if (!result.ok) throw TingTingHTTPError.fromRefusal(result.error);
    const { phone, purpose, verifiedAt } = result.value;
    if (onVerified !== undefined) {
      if (session !== undefined) delete session[formKey];
      await onVerified(req, res, { ok: true, phone, purpose });
      if (res.headersSent) return;
    } else {
      const created = managed && (await managed.start(toProtocol(req), phone).catch(unavailable));
      const stored: Stored = { phone, verifiedAt, ...(created ? { sid: created.sid } : {}) };
      // A session that failed here is ended (the browser will never hold it); once this one is
      // saved, the one the browser held before is ended (it signed in again).
      await host.signInHere(req, stored, sessions);
    }
    answer(req, res, redirects?.afterVerify, result.answer);
  }, redirects?.afterSend);

  const signOut = handle(async (req: Req, res) => {
    await guard(req, res);
    const sid = sidOf(req);
    // The store first: a failure is a 503 and the user is still signed in, free to retry.
    if (sid !== undefined) await sessions?.end(sid).catch(unavailable);
    await host.signOutHere(req);
    if (onSignOut !== undefined) await onSignOut(req, res);
    if (!res.headersSent)
      answer(req, res, redirects?.afterSignOut, otp.signOut({ headers: {} }).answer);
  });

  /** The stored identity, checked against `sessions` (one read) when there are sessions. */
  async function identityOf(req: Req): Promise<T.VerifiedIdentity | undefined> {
    if (getVerified) return getVerified(req);
    const stored = sessionOf(req)?.[key] as Stored | undefined;
    if (typeof stored?.phone !== 'string') return undefined;
    const { phone, verifiedAt } = stored;
    if (managed === undefined) return { phone, verifiedAt };
    const live = await managed.current(stored.sid);
    if (live.ok) return { phone, verifiedAt, sessionId: live.value.id };
    if (live.error.cause !== undefined) throw TingTingHTTPError.fromRefusal(live.error);
    // Ended elsewhere ("sign out everywhere", another device): signed out here as well.
    await host.destroyHere(req);
    return undefined;
  }

  const requireVerified: T.Middleware = (request, res, next) => {
    const req = request as Req;
    identityOf(req).then((identity) => {
      if (identity) {
        req.tingting = identity;
        return next();
      }
      if (redirects?.signIn !== undefined && isPage(req)) return redirect(res, redirects.signIn);
      next(new TingTingHTTPError('NOT_VERIFIED'));
    }, next);
  };

  const managing = managed && host.manage(managed, 'NOT_VERIFIED');
  const listSessions = (req: IncomingMessage): Promise<T.SessionView[]> =>
    managing
      ? managing.listSessions(req)
      : Promise.reject(new TypeError(`${CALLER}: listSessions needs the \`sessions\` option`));
  const router = host.router({ '/send': send, '/verify': verify, '/sign-out': signOut }, managing);

  const errorHandler: T.ErrorMiddleware = (error, _req, res, next) => {
    if (!isTingTingHTTPError(error) || res.headersSent) return next(error);
    P.sendNodeAnswer(res, P.answerOfHTTPError(error));
  };

  function formState(req: IncomingMessage): T.FormState {
    const session = sessionOf(req as Req);
    const stored = session?.[formKey] as T.FormState | undefined;
    const verified = session?.[key] as Stored | undefined;
    const state: T.FormState =
      verified === undefined
        ? {}
        : { verified: { phone: verified.phone, verifiedAt: verified.verifiedAt } };
    const pending = stored?.pending;
    if (pending !== undefined && Date.parse(pending.expiresAt) > Date.now())
      state.pending = pending;
    if (stored?.error !== undefined) state.error = stored.error;
    delete stored?.error;
    return state;
  }

  return {
    router,
    send,
    verify,
    signOut,
    requireVerified,
    sessionList: managing ? managing.sessionList : undefined,
    endSession: managing ? managing.endSession : undefined,
    signOutEverywhere: managing ? managing.signOutEverywhere : undefined,
    listSessions,
    errorHandler,
    formState,
  };
}
