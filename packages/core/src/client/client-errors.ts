/**
 * The errors of {@link TingTingClient}: one class per way a call to TingTing fails, each with a
 * stable `code` from {@link ErrorCode}.
 *
 * None carries a request body, and none of their messages contains the API token, the password,
 * a cookie or a one-time code: text TingTing sends back is scrubbed of those before it is used.
 *
 * @packageDocumentation
 */

import { ErrorCode, TingTingAuthError } from '../errors.js';

/** The TingTing endpoints of seeds 000 and 001, by name. */
export type TingTingEndpoint =
  | 'login'
  | 'refresh'
  | 'generateAPIToken'
  | 'getAPIToken'
  | 'userProfile'
  | 'sendOTP'
  | 'listSentOTPs';

const LABELS: Record<TingTingEndpoint, string> = {
  login: 'login',
  refresh: 'session refresh',
  generateAPIToken: 'generate API token',
  getAPIToken: 'get API token',
  userProfile: 'user profile',
  sendOTP: 'send OTP',
  listSentOTPs: 'list sent OTPs',
};

/** A human label of an endpoint, for messages: `send OTP`. */
export function describeEndpoint(endpoint: TingTingEndpoint): string {
  return LABELS[endpoint];
}

/** Options of every client error. */
export interface TingTingClientErrorOptions {
  /** The endpoint that failed. */
  endpoint: TingTingEndpoint;
  /** The underlying error (a transport error), never a value built from a secret. */
  cause?: unknown;
}

/** Options of errors that carry an HTTP status. */
export interface TingTingStatusErrorOptions extends TingTingClientErrorOptions {
  /** HTTP status TingTing answered. */
  status: number;
}

/** The JSON form of a client error: no stack, no cause, nothing secret. */
export interface TingTingClientErrorJSON {
  name: string;
  code: ErrorCode;
  message: string;
  endpoint: TingTingEndpoint;
  status?: number;
}

/** Base of every error {@link TingTingClient} throws for a failed call (input errors are `ValidationError`). */
export class TingTingClientError extends TingTingAuthError {
  /** The endpoint that failed. */
  readonly endpoint: TingTingEndpoint;

  constructor(code: ErrorCode, message: string, options: TingTingClientErrorOptions) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.endpoint = options.endpoint;
  }

  /** A JSON form without the stack or the cause, safe to log. */
  override toJSON(): TingTingClientErrorJSON {
    const status = (this as { status?: unknown }).status;
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      endpoint: this.endpoint,
      ...(typeof status === 'number' ? { status } : {}),
    };
  }
}

/**
 * The request failed at the transport level (DNS, connection refused, TLS, connection reset) with
 * no answer. For send OTP this is only thrown when the request cannot have reached TingTing;
 * otherwise {@link TingTingUnknownOutcomeError} is.
 */
export class TingTingTransportError extends TingTingClientError {
  /** `false` when the request certainly did not reach TingTing (e.g. connection refused). */
  readonly mayHaveReachedTingTing: boolean;

  constructor(
    message: string,
    options: TingTingClientErrorOptions & { mayHaveReachedTingTing: boolean },
  ) {
    super(ErrorCode.TRANSPORT, message, options);
    this.mayHaveReachedTingTing = options.mayHaveReachedTingTing;
  }
}

/** Which limit elapsed: waiting for the response headers (`connect`) or the whole call (`total`). */
export type TimeoutPhase = 'connect' | 'total';

/** A connect or total timeout elapsed before TingTing answered (never thrown for send OTP once sent). */
export class TingTingTimeoutError extends TingTingClientError {
  /** The limit that elapsed. */
  readonly phase: TimeoutPhase;
  /** Its value. */
  readonly timeoutInMilliseconds: number;

  constructor(
    message: string,
    options: TingTingClientErrorOptions & { phase: TimeoutPhase; timeoutInMilliseconds: number },
  ) {
    super(ErrorCode.TIMEOUT, message, options);
    this.phase = options.phase;
    this.timeoutInMilliseconds = options.timeoutInMilliseconds;
  }
}

/** One field error as TingTing reports it (`errors: [{ field, message }]` or DRF `{ field: [messages] }`). */
export interface TingTingFieldError {
  /** The request field, `non_field_errors` when none. */
  readonly field: string;
  readonly message: string;
}

/** What TingTing said in an error body, parsed. */
export interface TingTingErrorBody {
  /** TingTing's `message`. */
  readonly message?: string;
  /** Django REST Framework's `detail`. */
  readonly detail?: string;
  /** The envelope's `errors` and DRF field errors, flattened. */
  readonly errors: readonly TingTingFieldError[];
}

/** Options of {@link TingTingAPIError}. */
export interface TingTingAPIErrorOptions extends TingTingStatusErrorOptions {
  /** The parsed error body. */
  body: TingTingErrorBody;
}

/**
 * TingTing answered an error status with a parseable error body (`message`, `detail`, `errors`,
 * DRF field errors). The subclasses name the failure modes callers handle differently.
 */
export class TingTingAPIError extends TingTingClientError {
  /** HTTP status. */
  readonly status: number;
  /** TingTing's `message`, scrubbed of secrets. */
  readonly apiMessage: string | undefined;
  /** DRF's `detail`, scrubbed of secrets. */
  readonly detail: string | undefined;
  /** Field errors (`errors` envelope or DRF `{ field: [...] }`), scrubbed of secrets. */
  readonly errors: readonly TingTingFieldError[];

  constructor(message: string, options: TingTingAPIErrorOptions, code: ErrorCode = ErrorCode.API) {
    super(code, message, options);
    this.status = options.status;
    this.apiMessage = options.body.message;
    this.detail = options.body.detail;
    this.errors = options.body.errors;
  }
}

/**
 * TingTing rejected the credentials: wrong email or password, an invalid or revoked API token, or
 * a session that could not be refreshed (HTTP 401 or 403).
 */
export class TingTingAuthenticationError extends TingTingAPIError {
  constructor(message: string, options: TingTingAPIErrorOptions) {
    super(message, options, ErrorCode.AUTHENTICATION);
  }
}

/** TingTing reported that the account has no credits left for the channel (HTTP 402, or a 4xx saying so). */
export class TingTingInsufficientCreditsError extends TingTingAPIError {
  /** The channel whose credits ran out, when known. */
  readonly channel: 'text' | 'voice' | undefined;

  constructor(message: string, options: TingTingAPIErrorOptions & { channel?: 'text' | 'voice' }) {
    super(message, options, ErrorCode.INSUFFICIENT_CREDITS);
    this.channel = options.channel;
  }
}

/** TingTing rate-limited the call (HTTP 429). */
export class TingTingRateLimitError extends TingTingAPIError {
  /** Seconds TingTing asked to wait (`Retry-After`), when it said. */
  readonly retryAfterInSeconds: number | undefined;

  constructor(
    message: string,
    options: TingTingAPIErrorOptions & { retryAfterInSeconds?: number },
  ) {
    super(message, options, ErrorCode.TINGTING_RATE_LIMITED);
    this.retryAfterInSeconds = options.retryAfterInSeconds;
  }
}

/**
 * A status the client does not expect: a redirect (never followed, so credentials never go to
 * another place), or an error status without a parseable error body (a proxy's HTML page).
 */
export class TingTingUnexpectedStatusError extends TingTingClientError {
  /** HTTP status. */
  readonly status: number;

  constructor(message: string, options: TingTingStatusErrorOptions) {
    super(ErrorCode.UNEXPECTED_STATUS, message, options);
    this.status = options.status;
  }
}

/** Why a body was refused. */
export type UnexpectedBodyReason = 'not-json' | 'wrong-shape' | 'too-large' | 'foreign-link';

/**
 * A body the client refuses: not JSON (an HTML page with status 200), JSON of the wrong shape,
 * larger than `maxResponseSizeInBytes`, or a pagination link to another origin. A 2xx answer to
 * send OTP never throws it: that is a {@link TingTingUnknownOutcomeError} with this as `cause`.
 */
export class TingTingUnexpectedBodyError extends TingTingClientError {
  /** HTTP status. */
  readonly status: number;
  /** What was wrong with it. */
  readonly reason: UnexpectedBodyReason;

  constructor(
    message: string,
    options: TingTingStatusErrorOptions & { reason: UnexpectedBodyReason },
  ) {
    super(ErrorCode.UNEXPECTED_BODY, message, options);
    this.status = options.status;
    this.reason = options.reason;
  }
}

/**
 * A send request may have reached TingTing, but no answer came back (connection reset, timeout
 * after sending, a body cut short), or TingTing answered 2xx with a body the client cannot read
 * (not JSON, the wrong shape, too large; the body error is the `cause`): the OTP may or may not
 * have been delivered and charged (after a 2xx, most likely it was). The client never retries it;
 * do not resend blindly (the user may get two codes).
 */
export class TingTingUnknownOutcomeError extends TingTingClientError {
  constructor(message: string, options: TingTingClientErrorOptions) {
    super(ErrorCode.UNKNOWN_OUTCOME, message, options);
  }
}
