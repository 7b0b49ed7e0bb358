import type { ServerResponse } from 'node:http';
import { type Channel, isCrossSiteRequest, type Voice } from '@tingting-auth/core';
import type { Request } from 'express';
import { challengeOf, FAILURE_STATUS, SEND_FAILURES, VERIFY_FAILURES } from './failures.js';
import {
  type ResolvedOptions,
  resolveOptions,
  type StrategyOptions,
  type StrategyOptionsWithRequest,
} from './options.js';
import { type StrategyActions, StrategyBase } from './passport-base.js';
import type {
  TingTingAuthenticateOptions,
  TingTingFailureCode,
  TingTingSent,
  VerifyDone,
  VerifyFunction,
  VerifyFunctionWithRequest,
} from './types.js';

/** The actions of one authenticate call; only the first call of any of them counts. */
type Outcome = Pick<StrategyActions, 'success' | 'fail' | 'pass' | 'error'>;

/** A field the body does not have, or has with the wrong type. */
const INVALID = Symbol('invalid');

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Passport treats a falsy error as "no error" and would carry on as if signed in. */
function errorOf(reason: unknown): unknown {
  return reason || new Error('The verify callback failed without an error');
}

/**
 * Passport strategy for phone sign-in with a one-time code sent by TingTing (SMS or voice call),
 * in two steps chosen with the `tingtingAction` authenticate option:
 *
 * - `passport.authenticate('tingting', { tingtingAction: 'send' })` sends a code to the number in
 *   `req.body`, sets `req.tingtingSent` and calls the app's next handler (it never signs anyone in);
 * - `passport.authenticate('tingting')` checks the number and code in `req.body`, then calls the
 *   verify callback with the verified E.164 number.
 *
 * Refusals are `fail(challenge, status)` with a {@link TingTingChallenge}; a store or TingTing
 * failure is `error(err)` with the typed error from `@tingting-auth/core`.
 *
 * @example
 * ```ts
 * passport.use(new Strategy({ engine }, async (phone) => users.findOrCreate({ phone })));
 * app.post('/auth/send', passport.authenticate('tingting', { tingtingAction: 'send' }),
 *   (req, res) => res.status(202).json(req.tingtingSent));
 * app.post('/auth/verify', passport.authenticate('tingting', { failureRedirect: '/sign-in' }),
 *   (req, res) => res.redirect('/'));
 * ```
 */
export class Strategy extends StrategyBase {
  /** The name to use with `passport.authenticate(name)`. @default 'tingting' */
  name: string;
  // TypeScript `private`, never `#private`: Passport calls `authenticate` on
  // `Object.create(strategy)`, where a `#field` read throws.
  private readonly settings: ResolvedOptions;
  private readonly verify: VerifyFunction | VerifyFunctionWithRequest;

  /**
   * @param options See {@link StrategyOptionsWithRequest}; validated here (`TypeError` on a mistake).
   * @param verify Called with the request, the verified E.164 number and `done`.
   */
  constructor(options: StrategyOptionsWithRequest, verify: VerifyFunctionWithRequest);
  /**
   * @param options See {@link StrategyOptions}; validated here (`TypeError` on a mistake).
   * @param verify Called with the verified E.164 number and `done`, or returns a promise of the user.
   */
  constructor(options: StrategyOptions, verify: VerifyFunction);
  constructor(
    options: StrategyOptions | StrategyOptionsWithRequest,
    verify: VerifyFunction | VerifyFunctionWithRequest,
  ) {
    super();
    this.settings = resolveOptions(options);
    if (typeof verify !== 'function') {
      throw new TypeError(
        'TingTing Strategy: a verify callback is required: new Strategy({ engine }, (phone, done) => ...)',
      );
    }
    this.verify = verify;
    this.name = this.settings.name;
  }

  /**
   * Runs the step named by `options.tingtingAction` (`'verify'` by default). Called by Passport;
   * ends in exactly one of `pass`, `success`, `fail` or `error`.
   */
  authenticate(req: Request, options?: TingTingAuthenticateOptions): void {
    const outcome = this.once();
    const action: unknown = options?.tingtingAction ?? 'verify';
    if (action !== 'send' && action !== 'verify') {
      outcome.error(
        new TypeError(
          `TingTing Strategy: tingtingAction must be 'send' or 'verify', not ${JSON.stringify(action)}`,
        ),
      );
      return;
    }
    // Passport ignores what authenticate returns: every rejection has to become error().
    const step =
      action === 'send'
        ? this.send(req, outcome, options?.tingtingCallback === true)
        : this.check(req, outcome);
    step.catch((error: unknown) => outcome.error(errorOf(error)));
  }

  /** Wraps this attempt's actions so that only the first one counts. */
  private once(): Outcome {
    let settled = false;
    const act =
      <A extends unknown[]>(action: (...args: A) => void) =>
      (...args: A): void => {
        if (settled) return;
        settled = true;
        try {
          action(...args);
        } catch (error) {
          // The app's own code threw (a custom callback, a later handler): it must neither
          // vanish in our promise chain nor settle this attempt a second time.
          process.nextTick(() => {
            throw error;
          });
        }
      };
    return {
      success: act((user, info) => this.success(user, info)),
      fail: act((challenge, status) => this.fail(challenge, status)),
      pass: act(() => this.pass()),
      error: act((error) => this.error(error)),
    };
  }

  private async send(req: Request, outcome: Outcome, toCallback: boolean): Promise<void> {
    if (this.refuseCrossSite(req, outcome)) return;
    const { fields } = this.settings;
    const phone = this.field(req, fields.phone, true);
    const channel = this.field(req, fields.channel, false);
    const voice = this.field(req, fields.voice, false);
    if (phone === INVALID || channel === INVALID || voice === INVALID) {
      this.refuse(req, outcome, 'INVALID_REQUEST');
      return;
    }
    const ip = this.ipOf(req);
    const result = await this.settings.engine.send({
      phone,
      // Unchecked casts: the engine validates both and answers `invalid_request`.
      ...(channel === undefined ? {} : { channel: channel as Channel }),
      ...(voice === undefined ? {} : { voice: voice as Voice }),
      purpose: this.settings.purpose,
      ...(ip === undefined ? {} : { ip }),
    });
    if (!result.ok) {
      this.refuse(req, outcome, SEND_FAILURES[result.reason], result.retryAfter);
      return;
    }
    const sent: TingTingSent = {
      phone: result.phone,
      channel: result.channel,
      expiresAt: result.expiresAt,
      resendAt: result.resendAt,
    };
    req.tingtingSent = sent;
    // Passport calls a custom callback on fail, never on pass.
    if (toCallback) outcome.fail(sent, 202);
    else outcome.pass();
  }

  private async check(req: Request, outcome: Outcome): Promise<void> {
    if (this.refuseCrossSite(req, outcome)) return;
    const { fields } = this.settings;
    const phone = this.field(req, fields.phone, true);
    const code = this.field(req, fields.code, true);
    if (phone === INVALID || code === INVALID) {
      this.refuse(req, outcome, 'INVALID_REQUEST');
      return;
    }
    const ip = this.ipOf(req);
    const result = await this.settings.engine.verify({
      phone,
      code,
      purpose: this.settings.purpose,
      ...(ip === undefined ? {} : { ip }),
    });
    if (!result.ok) {
      this.refuse(req, outcome, VERIFY_FAILURES[result.reason], result.retryAfter);
      return;
    }
    this.callVerify(req, result.phone, outcome);
  }

  /** Hands the verified number to the app's verify callback, by `done` or by a returned promise. */
  private callVerify(req: Request, phone: string, outcome: Outcome): void {
    const done: VerifyDone = (error, user, info) => {
      if (error) outcome.error(error);
      else if (!user) outcome.fail(info ?? challengeOf('ACCESS_DENIED'), 401);
      else outcome.success(user, info);
    };
    const withRequest = this.settings.passReqToCallback;
    let returned: unknown;
    try {
      returned = withRequest
        ? (this.verify as VerifyFunctionWithRequest)(req, phone, done)
        : (this.verify as VerifyFunction)(phone, done);
    } catch (error) {
      outcome.error(errorOf(error));
      return;
    }
    if (!isThenable(returned)) return;
    // An async callback that declares `done` resolves with undefined and answers through done.
    const takesDone = this.verify.length > (withRequest ? 2 : 1);
    returned.then(
      (user) => {
        if (user === undefined && takesDone) return;
        if (user) outcome.success(user as Express.User);
        else outcome.fail(challengeOf('ACCESS_DENIED'), 401);
      },
      (error: unknown) => outcome.error(errorOf(error)),
    );
  }

  private refuseCrossSite(req: Request, outcome: Outcome): boolean {
    const { crossSiteProtection, allowedOrigins } = this.settings;
    if (crossSiteProtection === false || !isCrossSiteRequest(req, { allowedOrigins })) return false;
    this.refuse(req, outcome, 'CROSS_SITE_REQUEST');
    return true;
  }

  private refuse(
    req: Request,
    outcome: Outcome,
    code: TingTingFailureCode,
    retryAfter?: number,
  ): void {
    const status = FAILURE_STATUS[code];
    if (retryAfter !== undefined && (status === 429 || status === 503)) {
      // Express sets `req.res`; other frameworks (or a test double) may not.
      const res = (req as { res?: ServerResponse }).res;
      if (res !== undefined && !res.headersSent && typeof res.setHeader === 'function') {
        res.setHeader('Retry-After', String(retryAfter));
      }
    }
    outcome.fail(challengeOf(code, retryAfter), status);
  }

  /**
   * A string field of `req.body` (never the query string): `undefined` when absent or empty and
   * not required, {@link INVALID} when required and absent, or of another type (a repeated form
   * field is an array), or when no body parser ran.
   */
  private field(
    req: Request,
    name: string,
    required: boolean,
  ): string | undefined | typeof INVALID {
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return INVALID;
    const value: unknown = Object.hasOwn(body, name)
      ? (body as Record<string, unknown>)[name]
      : undefined;
    if (value === undefined || value === '') return required ? INVALID : undefined;
    return typeof value === 'string' ? value : INVALID;
  }

  private ipOf(req: Request): string | undefined {
    const ip = this.settings.ip(req);
    return typeof ip === 'string' && ip !== '' ? ip : undefined;
  }
}
