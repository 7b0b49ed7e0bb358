import type { IncomingMessage, ServerResponse } from 'node:http';
import * as P from '@tingting-auth/core/protocol';
import { TingTingHTTPError } from '@tingting-auth/core/protocol';

type Done = (error?: unknown) => void;
/** The parts of `req.session` the routes touch. */
export type RouteSession = {
  regenerate(done: Done): void;
  save(done: Done): void;
  destroy(done: Done): void;
} & Record<string, unknown>;
type Req = P.NodeRequest & {
  session?: RouteSession;
  params?: Record<string, string | undefined>;
  app?: { get(name: string): unknown };
};

/** What both routers hand over: how they find the sid, check a POST, answer and sign out here. */
export interface SessionRouteHost {
  protocol: P.SessionsProtocol;
  /** The session id kept in `req.session`, if any. */
  sidOf(req: IncomingMessage): string | undefined;
  /** The app's CSRF middleware (when it gave one), after the protocol's cross-site check. */
  csrf(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Clear the signed-in data and rotate the session id (the router's sign-out, without the store). */
  signOutHere(req: IncomingMessage): Promise<void>;
  /** A 303 to `page` for a browser's form post, else the protocol's answer. */
  answer(
    req: IncomingMessage,
    res: ServerResponse,
    page: string | undefined,
    a: P.ProtocolAnswer,
  ): void;
  /** Where form posts go: after ending another session, after being signed out here. */
  pages: { afterEndSession?: string; afterSignOut?: string };
  /** The code a signed-out request gets. */
  signedOut: string;
}

const toProtocol = (req: Req): P.ProtocolRequest =>
  P.fromNodeRequest(req, { trustForwardedHost: Boolean(req.app?.get('trust proxy')) });
const destroy = (session: RouteSession): Promise<void> =>
  new Promise((resolve) => session.destroy(() => resolve()));

/** Throw the refusal of a failed result; an ended session also destroys `req.session`. */
async function settle<V>(
  host: SessionRouteHost,
  req: Req,
  result: P.ProtocolResult<V>,
): Promise<V> {
  if (result.ok) return result.value;
  // Ended elsewhere: no stale id lingers in this cookie session.
  if (result.error.code === host.signedOut && host.sidOf(req) !== undefined && req.session) {
    await destroy(req.session);
  }
  throw TingTingHTTPError.fromRefusal(result.error);
}

/** The session-management steps, shared by the phone and password routers. */
export interface SessionRoutes {
  listSessions(req: IncomingMessage): Promise<P.SessionView[]>;
  list(req: IncomingMessage, res: ServerResponse): Promise<void>;
  endOne(req: IncomingMessage, res: ServerResponse, id: unknown): Promise<void>;
  endAll(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** The three session-management steps, shared by the phone and password routers. */
export function sessionRoutes(host: SessionRouteHost): SessionRoutes {
  const { protocol } = host;

  /** Checks a POST: the protocol's method and cross-site check, then the app's CSRF middleware. */
  async function check(req: Req, res: ServerResponse) {
    const refusal = protocol.check(toProtocol(req));
    if (refusal !== undefined) throw TingTingHTTPError.fromRefusal(refusal);
    await host.csrf(req, res);
  }

  async function listSessions(req: IncomingMessage): Promise<P.SessionView[]> {
    return settle(host, req as Req, await protocol.list(host.sidOf(req)));
  }

  async function list(req: Req, res: ServerResponse) {
    const result = await protocol.list(host.sidOf(req));
    await settle(host, req, result);
    P.sendNodeAnswer(res, result.answer);
  }

  async function endOne(req: Req, res: ServerResponse, id: unknown) {
    await check(req, res);
    const result = await protocol.endOne(toProtocol(req), host.sidOf(req), id);
    const wasCurrent = await settle(host, req, result);
    if (wasCurrent) await host.signOutHere(req);
    const page = wasCurrent ? host.pages.afterSignOut : host.pages.afterEndSession;
    host.answer(req, res, page, result.answer);
  }

  async function endAll(req: Req, res: ServerResponse) {
    await check(req, res);
    const result = await protocol.endAll(toProtocol(req), host.sidOf(req));
    await settle(host, req, result);
    await host.signOutHere(req);
    host.answer(req, res, host.pages.afterSignOut, result.answer);
  }

  return { listSessions, list, endOne, endAll };
}

/** The router's session paths: `GET /sessions`, `POST /sessions/:id/end`, `POST /sign-out-everywhere`. */
export function sessionPathOf(
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

/** `req.params.id` (an app's own route), for the exported `endSession` middleware. */
export const paramIdOf = (req: IncomingMessage): unknown => (req as Req).params?.id;
