import {
  createPasswordProtocol,
  createSessionsProtocol,
  type PasswordProtocol,
  type ProtocolRefusal,
  type ProtocolRequest,
  refusalOf,
  resolveRequestOptions,
  TingTingHTTPError,
  upstreamFetch,
} from '@tingting-auth/core/protocol';
import type { UpstreamSessions } from '@tingting-auth/core/upstream';
import type { Request } from 'express';
import {
  bodyRequestOf,
  keepOnLogIn,
  RevocableStrategy,
  type StrategySessions,
  storedSessionId,
  UPSTREAM_SESSION_KEY,
} from './revocable.js';
import type { Actions, VerifyDone } from './types.js';
import type {
  UpstreamStrategyOptions,
  UpstreamStrategyOptionsWithRequest,
} from './upstream-options.js';
import type {
  UpstreamAccount,
  UpstreamChallenge,
  UpstreamVerifiedUser,
  UpstreamVerifyFunction,
  UpstreamVerifyFunctionWithRequest,
} from './upstream-types.js';
import { callVerify, errorOf, settleOnce } from './verify-callback.js';

export { UPSTREAM_SESSION_KEY };

/** A verify callback that returns a promise (of the user, or of `false` to refuse). */
type AsyncUpstreamVerify<A extends unknown[]> = (
  ...args: [...A, account: UpstreamAccount, done: VerifyDone]
  // biome-ignore lint/suspicious/noConfusingVoidType: an async callback that calls `done` resolves with void
) => PromiseLike<UpstreamVerifiedUser | void>;

const CALLER = 'Upstream Strategy';
const DEFAULT_BAD_REQUEST = 'Missing credentials';

function fail(message: string): never {
  throw new TypeError(`${CALLER}: ${message}`);
}

function fieldName(o: Record<string, unknown>, key: string, fallback: string): string {
  const value = o[key] ?? fallback;
  if (typeof value !== 'string' || value === '') fail(`\`${key}\` must be a non-empty string`);
  return value as string;
}

/** Validate the options and apply defaults, or throw an actionable `TypeError`. */
function resolveOptions(options: unknown, verify: unknown) {
  if (typeof options !== 'object' || options === null) {
    fail('options are required: new UpstreamStrategy({ sessions }, (account, done) => ...)');
  }
  const o = options as Record<string, unknown>;
  const resolved = resolveRequestOptions(CALLER, o, {
    without: ['maxBodyInBytes'], // the app's body parser reads the body: set its `limit`
    adapterOptions: {
      sessions: 'object',
      name: 'string',
      passReqToCallback: 'boolean',
      usernameField: 'string',
      passwordField: 'string',
      badRequestMessage: 'string',
      ip: 'function',
      baseURL: 'string',
    },
  });
  const sessions = o.sessions as UpstreamSessions;
  if (typeof sessions?.getAccessToken !== 'function') {
    fail(
      '`sessions` must be an UpstreamSessions from @tingting-auth/core/upstream: new UpstreamStrategy({ sessions: new UpstreamSessions({ store, secret, provider }) }, verify)',
    );
  }
  const username = fieldName(o, 'usernameField', 'username');
  const password = fieldName(o, 'passwordField', 'password');
  const name = fieldName(o, 'name', 'upstream');
  const badRequestMessage = fieldName(o, 'badRequestMessage', DEFAULT_BAD_REQUEST);
  const passReqToCallback = (o.passReqToCallback ?? false) as boolean;
  const ip = (o.ip ?? ((req: Request) => req.ip)) as (req: Request) => string | undefined;
  const baseURL = o.baseURL as string | undefined;
  if (baseURL !== undefined && !/^https?:\/\/[^/]/.test(baseURL)) {
    fail('`baseURL` must be the upstream API\'s http(s) URL, e.g. "https://app.timbr.studio"');
  }
  if (typeof verify !== 'function') fail('a verify callback is required');
  // The protocol checks that the field names differ, and that `sessions` can sign in.
  const protocol = createPasswordProtocol(resolved, {
    sessions,
    fieldNames: { identifier: [username], password },
  });
  return {
    protocol,
    sessions,
    verify: verify as UpstreamVerifyFunction | UpstreamVerifyFunctionWithRequest,
    name,
    usernameField: username,
    badRequestMessage,
    passReqToCallback,
    ip,
    baseURL,
  };
}

/** The challenge of a refusal: its public code, message, `retryAfter` and `field`, never its cause. */
function challengeOf(
  { code, message, retryAfter, field }: ProtocolRefusal,
  badRequestMessage: string,
): UpstreamChallenge {
  return {
    message: code === 'INVALID_REQUEST' ? badRequestMessage : message,
    code,
    ...(retryAfter === undefined ? {} : { retryAfter }),
    ...(field === undefined ? {} : { field }),
  };
}

const ACCESS_DENIED = refusalOf('ACCESS_DENIED');

/**
 * Passport strategy for password sign-in against an upstream token API (Timbr, the notes service,
 * TingTing accounts, your own), modelled on passport-local: it reads the username and password
 * from `req.body` (never the query string), checks them upstream through
 * `@tingting-auth/core/upstream`'s `UpstreamSessions` (limited per identifier and IP, tokens sealed
 * server-side), and calls the verify callback with the {@link UpstreamAccount} (never a token).
 *
 * One call to core's password protocol (`createPasswordProtocol`): the same codes and statuses as
 * the Express router and NextAuth. A refusal is `fail(challenge, status)`; an upstream or store
 * outage is `error(err)` (a `TingTingHTTPError` 503 with `Retry-After`, or the store's error).
 *
 * Later requests reach the upstream with {@link UpstreamStrategy.accessToken} and
 * {@link UpstreamStrategy.fetch} (refreshed on demand, one refresh per session across requests and
 * processes); {@link UpstreamStrategy.signOut} ends the upstream session.
 */
export class UpstreamStrategy extends RevocableStrategy {
  /** The name to use with `passport.authenticate(name)`. @default 'upstream' */
  name: string;
  /** The sessions the strategy signs in with (for `status`, `list`, `endAll`, events). */
  readonly sessions: UpstreamSessions;
  // TypeScript `private`, never `#private`: Passport calls `authenticate` on a copy.
  private readonly settings: ReturnType<typeof resolveOptions>;
  private readonly protocol: PasswordProtocol;
  /** The revocable sessions (`sessionGuard`, `listSessions`, `endSession`, …). */
  protected readonly revocable: StrategySessions;
  /** The method and cross-site check of its sign-in posts, for `signOut`. */
  protected readonly checkRequest: RevocableStrategy['checkRequest'];

  /**
   * @param options Checked here: a mistake is a `TypeError` that says what to write.
   * @param verify Gets the {@link UpstreamAccount} (after `req` with `passReqToCallback: true`);
   * returns a promise of the user (or `false`), or calls `done`.
   */
  constructor(
    options: UpstreamStrategyOptionsWithRequest,
    verify: AsyncUpstreamVerify<[req: Request]>,
  );
  constructor(
    options: UpstreamStrategyOptionsWithRequest,
    verify: UpstreamVerifyFunctionWithRequest,
  );
  constructor(options: UpstreamStrategyOptions, verify: AsyncUpstreamVerify<[]>);
  constructor(options: UpstreamStrategyOptions, verify: UpstreamVerifyFunction);
  // A promise-only overload keeps `async () => false` a promise of `false` (not `boolean`).
  constructor(
    options: UpstreamStrategyOptions | UpstreamStrategyOptionsWithRequest,
    verify: UpstreamVerifyFunction | UpstreamVerifyFunctionWithRequest,
  ) {
    super();
    this.settings = resolveOptions(options, verify);
    this.protocol = this.settings.protocol;
    this.sessions = this.settings.sessions;
    this.name = this.settings.name;
    const protocol = createSessionsProtocol(this.protocol.options, { sessions: this.sessions });
    this.revocable = { protocol, sessions: this.sessions };
    this.checkRequest = this.protocol.check;
  }

  /** Signs in with the body's username and password; ends in one of `success`, `fail`, `error`. */
  authenticate(req: Request, _options?: object): void {
    const outcome = settleOnce(this);
    const request = bodyRequestOf(req, this.settings.ip(req));
    // Passport ignores what authenticate returns: every rejection has to become error().
    this.signIn(req, request, outcome).catch((error: unknown) => outcome.error(errorOf(error)));
  }

  private async signIn(req: Request, input: ProtocolRequest, end: Actions): Promise<void> {
    const result = await this.protocol.signIn(input);
    if (!result.ok) return this.refuse(req, end, result.error);
    const { sid, subject, provider, profile, user } = result.value;
    const account: UpstreamAccount = {
      provider,
      subject,
      username: user.identifier,
      ...(profile === undefined ? {} : { profile }),
      sessionId: sid,
    };
    // Keep the session id out of `JSON.stringify(account)` and `inspect(account)` by mistake;
    // an app that reads it may keep it itself (`session: false`): then it is the app's to end.
    let claimed = false;
    Object.defineProperty(account, 'sessionId', {
      enumerable: false,
      get: () => {
        claimed = true;
        return sid;
      },
    });
    const { verify, passReqToCallback } = this.settings;
    const answer = await callVerify(verify, passReqToCallback ? [req, account] : [account]);
    if (answer.kind !== 'user') {
      // The app refused the user (or failed): the upstream session must not outlive the attempt.
      await this.sessions.end(sid, 'ended_by_app').catch(() => undefined);
      if (answer.kind === 'error') return end.error(answer.error);
      return end.fail(answer.info ?? challengeOf(ACCESS_DENIED, ''), ACCESS_DENIED.status);
    }
    keepOnLogIn(req, { strategy: this.name, sid }, this.sessions, { claimed: () => claimed });
    end.success(answer.user, answer.info);
  }

  /** A refusal as Passport's `fail` (with `Retry-After`); an outage or a store failure as `error`. */
  private refuse(req: Request, end: Actions, refusal: ProtocolRefusal): void {
    const { status, retryAfter, cause } = refusal;
    // Express sets `req.res`; other frameworks (or a test double) may not.
    if (retryAfter !== undefined && req.res?.headersSent === false) {
      req.res.setHeader('Retry-After', String(retryAfter));
    }
    if (cause !== undefined) end.error(cause);
    // Not the user's doing: the app's error handler answers 503 (the error carries Retry-After).
    else if (refusal.code === 'SERVICE_UNAVAILABLE')
      end.error(TingTingHTTPError.fromRefusal(refusal));
    else end.fail(challengeOf(refusal, this.settings.badRequestMessage), status);
  }

  /**
   * The upstream session id of the signed-in user of `req`, kept in `req.session` at sign-in by
   * this strategy; `undefined` when there is none (not signed in, signed in some other way, or
   * signed out). A bearer secret: never log it or send it to the browser.
   */
  sessionIdOf(req: Request): string | undefined {
    return storedSessionId(req, this.name);
  }

  /**
   * A valid upstream access token for the signed-in user of `req`: one store read while it is
   * fresh; near expiry, one refresh per session across every request and process (the rotated
   * tokens are stored before anyone gets the new access token). Call it from the routes that need
   * the upstream, never from `deserializeUser`.
   *
   * @param options `sessionId`: the session id to use instead of `req.session`'s (`session: false`).
   * @throws {SessionExpiredError} no upstream session, or it is over (`reason`): sign in again (401).
   * @throws {SessionUnavailableError} the upstream could not refresh and the token expired (503,
   *   `retryAfterInSeconds`); the session is kept.
   */
  accessToken(req: Request, options: { sessionId?: string } = {}): Promise<string> {
    // No id: '' is never a session id, so the sessions reject with their `SessionExpiredError`
    // ('unknown'), and this module needs no runtime import of `@tingting-auth/core/upstream`.
    return this.sessions.getAccessToken(options.sessionId ?? this.sessionIdOf(req) ?? '');
  }

  /**
   * `fetch` to the upstream API as the signed-in user of `req` (core's `upstreamFetch`): a URL
   * relative to the `baseURL` option (another origin is a `TypeError`, so the credentials go only
   * to the upstream), the access token as `Authorization: Bearer …` (TingTing accounts: its
   * cookies), no redirect followed unless `init.redirect` says so, and on a 401 one refresh and,
   * for idempotent methods, one retry.
   *
   * @throws what {@link UpstreamStrategy.accessToken} throws; a `TypeError` without `baseURL`.
   */
  async fetch(
    req: Request,
    input: string | URL,
    init: RequestInit & { sessionId?: string } = {},
  ): Promise<Response> {
    const { sessionId, ...rest } = init;
    const { baseURL } = this.settings;
    if (baseURL === undefined) {
      throw new TypeError(`${CALLER}: set the \`baseURL\` option (the upstream API) to use fetch`);
    }
    const sid = sessionId ?? this.sessionIdOf(req) ?? '';
    return upstreamFetch(this.sessions, sid, { baseURL })(input, rest);
  }
}
