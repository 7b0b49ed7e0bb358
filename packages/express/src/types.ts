import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Channel } from '@tingting-auth/core';

/** Express's `next`: call it with an error to hand that error to the error handlers. */
export type NextFunction = (error?: unknown) => void;

/** A middleware or route handler for `app.use` / `app.post` on Express 4 and 5 (typed on Node's `http`, as helmet is). */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: NextFunction) => void;

/** An error-handling middleware (four parameters), for `app.use(...)` after the routes. */
export type ErrorMiddleware = (
  error: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  next: NextFunction,
) => void;

/** The part of an `express-session` session this package uses. */
export interface SessionLike {
  regenerate(callback: (error?: unknown) => void): unknown;
  save(callback: (error?: unknown) => void): unknown;
  [key: string]: unknown;
}

/** What the default session integration stores at `req.session[sessionKey]` after a verify. */
export interface VerifiedIdentity {
  /** The verified number, E.164 (`+9779812345678`). */
  phone: string;
  /** When it was verified, ISO 8601. */
  verifiedAt: string;
}

/** A code that was sent and may still be entered; kept in the session for server-rendered pages. */
export interface PendingChallenge {
  /** E.164 number the code was sent to. */
  phone: string;
  channel: Channel;
  /** ISO 8601. */
  expiresAt: string;
  /** ISO 8601: when a resend is allowed. */
  resendAt: string;
  /** `'unknown'`: TingTing's answer was lost, the code may or may not arrive (say so on the page). */
  delivery?: 'unknown';
}

/** What a server-rendered sign-in page needs to know (see `formState`). */
export interface FormState {
  /** Set once a number is verified (default session integration). */
  verified?: VerifiedIdentity;
  /** Set after a successful send, until the code expires or the number is verified. */
  pending?: PendingChallenge;
  /** The last error of a form post (shown once, then cleared). */
  error?: { code: string; message: string; retryAfter?: number };
}

/** The fields of an Express request this package reads; everything else is Node's `IncomingMessage`. */
export interface ExpressLikeRequest extends IncomingMessage {
  body?: unknown;
  ip?: string;
  session?: SessionLike;
  accepts?: (types: string[]) => string | false;
  app?: { get(setting: string): unknown };
  /** Set by `requireVerified` on requests it lets through. */
  tingting?: VerifiedIdentity;
}
