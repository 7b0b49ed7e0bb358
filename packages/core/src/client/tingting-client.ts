/**
 * `TingTingClient`: a typed client for every endpoint of TingTing's account API (seed 000) and
 * OTP API (seed 001).
 *
 * @see https://app.tingting.io (API documents in `shared/seeds/000_*.txt`, `001_*.txt`)
 * @packageDocumentation
 */

import type makeFetchCookie from 'fetch-cookie';
import type { CookieJar } from 'tough-cookie';
import packageJSON from '../../package.json' with { type: 'json' };
import { ValidationError } from '../errors.js';
import {
  resolveBaseURL,
  resolveFetch,
  positiveInteger as sharedPositiveInteger,
} from '../http/options.js';
import {
  TingTingAuthenticationError,
  type TingTingEndpoint,
  TingTingUnexpectedBodyError,
} from './client-errors.js';
import {
  acceptedButUnreadable,
  type FetchLike,
  type HTTPRequest,
  type HTTPSettings,
  performRequest,
} from './http.js';
import {
  parseGenerateAPIToken,
  parseGetAPIToken,
  parseLogin,
  parseRefresh,
  parseSendOTP,
  parseSentOTPPage,
  parseUserProfile,
} from './schemas.js';
import { buildSendOTPBody, type SendOTPInput } from './send-input.js';
import type {
  ListSentOTPsOptions,
  SendOTPResult,
  SentOTP,
  SentOTPPage,
  TingTingAPIToken,
  TingTingUserProfile,
} from './types.js';

/** The cookie jar of an email + password session, and `fetch` wrapped to use it. */
interface CookieSession {
  readonly jar: CookieJar;
  readonly fetch: FetchLike;
}

/**
 * fetch-cookie and tough-cookie (with tldts, about 3 MB and 30 ms to import) are loaded when an
 * email + password client first needs its session, not when this module is imported: a client
 * with an API token never loads them.
 */
async function createCookieSession(fetchImpl: FetchLike): Promise<CookieSession> {
  const [fetchCookieModule, { CookieJar }] = await Promise.all([
    import('fetch-cookie'),
    import('tough-cookie'),
  ]);
  // fetch-cookie's CommonJS build exports `{ __esModule: true, default: fetchCookie }`, and this
  // package's CommonJS build (esbuild in Node interop mode, since package.json says "type":
  // "module") can hand that whole object over as the default: `import_fetch_cookie.default is not
  // a function` under `require()`. Take the function from whichever shape arrives.
  const imported: unknown = fetchCookieModule.default;
  const fetchCookie = (
    typeof imported === 'function' ? imported : (imported as { default: unknown }).default
  ) as typeof makeFetchCookie;
  const jar = new CookieJar();
  const fetch = fetchCookie(
    fetchImpl as (input: string, init?: RequestInit) => Promise<Response>,
    jar,
  ) as unknown as FetchLike;
  return { jar, fetch };
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * `User-Agent` sent with every request: `tingting-auth/<version of @tingting-auth/core>`. The
 * version is read from package.json at build time (tsup inlines it), so it cannot drift.
 */
export const USER_AGENT: string = `tingting-auth/${packageJSON.version}`;

/** TingTing's public API origin. */
export const DEFAULT_BASE_URL = 'https://app.tingting.io';

/** Options of {@link TingTingClient}. Give `apiToken`, or `email` and `password`, or all three. */
export interface TingTingClientOptions {
  /** A long-lived API token (TingTing dashboard, or `generateAPIToken()`). Sent as `Authorization: Bearer`. */
  apiToken?: string;
  /** Account email, to log in and obtain the API token (get, else generate). */
  email?: string;
  /** Account password. Kept in a private field; never logged, never in an error. */
  password?: string;
  /** API origin (a path prefix is allowed). `http:` only for loopback hosts. @default 'https://app.tingting.io' */
  baseURL?: string;
  /** `fetch` implementation (a wrapper around the real one, undici's, …). @default globalThis.fetch */
  fetch?: FetchLike;
  /** Limit for a whole call, retries and body included. @default 30000 */
  timeoutInMilliseconds?: number;
  /** Limit for each attempt to get response headers (connection, TLS, request, server time). @default 10000 */
  connectTimeoutInMilliseconds?: number;
  /**
   * Largest response body read; larger ones fail with `UNEXPECTED_BODY` (`UNKNOWN_OUTCOME` for a
   * 2xx answer to `sendOTP`). @default 1048576 (1 MiB)
   */
  maxResponseSizeInBytes?: number;
  /** Retries of idempotent GETs (profile, get API token, list). Never for POSTs. @default 2 */
  maxRetries?: number;
  /** Base of the exponential backoff (full jitter). @default 200 */
  retryBaseDelayInMilliseconds?: number;
  /** Cap of one backoff delay, and the longest `Retry-After` honoured. @default 5000 */
  retryMaxDelayInMilliseconds?: number;
}

const PATHS: Record<TingTingEndpoint, string> = {
  login: 'api/v1/auths/login/',
  refresh: 'api/v1/auths/login/refresh/',
  generateAPIToken: 'api/v1/auths/generate-api-keys/',
  getAPIToken: 'api/v1/auths/get-api-keys/',
  userProfile: 'api/v1/auths/user-profile/',
  sendOTP: 'api/v1/auths/send/otp/',
  listSentOTPs: 'api/v1/auths/list/send-otps/',
};

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const TOKEN = /^[\x21-\x7e]+$/;
const MAX_PAGE_SIZE = 1000;
const MAX_PAGES = 100_000;

function positiveInteger(name: string, value: unknown, fallback: number, minimum = 1): number {
  return sharedPositiveInteger('TingTingClient', name, value, fallback, minimum);
}

function isAuthenticationFailure(error: unknown): error is TingTingAuthenticationError {
  return error instanceof TingTingAuthenticationError;
}

/**
 * A typed client for TingTing: account (login, refresh, API tokens, profile) and OTP (send, list).
 *
 * - Authenticates with an API token, or with email + password (cookie-jar session, one shared
 *   refresh on 401, then get-or-generate the API token).
 * - Validates input before any request and every response after; turns every failure into a typed
 *   error with a stable `code`.
 * - Retries idempotent GETs only. **Send OTP is never retried**: a failure after the request may
 *   have reached TingTing, or a 2xx answer it cannot read, is a `TingTingUnknownOutcomeError`.
 * - Never follows redirects; caps response bodies; the token, password and cookies live in private
 *   fields and never appear in errors, `JSON.stringify` or `util.inspect`.
 *
 * @example
 * ```ts
 * const client = new TingTingClient({ apiToken: process.env.TINGTING_API_TOKEN });
 * const sent = await client.sendOTP({ number: '9812345678', message: 'Your code is {otp}', channel: 'text', otp: '482913' });
 * ```
 */
export class TingTingClient {
  readonly #base: URL;
  readonly #settings: HTTPSettings;
  readonly #email: string | undefined;
  readonly #password: string | undefined;
  #apiToken: string | undefined;
  /** Created on first use by {@link createCookieSession}. */
  #cookies: Promise<CookieSession> | undefined;
  /**
   * Bumped on every successful login or refresh and every settled renewal: a call that got a 401
   * for a session older than the current epoch does not start another renewal.
   */
  #sessionEpoch = 0;
  #renewing: Promise<void> | undefined;
  /** The error of the last renewal, if it failed and nothing succeeded since. */
  #renewalError: unknown;
  #obtaining: Promise<string> | undefined;
  /** Cookie values seen, scrubbed from error text. */
  readonly #cookieSecrets = new Set<string>();

  constructor(options: TingTingClientOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(
        'TingTingClient: options are required: { apiToken } or { email, password }',
      );
    }
    const { apiToken, email, password } = options;
    if (apiToken !== undefined && (typeof apiToken !== 'string' || !TOKEN.test(apiToken))) {
      throw new TypeError(
        'TingTingClient: apiToken must be a non-empty string without spaces (is TINGTING_API_TOKEN set?)',
      );
    }
    const hasEmail = typeof email === 'string' && email.trim() !== '';
    const hasPassword = typeof password === 'string' && password !== '';
    if (
      hasEmail !== hasPassword ||
      (email !== undefined && !hasEmail) ||
      (password !== undefined && !hasPassword)
    ) {
      throw new TypeError('TingTingClient: email and password go together, both non-empty strings');
    }
    if (apiToken === undefined && !hasEmail) {
      throw new TypeError(
        'TingTingClient: give an apiToken, or email and password (is TINGTING_API_TOKEN set?)',
      );
    }
    this.#apiToken = apiToken;
    this.#email = hasEmail ? email : undefined;
    this.#password = hasPassword ? password : undefined;

    this.#base = resolveBaseURL(
      'TingTingClient',
      options.baseURL ?? DEFAULT_BASE_URL,
      'https://app.tingting.io',
      'the API token',
    );
    const fetchImpl = resolveFetch('TingTingClient', options.fetch);
    const timeoutInMilliseconds = positiveInteger(
      'timeoutInMilliseconds',
      options.timeoutInMilliseconds,
      30_000,
    );
    this.#settings = {
      fetch: fetchImpl,
      timeoutInMilliseconds,
      connectTimeoutInMilliseconds: Math.min(
        timeoutInMilliseconds,
        positiveInteger(
          'connectTimeoutInMilliseconds',
          options.connectTimeoutInMilliseconds,
          10_000,
        ),
      ),
      maxResponseSizeInBytes: positiveInteger(
        'maxResponseSizeInBytes',
        options.maxResponseSizeInBytes,
        1024 * 1024,
      ),
      maxRetries: positiveInteger('maxRetries', options.maxRetries, 2, 0),
      retryBaseDelayInMilliseconds: positiveInteger(
        'retryBaseDelayInMilliseconds',
        options.retryBaseDelayInMilliseconds,
        200,
        0,
      ),
      retryMaxDelayInMilliseconds: positiveInteger(
        'retryMaxDelayInMilliseconds',
        options.retryMaxDelayInMilliseconds,
        5_000,
        0,
      ),
      userAgent: USER_AGENT,
      secrets: () => [
        ...(this.#apiToken === undefined ? [] : [this.#apiToken]),
        ...(this.#password === undefined ? [] : [this.#password]),
        ...this.#cookieSecrets,
      ],
      random: Math.random,
    };
  }

  /** The API origin and path prefix requests go to. */
  get baseURL(): string {
    return this.#base.href;
  }

  // --- account API (seed 000) -----------------------------------------------------------------

  /**
   * Log in with the email and password given at construction; keeps the `access` and `refresh`
   * cookies in the client's cookie jar.
   *
   * @throws {TingTingAuthenticationError} wrong credentials or inactive account (401).
   * @throws {ValidationError} the client was built without email and password.
   */
  async login(): Promise<void> {
    const { email, password } = this.#credentials('login');
    const response = await this.#request({
      endpoint: 'login',
      method: 'POST',
      url: this.#url('login'),
      body: { email, password },
      fetch: (await this.#cookieSession()).fetch,
      retry: false,
      unknownOutcomeOnFailure: false,
    });
    const loggedIn = parseLogin(response.body, response.status);
    if (!loggedIn || (await this.#session()) === undefined) {
      throw new TingTingUnexpectedBodyError(
        `TingTing login answered ${response.status} without an access cookie`,
        { endpoint: 'login', status: response.status, reason: 'wrong-shape' },
      );
    }
    this.#sessionEpoch += 1;
    this.#renewalError = undefined;
  }

  /**
   * Exchange the `refresh` cookie for a new `access` cookie. Calls that need the session do this
   * themselves on a 401 (once, shared by every waiting call); call it directly only to keep a
   * session warm.
   *
   * @throws {TingTingAPIError} 400 "No refresh token provided" / "Invalid token payload.".
   * @throws {TingTingAuthenticationError} 401 "Failed To Refresh The Session" / "Account is not activated.".
   */
  async refreshSession(): Promise<void> {
    this.#credentials('refreshSession');
    const response = await this.#request({
      endpoint: 'refresh',
      method: 'POST',
      url: this.#url('refresh'),
      fetch: (await this.#cookieSession()).fetch,
      retry: false,
      unknownOutcomeOnFailure: false,
    });
    parseRefresh(response.body, response.status);
    this.#sessionEpoch += 1;
    this.#renewalError = undefined;
  }

  /**
   * Generate a new API token (seed 000: the previous one stops working at once). The client uses
   * the new one from then on. Needs email and password.
   */
  async generateAPIToken(): Promise<{ token: string }> {
    const response = await this.#withSession(
      async (jwt) =>
        this.#request({
          endpoint: 'generateAPIToken',
          method: 'POST',
          url: this.#url('generateAPIToken'),
          authorization: `Bearer ${jwt}`,
          fetch: (await this.#cookieSession()).fetch,
          retry: false,
          unknownOutcomeOnFailure: false,
        }),
      'generateAPIToken',
    );
    const { token } = parseGenerateAPIToken(response.body, response.status);
    this.#apiToken = token;
    return { token };
  }

  /**
   * The current API token with its timestamps, or `undefined` when TingTing answers "No API token
   * found" (then call {@link TingTingClient.generateAPIToken}). Needs email and password.
   */
  async getAPIToken(): Promise<TingTingAPIToken | undefined> {
    const response = await this.#withSession(
      async (jwt) =>
        this.#request({
          endpoint: 'getAPIToken',
          method: 'GET',
          url: this.#url('getAPIToken'),
          authorization: `Bearer ${jwt}`,
          fetch: (await this.#cookieSession()).fetch,
          retry: true,
          unknownOutcomeOnFailure: false,
        }),
      'getAPIToken',
    );
    return parseGetAPIToken(response.body, response.status);
  }

  /** The account's profile. */
  async getUserProfile(): Promise<TingTingUserProfile> {
    const response = await this.#withAPIToken((token) =>
      this.#request({
        endpoint: 'userProfile',
        method: 'GET',
        url: this.#url('userProfile'),
        authorization: `Bearer ${token}`,
        retry: true,
        unknownOutcomeOnFailure: false,
      }),
    );
    return parseUserProfile(response.body, response.status);
  }

  // --- OTP API (seed 001) ---------------------------------------------------------------------

  /**
   * Send an OTP by SMS or voice call. With `otp`, your code is sent (`otp_options: "personnel"`);
   * without, TingTing generates one (`generated`) and the result carries it.
   *
   * **Never retried**: if the request may have reached TingTing and no answer came back, or
   * TingTing answered 2xx with a body the client cannot read (not JSON, the wrong shape, over
   * `maxResponseSizeInBytes`, cut short), this throws {@link TingTingUnknownOutcomeError} with the
   * underlying error as `cause`: the OTP may have been (after a 2xx, most likely was) delivered
   * and charged, so keep the code and do not send again at once.
   *
   * @throws {ValidationError} bad input, before any request.
   * @throws {TingTingInsufficientCreditsError} no credits left for the channel.
   * @throws {TingTingUnknownOutcomeError} the send may have gone out (see above).
   * @throws {TingTingUnexpectedStatusError} a redirect (never followed: the send did not happen)
   *   or an error status without a TingTing error body.
   */
  async sendOTP(input: SendOTPInput): Promise<SendOTPResult> {
    const wire = buildSendOTPBody(input);
    const response = await this.#withAPIToken((token) =>
      this.#request({
        endpoint: 'sendOTP',
        method: 'POST',
        url: this.#url('sendOTP'),
        authorization: `Bearer ${token}`,
        body: wire,
        retry: false,
        unknownOutcomeOnFailure: true,
        channel: wire.sms_send_options,
        ...(wire.otp === undefined ? {} : { secrets: [wire.otp] }),
      }),
    );
    try {
      return parseSendOTP(response.body, response.status);
    } catch (error) {
      // JSON of the wrong shape on a 2xx: TingTing accepted the send all the same.
      if (error instanceof TingTingUnexpectedBodyError) throw acceptedButUnreadable(error);
      throw error;
    }
  }

  /** One page of the OTPs sent (newest first, as TingTing orders them). */
  async listSentOTPs(options: ListSentOTPsOptions = {}): Promise<SentOTPPage> {
    const url = this.#url('listSentOTPs');
    if (options.page !== undefined) {
      if (!Number.isSafeInteger(options.page) || options.page < 1) {
        throw new ValidationError('page', 'listSentOTPs: page must be an integer >= 1');
      }
      url.searchParams.set('page', String(options.page));
    }
    if (options.pageSize !== undefined) {
      if (
        !Number.isSafeInteger(options.pageSize) ||
        options.pageSize < 1 ||
        options.pageSize > MAX_PAGE_SIZE
      ) {
        throw new ValidationError(
          'pageSize',
          `listSentOTPs: pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`,
        );
      }
      url.searchParams.set('page_size', String(options.pageSize));
    }
    return this.#listPage(url);
  }

  /**
   * Every sent OTP, page after page. Follows TingTing's `next` links only to this client's origin
   * and list path; a link elsewhere stops with {@link TingTingUnexpectedBodyError} (reason
   * `foreign-link`) and the token is never sent there.
   */
  async *sentOTPs(
    options: Pick<ListSentOTPsOptions, 'pageSize'> = {},
  ): AsyncGenerator<SentOTP, void, undefined> {
    let page = await this.listSentOTPs(options);
    const seen = new Set<string>();
    for (let pages = 1; ; pages++) {
      yield* page.items;
      if (page.next === null) return;
      const next = this.#trustedNext(page.next);
      if (seen.has(next.href) || pages >= MAX_PAGES) {
        throw new TingTingUnexpectedBodyError('TingTing list sent OTPs: the next links loop', {
          endpoint: 'listSentOTPs',
          status: 200,
          reason: 'foreign-link',
        });
      }
      seen.add(next.href);
      page = await this.#listPage(next);
    }
  }

  /** A JSON form without any secret. */
  toJSON(): { baseURL: string; authentication: 'apiToken' | 'password' | 'apiToken+password' } {
    return { baseURL: this.#base.href, authentication: this.#authentication() };
  }

  static {
    // `util.inspect` form without any secret (defined here: a computed method name cannot be
    // declared under isolatedDeclarations, and a static block can still read private fields).
    Object.defineProperty(TingTingClient.prototype, INSPECT, {
      value(this: TingTingClient): string {
        return `TingTingClient { baseURL: '${this.#base.href}', authentication: '${this.#authentication()}' }`;
      },
    });
  }

  // --- internals ------------------------------------------------------------------------------

  #authentication(): 'apiToken' | 'password' | 'apiToken+password' {
    if (this.#email === undefined) return 'apiToken';
    return this.#apiToken === undefined ? 'password' : 'apiToken+password';
  }

  #url(endpoint: TingTingEndpoint): URL {
    return new URL(PATHS[endpoint], this.#base);
  }

  #request(request: HTTPRequest): ReturnType<typeof performRequest> {
    return performRequest(this.#settings, request);
  }

  #credentials(method: string): { email: string; password: string } {
    if (this.#email === undefined || this.#password === undefined) {
      throw new ValidationError(
        'email',
        `TingTingClient.${method}() needs the email and password options (an API token alone cannot log in)`,
      );
    }
    return { email: this.#email, password: this.#password };
  }

  /** The cookie jar and cookie `fetch`, created on the first call that needs the session. */
  #cookieSession(): Promise<CookieSession> {
    this.#cookies ??= createCookieSession(this.#settings.fetch).catch((error: unknown) => {
      this.#cookies = undefined;
      throw error;
    });
    return this.#cookies;
  }

  /** The access JWT in the jar (`access`, else a JWT-shaped cookie that is not the refresh one). */
  async #session(): Promise<{ jwt: string; hasRefresh: boolean } | undefined> {
    const cookies = await (await this.#cookieSession()).jar.getCookies(this.#base.href);
    let jwt: string | undefined;
    let hasRefresh = false;
    for (const cookie of cookies) {
      if (cookie.value.length >= 8) this.#cookieSecrets.add(cookie.value);
      if (/refresh/i.test(cookie.key)) {
        hasRefresh = true;
        continue;
      }
      if (cookie.key === 'access') jwt = cookie.value;
      else if (jwt === undefined && JWT.test(cookie.value)) jwt = cookie.value;
    }
    return jwt === undefined ? undefined : { jwt, hasRefresh };
  }

  /**
   * Run a call that needs the session JWT: log in first when there is none; on a 401, renew the
   * session once (shared with every concurrent caller) and run it again.
   */
  async #withSession<T>(run: (jwt: string) => Promise<T>, method: string): Promise<T> {
    this.#credentials(method);
    let generation = this.#sessionEpoch;
    let session = await this.#session();
    if (session === undefined) {
      await this.#renew(generation);
      generation = this.#sessionEpoch;
      session = await this.#session();
      if (session === undefined) throw new TypeError('TingTingClient: no session after login');
    }
    try {
      return await run(session.jwt);
    } catch (error) {
      if (!isAuthenticationFailure(error) || error.status !== 401) throw error;
      await this.#renew(generation);
      const renewed = await this.#session();
      if (renewed === undefined) throw error;
      return await run(renewed.jwt);
    }
  }

  /** Single flight: one refresh (else login) however many callers saw the same expired session. */
  #renew(seenEpoch: number): Promise<void> {
    if (this.#sessionEpoch !== seenEpoch) {
      // Renewed (or failed to) since this call read the session: retry, or share that failure.
      return this.#renewalError === undefined
        ? Promise.resolve()
        : Promise.reject(this.#renewalError);
    }
    if (this.#renewing !== undefined) return this.#renewing;
    const renewing = (async () => {
      const session = await this.#session();
      if (session?.hasRefresh ?? (await this.#hasRefreshCookie())) {
        try {
          await this.refreshSession();
          return;
        } catch (error) {
          // A refresh that TingTing refused (expired, malformed): log in again with the password.
          const refused =
            isAuthenticationFailure(error) ||
            (error instanceof Error && 'status' in error && error.status === 400);
          if (!refused) throw error;
        }
      }
      await this.login();
    })()
      .catch((error: unknown) => {
        this.#renewalError = error;
        throw error;
      })
      .finally(() => {
        this.#sessionEpoch += 1;
        this.#renewing = undefined;
      });
    this.#renewing = renewing;
    return renewing;
  }

  async #hasRefreshCookie(): Promise<boolean> {
    const cookies = await (await this.#cookieSession()).jar.getCookies(this.#base.href);
    return cookies.some((cookie) => /refresh/i.test(cookie.key));
  }

  /** The API token: the configured one, or (with email and password) get-or-generate, single flight. */
  #currentAPIToken(): Promise<string> {
    if (this.#apiToken !== undefined) return Promise.resolve(this.#apiToken);
    if (this.#obtaining !== undefined) return this.#obtaining;
    const obtaining = (async () => {
      const existing = await this.getAPIToken();
      const token = existing?.token ?? (await this.generateAPIToken()).token;
      this.#apiToken = token;
      return token;
    })().finally(() => {
      this.#obtaining = undefined;
    });
    this.#obtaining = obtaining;
    return obtaining;
  }

  /**
   * Run a call that needs the API token. With email and password, a 401 (a token revoked or
   * regenerated elsewhere) fetches the current token once and runs the call again: a 401 means
   * TingTing did nothing, so this is safe even for send OTP.
   */
  async #withAPIToken<T>(run: (token: string) => Promise<T>): Promise<T> {
    const token = await this.#currentAPIToken();
    try {
      return await run(token);
    } catch (error) {
      if (!isAuthenticationFailure(error) || error.status !== 401 || this.#email === undefined) {
        throw error;
      }
      if (this.#apiToken === token) this.#apiToken = undefined;
      const fresh = await this.#currentAPIToken();
      if (fresh === token) throw error;
      return await run(fresh);
    }
  }

  #listPage(url: URL): Promise<SentOTPPage> {
    return this.#withAPIToken(async (token) => {
      const response = await this.#request({
        endpoint: 'listSentOTPs',
        method: 'GET',
        url,
        authorization: `Bearer ${token}`,
        retry: true,
        unknownOutcomeOnFailure: false,
      });
      return parseSentOTPPage(response.body, response.status);
    });
  }

  /**
   * A `next` link, accepted only on this client's host and list path; it is then requested on the
   * client's own origin (an `http:` link from a TLS-terminating proxy stays on `https:`).
   */
  #trustedNext(link: string): URL {
    const list = this.#url('listSentOTPs');
    let next: URL;
    try {
      next = new URL(link, list);
    } catch {
      next = new URL('invalid:');
    }
    if (
      next.host !== this.#base.host ||
      (next.protocol !== 'http:' && next.protocol !== 'https:') ||
      next.pathname !== list.pathname ||
      next.username !== '' ||
      next.password !== ''
    ) {
      throw new TingTingUnexpectedBodyError(
        "TingTing list sent OTPs: the next-page link points outside this client's origin; not followed, so the API token stays here",
        { endpoint: 'listSentOTPs', status: 200, reason: 'foreign-link' },
      );
    }
    const trusted = new URL(list.href);
    trusted.search = next.search;
    return trusted;
  }
}
