/**
 * Reading a request's fields: from a body the host already parsed, or from the raw body with one
 * byte cap and one set of content-type rules for every adapter.
 *
 * @packageDocumentation
 */

import { headerOf, type RequestHeaders } from '../cross-site.js';
import { concatBytes, readStreamCapped } from '../http/capped-bytes.js';
import { type ProtocolRefusal, refusalOf } from './answers.js';

/**
 * A raw body: bytes, a Web stream (`request.body`, cancelled past the cap), a Node request or
 * any async iterable of bytes (read to its end past the cap, as body-parser does, so a keep-alive
 * socket stays usable), or a function that reads the host's own stream with the cap it is given
 * and rejects with an error whose `status` is 413 when the body is larger.
 */
export type ProtocolBody =
  | Uint8Array
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | ((maxBodyInBytes: number) => Promise<Uint8Array>)
  | null;

/** The fields of a request: own properties only, values as the body carried them. */
export type ProtocolFields = Readonly<Record<string, unknown>>;

/** What {@link readFields} returns: the fields, or the refusal to answer with. */
export type FieldsResult =
  | { ok: true; fields: ProtocolFields }
  | { ok: false; error: ProtocolRefusal };

/** Form fields: more parts than this is refused (413), as a form parser's `parameterLimit`. */
export const MAX_FORM_PARTS = 20;

const TOO_LARGE = Symbol('too large');

function refused(code: Parameters<typeof refusalOf>[0]): FieldsResult {
  return { ok: false, error: refusalOf(code) };
}

interface MediaType {
  type: string;
  charset: string | undefined;
}

function mediaTypeOf(value: string): MediaType {
  const [type = '', ...parameters] = value.split(';');
  let charset: string | undefined;
  for (const parameter of parameters) {
    const equals = parameter.indexOf('=');
    if (equals === -1) continue;
    if (parameter.slice(0, equals).trim().toLowerCase() !== 'charset') continue;
    charset = parameter
      .slice(equals + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
  }
  return { type: type.trim().toLowerCase(), charset };
}

function isUTF8(charset: string | undefined): boolean {
  return charset === undefined || charset === 'utf-8' || charset === 'utf8';
}

function hasBodyHeaders(headers: RequestHeaders): boolean {
  const length = headerOf(headers, 'content-length');
  return (
    headerOf(headers, 'transfer-encoding') !== undefined || (length !== undefined && length !== '0')
  );
}

async function readIterable(
  body: AsyncIterable<Uint8Array>,
  maxBytes: number,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Past the cap the rest is read and dropped: stopping would leave the socket unusable.
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size <= maxBytes) chunks.push(chunk);
  }
  if (size > maxBytes) throw TOO_LARGE;
  return concatBytes(chunks, size);
}

async function readStream(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<Uint8Array> {
  const bytes = await readStreamCapped(stream, maxBytes);
  if (bytes === 'too-large') throw TOO_LARGE;
  return bytes;
}

async function readBytes(body: Exclude<ProtocolBody, null>, maxBytes: number): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    if (typeof body === 'function') bytes = await body(maxBytes);
    else if (body instanceof Uint8Array) bytes = body;
    else if (typeof (body as ReadableStream).getReader === 'function') {
      bytes = await readStream(body as ReadableStream<Uint8Array>, maxBytes);
    } else bytes = await readIterable(body as AsyncIterable<Uint8Array>, maxBytes);
  } catch (error) {
    const status = (error as { status?: unknown; statusCode?: unknown } | null) ?? {};
    if (error === TOO_LARGE || status.status === 413 || status.statusCode === 413) throw TOO_LARGE;
    throw error;
  }
  if (bytes.byteLength > maxBytes) throw TOO_LARGE;
  return bytes;
}

function parseForm(text: string): FieldsResult {
  // No prototype: a field named `constructor` or `__proto__` is a field like any other.
  const fields: Record<string, unknown> = Object.create(null);
  let parts = 0;
  for (const [key, value] of new URLSearchParams(text)) {
    if (++parts > MAX_FORM_PARTS) return refused('PAYLOAD_TOO_LARGE');
    const seen = fields[key];
    // A repeated field is ambiguous: it becomes a list, which the field checks refuse.
    fields[key] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return { ok: true, fields };
}

/**
 * The request's fields, or the refusal to answer with. With `parsed` (the host parsed the body
 * already), only its shape is checked. Otherwise, the rules, in order:
 *
 * 1. no body: 400 `INVALID_REQUEST` (a missing field, not a malformed one);
 * 2. a `Content-Encoding` other than `identity`, or a type other than `application/json` and
 *    `application/x-www-form-urlencoded`, or a charset other than UTF-8: 415 `UNSUPPORTED_MEDIA_TYPE`;
 * 3. a declared or actual size over `maxBodyInBytes`, or more than {@link MAX_FORM_PARTS} form
 *    fields: 413 `PAYLOAD_TOO_LARGE`;
 * 4. bytes that are not UTF-8 (a BOM is allowed), broken JSON, a bare JSON scalar: 400 `MALFORMED_BODY`;
 * 5. an array (or a host-parsed value that is not an object): 400 `INVALID_REQUEST`.
 */
export async function readFields(
  request: { headers: RequestHeaders; fields?: unknown; body?: ProtocolBody },
  maxBodyInBytes: number,
): Promise<FieldsResult> {
  let value: unknown;
  if (request.fields !== undefined) {
    value = request.fields;
  } else {
    const body = request.body ?? null;
    // A function or a Node stream is asked for bytes only when the headers announce a body.
    const given =
      body instanceof Uint8Array ||
      typeof (body as ReadableStream | null)?.getReader === 'function';
    if (body === null || (!given && !hasBodyHeaders(request.headers))) {
      return refused('INVALID_REQUEST');
    }
    const encoding = headerOf(request.headers, 'content-encoding')?.trim().toLowerCase();
    const { type, charset } = mediaTypeOf(headerOf(request.headers, 'content-type') ?? '');
    const isJSON = type === 'application/json';
    if (
      (encoding !== undefined && encoding !== '' && encoding !== 'identity') ||
      (!isJSON && type !== 'application/x-www-form-urlencoded') ||
      !isUTF8(charset)
    ) {
      return refused('UNSUPPORTED_MEDIA_TYPE');
    }
    const declared = Number(headerOf(request.headers, 'content-length'));
    if (declared > maxBodyInBytes) return refused('PAYLOAD_TOO_LARGE');
    let bytes: Uint8Array;
    try {
      bytes = await readBytes(body, maxBodyInBytes);
    } catch (error) {
      if (error === TOO_LARGE) return refused('PAYLOAD_TOO_LARGE');
      // An aborted or broken upload: as unreadable as broken JSON.
      return refused('MALFORMED_BODY');
    }
    if (bytes.byteLength === 0) return refused('INVALID_REQUEST');
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return refused('MALFORMED_BODY');
    }
    if (!isJSON) return parseForm(text);
    try {
      value = JSON.parse(text);
    } catch {
      return refused('MALFORMED_BODY');
    }
    // Strict JSON bodies, as body-parser's `strict`: an object or an array, never a bare scalar.
    if (typeof value !== 'object' || value === null) return refused('MALFORMED_BODY');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return refused('INVALID_REQUEST');
  }
  return { ok: true, fields: value as ProtocolFields };
}
