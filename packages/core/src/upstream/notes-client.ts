/**
 * `NotesClient`: a typed client for every endpoint of the notes service's auth API (seed 003):
 * login, refresh and signup, all **form-encoded** (`application/x-www-form-urlencoded`), as the
 * seed's "Form Data" says; JSON is never sent.
 *
 * @see seed `003_*.txt`
 * @packageDocumentation
 */

import * as v from 'valibot';
import { withSecrets } from './redact.js';
import {
  RefreshRejectedError,
  SignupConflictError,
  UpstreamInvalidCredentialsError,
} from './upstream-errors.js';
import {
  callWithOptions,
  nonEmptyString,
  parseAnswer,
  resolveUpstreamSettings,
  throwUnlessSuccess,
  type UpstreamAnswer,
  type UpstreamCallOptions,
  type UpstreamFailures,
  type UpstreamHTTPOptions,
  type UpstreamHTTPSettings,
  type UpstreamRequest,
  type UpstreamStatusError,
} from './upstream-http.js';

/** Options of {@link NotesClient}. `baseURL` is required (the service has no public origin). */
export interface NotesClientOptions extends UpstreamHTTPOptions {
  /** The service's origin (and path prefix, if any), e.g. `https://notes.example.com`. */
  baseURL: string;
}

/**
 * The tokens of a login or refresh. `accessToken` and `refreshToken` are non-enumerable
 * (`[redacted]` in JSON and inspect).
 */
export interface NotesTokens {
  readonly accessToken: string;
  /** Absent only if a refresh answer left it out (then keep the one you have). */
  readonly refreshToken?: string;
  /** `valid_for`: the access token's lifetime in seconds (7200 in the seed). */
  readonly validForInSeconds: number;
  /**
   * Whether the answer carried a `reference_token` (the seed's refresh example returns the
   * previous refresh token there). Ignored otherwise: its meaning is undocumented.
   */
  readonly hasReferenceToken: boolean;
}

/** What signup answers on 200. */
export interface NotesSignupResult {
  /** The seed's `userid`, as a string; `null` when absent. */
  readonly userId: string | null;
}

const token = v.pipe(v.string(), v.minLength(1));

/** `valid_for`, a number of seconds (also accepted as a numeric string). */
const seconds = v.union([
  v.pipe(v.number(), v.integer(), v.minValue(0)),
  v.pipe(
    v.string(),
    v.regex(/^\d{1,9}$/),
    v.transform((value) => Number(value)),
  ),
]);

const tokensSchema = v.object({
  message: v.optional(v.string()),
  tokens: v.object({
    access_token: token,
    valid_for: seconds,
    refresh_token: v.optional(token),
    reference_token: v.optional(v.unknown()),
    type: v.optional(v.unknown()),
  }),
});

const signupSchema = v.object({
  message: v.optional(v.string()),
  userid: v.nullish(v.union([v.string(), v.number()])),
});

function tokens(parsed: v.InferOutput<typeof tokensSchema>): NotesTokens {
  return withSecrets(
    'NotesTokens',
    {
      validForInSeconds: parsed.tokens.valid_for,
      hasReferenceToken: parsed.tokens.reference_token !== undefined,
    },
    { accessToken: parsed.tokens.access_token, refreshToken: parsed.tokens.refresh_token },
  );
}

/**
 * A typed client for the notes service (seed 003). One request per call, never retried or
 * redirected, connect and total timeouts, capped bodies, every failure a typed `UpstreamError`.
 * The seed's 406 "Something is wrong" is the catch-all failure; it means a refused password on
 * login and a refused refresh token on refresh.
 *
 * @example
 * ```ts
 * const notes = new NotesClient({ baseURL: 'https://notes.example.com' });
 * const { accessToken, refreshToken, validForInSeconds } = await notes.login({ username: 'ram', password: '…' });
 * ```
 */
export class NotesClient {
  readonly #settings: UpstreamHTTPSettings;

  constructor(options: NotesClientOptions) {
    this.#settings = resolveUpstreamSettings(
      'NotesClient',
      'notes',
      'Notes service',
      options,
      undefined,
    );
  }

  /** The API origin and path prefix requests go to. */
  get baseURL(): string {
    return this.#settings.base.href;
  }

  /**
   * `POST /auth/login` (form: `username`, which may be a username or an email, and `password`).
   *
   * @throws {UpstreamInvalidCredentialsError} 406 (the seed's catch-all: wrong password, unknown
   *   or inactive account).
   * @throws {UpstreamBadRequestError} 400.
   */
  async login(
    credentials: { readonly username: string; readonly password: string },
    options: UpstreamCallOptions = {},
  ): Promise<NotesTokens> {
    const username = nonEmptyString('NotesClient.login', 'username', credentials?.username);
    const password = nonEmptyString('NotesClient.login', 'password', credentials?.password);
    const { answer, failures } = await this.#call(
      {
        endpoint: 'login',
        label: 'login',
        method: 'POST',
        path: 'auth/login',
        form: { username, password },
        secrets: [password],
      },
      options,
      UpstreamInvalidCredentialsError,
    );
    return tokens(parseAnswer(tokensSchema, answer, failures));
  }

  /**
   * `POST /auth/refresh` (form: `refresh_token`) → a new access token and, as the seed's example
   * shows, a rotated refresh token.
   *
   * @throws {RefreshRejectedError} 406.
   * @throws {RefreshUnknownOutcomeError} sent, but no readable answer: the service may have rotated.
   */
  async refresh(refreshToken: string, options: UpstreamCallOptions = {}): Promise<NotesTokens> {
    const value = nonEmptyString('NotesClient.refresh', 'refreshToken', refreshToken);
    const { answer, failures } = await this.#call(
      {
        endpoint: 'refresh',
        label: 'refresh',
        method: 'POST',
        path: 'auth/refresh',
        form: { refresh_token: value },
        secrets: [value],
        mayRotate: true,
      },
      options,
      RefreshRejectedError,
    );
    return tokens(parseAnswer(tokensSchema, answer, failures));
  }

  /**
   * `POST /auth/signup` (form: `username`, `password`, `email`). The service sends a verification
   * email.
   *
   * @throws {SignupConflictError} 409 "Unable to signup." (the user exists): answer it like a success.
   * @throws {UpstreamBadRequestError} 400 (a field missing, a password of 8 characters or fewer, …).
   */
  async signup(
    account: { readonly username: string; readonly email: string; readonly password: string },
    options: UpstreamCallOptions = {},
  ): Promise<NotesSignupResult> {
    const username = nonEmptyString('NotesClient.signup', 'username', account?.username);
    const email = nonEmptyString('NotesClient.signup', 'email', account?.email);
    const password = nonEmptyString('NotesClient.signup', 'password', account?.password);
    const { answer, failures } = await this.#call(
      {
        endpoint: 'signup',
        label: 'signup',
        method: 'POST',
        path: 'auth/signup',
        form: { username, password, email },
        secrets: [password],
      },
      options,
      undefined,
    );
    const parsed = parseAnswer(signupSchema, answer, failures);
    return {
      userId: parsed.userid === undefined || parsed.userid === null ? null : String(parsed.userid),
    };
  }

  /** A JSON form without any secret. */
  toJSON(): { baseURL: string } {
    return { baseURL: this.#settings.base.href };
  }

  /** One call; throws for every non-2xx (406 → `on406`, 409 → conflict, other 4xx → bad request). */
  async #call(
    request: Omit<UpstreamRequest, 'signal'>,
    options: UpstreamCallOptions,
    on406: UpstreamStatusError | undefined,
  ): Promise<{ answer: UpstreamAnswer; failures: UpstreamFailures }> {
    const result = await callWithOptions(this.#settings, request, options);
    throwUnlessSuccess(result.answer, result.failures, (status) =>
      status === 406
        ? on406
        : status === 409 && request.endpoint === 'signup'
          ? SignupConflictError
          : undefined,
    );
    return result;
  }
}
