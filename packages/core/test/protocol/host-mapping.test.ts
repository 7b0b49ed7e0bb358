/**
 * The host mappings in detail: fromNodeRequest (parsed body vs stream, Express 4's skipped-parser
 * `{}`, client IP, method), sendNodeAnswer, fromWebRequest / toWebResponse, clientIPFromHeaders.
 */
import { describe, expect, it } from 'vitest';
import {
  clientIPFromHeaders,
  fromNodeRequest,
  fromWebRequest,
  type NodeRequest,
  sendNodeAnswer,
  toWebResponse,
} from '../../src/protocol/index.js';

function nodeRequest(fields: Record<string, unknown>): NodeRequest {
  return { headers: {}, method: 'POST', ...fields } as unknown as NodeRequest;
}

describe('fromNodeRequest', () => {
  it('a parsed body is the fields; no body means the stream is read', () => {
    const body = { phone: '1' };
    const req = nodeRequest({ body, headers: { 'content-length': '12' }, readableDidRead: true });
    expect(fromNodeRequest(req)).toStrictEqual({
      method: 'POST',
      headers: { 'content-length': '12' },
      fields: body,
    });
    const raw = nodeRequest({ headers: { 'content-length': '12' } });
    const mapped = fromNodeRequest(raw);
    expect(mapped.body).toBe(raw);
    expect(Object.hasOwn(mapped, 'fields')).toBe(false);
  });

  it("Express 4's {} over an unread announced body counts as not parsed", () => {
    const cases: [Record<string, unknown>, 'stream' | 'fields'][] = [
      // Unread (readableDidRead false), a body announced by length or chunking: the stream.
      [{ body: {}, headers: { 'content-length': '5' }, readableDidRead: false }, 'stream'],
      [{ body: {}, headers: { 'transfer-encoding': 'chunked' }, readableDidRead: false }, 'stream'],
      // Older Node without readableDidRead: `complete` decides.
      [{ body: {}, headers: { 'content-length': '5' }, complete: false }, 'stream'],
      [{ body: {}, headers: { 'content-length': '5' } }, 'stream'],
      [{ body: {}, headers: { 'content-length': '5' }, complete: true }, 'fields'],
      // readableDidRead wins over complete.
      [
        { body: {}, headers: { 'content-length': '5' }, readableDidRead: false, complete: true },
        'stream',
      ],
      [
        { body: {}, headers: { 'content-length': '5' }, readableDidRead: true, complete: false },
        'fields',
      ],
      // The stream was read: the parser ran and found nothing.
      [{ body: {}, headers: { 'content-length': '5' }, readableDidRead: true }, 'fields'],
      // No body announced: {} is what was sent.
      [{ body: {}, headers: {}, readableDidRead: false }, 'fields'],
      [{ body: {}, headers: { 'content-length': '0' }, readableDidRead: false }, 'fields'],
      [{ body: {}, headers: { 'content-length': 'x' }, readableDidRead: false }, 'fields'],
      // A body with keys, or not an object, is parsed.
      [{ body: { a: '1' }, headers: { 'content-length': '5' }, readableDidRead: false }, 'fields'],
      [{ body: 'text', headers: { 'content-length': '5' }, readableDidRead: false }, 'fields'],
      [{ body: null, headers: { 'content-length': '5' }, readableDidRead: false }, 'fields'],
    ];
    for (const [fields, expected] of cases) {
      const req = nodeRequest(fields);
      const mapped = fromNodeRequest(req);
      if (expected === 'stream') {
        expect(mapped.body, JSON.stringify(fields)).toBe(req);
        expect(Object.hasOwn(mapped, 'fields')).toBe(false);
      } else {
        expect(mapped.fields, JSON.stringify(fields)).toBe(fields.body);
        expect(Object.hasOwn(mapped, 'body')).toBe(false);
      }
    }
  });

  it("the client IP: the host's, else Express's req.ip when a string; the method, else POST", () => {
    expect(fromNodeRequest(nodeRequest({ ip: '192.0.2.1', body: {} })).clientIP).toBe('192.0.2.1');
    expect(
      fromNodeRequest(nodeRequest({ ip: '192.0.2.1', body: {} }), { clientIP: '198.51.100.2' })
        .clientIP,
    ).toBe('198.51.100.2');
    const noIP = fromNodeRequest(nodeRequest({ ip: 5, body: {} }));
    expect(Object.hasOwn(noIP, 'clientIP')).toBe(false);
    expect(fromNodeRequest(nodeRequest({ method: undefined, body: {} })).method).toBe('POST');
    expect(fromNodeRequest(nodeRequest({ method: 'GET', body: {} })).method).toBe('GET');
  });

  it('trustForwardedHost only when the host says', () => {
    const plain = fromNodeRequest(nodeRequest({ body: {} }));
    expect(Object.hasOwn(plain, 'trustForwardedHost')).toBe(false);
    expect(fromNodeRequest(nodeRequest({ body: {} }), { trustForwardedHost: false })).toMatchObject(
      {
        trustForwardedHost: false,
      },
    );
    expect(
      fromNodeRequest(nodeRequest({ body: {} }), { trustForwardedHost: true }).trustForwardedHost,
    ).toBe(true);
  });
});

describe('sendNodeAnswer', () => {
  function response() {
    const written: { status?: number; headers?: Record<string, unknown>; text?: string } = {};
    const res = {
      writeHead(status: number, headers: Record<string, unknown>) {
        written.status = status;
        written.headers = headers;
      },
      end(text: string) {
        written.text = text;
      },
    };
    return { res: res as never, written };
  }

  it('one writeHead with the headers and the byte length, then the JSON', () => {
    const { res, written } = response();
    sendNodeAnswer(res, { status: 200, headers: { 'x-a': 'b' }, body: { name: 'नेपाल' } });
    expect(written).toEqual({
      status: 200,
      headers: { 'x-a': 'b', 'content-length': Buffer.byteLength('{"name":"नेपाल"}') },
      text: '{"name":"नेपाल"}',
    });
  });

  it('no body: an empty text of length 0', () => {
    const { res, written } = response();
    sendNodeAnswer(res, { status: 204, headers: { 'cache-control': 'no-store' }, body: undefined });
    expect(written).toEqual({
      status: 204,
      headers: { 'cache-control': 'no-store', 'content-length': 0 },
      text: '',
    });
  });
});

describe('fromWebRequest / toWebResponse', () => {
  it('method, headers, URL, the unread body, and the client IP when given', () => {
    const request = new Request('https://app.example/api/send', {
      method: 'POST',
      body: '{"phone":"1"}',
      headers: { 'content-type': 'application/json' },
    });
    const mapped = fromWebRequest(request);
    expect(mapped).toStrictEqual({
      method: 'POST',
      headers: request.headers,
      url: 'https://app.example/api/send',
      body: request.body,
    });
    expect(fromWebRequest(request, { clientIP: '192.0.2.3' }).clientIP).toBe('192.0.2.3');
  });

  it('a Response with the status, the headers and the JSON, or no body', async () => {
    const response = toWebResponse({
      status: 202,
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-a': 'b' },
      body: { ok: 1 },
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('x-a')).toBe('b');
    expect(await response.text()).toBe('{"ok":1}');
    const empty = toWebResponse({ status: 204, headers: {}, body: undefined });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    const nullBody = toWebResponse({ status: 200, headers: {}, body: null });
    expect(await nullBody.text()).toBe('null');
  });
});

describe('clientIPFromHeaders', () => {
  const trusted = { trustProxy: true, ipHeader: 'x-forwarded-for' };

  it('never without trustProxy', () => {
    expect(
      clientIPFromHeaders({ 'x-forwarded-for': '192.0.2.1' }, { ...trusted, trustProxy: false }),
    ).toBeUndefined();
  });

  it('the first entry, trimmed; nothing for a missing, empty or over-long one', () => {
    expect(clientIPFromHeaders({ 'x-forwarded-for': ' 192.0.2.1 , 10.0.0.1' }, trusted)).toBe(
      '192.0.2.1',
    );
    expect(clientIPFromHeaders({ 'x-forwarded-for': ['198.51.100.1', '10.0.0.1'] }, trusted)).toBe(
      '198.51.100.1',
    );
    expect(clientIPFromHeaders(new Headers({ 'X-Forwarded-For': '192.0.2.9' }), trusted)).toBe(
      '192.0.2.9',
    );
    expect(clientIPFromHeaders({}, trusted)).toBeUndefined();
    expect(clientIPFromHeaders({ 'x-forwarded-for': '' }, trusted)).toBeUndefined();
    expect(clientIPFromHeaders({ 'x-forwarded-for': '  , 10.0.0.1' }, trusted)).toBeUndefined();
    expect(clientIPFromHeaders({ 'x-forwarded-for': 'a'.repeat(64) }, trusted)).toBe(
      'a'.repeat(64),
    );
    expect(clientIPFromHeaders({ 'x-forwarded-for': 'a'.repeat(65) }, trusted)).toBeUndefined();
    expect(
      clientIPFromHeaders(
        { 'x-real-ip': '192.0.2.4' },
        { trustProxy: true, ipHeader: 'x-real-ip' },
      ),
    ).toBe('192.0.2.4');
  });
});
