/**
 * Password sign-in against an upstream token API (Timbr, the notes service, TingTing accounts, your
 * own) as neutral handlers: a {@link ProtocolRequest} in, a {@link ProtocolResult} out, with the
 * same option resolution, field reading, cross-site check and answer table as the one-time-code
 * handlers. The upstream work (the limiter, the upstream login, the sealed session) is
 * `UpstreamSessions` from `@tingting-auth/core/upstream`; this module only imports its types, so
 * `@tingting-auth/core/protocol` still loads no upstream code.
 *
 * ## How an adapter uses it
 *
 * 1. **Options, once.** `resolveRequestOptions(caller, options, { adapterOptions })` checks the
 *    request options (`crossSiteProtection`, `allowedOrigins`, `allowRequestsWithoutOrigin`,
 *    `maxBodyInBytes`, `trustProxy`/`ipHeader`) exactly as for the one-time-code handlers; list
 *    `sessions`, `provider` and your own options in `adapterOptions`.
 * 2. **Handlers.** `const password = createPasswordProtocol(resolved, { sessions, provider })`:
 *    - `signIn(request)`: body-only fields, `username` or `email` (exactly one) and `password`,
 *      strings only. 200 `{ user }`; the value is a {@link PasswordSignIn} whose `sid` (secret,
 *      non-enumerable) is what you keep in your session: regenerate your session first (no
 *      fixation), then store `{ sid, subject }`. Refusals: 400 `INVALID_REQUEST` with `field`
 *      naming the missing/wrong field; 401 `INVALID_CREDENTIALS` (wrong password, unknown user and
 *      inactive account: identical status, body and headers); 429 `RATE_LIMITED` and 503
 *      `SERVICE_UNAVAILABLE`, both with `Retry-After`; and every body/cross-site refusal of the
 *      OTP handlers.
 *    - `signOut(request, sid)`: the checks, then `sessions.end(sid)` (the upstream session ends),
 *      then 204; clear or regenerate your own session after it. A store failure is a 503 (keep the
 *      session so the user can retry).
 *    - `signUp(request)`: only when the provider has `signup` (notes), else `undefined`: do not
 *      mount the route. Fields `username`, `email`, `password`; 202 with the same body whether the
 *      account was created or already existed (OWASP account creation). Limited per client IP
 *      ({@link DEFAULT_SIGN_UP_LIMIT}: 30 attempts per IP per hour, the `signUpLimit` option):
 *      every well-formed attempt counts, created, existing or refused upstream alike, in the
 *      sessions' store (shared by every process that shares it); over the limit, 429
 *      `RATE_LIMITED` with `Retry-After` (the end of the window) and the upstream is not asked. A
 *      request without a client IP is not limited, as the sign-in limits' per-IP counters and the
 *      one-time-code send cap: give the adapter the IP (`clientIP`, or `trustProxy`/`ipHeader`).
 *      A store failure is a 503 (fail closed).
 * 3. **Later requests.** Read your stored `sid`, call `sessions.getAccessToken(sid)` (or core's
 *    `upstreamFetch`), and answer a thrown error with {@link refusalOfSessionError}: 401
 *    `SESSION_EXPIRED` (destroy your session), 503 `SERVICE_UNAVAILABLE` + `Retry-After`.
 *
 * @example
 * ```ts
 * import { createPasswordProtocol, fromNodeRequest, resolveRequestOptions, sendNodeAnswer } from '@tingting-auth/core/protocol';
 * const password = createPasswordProtocol(resolveRequestOptions('my adapter', {}), { sessions });
 * const result = await password.signIn(fromNodeRequest(req));
 * if (result.ok) saveInMySession(result.value.sid, result.value.subject);
 * sendNodeAnswer(res, result.answer);
 * ```
 *
 * @packageDocumentation
 */

import { headerOf } from '../cross-site.js';
import { UNAVAILABLE_RETRY_AFTER_IN_SECONDS } from '../public-errors.js';
import type { SessionInfo, SignInInput, SignInResult } from '../upstream/sessions.js';
import type { SignUpLimit } from '../upstream/throttle.js';
import type { ConsumeOutcome } from '../upstream/throttle-store.js';
import type { UpstreamProfile, UpstreamSignup } from '../upstream/types.js';
import {
  jsonAnswer,
  type ProtocolRefusal,
  type ProtocolResult,
  refusalOf,
  refuse,
} from './answers.js';
import { clientIPFromHeaders } from './client-ip.js';
import type { ProtocolFields } from './fields.js';
import type { ResolvedRequestOptions } from './options.js';
import {
  checkedFields,
  checkRequest,
  failed,
  noContentAnswer,
  type ProtocolRequest,
  stringField,
} from './otp-handlers.js';

/** What the handlers need of `UpstreamSessions` (any object with these methods will do). */
export interface PasswordSessions {
  /** The provider id sessions are filed under (`'timbr'`, `'notes'`, `'tingting'`). */
  readonly providerId: string;
  /** Limiter, upstream login, new session (`UpstreamSessions.signIn`). */
  signIn(input: SignInInput): Promise<SignInResult>;
  /** End a session (`UpstreamSessions.end`): whether it was active. */
  end(sid: string): Promise<boolean>;
  /**
   * Check and count one sign-up attempt from an IP (`UpstreamSessions.attemptSignUp`). Required
   * when sign-up is offered with its limit on (`signUpLimit` not `false`).
   */
  attemptSignUp?(ip: string | undefined, limit: SignUpLimit): Promise<ConsumeOutcome>;
  /** `false` when the store keeps no attempt counters (`UpstreamSessions.countsAttempts`). */
  readonly countsAttempts?: boolean;
}

/** What sign-up needs of the provider: its `signup` (notes). */
export interface PasswordSignupProvider {
  /** `UpstreamProvider.signup`: `SIGNUP_CONFLICT` for an existing account. */
  signup?(
    account: UpstreamSignup,
    ctx: { signal: AbortSignal; now: () => number },
  ): Promise<{ created: boolean }>;
}

/** Body field names of the password steps. */
export interface PasswordFieldNames {
  /**
   * Sign-in: the fields that may carry the username or email, of which exactly one is sent (both
   * at once is refused as ambiguous). @default ['username', 'email']
   */
  identifier: readonly string[];
  /** @default 'password' */
  password: string;
  /** Sign-up: the new account's username. @default 'username' */
  username: string;
  /** Sign-up: the new account's email. @default 'email' */
  email: string;
}

/** The signed-in account as the 200 answer shows it. Never a token, never the session id. */
export interface PasswordUser {
  /** The provider id (`'timbr'`, …). */
  provider: string;
  /** The upstream's stable user id (a `user_id` claim), else the identifier as typed (trimmed). */
  subject: string;
  /** The username or email the user typed (trimmed). */
  identifier: string;
  /** From the upstream's profile, when its login answer carries one. */
  username?: string;
  /** From the upstream's profile, when its login answer carries one. */
  email?: string;
  /** A display name from the upstream's profile, when its login answer carries one. */
  name?: string;
}

/** The value of a successful sign-in: what the adapter keeps, and the user to show. */
export interface PasswordSignIn {
  /** The session id to keep server-side (your session, an encrypted JWT). Secret: non-enumerable. */
  readonly sid: string;
  /** The upstream's stable user id (see {@link PasswordUser.subject}). */
  readonly subject: string;
  /** The provider id. */
  readonly provider: string;
  /** The account as the 200 answer shows it. */
  readonly user: PasswordUser;
  /** The upstream's profile, when its login answer carries one. */
  readonly profile?: UpstreamProfile;
  /** The session as a device list shows it (public id, times). */
  readonly session: SessionInfo;
}

/** The body of the 202 answer to a sign-up, the same whether the account was created or existed. */
export interface SignUpAnswer {
  /** {@link SIGN_UP_ACCEPTED_MESSAGE}. */
  message: string;
}

/** The message of every sign-up 202: it never says whether the account existed. */
export const SIGN_UP_ACCEPTED_MESSAGE =
  'If the account can be created, it has been. You can sign in with it now.';

/**
 * The default sign-up limit: 30 attempts per client IP per hour (an IPv6 address counts by its
 * /64). A person signs up once; a script creating accounts wants hundreds an hour. Nepali mobile
 * carriers put many subscribers behind one carrier-grade NAT address, and a school lab or a cyber
 * café shares one address too, so 30 an hour leaves room for a class signing up together, while
 * a script on one address gets 30 accounts an hour (720 a day) instead of as many as the upstream
 * answers. The same order as the one-time-code send cap (20 per IP per hour).
 */
export const DEFAULT_SIGN_UP_LIMIT: Readonly<SignUpLimit> = Object.freeze({
  maxPerIP: 30,
  windowInMilliseconds: 3_600_000,
});

/** The password handlers (see the module documentation). */
export interface PasswordProtocol {
  /** The resolved request options it was built with. */
  readonly options: ResolvedRequestOptions;
  /** The sign-up limit in force; `undefined` when it is off or sign-up is not offered. */
  readonly signUpLimit: Readonly<SignUpLimit> | undefined;
  /** The body field names in use. */
  readonly fieldNames: Readonly<PasswordFieldNames>;
  /** Method and cross-site checks only: a refusal, or `undefined`. Pure. */
  check(request: ProtocolRequest): ProtocolRefusal | undefined;
  /** Sign in: 200 `{ user }`; the value is the {@link PasswordSignIn} (keep its `sid`). */
  signIn(request: ProtocolRequest): Promise<ProtocolResult<PasswordSignIn>>;
  /** Sign out: the checks, then the session `sid` ends (when given), then 204. Value: whether it was active. */
  signOut(request: ProtocolRequest, sid: string | undefined): Promise<ProtocolResult<boolean>>;
  /** Sign up (the provider has `signup`): 202 {@link SignUpAnswer}; `undefined` otherwise. */
  readonly signUp: ((request: ProtocolRequest) => Promise<ProtocolResult<undefined>>) | undefined;
}

/** Options of {@link createPasswordProtocol}. */
export interface PasswordProtocolConfig {
  /** The sessions manager (`UpstreamSessions`): its limiter, login and store. */
  sessions: PasswordSessions;
  /** The provider, for sign-up (only one with `signup`, the notes service, enables it). */
  provider?: PasswordSignupProvider;
  /** Body field names, when the adapter lets users rename them (Passport's `usernameField`). */
  fieldNames?: Partial<PasswordFieldNames>;
  /** A sign-up call to the upstream is aborted after this long. @default 10_000 */
  signUpTimeoutInMilliseconds?: number;
  /**
   * Sign-up attempts per client IP (see {@link DEFAULT_SIGN_UP_LIMIT} for why these defaults):
   * `maxPerIP` (1 to 1,000,000) in a fixed window of `windowInMilliseconds` (1 second to 30 days)
   * that starts at the first attempt, counted by `sessions.attemptSignUp` in the sessions' store
   * (its store must implement `LoginThrottleStore`, as `MemorySessionStore` and
   * `RedisSessionStore` do). `false` turns it off: only when something in front of sign-up
   * limits it.
   * @default { maxPerIP: 30, windowInMilliseconds: 3_600_000 }
   */
  signUpLimit?: Partial<SignUpLimit> | false;
  /** The clock handed to the provider's `signup`. @default Date.now */
  clock?: () => number;
}

const DEFAULT_FIELDS: PasswordFieldNames = {
  identifier: ['username', 'email'],
  password: 'password',
  username: 'username',
  email: 'email',
};

const MAX_USER_AGENT = 512;

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function secondsOf(error: unknown): number | undefined {
  const value = (error as { retryAfterInSeconds?: unknown } | null)?.retryAfterInSeconds;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * The refusal for an error of `sessions.getTokens` / `getAccessToken` / `upstreamFetch`:
 * - the session is over (`SessionExpiredError`): 401 `SESSION_EXPIRED` (destroy your session);
 * - the upstream could not refresh (`SessionUnavailableError`, the refresh token is kept): 503
 *   `SERVICE_UNAVAILABLE` with the upstream's `Retry-After`, else 30 s;
 * - anything else (the store failed, a bug): 503 with the error as `cause`, for your logs.
 */
export function refusalOfSessionError(error: unknown): ProtocolRefusal {
  const code = codeOf(error);
  if (code === 'SESSION_EXPIRED') return refusalOf('SESSION_EXPIRED');
  if (code === 'UPSTREAM_UNAVAILABLE' || code === 'UPSTREAM_MALFORMED') {
    return refusalOf('SERVICE_UNAVAILABLE', {
      retryAfter: secondsOf(error) ?? UNAVAILABLE_RETRY_AFTER_IN_SECONDS,
    });
  }
  return refusalOf('SERVICE_UNAVAILABLE', { cause: error });
}

function resolveFieldNames(
  caller: string,
  given: Partial<PasswordFieldNames> = {},
): PasswordFieldNames {
  const fail = (message: string): never => {
    throw new TypeError(`${caller}: ${message}`);
  };
  const name = (key: string, value: unknown): string => {
    if (typeof value !== 'string' || value === '')
      fail(`the ${key} field name must be a non-empty string`);
    return value as string;
  };
  const identifier = given.identifier ?? DEFAULT_FIELDS.identifier;
  if (!Array.isArray(identifier) || identifier.length === 0) {
    fail('the identifier field names must be a non-empty array of strings');
  }
  const names: PasswordFieldNames = {
    identifier: Object.freeze(identifier.map((value) => name('identifier', value))),
    password: name('password', given.password ?? DEFAULT_FIELDS.password),
    username: name('username', given.username ?? DEFAULT_FIELDS.username),
    email: name('email', given.email ?? DEFAULT_FIELDS.email),
  };
  const signIn = [...names.identifier, names.password];
  if (new Set(signIn).size !== signIn.length) fail('the sign-in field names must differ');
  const signUp = [names.username, names.email, names.password];
  if (new Set(signUp).size !== signUp.length) fail('the sign-up field names must differ');
  return names;
}

const MAX_SIGN_UP_WINDOW = 30 * 86_400_000;

/** The sign-up limit of `given` (`undefined`: off), or a `TypeError` naming the mistake. */
function resolveSignUpLimit(caller: string, given: unknown): Readonly<SignUpLimit> | undefined {
  if (given === false) return undefined;
  if (given === undefined) return DEFAULT_SIGN_UP_LIMIT;
  const fail = (message: string): never => {
    throw new TypeError(`${caller}: ${message}`);
  };
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    fail('signUpLimit must be { maxPerIP?, windowInMilliseconds? } or false');
  }
  const limit = given as Record<string, unknown>;
  for (const key of Object.keys(limit)) {
    if (key !== 'maxPerIP' && key !== 'windowInMilliseconds') {
      fail(`unknown signUpLimit option \`${key}\` (maxPerIP, windowInMilliseconds)`);
    }
  }
  const whole = (key: keyof SignUpLimit, min: number, max: number): number => {
    const value = limit[key] ?? DEFAULT_SIGN_UP_LIMIT[key];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      fail(`signUpLimit.${key} must be a whole number from ${min} to ${max}, got ${String(value)}`);
    }
    return value as number;
  };
  return Object.freeze({
    maxPerIP: whole('maxPerIP', 1, 1_000_000),
    windowInMilliseconds: whole('windowInMilliseconds', 1_000, MAX_SIGN_UP_WINDOW),
  });
}

/** The retry delay in whole seconds for a result that gives milliseconds. */
function seconds(milliseconds: number): number {
  return Math.ceil(milliseconds / 1000);
}

/**
 * The password handlers over resolved request options.
 *
 * @param options From `resolveRequestOptions` (or `resolveProtocolOptions`: the engine is unused).
 * @param config The sessions manager, the provider (for sign-up) and field names.
 */
export function createPasswordProtocol(
  options: ResolvedRequestOptions,
  config: PasswordProtocolConfig,
): PasswordProtocol {
  const { caller } = options;
  const sessions = config?.sessions;
  if (
    typeof sessions !== 'object' ||
    sessions === null ||
    typeof sessions.signIn !== 'function' ||
    typeof sessions.end !== 'function' ||
    typeof sessions.providerId !== 'string'
  ) {
    throw new TypeError(
      `${caller}: \`sessions\` must be an UpstreamSessions from @tingting-auth/core/upstream (with a provider)`,
    );
  }
  const names = resolveFieldNames(caller, config.fieldNames);
  const provider = config.provider;
  if (provider !== undefined && (typeof provider !== 'object' || provider === null)) {
    throw new TypeError(`${caller}: \`provider\` must be an UpstreamProvider`);
  }
  const timeout = config.signUpTimeoutInMilliseconds ?? 10_000;
  if (!Number.isSafeInteger(timeout) || timeout <= 0) {
    throw new TypeError(`${caller}: signUpTimeoutInMilliseconds must be a positive integer`);
  }
  const clock = config.clock ?? Date.now;
  const noContent = noContentAnswer();
  const offersSignUp = typeof provider?.signup === 'function';
  const configuredLimit = resolveSignUpLimit(caller, config.signUpLimit);
  const signUpLimit = offersSignUp ? configuredLimit : undefined;
  if (
    signUpLimit !== undefined &&
    (typeof sessions.attemptSignUp !== 'function' || sessions.countsAttempts === false)
  ) {
    throw new TypeError(
      `${caller}: the sign-up limit counts attempts in the sessions' store: \`sessions\` must be an UpstreamSessions whose store implements LoginThrottleStore (MemorySessionStore, RedisSessionStore), or pass signUpLimit: false when something in front of sign-up limits it`,
    );
  }

  /** The one identifier field sent: its name and value, or the refusal naming the field. */
  function identifierOf(
    fields: ProtocolFields,
  ): { ok: true; value: string; field: string } | { ok: false; field: string } {
    let found: { value: string; field: string } | undefined;
    for (const name of names.identifier) {
      const value = stringField(fields, name);
      if (value === null) return { ok: false, field: name };
      if (value === undefined) continue;
      // Two identifiers at once (`username` and `email`) is ambiguous: which account is meant?
      if (found !== undefined) return { ok: false, field: name };
      found = { value, field: name };
    }
    return found === undefined
      ? { ok: false, field: names.identifier[0]! }
      : { ok: true, ...found };
  }

  const signUp = offersSignUp
    ? async (request: ProtocolRequest): Promise<ProtocolResult<undefined>> => {
        const read = await checkedFields(options, request);
        if (!read.ok) return failed(read.error);
        const account: Record<'username' | 'email' | 'password', string> = {
          username: '',
          email: '',
          password: '',
        };
        for (const key of ['username', 'email', 'password'] as const) {
          const value = stringField(read.fields, names[key]);
          if (value == null || (key !== 'password' && value.trim() === '')) {
            return refuse('INVALID_REQUEST', { field: names[key] });
          }
          account[key] = key === 'password' ? value : value.trim();
        }
        if (signUpLimit !== undefined) {
          // Counted before the upstream is asked, whatever it then answers: a new account, an
          // existing one and a refused password all cost one attempt (no probing for free).
          const ip = request.clientIP ?? clientIPFromHeaders(request.headers, options);
          let outcome: ConsumeOutcome;
          try {
            outcome = await sessions.attemptSignUp!(ip, signUpLimit);
          } catch (error) {
            return refuse('SERVICE_UNAVAILABLE', { cause: error });
          }
          if (!outcome.ok) {
            return refuse('RATE_LIMITED', {
              retryAfter: seconds(outcome.retryAfterInMilliseconds),
            });
          }
        }
        try {
          await provider.signup!(account, { signal: AbortSignal.timeout(timeout), now: clock });
        } catch (error) {
          switch (codeOf(error)) {
            case 'SIGNUP_CONFLICT':
              // An existing account answers exactly like a new one (no enumeration).
              break;
            case 'UPSTREAM_BAD_REQUEST':
            case 'VALIDATION_ERROR':
              // The upstream refused the input (notes: a password of 8 characters or fewer).
              return refuse('INVALID_REQUEST');
            case 'UPSTREAM_UNAVAILABLE':
            case 'UPSTREAM_MALFORMED': {
              const retryAfter = secondsOf(error);
              return refuse('SERVICE_UNAVAILABLE', retryAfter === undefined ? {} : { retryAfter });
            }
            default:
              return refuse('SERVICE_UNAVAILABLE', { cause: error });
          }
        }
        const body: SignUpAnswer = { message: SIGN_UP_ACCEPTED_MESSAGE };
        return { ok: true, answer: jsonAnswer(202, body), value: undefined };
      }
    : undefined;

  return {
    options,
    signUpLimit,
    fieldNames: Object.freeze(names),
    check: (request) => checkRequest(options, request),

    async signIn(request) {
      const read = await checkedFields(options, request);
      if (!read.ok) return failed(read.error);
      const identifier = identifierOf(read.fields);
      if (!identifier.ok) return refuse('INVALID_REQUEST', { field: identifier.field });
      const password = stringField(read.fields, names.password);
      if (password == null) return refuse('INVALID_REQUEST', { field: names.password });
      const ip = request.clientIP ?? clientIPFromHeaders(request.headers, options);
      const userAgent = headerOf(request.headers, 'user-agent')?.slice(0, MAX_USER_AGENT);
      let result: SignInResult;
      try {
        result = await sessions.signIn({
          identifier: identifier.value,
          password,
          ...(ip === undefined ? {} : { ip }),
          ...(userAgent === undefined || userAgent === '' ? {} : { userAgent }),
        });
      } catch (error) {
        return refuse('SERVICE_UNAVAILABLE', { cause: error });
      }
      if (!result.ok) {
        switch (result.reason) {
          case 'invalid_request':
            return refuse('INVALID_REQUEST', {
              // The field the user filled in (`email` when the email was sent), not the first name.
              field: result.field === 'password' ? names.password : identifier.field,
            });
          case 'invalid_credentials':
            return refuse('INVALID_CREDENTIALS');
          case 'rate_limited':
            return refuse('RATE_LIMITED', {
              retryAfter: seconds(result.retryAfterInMilliseconds),
            });
          default:
            return refuse('SERVICE_UNAVAILABLE', {
              retryAfter: seconds(result.retryAfterInMilliseconds),
            });
        }
      }
      const profile = result.profile;
      const user: PasswordUser = {
        provider: sessions.providerId,
        subject: result.subject,
        identifier: identifier.value.trim(),
        ...(profile?.username === undefined ? {} : { username: profile.username }),
        ...(profile?.email === undefined ? {} : { email: profile.email }),
        ...(profile?.name === undefined ? {} : { name: profile.name }),
      };
      const value = {
        subject: result.subject,
        provider: sessions.providerId,
        user,
        ...(profile === undefined ? {} : { profile }),
        session: result.session,
      };
      // The session id stays out of JSON, spread and `inspect`, as in `SignInResult`.
      Object.defineProperty(value, 'sid', { value: result.sid, enumerable: false });
      return {
        ok: true,
        answer: jsonAnswer(200, { user }),
        value: value as PasswordSignIn,
      };
    },

    async signOut(request, sid) {
      const refusal = checkRequest(options, request);
      if (refusal !== undefined) return failed(refusal);
      let ended = false;
      if (typeof sid === 'string' && sid !== '') {
        try {
          ended = await sessions.end(sid);
        } catch (error) {
          return refuse('SERVICE_UNAVAILABLE', { cause: error });
        }
      }
      return { ok: true, answer: noContent, value: ended };
    },

    signUp,
  };
}
