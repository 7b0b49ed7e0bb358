import type { Channel, PublicErrorCode } from '@tingting-auth/core';
import type { CurrentSession } from '@tingting-auth/core/protocol';
import type { Request } from 'express';

/** The actions Passport gives the per-request copy of a strategy; an attempt ends in one of them. */
export interface Actions {
  /** Sign `user` in (or hand it to a custom callback). */
  success(user: Express.User, info?: object): void;
  /** Refuse the attempt with a challenge and an HTTP status. */
  fail(challenge: unknown, status: number): void;
  /** Neither: Passport calls the app's next handler. */
  pass(): void;
  /** Passport hands `error` to `next(err)` or the custom callback. */
  error(error: unknown): void;
}

/** The step to run: `'send'` a code, or `'verify'` the code and call the verify callback. */
export type TingTingAction = 'send' | 'verify';

/** The authenticate options the strategy reads (`passport.authenticate('tingting', options)`). */
export interface TingTingAuthenticateOptions {
  /** Which step to run. @default 'verify' */
  tingtingAction?: TingTingAction | undefined;
  /**
   * With a custom callback: the send step reports a sent code to it as `(null, false, sent, 202)`
   * instead of `pass()` (which Passport never reports to a callback). @default false
   */
  tingtingCallback?: boolean | undefined;
}

/** What the send step sets on `req.tingtingSent` before it calls `pass()`. Never contains the code. */
export interface TingTingSent {
  /** The number the code went to, E.164 (`+9779812345678`). */
  phone: string;
  /** `text` (SMS) or `voice` (call). */
  channel: Channel;
  /** When the code stops working. */
  expiresAt: Date;
  /** The earliest time a new code may be sent to this number. */
  resendAt: Date;
  /** `'unknown'` when TingTing's answer was lost: the code may still arrive (and works). */
  delivery?: 'unknown';
  /** With `delivery: 'unknown'`: a message for the user, safe to show. */
  message?: string;
}

/**
 * Stable codes of the challenges the strategy passes to `fail` (core's public codes), with their
 * HTTP status: `INVALID_REQUEST` 400, `INVALID_PHONE` 400, `INVALID_CODE` 401, `ACCESS_DENIED` 401
 * (the verify callback refused the user), `CROSS_SITE_REQUEST` 403, `LOCKED` 429, `RATE_LIMITED`
 * 429, `SERVICE_UNAVAILABLE` 503.
 */
export type TingTingFailureCode = PublicErrorCode;

/** The challenge of `fail(challenge, status)`: what `failureMessage` stores, a custom callback's `info`. */
export interface TingTingChallenge {
  /** A generic message, safe to show (never says whether the number had a pending code). */
  message: string;
  /** A stable code to branch on. */
  code: TingTingFailureCode;
  /** Whole seconds until trying again can succeed (with every 429 and 503). */
  retryAfter?: number;
}

/**
 * The verify callback's `done`, as in passport-local: `done(null, user)` signs `user` in,
 * `done(null, false, info)` fails with `info` (401), `done(error)` hands `error` to Passport.
 */
export type VerifyDone = (
  error: unknown,
  user?: Express.User | false | null,
  info?: object,
) => void;

/** What a promise-returning verify callback resolves with: the user, or `false`/`null` to refuse. */
export type VerifiedUser = Express.User | false | null | undefined;

/** What a verify callback returns: nothing (it calls `done`), or a promise of a {@link VerifiedUser}. */
// biome-ignore lint/suspicious/noConfusingVoidType: callbacks that answer through `done` return void (or a promise of it)
export type VerifyReturn = void | PromiseLike<VerifiedUser | void>;

/** Finds (or creates) the user of a verified E.164 number: calls `done`, or returns a promise. */
export type VerifyFunction = (phone: string, done: VerifyDone) => VerifyReturn;

/** A {@link VerifyFunction} that also gets the request (`passReqToCallback: true`). */
export type VerifyFunctionWithRequest = (
  req: Request,
  phone: string,
  done: VerifyDone,
) => VerifyReturn;

declare global {
  namespace Express {
    // Declared by @types/passport; repeated (empty, so it merges) to compile without it.
    interface User {}
    interface Request {
      /** Set by the TingTing strategy's send step (`tingtingAction: 'send'`). */
      tingtingSent?: TingTingSent;
      /** Set by a strategy's `sessionGuard()`: the signed-in subject and this session's public id. */
      tingtingSession?: CurrentSession;
    }
  }
}

declare module 'passport' {
  interface AuthenticateOptions extends TingTingAuthenticateOptions {}
}
