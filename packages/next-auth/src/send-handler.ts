/**
 * The send step, as a Web-standard handler: `(req: Request) => Promise<Response>`. It is not part
 * of next-auth (which only verifies), so it is mounted as an App Router route
 * (`app/api/auth/otp/send/route.ts`: `export const POST = handler`) or called from a server action.
 */

import {
  type Channel,
  isTingTingAuthError,
  type OTPEngineAPI,
  type Purpose,
  type Voice,
} from '@tingting-auth/core';
import { ERROR_MESSAGES, type SendErrorCode } from './codes.js';
import { clientIP, type ProxyOptions, readHeader, resolveProxyOptions } from './request.js';

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
  constructor(
    readonly status: number,
    readonly code: SendErrorCode,
  ) {
    super(code);
  }
}

/**
 * Create the send handler.
 *
 * Accepts JSON (`{ phone, channel?, voice?, resend? }`) and form bodies with the same fields. Answers:
 * 202 `{ phone, channel, expiresAt, resendAt }`; 400 `INVALID_REQUEST` / `INVALID_PHONE`;
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
  engine: OTPEngineAPI,
  options: SendHandlerOptions = {},
): SendHandler {
  if (engine === null || typeof engine !== 'object' || typeof engine.send !== 'function') {
    throw new TypeError('createSendHandler(engine) needs an OTPEngine from @tingting-auth/core');
  }
  const purpose = options.purpose ?? 'sign-in';
  const proxy = resolveProxyOptions(options);
  const maxBodyInBytes = options.maxBodyInBytes ?? 8192;
  if (!Number.isSafeInteger(maxBodyInBytes) || maxBodyInBytes < 64) {
    throw new TypeError('maxBodyInBytes must be an integer >= 64');
  }
  const allowedOrigins = new Set(
    (options.allowedOrigins ?? []).map((origin) => {
      try {
        return new URL(origin).origin;
      } catch {
        throw new TypeError(
          `allowedOrigins: "${origin}" is not an origin like https://example.com`,
        );
      }
    }),
  );
  const onError =
    options.onError ??
    ((error: unknown) => {
      const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
      console.error(`[tingting-auth] send failed: ${String(name)} ${String(code ?? '')}`.trim());
    });

  return async function send(request: Request): Promise<Response> {
    if (request.method !== 'POST') {
      return errorResponse(405, 'METHOD_NOT_ALLOWED', { allow: 'POST' });
    }
    // Refused before the body is read and before anything is sent.
    if (!isSameOrigin(request, allowedOrigins, proxy.trustProxy)) {
      return errorResponse(403, 'CROSS_SITE_REQUEST');
    }
    let fields: Record<string, unknown>;
    try {
      fields = await readFields(request, maxBodyInBytes);
    } catch (error) {
      if (error instanceof BodyError) return errorResponse(error.status, error.code);
      return errorResponse(400, 'INVALID_REQUEST');
    }
    const resend = fields.resend === true || fields.resend === 'true' || fields.resend === '1';
    const ip = clientIP(request.headers, proxy);
    const input = {
      phone: fields.phone,
      // The engine validates the channel; a missing one means its default.
      ...(fields.channel === undefined || fields.channel === ''
        ? {}
        : { channel: fields.channel as Channel }),
      ...(fields.voice === undefined || fields.voice === ''
        ? {}
        : { voice: fields.voice as Voice }),
      purpose,
      ...(ip ? { ip } : {}),
    };
    try {
      const result = resend ? await engine.resend(input) : await engine.send(input);
      if (result.ok) {
        const body: SendCodeResponse = {
          phone: result.phone,
          channel: result.channel,
          expiresAt: result.expiresAt.toISOString(),
          resendAt: result.resendAt.toISOString(),
        };
        return Response.json(body, { status: 202, headers: { 'cache-control': 'no-store' } });
      }
      const retry =
        result.retryAfter === undefined
          ? undefined
          : { 'retry-after': String(Math.max(1, Math.ceil(result.retryAfter))) };
      switch (result.reason) {
        case 'invalid_phone':
          return errorResponse(400, 'INVALID_PHONE');
        case 'rate_limited':
          return errorResponse(429, 'RATE_LIMITED', retry ?? { 'retry-after': '60' });
        case 'unavailable':
          return errorResponse(503, 'SERVICE_UNAVAILABLE', retry ?? { 'retry-after': '60' });
        default:
          return errorResponse(400, 'INVALID_REQUEST');
      }
    } catch (error) {
      onError(error);
      if (isTingTingAuthError(error) && error.code === 'DELIVERY_FAILED') {
        return errorResponse(502, 'DELIVERY_FAILED');
      }
      return errorResponse(503, 'SERVICE_UNAVAILABLE', { 'retry-after': '30' });
    }
  };
}

function errorResponse(
  status: number,
  code: SendErrorCode,
  headers: Record<string, string> = {},
): Response {
  const body: SendCodeErrorBody = { error: { code, message: ERROR_MESSAGES[code] } };
  return Response.json(body, { status, headers: { 'cache-control': 'no-store', ...headers } });
}

/**
 * Same-origin check, as browsers allow it: `Sec-Fetch-Site` when sent, else `Origin` against the
 * host the request was made to. Requests with neither come from non-browser clients, which CSRF
 * does not concern (they hold no victim's cookies); the engine's limits still apply to them.
 */
function isSameOrigin(request: Request, allowed: Set<string>, trustProxy: boolean): boolean {
  const origin = request.headers.get('origin');
  if (origin !== null && allowed.has(origin)) return true;
  const site = request.headers.get('sec-fetch-site');
  if (site !== null) return site === 'same-origin' || site === 'none';
  if (origin === null) return true;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return false; // includes `Origin: null` (sandboxed frames, file: pages)
  }
  const hosts = new Set<string>();
  try {
    hosts.add(new URL(request.url).host);
  } catch {}
  const host = request.headers.get('host');
  if (host) hosts.add(host);
  const forwardedHost = trustProxy ? readHeader(request.headers, 'x-forwarded-host') : undefined;
  if (forwardedHost) hosts.add(forwardedHost.split(',')[0]!.trim());
  return hosts.has(originHost);
}

async function readFields(request: Request, maxBytes: number): Promise<Record<string, unknown>> {
  const contentType = (request.headers.get('content-type') ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  const isJSON = contentType === 'application/json' || contentType.endsWith('+json');
  if (!isJSON && !FORM_TYPES.includes(contentType))
    throw new BodyError(415, 'UNSUPPORTED_MEDIA_TYPE');
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new BodyError(413, 'PAYLOAD_TOO_LARGE');
  const bytes = await readCapped(request, maxBytes);
  if (isJSON) {
    const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new BodyError(400, 'INVALID_REQUEST');
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
    if (Object.hasOwn(fields, key)) throw new BodyError(400, 'INVALID_REQUEST'); // ambiguous duplicate field
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
      throw new BodyError(413, 'PAYLOAD_TOO_LARGE');
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
