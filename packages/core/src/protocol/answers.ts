/**
 * The neutral answer every handler returns, and the one rule for `Retry-After`.
 *
 * @packageDocumentation
 */

import {
  PUBLIC_ERROR_MESSAGES,
  PUBLIC_ERROR_STATUS,
  type PublicErrorCode,
  UNAVAILABLE_RETRY_AFTER_IN_SECONDS,
} from '../public-errors.js';

/** What to answer over HTTP: an adapter copies it onto its host's response as it is. */
export interface ProtocolAnswer {
  status: number;
  /** Lower-case header names: always `cache-control: no-store`; `content-type` when there is a body. */
  headers: Readonly<Record<string, string>>;
  /** The JSON body (serialise with `JSON.stringify`), or `undefined` for none (204). */
  body: unknown;
}

/** The error body of every refusal: `{ error: { code, message } }`. */
export interface ProtocolErrorBody {
  /** `field`: the body field a 400 `INVALID_REQUEST` is about, when one is (not sensitive). */
  error: { code: PublicErrorCode; message: string; field?: string };
}

/** A refused step: the public code, its status and message, and what caused it. */
export interface ProtocolRefusal {
  code: PublicErrorCode;
  status: number;
  /** The generic public message (core's `PUBLIC_ERROR_MESSAGES`). */
  message: string;
  /** Seconds until a retry can succeed (set for every 429 and 503). */
  retryAfter?: number;
  /** The body field a 400 `INVALID_REQUEST` is about (missing, empty or not a string), when one is. */
  field?: string;
  /**
   * Set when the engine threw (store down, a definite delivery failure, a bug): the typed core
   * error, for server logs and for hosts that route thrown errors apart (Passport's `error()`).
   * Never shown to the user; the answer is generic.
   */
  cause?: unknown;
}

/** What a handler returns: the answer, and the outcome (a value on success, a refusal otherwise). */
export type ProtocolResult<T> =
  | { ok: true; answer: ProtocolAnswer; value: T }
  | { ok: false; answer: ProtocolAnswer; error: ProtocolRefusal };

const JSON_TYPE = 'application/json; charset=utf-8';

/** Seconds for `Retry-After` when the engine gave none: 429 waits a minute, 503 the outage constant. */
const DEFAULT_RETRY_AFTER: Partial<Record<PublicErrorCode, number>> = {
  RATE_LIMITED: 60,
  LOCKED: 60,
  SERVICE_UNAVAILABLE: UNAVAILABLE_RETRY_AFTER_IN_SECONDS,
};

/**
 * The one `Retry-After` rule: whole seconds, rounded up, at least 1. Every 429 and 503 carries it
 * (60 s for a 429, 30 s for a 503 when the cause gave no figure); other codes never do.
 */
export function retryAfterOf(code: PublicErrorCode, seconds?: number): number | undefined {
  const fallback = DEFAULT_RETRY_AFTER[code];
  if (fallback === undefined) return undefined;
  const value = typeof seconds === 'number' && Number.isFinite(seconds) ? seconds : fallback;
  return Math.max(1, Math.ceil(value));
}

/** A JSON answer with the headers every answer carries. */
export function jsonAnswer(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): ProtocolAnswer {
  return {
    status,
    headers: { 'content-type': JSON_TYPE, 'cache-control': 'no-store', ...headers },
    body,
  };
}

/** A refusal for `code` (status, generic message, `Retry-After` by {@link retryAfterOf}). */
export function refusalOf(
  code: PublicErrorCode,
  options: { retryAfter?: number; cause?: unknown; field?: string } = {},
): ProtocolRefusal {
  const retryAfter = retryAfterOf(code, options.retryAfter);
  return {
    code,
    status: PUBLIC_ERROR_STATUS[code],
    message: PUBLIC_ERROR_MESSAGES[code],
    ...(retryAfter === undefined ? {} : { retryAfter }),
    ...(options.field === undefined ? {} : { field: options.field }),
    ...(options.cause === undefined ? {} : { cause: options.cause }),
  };
}

/** The answer of a refusal: its status, `{ error: { code, message } }`, `Retry-After`, `Allow`. */
export function answerOf(refusal: ProtocolRefusal): ProtocolAnswer {
  const headers: Record<string, string> = {};
  if (refusal.retryAfter !== undefined) headers['retry-after'] = String(refusal.retryAfter);
  if (refusal.code === 'METHOD_NOT_ALLOWED') headers.allow = 'POST';
  const body: ProtocolErrorBody = {
    error: {
      code: refusal.code,
      message: refusal.message,
      ...(refusal.field === undefined ? {} : { field: refusal.field }),
    },
  };
  return jsonAnswer(refusal.status, body, headers);
}

/** A failed {@link ProtocolResult} for `code`. */
export function refuse<T = never>(
  code: PublicErrorCode,
  options: { retryAfter?: number; cause?: unknown; field?: string } = {},
): ProtocolResult<T> {
  const error = refusalOf(code, options);
  return { ok: false, answer: answerOf(error), error };
}
