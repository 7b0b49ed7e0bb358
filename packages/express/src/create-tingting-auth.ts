import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OTPEngineAPI } from '@tingting-auth/core';
import * as P from '@tingting-auth/core/protocol';
import { isTingTingHTTPError, TingTingHTTPError } from '@tingting-auth/core/protocol';
import type { UpstreamSessions } from '@tingting-auth/core/upstream';
import { rateLimit } from 'express-rate-limit';
import { paramIdOf, sessionPathOf, sessionRoutes } from './session-routes.js';
import type * as T from './types.js';

/** What {@link createTingTingAuth} returns. */
export interface TingTingExpress {
  /** `POST /send`, `/verify`, `/sign-out`: `app.use('/auth/otp', tingting.router)`. */
  router: T.Middleware;
  /** Sends a code to `phone` (`channel`: `text` | `voice`, `voice`, `resend`); 202. */
  send: T.Middleware;
  /** Checks `code` for `phone`, then `onVerified` or signs the session in; 200. */
  verify: T.Middleware;
  /** Clears the verified number and rotates the session id; 204. */
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

type Done = (error?: unknown) => void;
type Session = {
  regenerate(done: Done): void;
  save(done: Done): void;
  destroy(done: Done): void;
} & Record<string, unknown>;
/** What the session integration keeps at `req.session[sessionKey]`: the sid only with `sessions`. */
type Stored = T.VerifiedIdentity & { sid?: string };
type Accepts = { accepts?(types: string[]): string | false; app?: { get(name: string): unknown } };
type Req = P.NodeRequest & Accepts & { session?: Session; tingting?: T.VerifiedIdentity };

const fail = (message: string): never => {
  throw new TypeError(`createTingTingAuth: ${message}`);
};
const sessionOf = (req: Req) =>
  typeof req.session?.regenerate === 'function' ? req.session : undefined;
const callback = (fn: (done: Done) => unknown): Promise<void> =>
  new Promise((resolve, reject) => fn((error) => (error ? reject(error) : resolve())));
const redirect = (res: ServerResponse, location: string) =>
  void res.writeHead(303, { location, 'cache-control': 'no-store' }).end();
/** A store failure as the 503 (with `Retry-After`) `errorHandler` answers; the cause for logs. */
const unavailable = (cause: unknown): never => {
  throw new TingTingHTTPError('SERVICE_UNAVAILABLE', { cause });
};
const toProtocol = (req: Req): P.ProtocolRequest =>
  P.fromNodeRequest(req, { trustForwardedHost: Boolean(req.app?.get('trust proxy')) });

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

function target(name: string, value: unknown): string {
  // A path or an absolute http(s) URL; never a protocol-relative `//host` (another origin).
  if (typeof value === 'string' && /^(\/(?![/\\])|https?:\/\/)/.test(value)) return value;
  return fail(`redirects.${name} must be a path like '/account' (or an absolute http(s) URL)`);
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
  const key = o.sessionKey ?? 'tingting';
  if (!/^[A-Za-z_$][\w$]{0,63}$/.test(key)) fail('`sessionKey` must be an identifier');
  if (key === 'cookie' || key === 'id')
    fail(`\`sessionKey\` cannot be "${key}": express-session uses it`);
  const formKey = `${key}Form`;
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
  const csrf = protocol.crossSiteProtection;
  const sidOf = (req: Req): string | undefined => {
    const sid = (sessionOf(req)?.[key] as Stored | undefined)?.sid;
    return typeof sid === 'string' ? sid : undefined;
  };
  let warned = false;

  const isFormPost = (req: Req) =>
    redirects !== undefined &&
    /^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '') &&
    req.accepts?.(['json', 'html']) === 'html';
  const formOf = (session: Session): T.FormState => {
    session[formKey] ??= {};
    return session[formKey] as T.FormState;
  };
  const answer = (req: Req, res: ServerResponse, page: string | undefined, a: P.ProtocolAnswer) =>
    page !== undefined && isFormPost(req) ? redirect(res, page) : P.sendNodeAnswer(res, a);

  /** The app's CSRF middleware, when it gave one (after the protocol's cross-site check). */
  async function appCsrf(req: IncomingMessage, res: ServerResponse) {
    if (typeof csrf !== 'function') return;
    await callback((done) => csrf(req as never, res as never, done as never)).catch((cause) => {
      const message = 'The CSRF middleware refused the request';
      throw new TingTingHTTPError('CROSS_SITE_REQUEST', { cause, message });
    });
  }

  /** Method and cross-site checks (or the app's CSRF middleware), then the per-IP limiter. */
  async function guard(req: Req, res: ServerResponse, limit?: T.Middleware | false) {
    const refusal = otp.check(toProtocol(req));
    if (refusal !== undefined) throw TingTingHTTPError.fromRefusal(refusal);
    await appCsrf(req, res);
    if (limit) await callback((done) => limit(req, res, done));
  }

  const handle =
    (step: string, run: (req: Req, res: ServerResponse) => Promise<void>): T.Middleware =>
    (request, res, next) => {
      const req = request as Req;
      run(req, res).catch((error: unknown) => {
        const formError = isTingTingHTTPError(error) && !res.headersSent && isFormPost(req);
        // Cross-site and configuration errors never get the friendly form redirect.
        if (
          !formError ||
          !redirects ||
          ['CROSS_SITE_REQUEST', 'SESSION_REQUIRED'].includes(error.code)
        ) {
          return next(error);
        }
        // A refused code goes back to the code page, where the user can try again.
        const page =
          step === 'verify'
            ? redirects.afterSend
            : step === 'sessions'
              ? redirects.afterEndSession
              : redirects.onError;
        const session = sessionOf(req);
        const { code, publicMessage: message, retryAfter } = error;
        if (!session) return redirect(res, `${page}${page.includes('?') ? '&' : '?'}error=${code}`);
        formOf(session).error = { code, message, ...(retryAfter ? { retryAfter } : {}) };
        session.save(() => redirect(res, page));
      });
    };

  const send = handle('send', async (req, res) => {
    await guard(req, res, sendLimit);
    const result = await otp.send(toProtocol(req));
    if (!result.ok) throw TingTingHTTPError.fromRefusal(result.error);
    const session = sessionOf(req);
    // Only pages without JavaScript read the pending code: a JSON API never writes the session.
    if (session !== undefined && redirects !== undefined) {
      const state = formOf(session);
      state.pending = result.answer.body as T.PendingChallenge;
      delete state.error;
      await callback((done) => session.save(done));
    }
    answer(req, res, redirects?.afterSend, result.answer);
  });

  const verify = handle('verify', async (req, res) => {
    await guard(req, res);
    const session = sessionOf(req);
    // Checked before the engine, so a misconfigured app never spends a user's attempt.
    if (onVerified === undefined && session === undefined) {
      const message = 'verify needs express-session before the router, or an onVerified hook';
      if (!warned) process.emitWarning(message, { code: 'TINGTING_EXPRESS_NO_SESSION' });
      warned = true;
      throw new TingTingHTTPError('SESSION_REQUIRED', { message });
    }
    await guard(req, res, verifyLimit);
    const result = await otp.verify(toProtocol(req));
    if (!result.ok) throw TingTingHTTPError.fromRefusal(result.error);
    const { phone, purpose, verifiedAt } = result.value;
    if (onVerified !== undefined) {
      if (session !== undefined) delete session[formKey];
      await onVerified(req, res, { ok: true, phone, purpose });
      if (res.headersSent) return;
    } else {
      const created = managed && (await managed.start(toProtocol(req), phone).catch(unavailable));
      try {
        // A new session id at sign-in: an id planted before sign-in (fixation) is worth nothing.
        await callback((done) => req.session?.regenerate(done));
        const fresh = req.session as Session;
        fresh[key] = {
          phone,
          verifiedAt,
          ...(created ? { sid: created.sid } : {}),
        } satisfies Stored;
        await callback((done) => fresh.save(done));
      } catch (error) {
        // The browser will never hold this session: end it rather than leave it listed.
        if (created) await sessions?.end(created.sid).catch(() => {});
        throw error;
      }
    }
    answer(req, res, redirects?.afterVerify, result.answer);
  });

  const signOut = handle('signOut', async (req, res) => {
    await guard(req, res);
    const session = sessionOf(req);
    const sid = sidOf(req);
    // The store first: a failure is a 503 and the user is still signed in, free to retry.
    if (sid !== undefined) await sessions?.end(sid).catch(unavailable);
    if (session !== undefined) {
      delete session[key];
      delete session[formKey];
      // Rotate the id as well, so a copied cookie of the signed-in session is dead.
      await callback((done) => session.regenerate(done));
    }
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
    const session = sessionOf(req);
    if (session !== undefined) await new Promise<void>((done) => session.destroy(() => done()));
    return undefined;
  }

  const requireVerified: T.Middleware = (request, res, next) => {
    const req = request as Req;
    identityOf(req).then((identity) => {
      if (identity) {
        req.tingting = identity;
        return next();
      }
      const isPage =
        /^(GET|HEAD)$/.test(req.method ?? '') && req.accepts?.(['json', 'html']) === 'html';
      if (redirects?.signIn !== undefined && isPage) return redirect(res, redirects.signIn);
      next(new TingTingHTTPError('NOT_VERIFIED'));
    }, next);
  };

  const managing =
    managed &&
    sessionRoutes({
      protocol: managed,
      sidOf: (req) => sidOf(req as Req),
      csrf: appCsrf,
      async signOutHere(request) {
        const session = sessionOf(request as Req);
        if (session === undefined) return;
        delete session[key];
        delete session[formKey];
        await callback((done) => session.regenerate(done));
      },
      answer,
      pages: {
        ...(redirects ? { afterEndSession: redirects.afterEndSession } : {}),
        ...(redirects ? { afterSignOut: redirects.afterSignOut } : {}),
      },
      signedOut: 'NOT_VERIFIED',
    });
  const sessionList = managing && handle('sessions', (req, res) => managing.list(req, res));
  const endSession =
    managing && handle('sessions', (req, res) => managing.endOne(req, res, paramIdOf(req)));
  const signOutEverywhere = managing && handle('sessions', (req, res) => managing.endAll(req, res));
  const listSessions = (req: IncomingMessage): Promise<T.SessionView[]> =>
    managing
      ? managing.listSessions(req)
      : Promise.reject(
          new TypeError('createTingTingAuth: listSessions needs the `sessions` option'),
        );

  const routes: Record<string, T.Middleware> = {
    '/send': send,
    '/verify': verify,
    '/sign-out': signOut,
  };
  const router: T.Middleware = (req, res, next) => {
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/$/, '');
    if (req.method === 'POST' && Object.hasOwn(routes, path)) return routes[path]!(req, res, next);
    const managed = managing && sessionPathOf(req.method, path);
    if (!managing || !managed) return next();
    if (managed.step === 'list') sessionList!(req, res, next);
    else if (managed.step === 'endAll') signOutEverywhere!(req, res, next);
    else handle('sessions', (r, s) => managing.endOne(r, s, managed.id))(req, res, next);
  };

  const errorHandler: T.ErrorMiddleware = (error, _req, res, next) => {
    if (!isTingTingHTTPError(error) || res.headersSent) return next(error);
    const retryAfter = error.retryAfter === undefined ? {} : { retryAfter: error.retryAfter };
    P.sendNodeAnswer(res, P.answerOf(P.refusalOf(error.code, retryAfter)));
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
    sessionList: sessionList || undefined,
    endSession: endSession || undefined,
    signOutEverywhere: signOutEverywhere || undefined,
    listSessions,
    errorHandler,
    formState,
  };
}
