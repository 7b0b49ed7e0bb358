/**
 * Web `Request` in, Web `Response` out: the mapping a Fetch-API host (Next.js route handlers,
 * server actions) needs, and nothing more.
 *
 * @packageDocumentation
 */

import type { ProtocolAnswer } from './answers.js';
import type { ProtocolRequest } from './otp-handlers.js';

/** A {@link ProtocolRequest} for a Web `Request`: method, headers, URL and the unread body. */
export function fromWebRequest(
  request: Request,
  extra: { clientIP?: string } = {},
): ProtocolRequest {
  return {
    method: request.method,
    headers: request.headers,
    url: request.url,
    body: request.body,
    ...(extra.clientIP === undefined ? {} : { clientIP: extra.clientIP }),
  };
}

/** A Web `Response` for a {@link ProtocolAnswer}. */
export function toWebResponse(answer: ProtocolAnswer): Response {
  return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
    status: answer.status,
    headers: answer.headers,
  });
}
