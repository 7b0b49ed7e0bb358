import type {
  FakeAccountInput,
  FakeTokenStats,
  PerBranchDelay,
  PresentedRefreshToken,
  RotationMode,
  TokenLifetimes,
} from './upstream-types.js';

/**
 * The endpoints of the TingTing API (seeds 000 and 001) the fake serves, by name.
 * Used to target faults ({@link FakeTingTing.inject}) and to label the request log.
 */
export type FakeEndpoint =
  | 'login'
  | 'refresh'
  | 'generateAPIToken'
  | 'getAPIToken'
  | 'userProfile'
  | 'sendOTP'
  | 'listSentOTPs';

/** One OTP the fake "delivered" (by SMS or by voice call). */
export interface Delivery {
  /** Sequential id, the same as the `id` in the list-sent-OTPs endpoint. */
  readonly id: number;
  /** The recipient's number as received (national form, e.g. `9812345678`). */
  readonly number: string;
  /** The delivered text, with `{otp}` replaced by the code. */
  readonly message: string;
  /** The code that was delivered. */
  readonly otp: string;
  /** `text` (SMS) or `voice` (call). */
  readonly channel: 'text' | 'voice';
  /** The voice used for a call (`np_rija`, `np_prashanna`, `np_shreegya`, `np_binod`). */
  readonly voice?: string;
  /** Whether the caller supplied the code (`personnel`) or the fake generated it. */
  readonly otpOptions: 'personnel' | 'generated';
  /** Credits this delivery cost (SMS credits for text, phone credits for voice). */
  readonly creditsUsed: number;
  /** When the fake accepted the send (from the `now` option). */
  readonly at: Date;
}

/** The ways a fault can break an answer. */
export type FaultKind = 'status' | 'html' | 'malformed-json' | 'reset' | 'redirect' | 'oversized';

/**
 * A fault injected into an endpoint's next answer(s).
 *
 * - `status` (the default when `status` is given): answer `status` with `body` and `headers`,
 *   without doing the work.
 * - `html`: 200 with an HTML page (a captive portal or proxy error page), without doing the work.
 * - `malformed-json`: 200 with truncated JSON, without doing the work.
 * - `reset`: read the whole request, DO the work (a send is delivered and charged, a refresh token
 *   is rotated), then destroy the socket without answering: the outcome is unknown to the client.
 *   With `afterWork: false` the socket is destroyed before the work (the request never counted).
 * - `redirect`: 302 to the same path on another origin (a trap server that records what followed).
 * - `oversized`: 200 with a ~10 MB JSON body.
 * - `delayInMilliseconds` waits before any of the above; alone it delays the normal answer.
 * - `afterWork: true` does the endpoint's work first (a send is delivered and charged), then
 *   answers with the fault instead of the real answer: TingTing accepted the request and its
 *   answer was spoiled on the way back (a 200 whose body is cut short or replaced).
 */
export interface Fault {
  /** How many requests this fault applies to. @default 1 (use `Infinity` for every request) */
  readonly times?: number;
  /** What goes wrong. @default 'status' when `status` is set, else none (a pure delay) */
  readonly kind?: FaultKind;
  /** HTTP status for `kind: 'status'`. @default 500 */
  readonly status?: number;
  /** JSON body for `kind: 'status'`. @default `{"detail": "<reason phrase>"}` */
  readonly body?: unknown;
  /** Extra response headers (e.g. `{ 'retry-after': '3' }`), for every kind that answers. */
  readonly headers?: Record<string, string>;
  /** Wait this long before answering. @default 0 */
  readonly delayInMilliseconds?: number;
  /** Target of `kind: 'redirect'`. @default the same path on the fake's redirect trap (another origin) */
  readonly location?: string;
  /** Body size for `kind: 'oversized'`. @default 10 MiB */
  readonly sizeInBytes?: number;
  /**
   * Do the work (deliver and charge a send, rotate a refresh token) before answering with the
   * fault; the real answer is dropped. @default false, except for `reset`, which does the work
   * unless `afterWork` is explicitly `false`
   */
  readonly afterWork?: boolean;
}

/**
 * One request a fake answered (or dropped). `E` is the fake's endpoint names
 * ({@link FakeEndpoint} for TingTing, {@link TimbrEndpoint}, {@link NotesEndpoint}).
 */
export interface FakeRequest<E extends string = FakeEndpoint> {
  /** HTTP method. */
  readonly method: string;
  /** Path with query string, as received. */
  readonly path: string;
  /** The endpoint the path names, `undefined` for unknown paths. */
  readonly endpoint: E | undefined;
  /** Status answered; `0` when the connection was reset without an answer. */
  readonly status: number;
  /** The fault applied, if any. */
  readonly fault?: FaultKind | 'delay';
  /** When the request arrived (from the `now` option). */
  readonly at: Date;
}

/** A request that followed a `redirect` fault to the trap origin. Secrets are not kept, only whether they were sent. */
export interface RedirectedRequest {
  /** HTTP method the client used after the redirect. */
  readonly method: string;
  /** Path with query string. */
  readonly path: string;
  /** `true` when the client sent an `Authorization` header to the other origin (it should not). */
  readonly hadAuthorization: boolean;
  /** `true` when the client sent a `Cookie` header to the other origin (it should not). */
  readonly hadCookie: boolean;
}

/** Options of {@link startFakeTingTing}. */
export interface FakeTingTingOptions {
  /** Port to listen on. @default 0 (a free port) */
  readonly port?: number;
  /** Host to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** A fixed API token for the default account. @default 64 random hex characters */
  readonly apiToken?: string;
  /** The default account's credentials. @default { email: 'dev@example.com', password: 'dev-password' } */
  readonly account?: { readonly email: string; readonly password: string };
  /** Starting credits of the default account. @default { sms: 100, phone: 100 } */
  readonly credits?: { readonly sms?: number; readonly phone?: number };
  /** Page size of the list-sent-OTPs endpoint (`?page_size=` overrides it, up to 100). @default 10 */
  readonly pageSize?: number;
  /** Clock in milliseconds since the epoch, for cookies, tokens and timestamps. @default Date.now */
  readonly now?: () => number;
  /** Receives one line per request and per delivery (never a token, password or cookie). */
  readonly logger?: (line: string) => void;
  /** More accounts that can log in (by `email`; `username` shows in their profile), each with its own API token. @default none */
  readonly accounts?: readonly FakeAccountInput[];
  /**
   * Lifetimes of the access and refresh cookies/JWTs. @default { accessSeconds: 86400 (seed 000:
   * "expires in 1 day"), refreshSeconds: 604800 (not in the seed) }
   */
  readonly lifetimes?: Partial<TokenLifetimes>;
  /**
   * Whether a refresh also sets a new `refresh` cookie (seed 000 is silent; UPSTREAM.md §8).
   * @default 'none' (only a new `access` cookie)
   */
  readonly rotation?: RotationMode;
  /** See {@link FakeUpstreamOptions.graceSeconds}. @default 0 */
  readonly graceSeconds?: number;
  /** Injected timing differences between failed-login branches. @default none */
  readonly perBranchDelay?: PerBranchDelay;
  /**
   * What a login with the right password of an inactive account answers: seed 000's
   * `401 {"detail": "Account is not activated."}` (documented for refresh), or the generic
   * `401 {"detail": "No active account found with the given credentials"}`. @default 'not-activated'
   */
  readonly inactiveLogin?: 'not-activated' | 'generic';
}

/** Everything the outbox of delivered OTPs offers. */
export interface Outbox {
  /** Every delivery, in delivery order. */
  readonly messages: readonly Delivery[];
  /** The latest delivery, or the latest to `number` (national `98…` or E.164 `+977…`). */
  last(number?: string): Delivery | undefined;
  /**
   * Resolves with the next delivery to `number`; with `after`, an existing delivery made after
   * that time resolves it at once. Rejects after `timeoutInMilliseconds` (default 5000).
   */
  waitFor(
    number: string,
    options?: { readonly timeoutInMilliseconds?: number; readonly after?: Date },
  ): Promise<Delivery>;
  /** Calls `listener` on every delivery; returns the unsubscribe function. */
  subscribe(listener: (delivery: Delivery) => void): () => void;
  /** Forgets every delivery (the list-sent-OTPs endpoint keeps its own log). */
  clear(): void;
}

/** A running fake TingTing server. */
export interface FakeTingTing {
  /** Origin, e.g. `http://127.0.0.1:54321`; the API is under `${url}/api/v1/...`. */
  readonly url: string;
  /** The default account's current API token; `''` after {@link FakeTingTing.revokeAPIToken}. */
  readonly apiToken: string;
  /** The default account's credentials. */
  readonly account: { readonly email: string; readonly password: string };
  /** The default account's remaining credits. */
  readonly credits: { readonly sms: number; readonly phone: number };
  /** OTPs delivered so far. */
  readonly outbox: Outbox;
  /** Every request the fake received, in order. */
  readonly requests: readonly FakeRequest[];
  /** Requests that followed a `redirect` fault to the other origin. */
  readonly redirectedRequests: readonly RedirectedRequest[];
  /** A snapshot of the login/refresh counters. */
  readonly stats: FakeTokenStats;
  /** Every refresh cookie presented to the refresh endpoint, in order (`account` is the email). */
  readonly refreshTokensPresented: readonly PresentedRefreshToken[];
  /** Make `endpoint`'s next answer(s) fail as `fault` says. Faults queue up in order. */
  inject(endpoint: FakeEndpoint, fault: Fault): void;
  /** Remove every pending fault. */
  clearFaults(): void;
  /** Set the default account's remaining credits. */
  setCredits(credits: { readonly sms?: number; readonly phone?: number }): void;
  /** Every access JWT issued so far stops working (as if a day passed); refresh cookies still work. */
  expireAccessTokens(): void;
  /** Soft-delete the current API token: it stops working and get-API-token answers "No API token found". */
  revokeAPIToken(): void;
  /** Activate or deactivate the default account (a deactivated account cannot log in or refresh). */
  setAccountActive(active: boolean): void;
  /** Activate or deactivate an account by email (or username). */
  setAccountActive(identifier: string, active: boolean): void;
  /** Add an account that can log in, with its own API token and 100/100 credits. A `TypeError` if the email is taken. */
  addAccount(account: FakeAccountInput): {
    readonly email: string;
    readonly password: string;
    readonly apiToken: string;
  };
  /** Every access and refresh JWT of the account (by email or username) stops working. */
  revokeAll(identifier: string): void;
  /** Change the refresh-cookie rotation (and grace) for the refreshes that follow. */
  setRotation(rotation: RotationMode, graceSeconds?: number): void;
  /** Change the injected per-branch login delays. */
  setPerBranchDelay(delay: PerBranchDelay): void;
  /** Zero the counters and forget the presented refresh tokens. */
  resetStats(): void;
  /** Stop listening and drop every open connection. */
  close(): Promise<void>;
}
