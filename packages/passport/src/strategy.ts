import {
  createOTPProtocol,
  createSessionsProtocol,
  type ProtocolRefusal,
  type ProtocolRequest,
  refusalOf,
  resolveProtocolOptions,
  type SendCodeAnswer,
  type SessionsProtocol,
} from '@tingting-auth/core/protocol';
import type { UpstreamSessions } from '@tingting-auth/core/upstream';
import type { Request } from 'express';
import type { StrategyOptions, StrategyOptionsWithRequest } from './options.js';
import {
  bodyRequestOf,
  keepOnLogIn,
  RevocableStrategy,
  type StrategySessions,
} from './revocable.js';
import type {
  Actions,
  TingTingAuthenticateOptions,
  TingTingChallenge,
  TingTingSent,
  VerifiedUser,
  VerifyDone,
  VerifyFunction,
  VerifyFunctionWithRequest,
} from './types.js';
import { callVerify, errorOf, settleOnce } from './verify-callback.js';

/** A verify callback that returns a promise (of the user, or of `false` to refuse). */
type AsyncVerify<A extends unknown[]> = (
  ...args: [...A, phone: string, done: VerifyDone]
  // biome-ignore lint/suspicious/noConfusingVoidType: an async callback that calls `done` resolves with void
) => PromiseLike<VerifiedUser | void>;

/** The challenge of a refusal: its public code, message and `retryAfter`, never its cause. */
function challengeOf({ code, message, retryAfter }: ProtocolRefusal): TingTingChallenge {
  return retryAfter === undefined ? { message, code } : { message, code, retryAfter };
}

const ACCESS_DENIED = challengeOf(refusalOf('ACCESS_DENIED'));

const CALLER = 'TingTing Strategy';
const FIELDS = ['phone', 'code', 'channel', 'voice'] as const;

function fail(message: string): never {
  throw new TypeError(`${CALLER}: ${message}`);
}

/** Validate the options and apply defaults, or throw an actionable `TypeError`. */
function resolveOptions(options: unknown, verify: unknown) {
  if (typeof options !== 'object' || options === null) {
    fail('options are required: new Strategy({ engine }, (phone, done) => ...)');
  }
  const o = options as Record<string, unknown>;
  const shared = resolveProtocolOptions(CALLER, o, {
    without: ['maxBodyInBytes'], // the app's body parser reads the body: set its `limit`
    adapterOptions: [
      'name',
      'passReqToCallback',
      'ip',
      'sessions',
      ...FIELDS.map((f) => `${f}Field`),
    ],
    engineUsage: 'new Strategy({ engine: new OTPEngine({ sender, secret }) }, verify)',
  });
  const fieldNames: Record<string, string> = {};
  for (const field of FIELDS) {
    const value = o[`${field}Field`] ?? field;
    if (typeof value !== 'string' || value === '')
      fail(`\`${field}Field\` must be a non-empty string`);
    fieldNames[field] = value;
  }
  const name = o.name ?? 'tingting';
  if (typeof name !== 'string' || name === '') fail('`name` must be a non-empty string');
  const passReqToCallback = o.passReqToCallback ?? false;
  if (typeof passReqToCallback !== 'boolean') fail('`passReqToCallback` must be a boolean');
  const ip = (o.ip ?? ((req: Request) => req.ip)) as (req: Request) => string | undefined;
  if (typeof ip !== 'function') fail('`ip` must be a function (req) => string | undefined');
  if (typeof verify !== 'function') fail('a verify callback is required');
  // The protocol checks that the field names differ (from each other and its `resend`).
  const protocol = createOTPProtocol(shared, { fieldNames });
  const verifyFn = verify as VerifyFunction | VerifyFunctionWithRequest;
  const sessions = o.sessions as UpstreamSessions | undefined;
  if (sessions !== undefined && typeof sessions?.status !== 'function') {
    fail('`sessions` must be an UpstreamSessions from @tingting-auth/core/upstream');
  }
  const revocable: StrategySessions | undefined = sessions && {
    protocol: createSessionsProtocol(shared, { sessions, signedOut: 'NOT_VERIFIED' }),
    sessions,
  };
  return { protocol, verify: verifyFn, name, passReqToCallback, ip, revocable };
}

/**
 * Passport strategy for phone sign-in with a one-time code sent by TingTing, in two steps:
 * `passport.authenticate('tingting', { tingtingAction: 'send' })` sends a code to the number in
 * `req.body`, sets `req.tingtingSent` and passes to the next handler; `passport.authenticate(
 * 'tingting')` checks the number and code, then calls the verify callback with the E.164 number.
 * Both steps are core's protocol handlers (`@tingting-auth/core/protocol`): a refusal is
 * `fail(challenge, status)`, a store or TingTing failure `error(err)` with the typed core error.
 */
export class Strategy extends RevocableStrategy {
  /** The name to use with `passport.authenticate(name)`. @default 'tingting' */
  name: string;
  // TypeScript `private`, never `#private`: Passport calls `authenticate` on a copy.
  private readonly settings: ReturnType<typeof resolveOptions>;
  /** With `sessions`: the revocable sessions (`sessionGuard`, `listSessions`, …). */
  protected readonly revocable: StrategySessions | undefined;
  /** The method and cross-site check of its sign-in posts, for `signOut`. */
  protected readonly checkRequest: RevocableStrategy['checkRequest'];

  /**
   * @param options Checked here: a mistake is a `TypeError` that says what to write.
   * @param verify Gets the verified E.164 number (after `req` with `passReqToCallback: true`);
   * returns a promise of the user (or `false`), or calls `done`.
   */
  constructor(options: StrategyOptionsWithRequest, verify: AsyncVerify<[req: Request]>);
  constructor(options: StrategyOptionsWithRequest, verify: VerifyFunctionWithRequest);
  constructor(options: StrategyOptions, verify: AsyncVerify<[]>);
  constructor(options: StrategyOptions, verify: VerifyFunction);
  // A promise-only overload keeps `async () => false` a promise of `false` (not `boolean`).
  constructor(
    options: StrategyOptions | StrategyOptionsWithRequest,
    verify: VerifyFunction | VerifyFunctionWithRequest,
  ) {
    super();
    this.settings = resolveOptions(options, verify);
    this.name = this.settings.name;
    this.revocable = this.settings.revocable;
    this.checkRequest = this.settings.protocol.check;
  }

  /** Runs the step of `options.tingtingAction`; ends in one of `pass`, `success`, `fail`, `error`. */
  authenticate(req: Request, options?: TingTingAuthenticateOptions): void {
    const outcome = settleOnce(this);
    const action: unknown = options?.tingtingAction ?? 'verify';
    if (action !== 'send' && action !== 'verify') {
      const found = JSON.stringify(action);
      outcome.error(
        new TypeError(`TingTing Strategy: tingtingAction must be 'send' or 'verify', not ${found}`),
      );
      return;
    }
    const request = bodyRequestOf(req, this.settings.ip(req));
    // Passport ignores what authenticate returns: every rejection has to become error().
    const step =
      action === 'send'
        ? this.send(req, request, outcome, options?.tingtingCallback === true)
        : this.check(req, request, outcome);
    step.catch((error: unknown) => outcome.error(errorOf(error)));
  }

  private async send(req: Request, input: ProtocolRequest, end: Actions, toCallback: boolean) {
    const result = await this.settings.protocol.send(input);
    if (!result.ok) return this.refuse(req, end, result.error);
    const { phone, channel, expiresAt, resendAt } = result.value;
    const { delivery, message } = result.answer.body as SendCodeAnswer;
    const sent: TingTingSent = { phone, channel, expiresAt, resendAt };
    if (delivery !== undefined) Object.assign(sent, { delivery, message });
    req.tingtingSent = sent;
    // Passport calls a custom callback on fail, never on pass.
    if (toCallback) end.fail(sent, 202);
    else end.pass();
  }

  private async check(req: Request, input: ProtocolRequest, end: Actions) {
    const result = await this.settings.protocol.verify(input);
    if (!result.ok) return this.refuse(req, end, result.error);
    const { phone } = result.value;
    const managed = this.revocable?.protocol;
    if (managed !== undefined) end = this.withSession(req, input, phone, managed, end);
    const { verify, passReqToCallback: withRequest } = this.settings;
    // One path for a throw, a rejection, a promise of the user and `done`: the first one counts.
    const answer = await callVerify(verify, withRequest ? [req, phone] : [phone]);
    if (answer.kind === 'error') end.error(answer.error);
    else if (answer.kind === 'refused') end.fail(answer.info ?? ACCESS_DENIED, 401);
    else end.success(answer.user, answer.info);
  }

  /**
   * The actions, with a session created before `success`: its id goes into the session Passport's
   * `req.logIn` regenerates. Only the first action counts; a refused user gets no session.
   */
  private withSession(
    req: Request,
    input: ProtocolRequest,
    phone: string,
    managed: SessionsProtocol,
    end: Actions,
  ): Actions {
    let settled = false;
    const first =
      <A extends unknown[]>(action: (...args: A) => void) =>
      (...args: A): void => {
        if (settled) return;
        settled = true;
        action(...args);
      };
    return {
      fail: first(end.fail),
      pass: first(end.pass),
      error: first(end.error),
      success: first((user, info) => {
        managed.start(input, phone).then(
          (created) => {
            const sid = created.sid;
            keepOnLogIn(req, { strategy: this.name, sid }, this.revocable!.sessions);
            end.success(user, info);
          },
          (error: unknown) => end.error(error),
        );
      }),
    };
  }

  /** A refusal as Passport's `fail` (with `Retry-After`), or the engine's thrown error as `error`. */
  private refuse(req: Request, end: Actions, refusal: ProtocolRefusal) {
    const { status, retryAfter, cause } = refusal;
    if (cause !== undefined) return end.error(cause);
    // Express sets `req.res`; other frameworks (or a test double) may not.
    if (retryAfter !== undefined && req.res?.headersSent === false) {
      req.res.setHeader('Retry-After', String(retryAfter));
    }
    end.fail(challengeOf(refusal), status);
  }
}
