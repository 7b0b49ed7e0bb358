/**
 * Node `http` in and out (Express, Passport, Next.js Pages API routes): the request as a
 * {@link ProtocolRequest}, the answer written to a `ServerResponse`.
 *
 * @packageDocumentation
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProtocolAnswer } from './answers.js';
import type { ProtocolRequest } from './otp-handlers.js';

/** A Node request, with what a framework may have added (`body` from a parser, Express's `ip`). */
export type NodeRequest = IncomingMessage & { body?: unknown; ip?: unknown };

/**
 * A {@link ProtocolRequest} for a Node request: `req.body` when a parser ran, else the stream
 * itself (read by core's rules). Express 4's parsers leave `{}` and an unread stream for a content
 * type they skip: that counts as not parsed. `clientIP` defaults to `req.ip` (Express).
 */
export function fromNodeRequest(
  req: NodeRequest,
  extra: { clientIP?: string; trustForwardedHost?: boolean } = {},
): ProtocolRequest {
  const { body, headers } = req;
  const streamed =
    headers['transfer-encoding'] !== undefined || Number(headers['content-length']) > 0;
  // `readableDidRead`, not `complete`: a small body often arrives with the headers, so the parser
  // has it all (`complete`) before anyone reads it; what tells a skipped parser is an unread stream.
  const unread =
    typeof req.readableDidRead === 'boolean' ? !req.readableDidRead : req.complete !== true;
  const skipped =
    streamed && unread && typeof body === 'object' && body !== null && !Object.keys(body).length;
  const clientIP = extra.clientIP ?? (typeof req.ip === 'string' ? req.ip : undefined);
  return {
    method: req.method ?? 'POST',
    headers,
    ...(clientIP === undefined ? {} : { clientIP }),
    ...(extra.trustForwardedHost === undefined
      ? {}
      : { trustForwardedHost: extra.trustForwardedHost }),
    ...(body !== undefined && !skipped ? { fields: body } : { body: req }),
  };
}

/** Write a {@link ProtocolAnswer} to a Node response: one `writeHead` with a known length. */
export function sendNodeAnswer(res: ServerResponse, answer: ProtocolAnswer): void {
  const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
  res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
