/**
 * The send step, which next-auth does not have: a `POST` handler for an App Router route
 * (`export const POST = handler`), a Pages Router API route (`export default handler`), or a server
 * action. It maps the host's request onto core's protocol and the answer back.
 */

import type { Purpose } from '@tingting-auth/core';
import {
  createOTPProtocol,
  fromWebRequest,
  type ProtocolAnswer,
  type ProtocolRequest,
  resolveProtocolOptions,
  type SendCodeAnswer,
  toWebResponse,
} from '@tingting-auth/core/protocol';
import type { SendErrorCode } from './codes.js';
import { type EngineOption, lazyEngine, type ProxyOptions, platformIP } from './options.js';

/** Options of {@link createSendHandler}. */
export interface SendHandlerOptions extends ProxyOptions {
  /** Purpose codes are sent for; must match the provider's. @default 'sign-in' */
  purpose?: Purpose;
  /** Origins allowed besides the request's own, exact `scheme://host[:port]`. @default [] */
  allowedOrigins?: readonly string[];
  /** `false` when your own CSRF protection guards the route. @default 'origin' */
  crossSiteProtection?: 'origin' | false;
  /** Accept requests with neither `Origin` nor `Sec-Fetch-Site` (curl, servers). @default true */
  allowRequestsWithoutOrigin?: boolean;
  /** Largest request body read, in bytes. @default 4096 */
  maxBodyInBytes?: number;
  /**
   * Called with infrastructure errors (store down, TingTing down) before the generic 502/503
   * answer. Their messages hold no secret.
   * @default logs `name` and `code` with `console.error`
   */
  onError?: (error: unknown) => void;
}

/** The 202 body of a send (dates as ISO strings; `delivery: 'unknown'` when TingTing's answer was lost). */
export type SendCodeResponse = SendCodeAnswer;

/** The error body every other answer carries. */
export interface SendCodeErrorBody {
  error: { code: SendErrorCode; message: string };
}

/** A Pages Router API request (`NextApiRequest`), as far as the handler reads it. */
export interface PagesRequest extends AsyncIterable<Uint8Array> {
  method?: string | undefined;
  headers: { readonly [name: string]: string | readonly string[] | undefined };
  /** What Next.js parsed (its default); unset with `export const config = { api: { bodyParser: false } }`. */
  body?: unknown;
}

/** A Pages Router API response (`NextApiResponse`), as far as the handler writes it. */
export interface PagesResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

/** The send handler: a Web `Request` in and a `Response` out (App Router), or Next's `(req, res)` (Pages Router). */
export interface SendHandler {
  (req: PagesRequest, res: PagesResponse): Promise<void>;
  (request: Request): Promise<Response>;
}

/**
 * Create the send handler.
 *
 * Accepts JSON (`{ phone, channel?, voice?, resend? }`) and URL-encoded forms with the same fields.
 * Answers: 202 `{ phone, channel, expiresAt, resendAt }`; 400 `INVALID_REQUEST` / `MALFORMED_BODY` / `INVALID_PHONE`;
 * 403 `CROSS_SITE_REQUEST`; 405; 413; 415; 429 `RATE_LIMITED` and 503 `SERVICE_UNAVAILABLE` with
 * `Retry-After`; 502 `DELIVERY_FAILED`. Errors as `{ error: { code, message } }`.
 *
 * @example
 * ```ts
 * // app/api/auth/otp/send/route.ts
 * import { createSendHandler } from '@tingting-auth/next-auth';
 * import { getEngine } from '@/lib/otp';
 * export const POST = createSendHandler(getEngine); // pages/api: export default
 * ```
 */
export function createSendHandler(
  engine: EngineOption,
  options: SendHandlerOptions = {},
): SendHandler {
  const otp = createOTPProtocol(
    resolveProtocolOptions('createSendHandler', options, {
      engine: lazyEngine(engine),
      engineUsage: 'pass one, or a function that returns one',
      clientIPFromHeaders: true,
      adapterOptions: ['onError'],
    }),
  );
  const { onError = logError } = options;
  if (typeof onError !== 'function') {
    throw new TypeError('createSendHandler: `onError` must be a function');
  }
  const platformIPOf = platformIP('createSendHandler', options.trustProxy, true);

  async function send(request: ProtocolRequest): Promise<ProtocolAnswer> {
    const clientIP = platformIPOf(request.headers);
    const result = await otp.send(clientIP === undefined ? request : { ...request, clientIP });
    if (!result.ok && result.error.cause !== undefined) onError(result.error.cause);
    return result.answer;
  }

  return (async (request: Request | PagesRequest, res?: PagesResponse) => {
    if (typeof (request.headers as Headers).get === 'function') {
      return toWebResponse(await send(fromWebRequest(request as Request)));
    }
    const req = request as PagesRequest;
    if (res === undefined)
      throw new TypeError('createSendHandler: a Pages Router call needs `res`');
    const { status, headers, body } = await send({
      headers: req.headers,
      ...(req.method === undefined ? {} : { method: req.method }),
      // Next.js parsed the body unless the route turned its parser off; a string is a body it
      // did not understand, for the content-type rules to refuse.
      ...(req.body === undefined
        ? { body: (ReadableStream as unknown as StreamFrom).from(req) }
        : typeof req.body === 'string'
          ? { body: new TextEncoder().encode(req.body) }
          : { fields: req.body }),
    });
    res.statusCode = status;
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.end(body === undefined ? undefined : JSON.stringify(body));
  }) as SendHandler;
}

type StreamFrom = { from(source: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> };

function logError(error: unknown): void {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  console.error(`[tingting-auth] send failed: ${String(name)} ${String(code ?? '')}`.trim());
}
