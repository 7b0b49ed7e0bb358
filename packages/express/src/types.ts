import type { IncomingMessage, ServerResponse } from 'node:http';
import type { VerifySuccess } from '@tingting-auth/core';
import type { ProtocolOptions, SendCodeAnswer, SessionView } from '@tingting-auth/core/protocol';
import type { UpstreamSessions } from '@tingting-auth/core/upstream';
import type { Options as RateLimitLibraryOptions } from 'express-rate-limit';

/** Express's `next`: call it with an error to hand that error to the error handlers. */
export type NextFunction = (error?: unknown) => void;
/** A middleware for `app.use` / `app.post` on Express 4 and 5 (typed on Node's `http`). */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: NextFunction) => void;
/** An error-handling middleware (four parameters), for `app.use(...)` after the routes. */
export type ErrorMiddleware = (
  error: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  next: NextFunction,
) => void;

/** What the session integration stores at `req.session[sessionKey]` (`req.tingting` on guarded routes). */
export interface VerifiedIdentity {
  /** The verified number, E.164 (`+9779812345678`). */
  phone: string;
  /** When it was verified, ISO 8601. */
  verifiedAt: string;
  /** With the `sessions` option, on `req.tingting`: this session's public id (as in `listSessions`). */
  sessionId?: string;
}

/** One active session in a device list (core's `SessionView`): public id, device, IP, times, `current`. */
export type { SessionView };

/** A code that was sent and may still be entered (the 202 body); `delivery: 'unknown'`: say it may not arrive. */
export type PendingChallenge = SendCodeAnswer;

/** What a server-rendered sign-in page needs (see `formState`). */
export interface FormState {
  /** Set once a number is verified (session integration). */
  verified?: VerifiedIdentity;
  /** Set after a send, until the code expires or the number is verified. */
  pending?: PendingChallenge;
  /** The last error of a form post (shown once, then cleared). */
  error?: { code: string; message: string; retryAfter?: number };
}

/** `express-rate-limit` options, passed through; `handler` is the router's (429 `RATE_LIMITED`). */
export type RateLimitOptions = Partial<Omit<RateLimitLibraryOptions, 'handler'>>;

/** Where form posts from browsers go after each step (see {@link TingTingExpressOptions.redirects}). */
export interface RedirectOptions {
  /** After a code was sent: the code page. A refused verify comes back here too, with the error. */
  afterSend: string;
  /** After the number was verified. */
  afterVerify: string;
  /** After a refused send or sign-out (the error is in `formState`, or `?error=CODE` without a session). */
  onError: string;
  /** After sign-out. @default '/' */
  afterSignOut?: string;
  /** Where `requireVerified` sends a browser's page request that is not signed in. Unset: a 401. */
  signIn?: string;
  /** With `sessions`: after "sign out this one" ended another session (the account page). @default afterVerify */
  afterEndSession?: string;
}

/** Options of `createTingTingAuth`, all optional; the shared ones are core's `ProtocolOptions`. */
export interface TingTingExpressOptions
  extends Omit<ProtocolOptions, 'engine' | 'crossSiteProtection' | 'trustProxy' | 'ipHeader'> {
  /** Runs when a code was right, instead of the session integration (`req.login`, your cookie); may answer itself. */
  onVerified?(req: IncomingMessage, res: ServerResponse, result: VerifySuccess): unknown;
  /** Runs on sign-out, after the session key is cleared. */
  onSignOut?(req: IncomingMessage, res: ServerResponse): unknown;
  /** How `requireVerified` finds the verified number with `onVerified`. @default `req.session[sessionKey]` */
  getVerified?(
    req: IncomingMessage,
  ): VerifiedIdentity | undefined | Promise<VerifiedIdentity | undefined>;
  /** Session property of the verified number. @default 'tingting' */
  sessionKey?: string;
  /** `'origin'` (403 `CROSS_SITE_REQUEST` for cross-site browsers), your CSRF middleware, or `false`. @default 'origin' */
  // `never` parameters: any Express-typed middleware fits (csrf-csrf's `doubleCsrfProtection`).
  crossSiteProtection?: 'origin' | ((req: never, res: never, next: NextFunction) => void) | false;
  /**
   * Per-IP limits (express-rate-limit on `req.ip`) on top of the engine's per-number ones; `false`
   * turns one off; pass a shared `store` for many processes.
   * @default { send: { limit: 30, windowMs: 15 min }, verify: { limit: 60, windowMs: 15 min } }
   */
  rateLimit?: { send?: RateLimitOptions | false; verify?: RateLimitOptions | false } | false;
  /** Answer browser form posts (no JavaScript) with 303 redirects; pages read `formState(req)`. Unset: JSON only. */
  redirects?: RedirectOptions;
  /**
   * Revocable sessions ("sign out everywhere"), off by default: an `UpstreamSessions` (no provider
   * needed, e.g. `providerId: 'phone'`). Verify creates a session for the number (user agent, IP)
   * and keeps its id in `req.session`; `requireVerified` checks it once per request; the router
   * adds `GET /sessions`, `POST /sessions/:id/end` and `POST /sign-out-everywhere`. Share its store
   * between processes (`RedisSessionStore`) and an end in one reaches every other.
   */
  sessions?: UpstreamSessions;
}

// `req.tingting` for users of @types/express (set by `requireVerified`).
declare global {
  namespace Express {
    interface Request {
      tingting?: VerifiedIdentity;
    }
  }
}
