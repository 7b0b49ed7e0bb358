/**
 * The error every handler passes to `next(err)`: shaped like `http-errors` (`status`, `statusCode`,
 * `expose`, `headers`), with a stable `code` and a generic message that is safe to show.
 *
 * @packageDocumentation
 */

/** Stable codes of the answers this package gives, with their HTTP status. */
export const HTTPErrorCode = {
  /** 400: the body is not an object of string fields, or a field is missing or malformed. */
  INVALID_REQUEST: 'INVALID_REQUEST',
  /** 400: the body could not be parsed (broken JSON, bad encoding). */
  MALFORMED_BODY: 'MALFORMED_BODY',
  /** 413: the body is larger than `bodyLimit`. */
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  /** 415: the body is neither JSON nor a URL-encoded form. */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** 400: not a phone number, or not one codes may be sent to. */
  INVALID_PHONE: 'INVALID_PHONE',
  /** 401: the code is wrong, expired, used, or was never sent. */
  INVALID_CODE: 'INVALID_CODE',
  /** 401: a guarded route was requested without a verified number. */
  NOT_VERIFIED: 'NOT_VERIFIED',
  /** 403: a browser sent the request from another site. */
  CROSS_SITE_REQUEST: 'CROSS_SITE_REQUEST',
  /** 429: too many requests (per number, per IP); see `Retry-After`. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** 429: too many wrong codes for this number; see `Retry-After`. */
  LOCKED: 'LOCKED',
  /** 500: `verify` needs `express-session` (mounted before the router) or an `onVerified` hook. */
  SESSION_REQUIRED: 'SESSION_REQUIRED',
  /** 502: TingTing could not deliver the code; nothing was sent. */
  DELIVERY_FAILED: 'DELIVERY_FAILED',
  /** 503: the OTP store or TingTing is unavailable, or the send budget is spent. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
} as const;

/** A stable code of an HTTP answer. */
export type HTTPErrorCode = (typeof HTTPErrorCode)[keyof typeof HTTPErrorCode];

const STATUS: Record<HTTPErrorCode, number> = {
  INVALID_REQUEST: 400,
  MALFORMED_BODY: 400,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INVALID_PHONE: 400,
  INVALID_CODE: 401,
  NOT_VERIFIED: 401,
  CROSS_SITE_REQUEST: 403,
  RATE_LIMITED: 429,
  LOCKED: 429,
  SESSION_REQUIRED: 500,
  DELIVERY_FAILED: 502,
  SERVICE_UNAVAILABLE: 503,
};

/** The generic, user-facing message of each code. Never built from input or a secret. */
export const HTTP_ERROR_MESSAGES: Readonly<Record<HTTPErrorCode, string>> = Object.freeze({
  INVALID_REQUEST: 'The request is not valid.',
  MALFORMED_BODY: 'The request body could not be read.',
  BODY_TOO_LARGE: 'The request body is too large.',
  UNSUPPORTED_MEDIA_TYPE: 'Send the request as JSON or as a form.',
  INVALID_PHONE: 'Enter a valid mobile number.',
  INVALID_CODE: 'That code is not right, or it has expired.',
  NOT_VERIFIED: 'Sign in with your mobile number first.',
  CROSS_SITE_REQUEST: 'Requests from other sites are not allowed.',
  RATE_LIMITED: 'Too many requests. Please wait and try again.',
  LOCKED: 'Too many wrong codes. Please wait and try again.',
  SESSION_REQUIRED: 'Something went wrong on our side.',
  DELIVERY_FAILED: 'The code could not be delivered. Please try again.',
  SERVICE_UNAVAILABLE: 'The service is unavailable. Please try again later.',
});

/** Options of {@link TingTingHTTPError}. */
export interface TingTingHTTPErrorOptions {
  /** Seconds until a retry can succeed; sets the `Retry-After` header. */
  retryAfter?: number;
  /** The underlying error, for server-side logs only. */
  cause?: unknown;
  /** A developer-facing message for logs; the response always uses the generic message. */
  message?: string;
}

/**
 * An HTTP answer as an error, shaped like `http-errors`, so an app's own error handler can render
 * it (`err.status`, `err.expose`, `err.headers`) or {@link TingTingExpress.errorHandler} renders it
 * as `{ error: { code, message } }`.
 */
export class TingTingHTTPError extends Error {
  /** A stable machine-readable code (see {@link HTTPErrorCode}). */
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
    const publicMessage = HTTP_ERROR_MESSAGES[code];
    // A 4xx is an expected answer (a wrong code, a refused request), not a bug: skip the stack
    // trace, the most expensive part of an Error, on this hot path. 5xx keep theirs.
    const stackTraceLimit = Error.stackTraceLimit;
    if (STATUS[code] < 500) Error.stackTraceLimit = 0;
    try {
      super(
        options.message ?? publicMessage,
        options.cause === undefined ? undefined : { cause: options.cause },
      );
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    this.name = 'TingTingHTTPError';
    this.code = code;
    this.status = STATUS[code];
    this.statusCode = this.status;
    this.expose = this.status < 500;
    this.publicMessage = publicMessage;
    const retryAfter =
      options.retryAfter === undefined ? undefined : Math.max(1, Math.ceil(options.retryAfter));
    this.retryAfter = retryAfter;
    const headers: Record<string, string> = {};
    if (retryAfter !== undefined) headers['Retry-After'] = String(retryAfter);
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
  return typeof code === 'string' && code in STATUS;
}
