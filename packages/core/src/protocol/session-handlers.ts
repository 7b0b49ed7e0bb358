/**
 * Revocable sessions as neutral handlers: the device list, "sign out this one" and "sign out
 * everywhere" over core's `UpstreamSessions` (the mechanism password sign-in keeps its sessions
 * in), with the same cross-site check and answer table as the sign-in handlers. Only types come
 * from `core/upstream`, so `@tingting-auth/core/protocol` still loads no upstream code.
 *
 * ## How an adapter uses it
 *
 * 1. **Options, once.** `createSessionsProtocol(resolved, { sessions, signedOut })`, with the
 *    request options the adapter resolved for its sign-in routes; `signedOut` is the code the
 *    adapter answers a signed-out request with (`NOT_VERIFIED` for phone, `SESSION_EXPIRED` for
 *    password sessions).
 * 2. **Sign-in.** `start(request, subject)` creates the session with the request's user agent and
 *    client IP; keep the (secret) `sid` in your server-side session, never in a response.
 * 3. **Every guarded request.** `current(sid)`: one `sessions.status(sid)` read; a refusal means
 *    the session ended elsewhere: destroy your session and answer as signed out.
 * 4. **Routes.** `list(sid)` (200 `{ sessions: SessionView[] }`), `endOne(request, sid, id)` (204;
 *    404 `SESSION_NOT_FOUND` for an id that is not one of this subject's active sessions) and
 *    `endAll(request, sid)` (204); the value says whether your own session ended, so you sign out
 *    here too. The session id (`sid`) is never in an answer; `id` is the public id.
 *
 * @packageDocumentation
 */

import { headerOf } from '../cross-site.js';
import type { CreatedSession, SessionInfo, SessionStatus } from '../upstream/sessions.js';
import {
  answerOf,
  jsonAnswer,
  type ProtocolAnswer,
  type ProtocolResult,
  refuse,
} from './answers.js';
import { clientIPFromHeaders } from './client-ip.js';
import type { ResolvedRequestOptions } from './options.js';
import { checkRequest, type ProtocolRequest } from './otp-handlers.js';

/** What the session handlers need of `UpstreamSessions` (any object with these methods will do). */
export interface RevocableSessionStore {
  create(input: { subject: string; userAgent?: string; ip?: string }): Promise<CreatedSession>;
  status(sid: string): Promise<SessionStatus>;
  list(subject: string): Promise<SessionInfo[]>;
  endById(subject: string, id: string): Promise<boolean>;
  endAll(subject: string): Promise<number>;
}

/** One active session as a device list shows it: no secret (`id` is the public id, not the sid). */
export interface SessionView {
  /** The public id: `POST …/sessions/:id/end` ends it. */
  id: string;
  /** The device name the app gave, else the browser's user agent; `undefined` when neither is known. */
  device?: string;
  /** The client IP at sign-in. */
  ip?: string;
  /** When it was signed in, ISO 8601. */
  createdAt: string;
  /** When it was last used (recorded at most once a minute), ISO 8601. */
  lastSeenAt: string;
  /** Whether this is the session of the request that asked. */
  current: boolean;
}

/** The 200 body of the device list. */
export interface SessionListAnswer {
  sessions: SessionView[];
}

/** The signed-in subject of a live session (what a guard hands to the route). */
export interface CurrentSession {
  /** The subject (an E.164 number, the upstream's user id). */
  subject: string;
  /** The public id of this session. */
  id: string;
}

/** The session handlers (see the module documentation). */
export interface SessionsProtocol {
  /** Method and cross-site checks only: a refusal, or `undefined`. Pure. */
  check(request: ProtocolRequest): ReturnType<typeof checkRequest>;
  /** Create a session for `subject` with the request's user agent and client IP. Rejects when the store fails. */
  start(request: ProtocolRequest, subject: string): Promise<CreatedSession>;
  /** One status read: the live session's subject and public id, or the signed-out refusal. */
  current(sid: unknown): Promise<ProtocolResult<CurrentSession>>;
  /** The subject's active sessions, oldest first, the current one flagged: 200 `{ sessions }`. */
  list(sid: unknown): Promise<ProtocolResult<SessionView[]>>;
  /** End one of the subject's sessions by public id: 204; 404 `SESSION_NOT_FOUND` for another subject's or an ended one. Value: whether it was the current one. */
  endOne(request: ProtocolRequest, sid: unknown, id: unknown): Promise<ProtocolResult<boolean>>;
  /** End every session of the subject, the current one included: 204. Value: how many ended. */
  endAll(request: ProtocolRequest, sid: unknown): Promise<ProtocolResult<number>>;
}

/** Configuration of {@link createSessionsProtocol}. */
export interface SessionsProtocolConfig {
  /** The sessions: an `UpstreamSessions` (phone sessions without a provider, or the password one). */
  sessions: RevocableSessionStore;
  /** The code a signed-out (or ended) session is answered with. @default 'SESSION_EXPIRED' */
  signedOut?: 'SESSION_EXPIRED' | 'NOT_VERIFIED';
}

const MAX_USER_AGENT = 512;
const PUBLIC_ID = /^[A-Za-z0-9_-]{22}$/;
const iso = (at: number): string => new Date(at).toISOString();

/** A device list entry of a stored session: public fields only. */
export function sessionViewOf(info: SessionInfo, currentId: string | undefined): SessionView {
  const device = info.device ?? info.userAgent;
  return {
    id: info.id,
    ...(device === undefined ? {} : { device }),
    ...(info.ip === undefined ? {} : { ip: info.ip }),
    createdAt: iso(info.createdAt),
    lastSeenAt: iso(info.lastSeenAt),
    current: info.id === currentId,
  };
}

/**
 * The session handlers over resolved request options.
 *
 * @param options From `resolveRequestOptions` / `resolveProtocolOptions` (the sign-in routes' own).
 * @param config The sessions and the signed-out code.
 */
export function createSessionsProtocol(
  options: ResolvedRequestOptions,
  config: SessionsProtocolConfig,
): SessionsProtocol {
  const sessions = config?.sessions;
  for (const method of ['create', 'status', 'list', 'endById', 'endAll'] as const) {
    if (typeof sessions?.[method] !== 'function') {
      throw new TypeError(
        `${options.caller}: \`sessions\` must be an UpstreamSessions from @tingting-auth/core/upstream (${method})`,
      );
    }
  }
  const signedOut = config.signedOut ?? 'SESSION_EXPIRED';
  if (signedOut !== 'SESSION_EXPIRED' && signedOut !== 'NOT_VERIFIED') {
    throw new TypeError(`${options.caller}: signedOut must be 'SESSION_EXPIRED' or 'NOT_VERIFIED'`);
  }
  const noContent: ProtocolAnswer = {
    status: 204,
    headers: { 'cache-control': 'no-store' },
    body: undefined,
  };

  async function current(sid: unknown): Promise<ProtocolResult<CurrentSession>> {
    if (typeof sid !== 'string' || sid === '') return refuse(signedOut);
    let status: SessionStatus;
    try {
      status = await sessions.status(sid);
    } catch (error) {
      return refuse('SERVICE_UNAVAILABLE', { cause: error });
    }
    if (!status.active) return refuse(signedOut);
    const value = { subject: status.subject, id: status.id };
    return { ok: true, answer: noContent, value };
  }

  return {
    check: (request) => checkRequest(options, request),

    start(request, subject) {
      const ip = request.clientIP ?? clientIPFromHeaders(request.headers, options);
      const userAgent = headerOf(request.headers, 'user-agent')?.slice(0, MAX_USER_AGENT);
      return sessions.create({
        subject,
        ...(userAgent === undefined || userAgent === '' ? {} : { userAgent }),
        ...(ip === undefined ? {} : { ip }),
      });
    },

    current,

    async list(sid) {
      const live = await current(sid);
      if (!live.ok) return live;
      let listed: SessionInfo[];
      try {
        listed = await sessions.list(live.value.subject);
      } catch (error) {
        return refuse('SERVICE_UNAVAILABLE', { cause: error });
      }
      const views = listed.map((info) => sessionViewOf(info, live.value.id));
      const body: SessionListAnswer = { sessions: views };
      return { ok: true, answer: jsonAnswer(200, body), value: views };
    },

    async endOne(request, sid, id) {
      const refusal = checkRequest(options, request);
      if (refusal !== undefined) return { ok: false, answer: answerOf(refusal), error: refusal };
      const live = await current(sid);
      if (!live.ok) return live;
      // Ids are scoped to the signed-in subject: another subject's id names nothing here.
      if (typeof id !== 'string' || !PUBLIC_ID.test(id)) return refuse('SESSION_NOT_FOUND');
      let ended: boolean;
      try {
        ended = await sessions.endById(live.value.subject, id);
      } catch (error) {
        return refuse('SERVICE_UNAVAILABLE', { cause: error });
      }
      if (!ended) return refuse('SESSION_NOT_FOUND');
      return { ok: true, answer: noContent, value: id === live.value.id };
    },

    async endAll(request, sid) {
      const refusal = checkRequest(options, request);
      if (refusal !== undefined) return { ok: false, answer: answerOf(refusal), error: refusal };
      const live = await current(sid);
      if (!live.ok) return live;
      try {
        const count = await sessions.endAll(live.value.subject);
        return { ok: true, answer: noContent, value: count };
      } catch (error) {
        return refuse('SERVICE_UNAVAILABLE', { cause: error });
      }
    },
  };
}
