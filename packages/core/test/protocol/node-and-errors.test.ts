import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/errors.js';
import {
  clientIPFromHeaders,
  createOTPProtocol,
  fromNodeRequest,
  isTingTingHTTPError,
  refusalOf,
  resolveProtocolOptions,
  sendNodeAnswer,
  TingTingHTTPError,
} from '../../src/protocol/index.js';
import { makeEngine } from '../helpers.js';

/** A real Node server on port 0 that answers with the protocol's send; two requests per socket. */
async function serve(parsed?: unknown, settle?: (req: IncomingMessage) => Promise<void>) {
  const { engine, sender } = makeEngine();
  const otp = createOTPProtocol(resolveProtocolOptions('node', { engine, maxBodyInBytes: 64 }));
  const server = createServer(async (req, res) => {
    await settle?.(req);
    if (parsed !== undefined) Object.assign(req, { body: parsed });
    sendNodeAnswer(res, (await otp.send(fromNodeRequest(req))).answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const post = (body: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          port,
          host: '127.0.0.1',
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk) => {
            text += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return { post, sender, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('fromNodeRequest / sendNodeAnswer', () => {
  it('reads a Node stream with the cap, and a chunked body past it is read off (413, then the next request works)', async () => {
    const app = await serve();
    try {
      const huge = await app.post(`{"phone":"${'9'.repeat(500)}"}`, {
        'transfer-encoding': 'chunked',
      });
      expect(huge.status).toBe(413);
      const ok = await app.post('{"phone":"9841000001"}');
      expect(ok.status).toBe(202);
      expect(JSON.parse(ok.text)).toMatchObject({ phone: '+9779841000001' });
      expect(app.sender.deliveries).toHaveLength(1);
    } finally {
      await app.close();
    }
  });

  it('takes req.body when a parser ran', async () => {
    const app = await serve({ phone: '9841000002' });
    try {
      expect((await app.post('ignored')).status).toBe(202);
    } finally {
      await app.close();
    }
  });

  it('counts an Express 4 {} over an unread stream as not parsed, also once the whole body has arrived', async () => {
    // Express 4 with only `express.urlencoded()` and a JSON post: the parser skips the type and
    // leaves `{}` over an unread stream. A small body arrives with the headers, so by the time the
    // route runs the HTTP parser already has all of it (`req.complete`), yet nobody has read it.
    const app = await serve({}, async (req) => {
      const started = Date.now();
      while (!req.complete && Date.now() - started < 5_000) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(req.complete).toBe(true);
      expect(req.readableDidRead).toBe(false);
    });
    try {
      const answer = await app.post('{"phone":"9841000003"}');
      expect(answer.status).toBe(202);
      expect(app.sender.deliveries).toHaveLength(1);
    } finally {
      await app.close();
    }
  });

  it('counts an Express 4 {} over an unread stream as not parsed', () => {
    const req = Object.assign(Object.create(null), {
      method: 'POST',
      headers: { 'content-length': '10' },
      body: {},
      complete: false,
      ip: '203.0.113.1',
    });
    const mapped = fromNodeRequest(req);
    expect(mapped.body).toBe(req);
    expect(mapped.fields).toBeUndefined();
    expect(mapped.clientIP).toBe('203.0.113.1');
  });
});

describe('TingTingHTTPError', () => {
  it('is http-errors shaped, from a refusal, with the engine error as cause only', () => {
    const cause = new StoreUnavailableError();
    const error = TingTingHTTPError.fromRefusal(refusalOf('SERVICE_UNAVAILABLE', { cause }));
    expect(error).toMatchObject({
      status: 503,
      statusCode: 503,
      expose: false,
      code: 'SERVICE_UNAVAILABLE',
      headers: { 'Retry-After': '30' },
      message: 'OTP engine failed: STORE_UNAVAILABLE',
    });
    expect(error.cause).toBe(cause);
    expect(JSON.stringify(error)).not.toContain('STORE_UNAVAILABLE');
    expect(isTingTingHTTPError(error)).toBe(true);
    const copy = Object.assign(new Error('x'), { name: 'TingTingHTTPError', code: 'LOCKED' });
    expect(isTingTingHTTPError(copy)).toBe(true);
    expect(isTingTingHTTPError(Object.assign(new Error('x'), { code: 'LOCKED' }))).toBe(false);
    expect(inspect(new TingTingHTTPError('INVALID_CODE'))).not.toMatch(/\d{6}/);
  });
});

describe('clientIPFromHeaders', () => {
  it('reads the first entry of the header only with trustProxy', () => {
    const headers = { 'x-forwarded-for': ' 203.0.113.5 , 10.0.0.1' };
    expect(clientIPFromHeaders(headers, { trustProxy: false, ipHeader: 'x-forwarded-for' })).toBe(
      undefined,
    );
    expect(clientIPFromHeaders(headers, { trustProxy: true, ipHeader: 'x-forwarded-for' })).toBe(
      '203.0.113.5',
    );
    expect(clientIPFromHeaders({}, { trustProxy: true, ipHeader: 'x-forwarded-for' })).toBe(
      undefined,
    );
    expect(
      clientIPFromHeaders(
        { 'x-real-ip': 'x'.repeat(65) },
        { trustProxy: true, ipHeader: 'x-real-ip' },
      ),
    ).toBe(undefined);
  });
});
