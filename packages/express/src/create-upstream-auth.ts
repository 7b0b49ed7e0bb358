import type { IncomingMessage, ServerResponse } from 'node:http';
import * as P from '@tingting-auth/core/protocol';
import { isTingTingHTTPError, TingTingHTTPError } from '@tingting-auth/core/protocol';
import type { UpstreamSessions } from '@tingting-auth/core/upstream';
import {
  target as checkedTarget,
  createHost,
  failer,
  type HostRequest,
  isPage,
  redirect,
  type Session,
  sessionKeyOf,
  sessionOf,
  stored,
  toProtocol,
} from './host.js';
import type * as T from './types.js';
import type * as U from './upstream-types.js';

/** What {@link createUpstreamAuth} returns. */
export interface UpstreamExpress {
  /** `POST /sign-in`, `/sign-out` (and `/sign-up` for notes): `app.use('/auth/password', auth.router)`. */
  router: T.Middleware;
  /** Signs in with `username` (or `email`) and `password`; 200 `{ user }`, a new session id. */
  signIn: T.Middleware;
  /**
   * Ends the upstream session (and a session of the app's phone router the cookie session holds)
   * and rotates the session id; 204 (503 on a store failure).
   */
  signOut: T.Middleware;
  /** Notes only (`provider` with `signup`): 202, the same answer for a new and an existing account. */
  signUp: T.Middleware | undefined;
  /** Lets signed-in requests through with `req.upstream`; else 401 `SESSION_EXPIRED` (or a 303 for pages). */
  requireUpstreamSession: T.Middleware;
  /** `GET /sessions`: 200 `{ sessions: SessionView[] }`, the account's active sessions (public ids only). */
  sessionList: T.Middleware;
  /** Ends the account's session `req.params.id` (public id); 204, 404 `SESSION_NOT_FOUND` for any other id. */
  endSession: T.Middleware;
  /** Ends every session of the account (every device, every process sharing the store), then this one; 204. */
  signOutEverywhere: T.Middleware;
  /** The account's active sessions for a server-rendered page; rejects with a `TingTingHTTPError` (`SESSION_EXPIRED`, 503). */
  listSessions(req: IncomingMessage): Promise<T.SessionView[]>;
  /** Renders this package's errors (and a route's `SessionExpiredError`) as `{ error: { code, message } }`. */
  errorHandler: T.ErrorMiddleware;
  /** For server-rendered pages: the signed-in account, the last form error and notice (read once). */
  formState(req: IncomingMessage): U.UpstreamFormState;
}

type Req = HostRequest & { upstream?: U.UpstreamRequest };

const CALLER = 'createUpstreamAuth';
const fail = failer(CALLER);
const target = (name: string, value: unknown) => checkedTarget(CALLER, name, value);

/**
 * Express routes for password sign-in against an upstream token API (Timbr, the notes service,
 * TingTing accounts), on Express 4 and 5. The protocol (fields, bodies, cross-site check, limits,
 * answers) is core's `createPasswordProtocol`; the upstream tokens stay in `sessions` (sealed,
 * server-side): `req.session` holds only the session id. This adds the session handling, the
 * no-JavaScript form redirects and the guard.
 *
 * @param options See {@link U.UpstreamExpressOptions}; checked here (`TypeError` on a mistake).
 * @example
 * ```ts
 * const sessions = new UpstreamSessions({ store, secret, provider: timbrProvider() });
 * const auth = createUpstreamAuth({ sessions, baseURL: TIMBR_BASE_URL });
 * app.use(session({ secret, resave: false, saveUninitialized: false }));
 * app.use('/auth/password', auth.router);
 * app.get('/teams', auth.requireUpstreamSession, async (req, res) => {
 *   res.json(await (await req.upstream!.fetch('/api/openapi/token/TEAM/')).json());
 * });
 * app.use(auth.errorHandler);
 * ```
 */
export function createUpstreamAuth(options: U.UpstreamExpressOptions): UpstreamExpress {
  const shared = P.resolveRequestOptions(CALLER, options, {
    crossSiteMiddleware: true,
    adapterOptions: {
      sessions: 'object',
      provider: 'object',
      baseURL: 'string',
      fetch: 'function',
      sessionKey: 'string',
      redirects: 'object',
      fieldNames: 'object',
      signUpLimit: 'object|false',
    },
  });
  const o = options;
  const sessions = o.sessions as UpstreamSessions;
  if (typeof sessions?.getTokens !== 'function') {
    fail('`sessions` must be an UpstreamSessions from @tingting-auth/core/upstream');
  }
  const password = P.createPasswordProtocol(shared, {
    sessions,
    ...(o.provider === undefined ? {} : { provider: o.provider }),
    ...(o.fieldNames === undefined ? {} : { fieldNames: o.fieldNames }),
    ...(o.signUpLimit === undefined ? {} : { signUpLimit: o.signUpLimit }),
  });
  let base: string | undefined;
  if (o.baseURL !== undefined) {
    try {
      base = new URL(o.baseURL).href;
    } catch {
      fail('`baseURL` must be the upstream API URL, e.g. https://app.timbr.studio');
    }
  }
  const key = sessionKeyOf(CALLER, o.sessionKey, 'upstream');
  const r = o.redirects as Record<string, unknown> | undefined;
  const redirects = r && {
    afterSignIn: target('afterSignIn', r.afterSignIn),
    onError: target('onError', r.onError),
    afterSignOut: target('afterSignOut', r.afterSignOut ?? '/'),
    afterSignUp: target('afterSignUp', r.afterSignUp ?? r.onError),
    signIn: r.signIn === undefined ? undefined : target('signIn', r.signIn),
    afterEndSession: target('afterEndSession', r.afterEndSession ?? r.afterSignIn),
  };
  const host = createHost({ key, redirects, csrf: shared.crossSiteProtection, sessions });
  const { formKey, isFormPost, answer, appCsrf, handle } = host;
  const formOf = (session: Session) => host.formOf<U.UpstreamFormState>(session);

  async function guard(req: Req, res: ServerResponse) {
    const refusal = password.check(toProtocol(req));
    if (refusal !== undefined) throw TingTingHTTPError.fromRefusal(refusal);
    await appCsrf(req, res);
  }

  const requireSession = (req: Req): Session => {
    const session = sessionOf(req);
    if (session !== undefined) return session;
    const message =
      'createUpstreamAuth needs express-session (or a compatible req.session) before the router';
    throw new TingTingHTTPError('SESSION_REQUIRED', { message });
  };

  const signIn = handle(async (req: Req, res) => {
    await guard(req, res);
    // Checked before the upstream, so a misconfigured app never spends a user's attempt.
    requireSession(req);
    const result = await password.signIn(toProtocol(req));
    if (!result.ok) throw TingTingHTTPError.fromRefusal(result.error);
    const { sid, subject, provider, user } = result.value;
    const stored: U.UpstreamSessionData = { sid, subject, provider, identifier: user.identifier };
    // A session that failed here is ended (the browser will never hold it); once this one is
    // saved, the one the browser held before is ended (it signed in again).
    await host.signInHere(req, stored, sessions);
    answer(req, res, redirects?.afterSignIn, result.answer);
  });

  const signOut = handle(async (req: Req, res) => {
    await guard(req, res);
    const session = sessionOf(req);
    const stored = session?.[key] as U.UpstreamSessionData | undefined;
    const result = await password.signOut(
      toProtocol(req),
      typeof stored?.sid === 'string' ? stored.sid : undefined,
    );
    if (!result.ok) throw TingTingHTTPError.fromRefusal(result.error);
    await host.signOutHere(req);
    answer(req, res, redirects?.afterSignOut, result.answer);
  });

  const signUpStep = password.signUp;
  const signUp =
    signUpStep &&
    handle(async (req: Req, res) => {
      await guard(req, res);
      const result = await signUpStep(toProtocol(req));
      if (!result.ok) throw TingTingHTTPError.fromRefusal(result.error);
      const session = sessionOf(req);
      if (session !== undefined && redirects !== undefined && isFormPost(req)) {
        formOf(session).notice = (result.answer.body as P.SignUpAnswer).message;
        delete formOf(session).error;
        await stored((done) => session.save(done));
      }
      answer(req, res, redirects?.afterSignUp, result.answer);
    });

  const requireUpstreamSession: T.Middleware = (request, res, next) => {
    const req = request as Req;
    const session = sessionOf(req);
    const stored = session?.[key] as U.UpstreamSessionData | undefined;
    const refuse = (refusal: P.ProtocolRefusal) => {
      if (refusal.code === 'SESSION_EXPIRED' && redirects?.signIn !== undefined && isPage(req)) {
        return redirect(res, redirects.signIn);
      }
      next(TingTingHTTPError.fromRefusal(refusal));
    };
    if (typeof stored?.sid !== 'string') return refuse(P.refusalOf('SESSION_EXPIRED'));
    const { sid, subject, provider } = stored;
    sessions.getTokens(sid).then(
      (tokens) => {
        let first: string | undefined = tokens.accessToken;
        let bound: P.UpstreamFetch | undefined;
        req.upstream = {
          subject,
          provider,
          accessToken() {
            // The guard's read is fresh for this request; later calls read (and refresh) again.
            const token = first;
            first = undefined;
            return token === undefined ? sessions.getAccessToken(sid) : Promise.resolve(token);
          },
          fetch(input, init) {
            if (base === undefined) {
              const message = `${CALLER}: req.upstream.fetch needs the \`baseURL\` option`;
              return Promise.reject(new TypeError(message));
            }
            bound ??= P.upstreamFetch(sessions, sid, {
              baseURL: base,
              ...(o.fetch === undefined ? {} : { fetch: o.fetch }),
            });
            return bound(input, init);
          },
        };
        next();
      },
      (error: unknown) => {
        const refusal = P.refusalOfSessionError(error);
        if (refusal.code !== 'SESSION_EXPIRED' || session === undefined) return refuse(refusal);
        // The upstream session is over: so is this one (no stale session id lingers).
        host.destroyHere(req).then(() => refuse(refusal));
      },
    );
  };

  const managing = host.manage(P.createSessionsProtocol(shared, { sessions }), 'SESSION_EXPIRED');
  const router = host.router(
    {
      '/sign-in': signIn,
      '/sign-out': signOut,
      ...(signUp === undefined ? {} : { '/sign-up': signUp }),
    },
    managing,
  );

  const errorHandler: T.ErrorMiddleware = (error, _req, res, next) => {
    if (res.headersSent) return next(error);
    if (isTingTingHTTPError(error)) return P.sendNodeAnswer(res, P.answerOfHTTPError(error));
    // A route's `req.upstream.fetch()` or `accessToken()` may reject with the session's errors.
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'SESSION_EXPIRED' || code === 'UPSTREAM_UNAVAILABLE') {
      const { cause: _, ...refusal } = P.refusalOfSessionError(error);
      return P.sendNodeAnswer(res, P.answerOf(refusal));
    }
    next(error);
  };

  function formState(req: IncomingMessage): U.UpstreamFormState {
    const session = sessionOf(req as Req);
    const stored = session?.[formKey] as U.UpstreamFormState | undefined;
    const account = session?.[key] as U.UpstreamSessionData | undefined;
    const state: U.UpstreamFormState =
      typeof account?.sid === 'string'
        ? {
            account: {
              subject: account.subject,
              provider: account.provider,
              identifier: account.identifier,
            },
          }
        : {};
    if (stored?.error !== undefined) state.error = stored.error;
    if (stored?.notice !== undefined) state.notice = stored.notice;
    delete stored?.error;
    delete stored?.notice;
    return state;
  }

  return {
    router,
    signIn,
    signOut,
    signUp,
    requireUpstreamSession,
    sessionList: managing.sessionList,
    endSession: managing.endSession,
    signOutEverywhere: managing.signOutEverywhere,
    listSessions: managing.listSessions,
    errorHandler,
    formState,
  };
}
