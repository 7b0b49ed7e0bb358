import {
  PUBLIC_ERROR_MESSAGES,
  PUBLIC_ERROR_STATUS,
  type PublicErrorCode,
} from '@tingting-auth/core';
import { retryAfterOf } from '@tingting-auth/core/protocol';

/** Stable codes of this package's answers: core's `PublicErrorCode`, identical in every adapter. */
export type HTTPErrorCode = PublicErrorCode;

/** The generic, user-facing message of each code (core's `PUBLIC_ERROR_MESSAGES`). */
export const HTTP_ERROR_MESSAGES: Readonly<Record<HTTPErrorCode, string>> = PUBLIC_ERROR_MESSAGES;

/** Options of {@link TingTingHTTPError}. */
export interface TingTingHTTPErrorOptions {
  /** Seconds until a retry can succeed; sets `Retry-After` (every 429 and 503 has one). */
  retryAfter?: number;
  /** The underlying error, for server-side logs only. */
  cause?: unknown;
  /** A developer-facing message for logs; the response always uses the generic message. */
  message?: string;
}

/**
 * An HTTP answer as an error, shaped like `http-errors` (`status`, `statusCode`, `expose`,
 * `headers`), so an app's own error handler can render it, or `errorHandler` renders it as
 * `{ error: { code, message } }`.
 */
export class TingTingHTTPError extends Error {
  /** A stable machine-readable code (see `PublicErrorCode` in core). */
  readonly code: HTTPErrorCode;
  /** The HTTP status. */
  readonly status: number;
  /** Same as {@link TingTingHTTPError.status} (http-errors has both). */
  readonly statusCode: number;
  /** `true` when the message may be shown to the client (every 4xx; never a 5xx). */
  readonly expose: boolean;
  /** Headers to set on the answer, e.g. `Retry-After` on a 429. */
  readonly headers: Readonly<Record<string, string>>;
  /** Seconds until a retry can succeed, when known. */
  readonly retryAfter: number | undefined;
  /** The generic message that is safe to show the client. */
  readonly publicMessage: string;

  constructor(code: HTTPErrorCode, options: TingTingHTTPErrorOptions = {}) {
    const status = PUBLIC_ERROR_STATUS[code];
    // A 4xx is an expected answer, not a bug: skip the stack trace, the costly part of an Error.
    const stackTraceLimit = Error.stackTraceLimit;
    if (status < 500) Error.stackTraceLimit = 0;
    try {
      super(
        options.message ?? PUBLIC_ERROR_MESSAGES[code],
        options.cause === undefined ? undefined : { cause: options.cause },
      );
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    this.name = 'TingTingHTTPError';
    this.code = code;
    this.status = status;
    this.statusCode = status;
    this.expose = status < 500;
    this.publicMessage = PUBLIC_ERROR_MESSAGES[code];
    this.retryAfter = retryAfterOf(code, options.retryAfter);
    const headers: Record<string, string> = {};
    if (this.retryAfter !== undefined) headers['Retry-After'] = String(this.retryAfter);
    this.headers = Object.freeze(headers);
  }

  /** The JSON body every adapter answers with: `{ error: { code, message } }`. */
  toJSON(): { error: { code: HTTPErrorCode; message: string } } {
    return { error: { code: this.code, message: this.publicMessage } };
  }
}

/** `true` when `value` is a {@link TingTingHTTPError} (also across duplicated package copies). */
export function isTingTingHTTPError(value: unknown): value is TingTingHTTPError {
  if (value instanceof TingTingHTTPError) return true;
  if (!(value instanceof Error) || value.name !== 'TingTingHTTPError') return false;
  const code = (value as { code?: unknown }).code;
  return typeof code === 'string' && Object.hasOwn(PUBLIC_ERROR_STATUS, code);
}
