/**
 * A refusal as an error shaped like `http-errors` (`status`, `statusCode`, `expose`, `headers`),
 * for Node hosts that answer through `next(err)` (Express, Connect) and their apps' own error
 * handlers.
 *
 * @packageDocumentation
 */

import { isTingTingAuthError } from '../errors.js';
import {
  PUBLIC_ERROR_MESSAGES,
  PUBLIC_ERROR_STATUS,
  type PublicErrorCode,
} from '../public-errors.js';
import {
  answerOf,
  type ProtocolAnswer,
  type ProtocolRefusal,
  refusalOf,
  retryAfterOf,
} from './answers.js';

/** The code of a {@link TingTingHTTPError}: core's `PublicErrorCode`, identical in every adapter. */
export type HTTPErrorCode = PublicErrorCode;

/** Options of {@link TingTingHTTPError}. */
export interface TingTingHTTPErrorOptions {
  /** Seconds until a retry can succeed; sets `Retry-After` (every 429 and 503 has one). */
  retryAfter?: number;
  /** The underlying error, for server-side logs only. */
  cause?: unknown;
  /** A developer-facing message for logs; the answer always has the generic one. */
  message?: string;
  /** The body field a 400 `INVALID_REQUEST` is about (not sensitive); in the answer's body. */
  field?: string;
}

/** A refusal as an error shaped like `http-errors`, for `next(err)`; Express's `errorHandler` renders it. */
export class TingTingHTTPError extends Error {
  /** A stable machine-readable code. */
  readonly code: HTTPErrorCode;
  /** The HTTP status. */
  readonly status: number;
  /** Same as `status` (http-errors has both). */
  readonly statusCode: number;
  /** `true` for every 4xx (the message may be shown), never for a 5xx. */
  readonly expose: boolean;
  /** Headers to set, e.g. `Retry-After`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Seconds until a retry can succeed, when known. */
  readonly retryAfter: number | undefined;
  /** The generic message that is safe to show. */
  readonly publicMessage: string;
  /** The body field a 400 `INVALID_REQUEST` is about, when one is (also in `toJSON()`). */
  readonly field: string | undefined;

  constructor(code: HTTPErrorCode, options: TingTingHTTPErrorOptions = {}) {
    const status = PUBLIC_ERROR_STATUS[code];
    // A 4xx is an expected answer, not a bug: no stack trace, the costly part of an Error.
    const limit = Error.stackTraceLimit;
    if (status < 500) Error.stackTraceLimit = 0;
    try {
      const cause = options.cause === undefined ? undefined : { cause: options.cause };
      super(options.message ?? PUBLIC_ERROR_MESSAGES[code], cause);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.name = 'TingTingHTTPError';
    this.code = code;
    this.status = this.statusCode = status;
    this.expose = status < 500;
    this.publicMessage = PUBLIC_ERROR_MESSAGES[code];
    this.retryAfter = retryAfterOf(code, options.retryAfter);
    this.field = typeof options.field === 'string' ? options.field : undefined;
    const retry = this.retryAfter === undefined ? {} : { 'Retry-After': String(this.retryAfter) };
    this.headers = Object.freeze(retry as Record<string, string>);
  }

  /** The error for a {@link ProtocolRefusal}; an engine error stays as its `cause`, for logs. */
  static fromRefusal({ code, retryAfter, cause, field }: ProtocolRefusal): TingTingHTTPError {
    return new TingTingHTTPError(code, {
      ...(retryAfter === undefined ? {} : { retryAfter }),
      ...(field === undefined ? {} : { field }),
      ...(cause === undefined ? {} : { cause }),
      ...(isTingTingAuthError(cause) ? { message: `OTP engine failed: ${cause.code}` } : {}),
    });
  }

  /** The JSON body every adapter answers with: `{ error: { code, message, field? } }`. */
  toJSON(): { error: { code: HTTPErrorCode; message: string; field?: string } } {
    const field = this.field === undefined ? {} : { field: this.field };
    return { error: { code: this.code, message: this.publicMessage, ...field } };
  }
}

/**
 * The answer for a {@link TingTingHTTPError} (also one of a duplicated package copy): the same
 * status, headers and `{ error: { code, message, field? } }` body as the protocol's own refusal.
 */
export function answerOfHTTPError(error: TingTingHTTPError): ProtocolAnswer {
  const field = (error as { field?: unknown }).field;
  return answerOf(
    refusalOf(error.code, {
      ...(error.retryAfter === undefined ? {} : { retryAfter: error.retryAfter }),
      ...(typeof field === 'string' ? { field } : {}),
    }),
  );
}

/** `true` when `value` is a {@link TingTingHTTPError} (also across duplicated package copies). */
export function isTingTingHTTPError(value: unknown): value is TingTingHTTPError {
  if (value instanceof TingTingHTTPError) return true;
  const code = (value as { code?: unknown } | null)?.code;
  return (
    value instanceof Error &&
    value.name === 'TingTingHTTPError' &&
    typeof code === 'string' &&
    Object.hasOwn(PUBLIC_ERROR_STATUS, code)
  );
}
