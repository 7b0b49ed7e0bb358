/**
 * The send step, which next-auth does not have: one handler for an App Router route, a Pages
 * Router API route or a server action. It maps the host's request onto core's protocol and back.
 */

import type { ServerResponse } from 'node:http';
import type { Purpose } from '@tingting-auth/core';
import {
  createOTPProtocol,
  fromNodeRequest,
  fromWebRequest,
  type NodeRequest,
  type ProtocolAnswer,
  type ProtocolRequest,
  resolveProtocolOptions,
  type SendCodeAnswer,
  sendNodeAnswer,
  toWebResponse,
} from '@tingting-auth/core/protocol';
import type { SendErrorCode } from './codes.js';
import { type EngineOption, lazyEngine, type ProxyOptions, platformIP } from './options.js';

/** Options of {@link createSendHandler}; the README's table explains each. */
export interface SendHandlerOptions extends ProxyOptions {
  /** Must match the provider's. @default 'sign-in' */
  purpose?: Purpose;
  /** Origins allowed besides the request's own, exact `scheme://host[:port]`. @default [] */
  allowedOrigins?: readonly string[];
  /** `false` when your own CSRF protection guards the route. @default 'origin' */
  crossSiteProtection?: 'origin' | false;
  /** Accept requests with neither `Origin` nor `Sec-Fetch-Site` (curl, servers). @default true */
  allowRequestsWithoutOrigin?: boolean;
  /** @default 4096 */
  maxBodyInBytes?: number;
  /** Gets infrastructure errors (no secret in them). @default logs `name` and `code` */
  onError?: (error: unknown) => void;
}

/** The 202 body of a send; `delivery: 'unknown'` (and a `message`) when TingTing's answer was lost. */
export type SendCodeResponse = SendCodeAnswer;

/** The body of every other answer. */
export interface SendCodeErrorBody {
  error: { code: SendErrorCode; message: string };
}

/** `Request` in, `Response` out (App Router, server actions), or Next's `(req, res)` (Pages Router). */
export interface SendHandler {
  (req: NodeRequest, res: ServerResponse): Promise<void>;
  (request: Request): Promise<Response>;
}

/**
 * Create the send handler: JSON or URL-encoded `{ phone, channel?, voice?, resend? }` in; 202
 * `{ phone, channel, expiresAt, resendAt }` or `{ error: { code, message } }` out (README: codes).
 *
 * @example
 * ```ts
 * export const POST = createSendHandler(getEngine); // app/api/auth/otp/send/route.ts
 * export default createSendHandler(getEngine); // pages/api/auth/otp/send.ts
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
      adapterOptions: { onError: 'function' },
    }),
  );
  const { onError = logError } = options;
  const platformIPOf = platformIP('createSendHandler', options.trustProxy, true);

  async function send(request: ProtocolRequest): Promise<ProtocolAnswer> {
    const clientIP = platformIPOf(request.headers);
    const result = await otp.send(clientIP === undefined ? request : { ...request, clientIP });
    if (!result.ok && result.error.cause !== undefined) onError(result.error.cause);
    return result.answer;
  }

  return (async (request: Request | NodeRequest, res?: ServerResponse) => {
    if (typeof (request.headers as Headers).get === 'function') {
      return toWebResponse(await send(fromWebRequest(request as Request)));
    }
    if (res === undefined)
      throw new TypeError('createSendHandler: a Pages Router call needs `res`');
    const node = fromNodeRequest(request as NodeRequest);
    const { fields } = node;
    // A string is a body Next.js's parser did not understand: for the content-type rules to refuse.
    const bytes = typeof fields === 'string' ? new TextEncoder().encode(fields) : undefined;
    sendNodeAnswer(res, await send(bytes ? { ...node, fields: undefined, body: bytes } : node));
  }) as SendHandler;
}

function logError(error: unknown): void {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  console.error(`[tingting-auth] send failed: ${String(name)} ${String(code ?? '')}`.trim());
}
