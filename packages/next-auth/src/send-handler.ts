/**
 * The send step, as a Web-standard handler: `(req: Request) => Promise<Response>`. It is not part
 * of next-auth (which only verifies), so it is mounted as an App Router route
 * (`app/api/auth/otp/send/route.ts`: `export const POST = handler`) or called from a server action.
 */

import {
  type Channel,
  isCrossSiteRequest,
  PUBLIC_ERROR_STATUS,
  type Purpose,
  publicCodeOfError,
  SEND_FAILURE_CODES,
  UNAVAILABLE_RETRY_AFTER_IN_SECONDS,
  type Voice,
} from '@tingting-auth/core';
import { ERROR_MESSAGES, type SendErrorCode } from './codes.js';
import {
  checkKeys,
  checkType,
  type EngineOption,
  fail,
  type ProxyOptions,
  resolveEngine,
  resolveOrigins,
  resolveProxy,
  resolvePurpose,
} from './options.js';

const KNOWN = ['purpose', 'allowedOrigins', 'trustProxy', 'ipHeader', 'maxBodyInBytes', 'onError'];

/** Options of {@link createSendHandler}. */
export interface SendHandlerOptions extends ProxyOptions {
  /** Purpose codes are sent for; must match the provider's. @default 'sign-in' */
  purpose?: Purpose;
  /**
   * Origins allowed besides the request's own (e.g. `https://app.example.com` when the form is
   * served from another origin). Cross-site requests from anywhere else get 403 `CROSS_SITE_REQUEST`.
   * @default []
   */
  allowedOrigins?: readonly string[];
  /** Largest request body read, in bytes. @default 8192 */
  maxBodyInBytes?: number;
  /**
   * Called with infrastructure errors (store down, TingTing down) before the generic 502/503
   * answer. Their messages hold no secret.
   * @default logs `name` and `code` with `console.error`
   */
  onError?: (error: unknown) => void;
}

/** The 202 body of a successful send (dates as ISO strings). Never contains the code. */
export interface SendCodeResponse {
  /** Canonical E.164 number the code was sent to. */
  phone: string;
  channel: Channel;
  /** When the code stops working. */
  expiresAt: string;
  /** Earliest time a resend is allowed. */
  resendAt: string;
}

/** The error body every answer other than 202 carries. */
export interface SendCodeErrorBody {
  error: { code: SendErrorCode; message: string };
}

/** A handler for `POST` requests that sends a code. */
export type SendHandler = (request: Request) => Promise<Response>;

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

class BodyError extends Error {
  constructor(readonly code: SendErrorCode) {
    super(code);
  }
}

/**
 * Create the send handler.
 *
 * Accepts JSON (`{ phone, channel?, voice?, resend? }`) and form bodies with the same fields. Answers:
 * 202 `{ phone, channel, expiresAt, resendAt }`; 400 `INVALID_REQUEST` / `MALFORMED_BODY` / `INVALID_PHONE`;
 * 403 `CROSS_SITE_REQUEST`; 405; 413; 415; 429 `RATE_LIMITED` and 503 `SERVICE_UNAVAILABLE` with
 * `Retry-After`; 502 `DELIVERY_FAILED`. Errors as `{ error: { code, message } }`.
 *
 * @example
 * ```ts
 * // app/api/auth/otp/send/route.ts
 * import { createSendHandler } from '@tingting-auth/next-auth';
 * import { engine } from '@/lib/otp';
 * export const POST = createSendHandler(engine);
 * ```
 */
export function createSendHandler(
  engine: EngineOption,
  options: SendHandlerOptions = {},
): SendHandler {
  const owner = 'createSendHandler';
  const getEngine = resolveEngine(owner, engine);
  const o = checkKeys(owner, options, KNOWN);
  const purpose = resolvePurpose(owner, o.purpose);
  const proxy = resolveProxy(owner, o, true);
  const maxBodyInBytes = options.maxBodyInBytes ?? 8192;
  if (!Number.isSafeInteger(maxBodyInBytes) || maxBodyInBytes < 64) {
    fail(owner, '`maxBodyInBytes` must be an integer >= 64');
  }
  const allowedOrigins = resolveOrigins(owner, o.allowedOrigins);
  checkType(owner, o, 'onError', 'function');
  const onError =
    options.onError ??
    ((error: unknown) => {
      const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
      console.error(`[tingting-auth] send failed: ${String(name)} ${String(code ?? '')}`.trim());
    });

  return async function send(request: Request): Promise<Response> {
    if (request.method !== 'POST') {
      return errorResponse('METHOD_NOT_ALLOWED', { allow: 'POST' });
    }
    // Refused before the body is read and before anything is sent.
    if (isCrossSite(request, allowedOrigins, proxy.trustForwardedHost)) {
      return errorResponse('CROSS_SITE_REQUEST');
    }
    let fields: Record<string, unknown>;
    try {
      fields = await readFields(request, maxBodyInBytes);
    } catch (error) {
      if (error instanceof BodyError) return errorResponse(error.code);
      // Broken JSON, bad UTF-8, an unreadable form: as the Express router answers it.
      return errorResponse('MALFORMED_BODY');
    }
    const phone = fields.phone;
    const channel = optionalString(fields.channel);
    const voice = optionalString(fields.voice);
    if (typeof phone !== 'string' || channel === null || voice === null) {
      return errorResponse('INVALID_REQUEST');
    }
    const resend = fields.resend === true || fields.resend === 'true' || fields.resend === '1';
    const ip = proxy.clientIP(request.headers);
    const input = {
      phone,
      // The engine validates the channel and voice; a missing one means its default.
      ...(channel === undefined ? {} : { channel: channel as Channel }),
      ...(voice === undefined ? {} : { voice: voice as Voice }),
      purpose,
      ...(ip ? { ip } : {}),
    };
    try {
      const resolved = await getEngine();
      const result = resend ? await resolved.resend(input) : await resolved.send(input);
      if (result.ok) {
        const body: SendCodeResponse = {
          phone: result.phone,
          channel: result.channel,
          expiresAt: result.expiresAt.toISOString(),
          resendAt: result.resendAt.toISOString(),
        };
        return Response.json(body, { status: 202, headers: { 'cache-control': 'no-store' } });
      }
      const code = SEND_FAILURE_CODES[result.reason] as SendErrorCode;
      if (code !== 'RATE_LIMITED' && code !== 'SERVICE_UNAVAILABLE') return errorResponse(code);
      const retryAfter = result.retryAfter === undefined ? 60 : Math.ceil(result.retryAfter);
      return errorResponse(code, { 'retry-after': String(Math.max(1, retryAfter)) });
    } catch (error) {
      onError(error);
      const code = publicCodeOfError(error);
      return errorResponse(
        code,
        code === 'SERVICE_UNAVAILABLE'
          ? { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_IN_SECONDS) }
          : {},
      );
    }
  };
}

/** `undefined` when absent or empty, `null` when present but not a string, else the string. */
function optionalString(value: unknown): string | undefined | null {
  if (value === undefined || value === '') return undefined;
  return typeof value === 'string' ? value : null;
}

function errorResponse(code: SendErrorCode, headers: Record<string, string> = {}): Response {
  const body: SendCodeErrorBody = { error: { code, message: ERROR_MESSAGES[code] } };
  return Response.json(body, {
    status: PUBLIC_ERROR_STATUS[code],
    headers: { 'cache-control': 'no-store', ...headers },
  });
}

/**
 * Core's same-origin check: `Sec-Fetch-Site` when sent, else `Origin` against the host the request
 * was made to (the URL's host and `Host`; `X-Forwarded-Host` only behind a trusted proxy).
 * Requests with neither header come from non-browser clients, which CSRF does not concern (they
 * hold no victim's cookies); the engine's limits still apply to them.
 */
function isCrossSite(request: Request, allowed: Set<string>, trustProxy: boolean): boolean {
  let hosts: string[] = [];
  try {
    hosts = [new URL(request.url).host];
  } catch {}
  return isCrossSiteRequest(request, {
    allowedOrigins: allowed,
    trustForwardedHost: trustProxy,
    hosts,
  });
}

async function readFields(request: Request, maxBytes: number): Promise<Record<string, unknown>> {
  const contentType = (request.headers.get('content-type') ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  const isJSON = contentType === 'application/json' || contentType.endsWith('+json');
  if (!isJSON && !FORM_TYPES.includes(contentType)) throw new BodyError('UNSUPPORTED_MEDIA_TYPE');
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new BodyError('PAYLOAD_TOO_LARGE');
  const bytes = await readCapped(request, maxBytes);
  // No body is a missing field, not a malformed one (as the Express router answers it).
  if (bytes.byteLength === 0) throw new BodyError('INVALID_REQUEST');
  if (isJSON) {
    const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new BodyError('INVALID_REQUEST');
    }
    return parsed as Record<string, unknown>;
  }
  const form = await new Response(bytes, {
    headers: { 'content-type': request.headers.get('content-type') ?? contentType },
  }).formData();
  // No prototype: a field named `constructor` or `__proto__` is a field like any other, not a
  // "duplicate" of an inherited member (JSON bodies already read it so).
  const fields: Record<string, unknown> = Object.create(null);
  for (const [key, value] of form) {
    if (Object.hasOwn(fields, key)) throw new BodyError('INVALID_REQUEST'); // ambiguous duplicate field
    fields[key] = typeof value === 'string' ? value : undefined;
  }
  return fields;
}

/** Read the body, never more than `maxBytes` (a lying or absent Content-Length is not trusted). */
async function readCapped(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  if (request.body === null) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new BodyError('PAYLOAD_TOO_LARGE');
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
