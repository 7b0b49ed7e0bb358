import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a handler answers; written by {@link writeAnswer}. */
export interface Answer {
  readonly status: number;
  /** JSON body; ignored when `raw` is set. */
  readonly body?: unknown;
  /** A body written as is (HTML, truncated JSON, …). */
  readonly raw?: string | Buffer;
  readonly contentType?: string;
  readonly headers?: Record<string, string | readonly string[]>;
}

/** Django REST Framework's default answer headers, which a real TingTing response carries. */
export const DRF_HEADERS: Record<string, string> = {
  vary: 'Accept, Cookie',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
};

export function json(
  status: number,
  body: unknown,
  headers?: Record<string, string | readonly string[]>,
): Answer {
  return headers === undefined ? { status, body } : { status, body, headers };
}

export function writeAnswer(
  response: ServerResponse,
  answer: Answer,
  isHead = false,
  baseHeaders: Record<string, string> = DRF_HEADERS,
): void {
  if (response.destroyed || response.headersSent) return;
  const payload =
    answer.raw !== undefined
      ? Buffer.isBuffer(answer.raw)
        ? answer.raw
        : Buffer.from(answer.raw, 'utf8')
      : answer.body === undefined
        ? Buffer.alloc(0)
        : Buffer.from(JSON.stringify(answer.body), 'utf8');
  response.statusCode = answer.status;
  for (const [name, value] of Object.entries(baseHeaders)) response.setHeader(name, value);
  if (payload.length > 0 || answer.raw !== undefined) {
    response.setHeader('content-type', answer.contentType ?? 'application/json');
  }
  response.setHeader('content-length', payload.length);
  for (const [name, value] of Object.entries(answer.headers ?? {})) {
    response.setHeader(name, value as string | string[]);
  }
  response.end(isHead ? undefined : payload);
}

/** Thrown while reading a body larger than the fake accepts. */
export class BodyTooLargeError extends Error {}

/** Reads the whole request body, up to `limitInBytes`. */
export async function readBody(request: IncomingMessage, limitInBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Keep reading (and discarding) so the client is not cut off mid-upload.
    if (size > limitInBytes) tooLarge = true;
    else chunks.push(chunk);
  }
  if (tooLarge) throw new BodyTooLargeError();
  return Buffer.concat(chunks);
}

/** The outcome of parsing a request body the way DRF's default parsers do. */
export type ParsedBody =
  | { readonly ok: true; readonly data: unknown }
  | { readonly ok: false; readonly answer: Answer };

/**
 * Parse like DRF's default parsers (JSON, form, multipart). An empty body is `{}`, as DRF's
 * `request.data` is for an empty stream.
 */
export async function parseBody(
  contentTypeHeader: string | undefined,
  raw: Buffer,
): Promise<ParsedBody> {
  if (raw.length === 0) return { ok: true, data: {} };
  const contentType = contentTypeHeader ?? '';
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
    try {
      return { ok: true, data: JSON.parse(raw.toString('utf8')) };
    } catch (error) {
      return {
        ok: false,
        answer: json(400, { detail: `JSON parse error - ${(error as Error).message}` }),
      };
    }
  }
  if (mediaType === 'application/x-www-form-urlencoded') {
    return { ok: true, data: Object.fromEntries(new URLSearchParams(raw.toString('utf8'))) };
  }
  if (mediaType === 'multipart/form-data') {
    try {
      const form = await new Response(new Uint8Array(raw), {
        headers: { 'content-type': contentType },
      }).formData();
      const data: Record<string, string> = {};
      for (const [key, value] of form) if (typeof value === 'string') data[key] = value;
      return { ok: true, data };
    } catch (error) {
      return {
        ok: false,
        answer: json(400, { detail: `Multipart form parse error - ${(error as Error).message}` }),
      };
    }
  }
  return {
    ok: false,
    answer: json(415, { detail: `Unsupported media type "${contentType}" in request.` }),
  };
}

/** Cookie header -> map (first value wins, as Django's cookie parsing keeps one). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    const name = part.slice(0, index).trim();
    if (name !== '' && !cookies.has(name)) cookies.set(name, part.slice(index + 1).trim());
  }
  return cookies;
}

/** A `Set-Cookie` value as Django writes it (`expires` and `Max-Age` both). */
export function setCookie(
  name: string,
  value: string,
  maxAgeInSeconds: number,
  nowInMilliseconds: number,
): string {
  const expires = new Date(nowInMilliseconds + maxAgeInSeconds * 1000).toUTCString();
  return `${name}=${value}; expires=${expires}; HttpOnly; Max-Age=${maxAgeInSeconds}; Path=/; SameSite=Lax`;
}

/** Django's production 404 page (DEBUG off), which is what an unknown path answers. */
export const NOT_FOUND_HTML =
  '\n<!doctype html>\n<html lang="en">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n';

/** What a proxy in front of the API answers when the upstream is down. */
export const PROXY_ERROR_HTML =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
