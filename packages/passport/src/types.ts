/**
 * The public shapes of the strategy: the two steps, what the send step leaves on the request,
 * the failure challenges and the verify callbacks.
 *
 */

import type { Channel } from '@tingting-auth/core';
import type { Request } from 'express';

/**
 * The step a `passport.authenticate('tingting', { tingtingAction })` call runs:
 * - `'send'`: send a code to the number in the body, then `pass()` to the app's next handler.
 * - `'verify'`: check the number and code in the body, then call the verify callback.
 */
export type TingTingAction = 'send' | 'verify';

/**
 * The authenticate options the strategy reads (Passport hands every option of
 * `passport.authenticate(name, options)` to the strategy).
 */
export interface TingTingAuthenticateOptions {
  /** Which step to run. @default 'verify' */
  tingtingAction?: TingTingAction | undefined;
  /**
   * Set it when you give `passport.authenticate` a custom callback: the send step then reports a
   * sent code to the callback as `(null, false, sent, 202)` (`sent` is {@link TingTingSent}).
   * Passport never calls a custom callback on `pass()`, so without it the request goes on to the
   * route's next handler. @default false
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
}

/**
 * Stable codes of the challenges the strategy passes to `fail`, with their HTTP status:
 * `INVALID_REQUEST` 400, `INVALID_PHONE` 400, `INVALID_CODE` 401, `ACCESS_DENIED` 401 (the verify
 * callback refused the user without saying why), `CROSS_SITE_REQUEST` 403, `LOCKED` 429,
 * `RATE_LIMITED` 429, `SERVICE_UNAVAILABLE` 503.
 */
export type TingTingFailureCode =
  | 'INVALID_REQUEST'
  | 'INVALID_PHONE'
  | 'INVALID_CODE'
  | 'ACCESS_DENIED'
  | 'CROSS_SITE_REQUEST'
  | 'LOCKED'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE';

/**
 * The challenge the strategy passes to `fail(challenge, status)`: what `failureMessage` stores,
 * what a custom callback gets as `info`. The message is generic and safe to show.
 */
export interface TingTingChallenge {
  /** A generic, user-facing message (never says whether the number had a pending code). */
  message: string;
  /** A stable code to branch on. */
  code: TingTingFailureCode;
  /** Seconds until trying again can succeed (with `LOCKED`, `RATE_LIMITED`, `SERVICE_UNAVAILABLE`). */
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

/**
 * What a verify callback returns: nothing when it calls `done`, or a promise of the user, or of
 * `false` / `null` to refuse (401 `ACCESS_DENIED`). An async callback that declares `done` may
 * resolve with nothing and answer through `done`.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: callbacks that answer through `done` return void (or a promise of it); `undefined` would refuse them
export type VerifyReturn = void | PromiseLike<Express.User | false | null | undefined | void>;

/**
 * Finds (or creates) the user of a verified number. `phone` is the canonical E.164 number
 * (`+9779812345678`). Either call `done`, or return a promise of the user (or `false`).
 */
export type VerifyFunction = (phone: string, done: VerifyDone) => VerifyReturn;

/** A {@link VerifyFunction} that also gets the request (`passReqToCallback: true`). */
export type VerifyFunctionWithRequest = (
  req: Request,
  phone: string,
  done: VerifyDone,
) => VerifyReturn;

declare global {
  namespace Express {
    // Declared by @types/passport; repeated (empty, so it merges) so that these types also
    // compile without it.
    interface User {}
    interface Request {
      /** Set by the TingTing strategy's send step (`tingtingAction: 'send'`). */
      tingtingSent?: TingTingSent;
    }
  }
}

declare module 'passport' {
  interface AuthenticateOptions {
    /** The step of the TingTing strategy to run (`@tingting-auth/passport`). @default 'verify' */
    tingtingAction?: TingTingAction | undefined;
    /** The send step reports to the custom callback (`@tingting-auth/passport`). @default false */
    tingtingCallback?: boolean | undefined;
  }
}
