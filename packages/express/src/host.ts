import type { IncomingMessage, ServerResponse } from 'node:http';
import type * as P from '@tingting-auth/core/protocol';
import {
  createSessionSwap,
  fromNodeRequest,
  isTingTingHTTPError,
  sendNodeAnswer,
  TingTingHTTPError,
} from '@tingting-auth/core/protocol';
import type * as T from './types.js';

// What the phone router (createTingTingAuth) and the password router (createUpstreamAuth) share:
// the session plumbing, the no-JavaScript form redirects, the app's CSRF middleware, the session
// pages and the path dispatch. The protocol itself is core's; this is only the Express side.

export type Done = (error?: unknown) => void;
/** The parts of `req.session` the routers touch (express-session or a compatible one). */
export type Session = {
  regenerate(done: Done): void;
  save(done: Done): void;
  destroy(done: Done): void;
} & Record<string, unknown>;
export type HostRequest = P.NodeRequest & {
  session?: Session;
  params?: Record<string, string | undefined>;
  accepts?(types: string[]): string | false;
  app?: { get(name: string): unknown };
};
/** The last refused form post, read once by `formState`. */
type FormError = { code: string; message: string; retryAfter?: number };

export const sessionOf = (req: HostRequest): Session | undefined =>
  typeof req.session?.regenerate === 'function' ? req.session : undefined;
export const callback = (fn: (done: Done) => unknown): Promise<void> =>
  new Promise((resolve, reject) => fn((error) => (error ? reject(error) : resolve())));
/** A session store's failure (`regenerate`, `save`) as a 503 with `Retry-After`; the cause for logs. */
export const unavailable = (cause: unknown): never => {
  throw new TingTingHTTPError('SERVICE_UNAVAILABLE', { cause });
};
/** `fn` (a session store call), its failure a 503 (see {@link unavailable}). */
export const stored = (fn: (done: Done) => unknown): Promise<void> =>
  callback(fn).catch(unavailable);
export const redirect = (res: ServerResponse, location: string): void =>
  void res.writeHead(303, { location, 'cache-control': 'no-store' }).end();
export const toProtocol = (req: HostRequest): P.ProtocolRequest =>
  fromNodeRequest(req, { trustForwardedHost: Boolean(req.app?.get('trust proxy')) });
export const isPage = (req: HostRequest): boolean =>
  /^(GET|HEAD)$/.test(req.method ?? '') && req.accepts?.(['json', 'html']) === 'html';

/** The option checks' `TypeError`, named for the function the app called. */
export const failer =
  (caller: string) =>
  (message: string): never => {
    throw new TypeError(`${caller}: ${message}`);
  };

/** A redirect option: a path or an absolute http(s) URL, never a protocol-relative `//host`. */
export function target(caller: string, name: string, value: unknown): string {
  if (typeof value === 'string' && /^(\/(?![/\\])|https?:\/\/)/.test(value)) return value;
  return failer(caller)(
    `redirects.${name} must be a path like '/account' (or an absolute http(s) URL)`,
  );
}

/** The `sessionKey` option, checked: where the router keeps its data in `req.session`. */
export function sessionKeyOf(caller: string, value: unknown, fallback: string): string {
  const key = value ?? fallback;
  const fail = failer(caller);
  if (typeof key !== 'string' || !/^[A-Za-z_$][\w$]{0,63}$/.test(key)) {
    fail('`sessionKey` must be an identifier');
  }
  if (key === 'cookie' || key === 'id') {
    fail(`\`sessionKey\` cannot be "${key}": express-session uses it`);
  }
  return key as string;
}

export interface HostOptions {
  /** Where the router keeps its data in `req.session` (checked with {@link sessionKeyOf}). */
  key: string;
  /** The checked `redirects` option, when the app serves forms without JavaScript. */
  redirects: { onError: string; afterEndSession: string; afterSignOut: string } | undefined;
  /** The `crossSiteProtection` option: a function is the app's CSRF middleware. */
  csrf: unknown;
  /** The router's revocable sessions: registered, so the app's other router ends them too. */
  sessions?: EndsSessions | undefined;
}

// The revocable sessions of every router created with `sessions`, by its key: a sign-in with one
// router also ends the session the old cookie session held at another's (phone then password, or
// the reverse). Module-wide, weakly held (a router dropped is forgotten). Routers of another app
// with the same key are asked too: ending a session id a store does not hold ends nothing.
type Registered = { key: string; sessions: WeakRef<EndsSessions> };
const registered = new Set<Registered>();
const forget = new FinalizationRegistry<Registered>((entry) => registered.delete(entry));

/** A revocable session the cookie session holds at `key`, as core's session swap ends it. */
type HeldSession = { key: string; sid: string; end(sid: string): Promise<boolean> };
const heldAt = (key: string, sid: string, sessions: EndsSessions): HeldSession => ({
  key,
  sid,
  end: (sid) => sessions.end(sid),
});

/** The other routers' revocable sessions the cookie session holds, read before `regenerate`. */
function heldElsewhere(session: Session | undefined, key: string) {
  const held: HeldSession[] = [];
  for (const entry of registered) {
    const sessions = entry.sessions.deref();
    if (sessions === undefined) registered.delete(entry);
    const sid = (session?.[entry.key] as { sid?: unknown } | undefined)?.sid;
    if (sessions && entry.key !== key && typeof sid === 'string')
      held.push(heldAt(entry.key, sid, sessions));
  }
  return held;
}

type Step = (req: HostRequest, res: ServerResponse) => Promise<void>;

/** The session pages as middleware, over core's sessions protocol. */
export interface ManagedSessions {
  listSessions(req: IncomingMessage): Promise<P.SessionView[]>;
  sessionList: T.Middleware;
  endSession: T.Middleware;
  signOutEverywhere: T.Middleware;
  /** `POST /sessions/:id/end` from the router's own path. */
  endOne(id: string): T.Middleware;
}

/** What {@link createHost} gives a router. */
export interface Host {
  /** Where the last form error (and the router's form data) live in `req.session`. */
  formKey: string;
  isFormPost(req: HostRequest): boolean;
  formOf<F extends { error?: FormError }>(session: Session): F;
  /** A 303 to `page` for a browser's form post, else the protocol's answer. */
  answer(
    req: IncomingMessage,
    res: ServerResponse,
    page: string | undefined,
    a: P.ProtocolAnswer,
  ): void;
  /** The app's CSRF middleware, when it gave one (after the protocol's cross-site check). */
  appCsrf(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /**
   * A step as middleware: its errors go to `next`, except that a refused form post goes back to
   * `errorPage` (default `redirects.onError`) with the error kept for `formState`.
   */
  handle(run: Step, errorPage?: string): T.Middleware;
  /** The session id kept in `req.session` (with `sessions`), if any. */
  sidOf(req: IncomingMessage): string | undefined;
  /**
   * Sign in here: a new session id (an id planted before sign-in, fixation, is worth nothing), then
   * `data` at the router's key, saved. With `sessions` and a revocable `data.sid`: on a failure
   * that session is ended (the browser will never hold it) and a 503 is thrown; once saved,
   * the revocable session the browser held before (this router's, signing in again, or the app's
   * other router's, at its key) is ended; so it is when the save fails after `regenerate` (the old
   * cookie session is gone; a failed `regenerate` keeps it). A session store failure is a 503
   * `SERVICE_UNAVAILABLE` (the cause kept).
   */
  signInHere(req: IncomingMessage, data: StoredSid, sessions?: EndsSessions): Promise<void>;
  /**
   * Clear the signed-in data and rotate the session id, so a copied cookie is dead. Sign-out signs
   * the browser out: the sessions held at the app's other routers' keys are ended first (a
   * failure: 503, nothing dropped). A session store failure is a 503 `SERVICE_UNAVAILABLE`.
   */
  signOutHere(req: IncomingMessage): Promise<void>;
  /**
   * Destroy the cookie session (this router's session ended elsewhere), ending first the sessions
   * held at the other routers' keys; when that fails, the cookie session is kept.
   */
  destroyHere(req: IncomingMessage): Promise<void>;
  /** The session pages over core's sessions protocol; `signedOut` is the code a signed-out request gets. */
  manage(protocol: P.SessionsProtocol, signedOut: string): ManagedSessions;
  /** The router: the POST `routes`, then the session paths when there are `sessions`. */
  router(routes: Record<string, T.Middleware>, managed: ManagedSessions | undefined): T.Middleware;
}

/** What a router keeps at its key: the revocable session's id, when it has one. */
export type StoredSid = { sid?: string | undefined };
/** The sessions a router ends a revocable session in (core's `UpstreamSessions`). */
export type EndsSessions = { end(sid: string): Promise<boolean> };

/** The Express side both routers share, over one session key and one set of redirects. */
export function createHost(options: HostOptions): Host {
  const { key, redirects, csrf } = options;
  const formKey = `${key}Form`;
  if (options.sessions !== undefined) {
    const entry = { key, sessions: new WeakRef(options.sessions) };
    registered.add(entry);
    forget.register(options.sessions, entry);
  }

  const isFormPost = (req: HostRequest) =>
    redirects !== undefined &&
    /^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '') &&
    req.accepts?.(['json', 'html']) === 'html';
  const formOf = <F extends { error?: FormError }>(session: Session): F => {
    session[formKey] ??= {};
    return session[formKey] as F;
  };
  const answer = (
    req: IncomingMessage,
    res: ServerResponse,
    page: string | undefined,
    a: P.ProtocolAnswer,
  ) =>
    page !== undefined && isFormPost(req as HostRequest)
      ? redirect(res, page)
      : sendNodeAnswer(res, a);

  async function appCsrf(req: IncomingMessage, res: ServerResponse) {
    if (typeof csrf !== 'function') return;
    await callback((done) => csrf(req, res, done)).catch((cause) => {
      const message = 'The CSRF middleware refused the request';
      throw new TingTingHTTPError('CROSS_SITE_REQUEST', { cause, message });
    });
  }

  const handle =
    (run: Step, errorPage?: string): T.Middleware =>
    (request, res, next) => {
      const req = request as HostRequest;
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
        const page = errorPage ?? redirects.onError;
        const session = sessionOf(req);
        const { code, publicMessage: message, retryAfter } = error;
        const withCode = `${page}${page.includes('?') ? '&' : '?'}error=${code}`;
        if (!session) return redirect(res, withCode);
        formOf(session).error = { code, message, ...(retryAfter ? { retryAfter } : {}) };
        // A session store that cannot keep the error (it is down): the page gets the code instead.
        session.save((failed) => redirect(res, failed ? withCode : page));
      });
    };

  const sidOf = (req: IncomingMessage): string | undefined => {
    const sid = (sessionOf(req as HostRequest)?.[key] as { sid?: unknown } | undefined)?.sid;
    return typeof sid === 'string' ? sid : undefined;
  };

  /** Ends the revocable sessions `session` holds at the app's other routers' keys (core decides). */
  async function endHeldElsewhere(session: Session): Promise<HeldSession[]> {
    const held = heldElsewhere(session, key);
    await createSessionSwap({ held }).signedOut();
    return held;
  }

  async function signInHere(req: IncomingMessage, data: StoredSid, sessions?: EndsSessions) {
    const r = req as HostRequest;
    // Read before `regenerate` drops them: the session(s) the old cookie session held, this
    // router's (the browser signing in again) and the app's other routers' (at their keys).
    const previous = sidOf(req);
    const held = [
      ...(previous !== undefined && sessions !== undefined
        ? [heldAt(key, previous, sessions)]
        : []),
      ...heldElsewhere(sessionOf(r), key),
    ];
    const fresh =
      data.sid !== undefined && sessions !== undefined
        ? { sid: data.sid, end: (sid: string) => sessions.end(sid) }
        : undefined;
    // Core's decision: a failed `regenerate` ends the new session and keeps the old one(s) (the
    // old cookie session may be intact); a save that fails after `regenerate` ends them all (no
    // browser can present them); once saved, the old ones are ended except one the new cookie
    // session still names. Failing to end one fails no sign-in.
    const swap = createSessionSwap({ held, fresh });
    try {
      await callback((done) => r.session!.regenerate(done));
      swap.regenerated();
      const fresh = r.session as Session;
      fresh[key] = data;
      await callback((done) => fresh.save(done));
    } catch (error) {
      await swap.abandoned();
      return unavailable(error);
    }
    const saved = r.session as Session;
    await swap.saved((old) => (saved[old.key] as StoredSid | undefined)?.sid === old.sid);
  }

  async function signOutHere(req: IncomingMessage) {
    const session = sessionOf(req as HostRequest);
    if (session === undefined) return;
    // Sign-out signs the browser out: the session it held from the app's other router (its key)
    // is dropped with the cookie session, so it is ended too, first: a store failure is a 503
    // with nothing dropped, and the user can retry. Its data goes too, even from a session whose
    // `regenerate` keeps data: no ended session id lingers.
    const ended = await endHeldElsewhere(session).catch(unavailable);
    for (const other of ended) delete session[other.key];
    delete session[key];
    delete session[formKey];
    await stored((done) => session.regenerate(done));
  }

  /**
   * Destroys the cookie session (this router's session ended elsewhere). The other routers'
   * sessions it holds are ended first; when that fails, it is kept (no session is left live and
   * held by nobody) and the next request tries again.
   */
  async function destroyHere(req: IncomingMessage): Promise<void> {
    const session = sessionOf(req as HostRequest);
    if (session === undefined) return;
    const ended = await endHeldElsewhere(session).then(
      () => true,
      () => false,
    );
    if (ended) await new Promise<void>((resolve) => session.destroy(() => resolve()));
  }

  function manage(protocol: P.SessionsProtocol, signedOut: string): ManagedSessions {
    /** Throw the refusal of a failed result; an ended session also destroys `req.session`. */
    async function settle<V>(req: HostRequest, result: P.ProtocolResult<V>): Promise<V> {
      if (result.ok) return result.value;
      // Ended elsewhere: no stale id lingers in this cookie session.
      if (result.error.code === signedOut && sidOf(req) !== undefined) await destroyHere(req);
      throw TingTingHTTPError.fromRefusal(result.error);
    }

    /** Checks a POST: the protocol's method and cross-site check, then the app's CSRF middleware. */
    async function check(req: HostRequest, res: ServerResponse) {
      const refusal = protocol.check(toProtocol(req));
      if (refusal !== undefined) throw TingTingHTTPError.fromRefusal(refusal);
      await appCsrf(req, res);
    }

    async function endOne(req: HostRequest, res: ServerResponse, id: unknown) {
      await check(req, res);
      const result = await protocol.endOne(toProtocol(req), sidOf(req), id);
      const wasCurrent = await settle(req, result);
      if (wasCurrent) await signOutHere(req);
      const page = wasCurrent ? redirects?.afterSignOut : redirects?.afterEndSession;
      answer(req, res, page, result.answer);
    }

    const page = redirects?.afterEndSession;
    return {
      async listSessions(req) {
        return settle(req as HostRequest, await protocol.list(sidOf(req)));
      },
      sessionList: handle(async (req, res) => {
        const result = await protocol.list(sidOf(req));
        await settle(req, result);
        sendNodeAnswer(res, result.answer);
      }, page),
      // `req.params.id`: the app mounted it on a route of its own.
      endSession: handle((req, res) => endOne(req, res, req.params?.id), page),
      signOutEverywhere: handle(async (req, res) => {
        await check(req, res);
        const result = await protocol.endAll(toProtocol(req), sidOf(req));
        await settle(req, result);
        await signOutHere(req);
        answer(req, res, redirects?.afterSignOut, result.answer);
      }, page),
      endOne: (id) => handle((req, res) => endOne(req, res, id), page),
    };
  }

  function router(
    routes: Record<string, T.Middleware>,
    managed: ManagedSessions | undefined,
  ): T.Middleware {
    return (req, res, next) => {
      const path = (req.url ?? '/').split('?')[0]!.replace(/\/$/, '');
      if (req.method === 'POST' && Object.hasOwn(routes, path)) {
        return routes[path]!(req, res, next);
      }
      const step = managed && sessionPathOf(req.method, path);
      if (!managed || !step) return next();
      if (step.step === 'list') managed.sessionList(req, res, next);
      else if (step.step === 'endAll') managed.signOutEverywhere(req, res, next);
      else managed.endOne(step.id)(req, res, next);
    };
  }

  return {
    formKey,
    isFormPost,
    formOf,
    answer,
    appCsrf,
    handle,
    sidOf,
    signInHere,
    signOutHere,
    destroyHere,
    manage,
    router,
  };
}

/** The router's session paths: `GET /sessions`, `POST /sessions/:id/end`, `POST /sign-out-everywhere`. */
function sessionPathOf(
  method: string | undefined,
  path: string,
): { step: 'list' } | { step: 'endAll' } | { step: 'endOne'; id: string } | undefined {
  if (path === '/sessions' && (method === 'GET' || method === 'HEAD')) return { step: 'list' };
  if (method !== 'POST') return undefined;
  if (path === '/sign-out-everywhere') return { step: 'endAll' };
  const match = /^\/sessions\/([^/]{1,64})\/end$/.exec(path);
  if (match === null) return undefined;
  let id: string;
  try {
    id = decodeURIComponent(match[1]!);
  } catch {
    id = '';
  }
  return { step: 'endOne', id };
}
