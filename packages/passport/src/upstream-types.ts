import type { PublicErrorCode } from '@tingting-auth/core';
import type { UpstreamProfile } from '@tingting-auth/core/upstream';
import type { Request } from 'express';
import type { VerifiedUser, VerifyDone, VerifyReturn } from './types.js';

/**
 * Who signed in with a password, as the {@link UpstreamStrategy}'s verify callback gets it. It
 * never carries an upstream token: those stay sealed in the session store.
 */
export interface UpstreamAccount {
  /** The provider the session is filed under (`'timbr'`, `'notes'`, `'tingting'`, your own id). */
  provider: string;
  /** The upstream's stable user id (a `user_id` claim, else the identifier as typed, trimmed). */
  subject: string;
  /** The username (or email) as the user typed it in the form. */
  username: string;
  /** The profile, when the upstream's login answer carries one. */
  profile?: UpstreamProfile;
  /**
   * The upstream session's id. A bearer secret (never log it, never send it to the browser): the
   * strategy keeps it in `req.session` itself; you need it only with `session: false`, to hand
   * to the strategy's `accessToken` and `fetch` as `{ sessionId }`. Reading it makes the session
   * yours: a sign-in that Passport's `req.logIn` does not store in a cookie session
   * (`session: false`, a custom callback that refuses) ends it when the response is over, unless
   * this was read.
   */
  sessionId: string;
}

/** Finds (or creates) the app's user of an upstream account: calls `done`, or returns a promise. */
export type UpstreamVerifyFunction = (account: UpstreamAccount, done: VerifyDone) => VerifyReturn;

/** An {@link UpstreamVerifyFunction} that also gets the request (`passReqToCallback: true`). */
export type UpstreamVerifyFunctionWithRequest = (
  req: Request,
  account: UpstreamAccount,
  done: VerifyDone,
) => VerifyReturn;

/** What a promise-returning upstream verify callback resolves with. */
export type UpstreamVerifiedUser = VerifiedUser;

/**
 * The challenge of `fail(challenge, status)` from the {@link UpstreamStrategy}: what
 * `failureMessage` stores and a custom callback's `info`. Codes and statuses are the other
 * surfaces' (Express router, NextAuth): `INVALID_REQUEST` 400 (with `field`), `INVALID_CREDENTIALS`
 * 401 (unknown user, wrong password and inactive account alike), `ACCESS_DENIED` 401 (the verify
 * callback refused the user), `CROSS_SITE_REQUEST` 403, `RATE_LIMITED` 429 (with `retryAfter`).
 */
export interface UpstreamChallenge {
  /** A generic message, safe to show. */
  message: string;
  /** A stable code to branch on. */
  code: PublicErrorCode;
  /** Whole seconds until trying again can succeed (with every 429). */
  retryAfter?: number;
  /** With `INVALID_REQUEST`: the body field that is missing or not a string (not sensitive). */
  field?: string;
}
