/**
 * One call to TingTing over `fetch`: timeouts from AbortSignals, a capped body read, no redirects,
 * retries for idempotent calls only, and every failure turned into a typed error.
 *
 * @packageDocumentation
 */

import {
  type ExchangeOutcome,
  exchangeOnce,
  type FetchLike,
  NOT_JSON,
  parseRetryAfter,
  requestHeaders,
  scrub,
  sleep,
  Timer,
} from '../http/exchange.js';
import {
  describeEndpoint,
  TingTingAPIError,
  type TingTingAPIErrorOptions,
  TingTingAuthenticationError,
  type TingTingEndpoint,
  type TingTingErrorBody,
  type TingTingFieldError,
  TingTingInsufficientCreditsError,
  TingTingRateLimitError,
  TingTingTimeoutError,
  TingTingTransportError,
  TingTingUnexpectedBodyError,
  TingTingUnexpectedStatusError,
  TingTingUnknownOutcomeError,
} from './client-errors.js';

export type { FetchLike };
export { parseRetryAfter, scrub };

/** Settings resolved once from the client options. */
export interface HTTPSettings {
  readonly fetch: FetchLike;
  readonly timeoutInMilliseconds: number;
  readonly connectTimeoutInMilliseconds: number;
  readonly maxResponseSizeInBytes: number;
  readonly maxRetries: number;
  readonly retryBaseDelayInMilliseconds: number;
  readonly retryMaxDelayInMilliseconds: number;
  readonly userAgent: string;
  /** Secrets to scrub from any text TingTing sends back (API token, password, cookies). */
  readonly secrets: () => readonly string[];
  /** Random number in [0, 1) for jitter. */
  readonly random: () => number;
}

/** One request to make. */
export interface HTTPRequest {
  readonly endpoint: TingTingEndpoint;
  readonly method: 'GET' | 'POST';
  readonly url: URL;
  /** `Authorization` header value, if any. */
  readonly authorization?: string;
  /** JSON body (POST). */
  readonly body?: unknown;
  /** Overrides `settings.fetch` (the cookie-jar fetch for session calls). */
  readonly fetch?: FetchLike;
  /** Idempotent: transport failures, timeouts, 408/429/5xx are retried. */
  readonly retry: boolean;
  /**
   * A failure after the request may have been sent, or a 2xx whose body cannot be read, is
   * reported as an unknown outcome (send OTP).
   */
  readonly unknownOutcomeOnFailure: boolean;
  /** For insufficient-credit errors. */
  readonly channel?: 'text' | 'voice';
  /** Further secrets for this request (the OTP), scrubbed from error text. */
  readonly secrets?: readonly string[];
}

/** A 2xx answer with a JSON body (not yet validated). */
export interface HTTPResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

type RawResponse = Extract<ExchangeOutcome, { kind: 'answer' }>;

const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/** A string, or undefined. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Parse TingTing's error bodies: the send-OTP envelope (`message`, `errors: [{ field, message }]`),
 * DRF's `{ detail }` and field errors (`{ email: ['This field is required.'] }`).
 *
 * @returns the parsed body, or `undefined` when it has none of these.
 */
export function parseErrorBody(
  json: unknown,
  secrets: readonly string[],
): TingTingErrorBody | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const record = json as Record<string, unknown>;
  const errors: TingTingFieldError[] = [];
  const addField = (field: string, value: unknown): void => {
    const messages = Array.isArray(value) ? value : [value];
    for (const message of messages) {
      if (typeof message === 'string') errors.push({ field, message: scrub(message, secrets) });
    }
  };
  const listed = record.errors;
  if (Array.isArray(listed)) {
    for (const item of listed) {
      if (typeof item === 'string') addField('non_field_errors', item);
      else if (typeof item === 'object' && item !== null) {
        const entry = item as Record<string, unknown>;
        addField(text(entry.field) ?? 'non_field_errors', entry.message ?? entry.detail);
      }
    }
  } else if (typeof listed === 'object' && listed !== null) {
    for (const [field, value] of Object.entries(listed)) addField(field, value);
  }
  const envelopeKeys = new Set([
    'status',
    'success',
    'message',
    'detail',
    'errors',
    'data',
    'code',
  ]);
  for (const [field, value] of Object.entries(record)) {
    if (envelopeKeys.has(field)) continue;
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
      addField(field, value);
    }
  }
  const message = text(record.message);
  const detail = text(record.detail);
  if (message === undefined && detail === undefined && errors.length === 0) return undefined;
  return {
    ...(message === undefined ? {} : { message: scrub(message, secrets) }),
    ...(detail === undefined ? {} : { detail: scrub(detail, secrets) }),
    errors,
  };
}

/** One line summarising an error body. */
function summarise(body: TingTingErrorBody | undefined): string {
  if (body === undefined) return 'no error details';
  const first = body.errors[0];
  return (
    body.message ??
    body.detail ??
    (first === undefined ? 'no error details' : `${first.field}: ${first.message}`)
  );
}

/**
 * The error for a 2xx send whose body cannot be read (not JSON, over the size cap, the wrong shape).
 * A 2xx means TingTing accepted the request, so the OTP most likely went out: this is an unknown
 * outcome, never a definite failure, or the engine would drop a code the user is about to receive
 * and let a second send go out at once. The body error stays as `cause` (it holds no body text).
 */
export function acceptedButUnreadable(
  error: TingTingUnexpectedBodyError,
): TingTingUnknownOutcomeError {
  return new TingTingUnknownOutcomeError(
    `${error.message}; a ${error.status} means TingTing accepted the request, so the OTP was most likely delivered and charged (not retried)`,
    { endpoint: error.endpoint, cause: error },
  );
}

/** Builds the typed errors of one request. */
class Failures {
  readonly #label: string;

  constructor(
    readonly settings: HTTPSettings,
    readonly request: HTTPRequest,
  ) {
    this.#label = describeEndpoint(request.endpoint);
  }

  get secrets(): readonly string[] {
    return [...this.settings.secrets(), ...(this.request.secrets ?? [])];
  }

  /** A failure with no (complete) answer: timeout, transport error, or unknown outcome. */
  noAnswer(
    outcome: Extract<ExchangeOutcome, { kind: 'no-answer' }>,
  ): TingTingTimeoutError | TingTingTransportError | TingTingUnknownOutcomeError {
    const { endpoint } = this.request;
    const { error, answered, notSent, code } = outcome;
    // The TingTing client passes no caller signal, so `aborted` cannot happen; count it as total.
    const phase = outcome.phase === 'aborted' ? 'total' : outcome.phase;
    if (this.request.unknownOutcomeOnFailure && !notSent) {
      const why =
        phase !== undefined
          ? `no answer within ${phase === 'connect' ? this.settings.connectTimeoutInMilliseconds : this.settings.timeoutInMilliseconds} ms`
          : `the connection failed${code === undefined ? '' : ` (${code})`}`;
      return new TingTingUnknownOutcomeError(
        `TingTing ${this.#label}: ${why} after the request may have reached TingTing; the OTP may or may not have been delivered (not retried)`,
        { endpoint, cause: error },
      );
    }
    if (phase !== undefined) {
      const timeoutInMilliseconds =
        phase === 'connect'
          ? this.settings.connectTimeoutInMilliseconds
          : this.settings.timeoutInMilliseconds;
      return new TingTingTimeoutError(
        `TingTing ${this.#label}: no ${phase === 'connect' ? 'response' : 'complete answer'} within ${timeoutInMilliseconds} ms (${phase === 'connect' ? 'connectTimeoutInMilliseconds' : 'timeoutInMilliseconds'})`,
        { endpoint, cause: error, phase, timeoutInMilliseconds },
      );
    }
    return new TingTingTransportError(
      `TingTing ${this.#label}: ${answered ? 'the answer was cut off' : 'could not reach TingTing'}${code === undefined ? '' : ` (${code})`}`,
      { endpoint, cause: error, mayHaveReachedTingTing: !notSent },
    );
  }

  tooLarge(status: number): TingTingUnexpectedBodyError {
    return new TingTingUnexpectedBodyError(
      `TingTing ${this.#label} answered ${status} with a body larger than ${this.settings.maxResponseSizeInBytes} bytes (maxResponseSizeInBytes)`,
      { endpoint: this.request.endpoint, status, reason: 'too-large' },
    );
  }

  /** A 2xx body that cannot be read: an unknown outcome for send OTP, else `error` as it is. */
  unreadableSuccess(
    error: TingTingUnexpectedBodyError,
  ): TingTingUnexpectedBodyError | TingTingUnknownOutcomeError {
    return this.request.unknownOutcomeOnFailure ? acceptedButUnreadable(error) : error;
  }

  redirect(status: number): TingTingUnexpectedStatusError {
    return new TingTingUnexpectedStatusError(
      `TingTing ${this.#label} answered a redirect (${status}); redirects are never followed, so credentials never leave for another URL`,
      { endpoint: this.request.endpoint, status },
    );
  }

  notJSON(status: number): TingTingUnexpectedBodyError {
    return new TingTingUnexpectedBodyError(
      `TingTing ${this.#label} answered ${status} with a body that is not JSON (an HTML page from a proxy or captive portal?)`,
      { endpoint: this.request.endpoint, status, reason: 'not-json' },
    );
  }

  /** The error for a non-2xx, non-3xx answer. */
  status(raw: RawResponse): TingTingAPIError | TingTingUnexpectedStatusError {
    const { endpoint, channel } = this.request;
    const { status } = raw;
    const parsed = raw.json === NOT_JSON ? undefined : parseErrorBody(raw.json, this.secrets);
    const body: TingTingErrorBody = parsed ?? { errors: [] };
    const options: TingTingAPIErrorOptions = { endpoint, status, body };
    const message = `TingTing ${this.#label} answered ${status}: ${summarise(parsed)}`;
    const saysInsufficient = /insufficient\b.*\bcredit/i.test(
      [body.message, body.detail, ...body.errors.map((error) => error.message)].join(' '),
    );
    if (status === 402 || (status >= 400 && status < 500 && saysInsufficient)) {
      return new TingTingInsufficientCreditsError(message, {
        ...options,
        ...(channel === undefined ? {} : { channel }),
      });
    }
    if (status === 401 || status === 403) return new TingTingAuthenticationError(message, options);
    if (status === 429) {
      const retryAfterInSeconds = parseRetryAfter(raw.headers.get('retry-after'));
      return new TingTingRateLimitError(message, {
        ...options,
        ...(retryAfterInSeconds === undefined ? {} : { retryAfterInSeconds }),
      });
    }
    if (parsed !== undefined) return new TingTingAPIError(message, options);
    return new TingTingUnexpectedStatusError(
      `TingTing ${this.#label} answered ${status} without a TingTing error body`,
      { endpoint, status },
    );
  }
}

/**
 * Make one call: retries (idempotent requests only) within `timeoutInMilliseconds`, then either a
 * 2xx JSON answer or a typed error.
 */
export async function performRequest(
  settings: HTTPSettings,
  request: HTTPRequest,
): Promise<HTTPResponse> {
  const failures = new Failures(settings, request);
  const total = new Timer(settings.timeoutInMilliseconds);
  const startedAt = Date.now();
  try {
    for (let attempt = 0; ; attempt++) {
      const outcome = await attemptOnce(settings, request, failures, total.signal);
      let error: Error;
      let retryAfterInSeconds: number | undefined;
      if (outcome instanceof Error) {
        error = outcome;
      } else if (outcome.status >= 200 && outcome.status < 300) {
        if (outcome.json === NOT_JSON) {
          throw failures.unreadableSuccess(failures.notJSON(outcome.status));
        }
        return { status: outcome.status, headers: outcome.headers, body: outcome.json };
      } else {
        error = failures.status(outcome);
        if (outcome.status === 429 || outcome.status === 503) {
          retryAfterInSeconds = parseRetryAfter(outcome.headers.get('retry-after'));
        }
      }
      if (!request.retry || attempt >= settings.maxRetries) throw error;
      const retryable =
        error instanceof TingTingTransportError ||
        (error instanceof TingTingTimeoutError && error.phase === 'connect') ||
        ((error instanceof TingTingAPIError || error instanceof TingTingUnexpectedStatusError) &&
          RETRYABLE_STATUSES.has(error.status));
      if (!retryable) throw error;
      let delay: number;
      if (retryAfterInSeconds !== undefined) {
        delay = retryAfterInSeconds * 1000;
        // Honour Retry-After only within the cap: beyond it, let the caller decide.
        if (delay > settings.retryMaxDelayInMilliseconds) throw error;
      } else {
        const ceiling = Math.min(
          settings.retryMaxDelayInMilliseconds,
          settings.retryBaseDelayInMilliseconds * 2 ** attempt,
        );
        delay = Math.floor(settings.random() * ceiling);
      }
      const remaining = settings.timeoutInMilliseconds - (Date.now() - startedAt);
      if (delay >= remaining) throw error;
      await sleep(delay, total.signal);
      if (total.signal.aborted) throw error;
    }
  } finally {
    total.clear();
  }
}

/** One attempt: the raw answer, or a no-answer error. */
async function attemptOnce(
  settings: HTTPSettings,
  request: HTTPRequest,
  failures: Failures,
  totalSignal: AbortSignal,
): Promise<RawResponse | Error> {
  const outcome = await exchangeOnce(
    settings,
    {
      method: request.method,
      url: request.url,
      headers: requestHeaders(
        settings.userAgent,
        request.body === undefined ? undefined : 'application/json',
        request.authorization,
      ),
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      ...(request.fetch === undefined ? {} : { fetch: request.fetch }),
    },
    totalSignal,
  );
  switch (outcome.kind) {
    case 'no-answer':
      return failures.noAnswer(outcome);
    case 'redirect':
      // Definite even for send OTP. A redirect is an answer given instead of handling the request
      // (Django's APPEND_SLASH, HTTP to HTTPS, a moved host, a proxy's sign-in page), while seed
      // 001's send answers 200 with its result once it has sent; the redirect is never followed,
      // so the request never reaches a handler that sends. Calling it an unknown outcome would
      // also turn a wrong baseURL (every send redirected) into kept codes and cooldowns for SMS
      // never sent.
      throw failures.redirect(outcome.status);
    case 'too-large': {
      const error = failures.tooLarge(outcome.status);
      throw outcome.status >= 200 && outcome.status < 300
        ? failures.unreadableSuccess(error)
        : error;
    }
    default:
      return outcome;
  }
}
