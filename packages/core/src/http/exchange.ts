/**
 * One HTTP exchange over `fetch`, shared by the TingTing client and the upstream clients: a
 * connect timeout (response headers) and a total timeout (the whole call) from AbortSignals, no
 * redirects followed, a capped body read, a JSON parse that never keeps the body text, and a
 * plain outcome the caller turns into its own typed errors.
 *
 * @packageDocumentation
 */

import { readStreamCapped } from './capped-bytes.js';

/** The subset of `fetch` the clients use; pass any WHATWG-compatible implementation. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** What an exchange needs from the client's resolved options. */
export interface ExchangeSettings {
  readonly fetch: FetchLike;
  readonly connectTimeoutInMilliseconds: number;
  readonly maxResponseSizeInBytes: number;
}

/** One request to send. */
export interface ExchangeRequest {
  readonly method: 'GET' | 'POST';
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  /** The encoded body (JSON text, or a form's `URLSearchParams`). */
  readonly body?: string | URLSearchParams;
  /** Overrides `settings.fetch` (a cookie-jar fetch). */
  readonly fetch?: FetchLike;
}

/** Marks a body that is empty or not JSON. */
export const NOT_JSON: unique symbol = Symbol('not JSON');

/** Why no (complete) answer came: which timer fired, if one did. */
export type NoAnswerPhase = 'connect' | 'total' | 'aborted' | undefined;

/** How one exchange ended. */
export type ExchangeOutcome =
  /** A non-redirect answer with its body read (JSON, or {@link NOT_JSON}). */
  | {
      readonly kind: 'answer';
      readonly status: number;
      readonly headers: Headers;
      readonly json: unknown;
    }
  /** A 3xx: its body discarded, never followed. */
  | { readonly kind: 'redirect'; readonly status: number }
  /** A body over `maxResponseSizeInBytes`: discarded unread. */
  | { readonly kind: 'too-large'; readonly status: number }
  /**
   * No answer, or one cut off. `notSent` is true only when the request certainly never left this
   * machine (connection refused, DNS, TLS); `answered` when the headers had arrived.
   */
  | {
      readonly kind: 'no-answer';
      readonly error: unknown;
      readonly phase: NoAnswerPhase;
      readonly answered: boolean;
      readonly notSent: boolean;
      readonly code: string | undefined;
    };

/** Error codes (anywhere in the cause chain) that mean the request never left this machine. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

const MAX_TEXT_LENGTH = 300;
const MIN_SECRET_LENGTH = 4;

/** The first `code` string found along an error's cause chain. */
export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Replace every secret in `text` and bound its length. */
export function scrub(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_SECRET_LENGTH) result = result.split(secret).join('[redacted]');
  }
  return result.length > MAX_TEXT_LENGTH ? `${result.slice(0, MAX_TEXT_LENGTH)}…` : result;
}

/** `Retry-After` in seconds (delta-seconds or an HTTP date), or undefined. */
export function parseRetryAfter(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // An HTTP date names its day and zone ("Wed, 21 Oct 2015 07:28:00 GMT"); Date.parse alone would
  // also read "-1" as a year.
  if (!/[a-z]{3}/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * The headers of a request: JSON answers accepted, our `User-Agent`, then the body's
 * `content-type` and the `authorization`, each when there is one.
 */
export function requestHeaders(
  userAgent: string,
  contentType: string | undefined,
  authorization: string | undefined,
): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': userAgent };
  if (contentType !== undefined) headers['content-type'] = contentType;
  if (authorization !== undefined) headers.authorization = authorization;
  return headers;
}

/** Read a body up to `limit` bytes; `too-large` beyond (the rest is discarded unread). */
async function readCapped(response: Response, limit: number): Promise<Uint8Array | 'too-large'> {
  const declared = response.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > limit) {
    await response.body?.cancel().catch(() => {});
    return 'too-large';
  }
  const stream = response.body;
  if (stream === null) return new Uint8Array(0);
  if (typeof stream.getReader !== 'function') {
    // A fetch whose body is not a WHATWG stream: read it whole, then check.
    const whole = new Uint8Array(await response.arrayBuffer());
    return whole.byteLength > limit ? 'too-large' : whole;
  }
  return readStreamCapped(stream, limit);
}

function parseJSON(bytes: Uint8Array): unknown {
  const source = new TextDecoder('utf-8').decode(bytes);
  if (source.trim() === '') return NOT_JSON;
  try {
    return JSON.parse(source);
  } catch {
    // The SyntaxError quotes the body, which may hold a token: never keep it.
    return NOT_JSON;
  }
}

/** Aborts after a delay; `clear()` cancels it. */
export class Timer {
  readonly controller: AbortController = new AbortController();
  readonly #handle: ReturnType<typeof setTimeout>;

  constructor(delayInMilliseconds: number) {
    this.#handle = setTimeout(() => this.controller.abort(), delayInMilliseconds);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  clear(): void {
    clearTimeout(this.#handle);
  }
}

/** Resolves after `delayInMilliseconds`, or at once when `signal` aborts. */
export function sleep(delayInMilliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(handle);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const handle = setTimeout(done, delayInMilliseconds);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Send one request and read its answer. Never throws for a failure of the exchange itself:
 * every way it can end is an {@link ExchangeOutcome}.
 *
 * @param totalSignal aborts the whole call (the caller's total timer).
 * @param callerSignal aborts it on the caller's behalf (reported as phase `aborted`).
 */
export async function exchangeOnce(
  settings: ExchangeSettings,
  request: ExchangeRequest,
  totalSignal: AbortSignal,
  callerSignal?: AbortSignal,
): Promise<ExchangeOutcome> {
  const connect = new Timer(settings.connectTimeoutInMilliseconds);
  const signal = AbortSignal.any(
    callerSignal === undefined
      ? [connect.signal, totalSignal]
      : [connect.signal, totalSignal, callerSignal],
  );
  const phase = (): NoAnswerPhase =>
    callerSignal?.aborted
      ? 'aborted'
      : totalSignal.aborted
        ? 'total'
        : connect.signal.aborted
          ? 'connect'
          : undefined;
  const noAnswer = (error: unknown, answered: boolean): ExchangeOutcome => {
    const at = phase();
    const code = errorCode(error);
    return {
      kind: 'no-answer',
      error,
      phase: at,
      answered,
      notSent: !answered && at === undefined && code !== undefined && NOT_SENT_CODES.has(code),
      code,
    };
  };
  const fetchImpl = request.fetch ?? settings.fetch;
  let response: Response;
  try {
    response = await fetchImpl(request.url.href, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      redirect: 'manual',
      signal,
    });
  } catch (error) {
    return noAnswer(error, false);
  } finally {
    connect.clear();
  }
  const { status, headers } = response;
  if (status >= 300 && status < 400) {
    await response.body?.cancel().catch(() => {});
    return { kind: 'redirect', status };
  }
  let bytes: Uint8Array | 'too-large';
  try {
    bytes = await readCapped(response, settings.maxResponseSizeInBytes);
  } catch (error) {
    return noAnswer(error, true);
  }
  if (bytes === 'too-large') return { kind: 'too-large', status };
  return { kind: 'answer', status, headers, json: parseJSON(bytes) };
}
