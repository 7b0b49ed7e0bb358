import { describe, expect, it } from 'vitest';
import { ErrorCode, StoreUnavailableError, TingTingAuthError } from '../../src/errors.js';
import {
  createOTPProtocol,
  fromWebRequest,
  type ProtocolRequest,
  resolveProtocolOptions,
  retryAfterOf,
  toWebResponse,
} from '../../src/protocol/index.js';
import { DELIVERY_UNKNOWN_MESSAGE } from '../../src/public-errors.js';
import { makeEngine } from '../helpers.js';

const PHONE = '9841000001';

function json(fields: unknown, headers: Record<string, string> = {}): ProtocolRequest {
  const text = JSON.stringify(fields);
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'content-length': String(text.length),
      ...headers,
    },
    body: new TextEncoder().encode(text),
  };
}

function setup(answer?: NonNullable<Parameters<typeof makeEngine>[0]>['answer']) {
  const rig = makeEngine(answer === undefined ? {} : { answer });
  const otp = createOTPProtocol(resolveProtocolOptions('test', { engine: rig.engine }));
  return { ...rig, otp };
}

describe('send', () => {
  it('202 with the pending code, no code in the answer; the value is the engine result', async () => {
    const { otp, sender } = setup();
    const result = await otp.send(json({ phone: PHONE }));
    expect(result.ok).toBe(true);
    expect(result.answer.status).toBe(202);
    expect(result.answer.headers).toMatchObject({ 'cache-control': 'no-store' });
    expect(Object.keys(result.answer.body as object).sort()).toEqual([
      'channel',
      'expiresAt',
      'phone',
      'resendAt',
    ]);
    expect(JSON.stringify(result.answer)).not.toContain(sender.last().code);
  });

  it('an unknown delivery is a 202 with delivery: unknown and an honest message; the code works', async () => {
    const { otp, sender, clock } = setup(async () => {
      throw new TingTingAuthError(ErrorCode.UNKNOWN_OUTCOME, 'answer lost');
    });
    const result = await otp.send(json({ phone: PHONE }));
    expect(result.answer.status).toBe(202);
    expect(result.answer.body).toMatchObject({
      delivery: 'unknown',
      message: DELIVERY_UNKNOWN_MESSAGE,
    });
    clock.advance(1_000);
    const verified = await otp.verify(json({ phone: PHONE, code: sender.last().code }));
    expect(verified.answer.status).toBe(200);
  });

  it('a definite delivery failure is 502 DELIVERY_FAILED with the cause kept for logs', async () => {
    const cause = new Error('refused');
    const { otp } = setup(async () => {
      throw cause;
    });
    const result = await otp.send(json({ phone: PHONE }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.answer.status).toBe(502);
    expect(result.error.code).toBe('DELIVERY_FAILED');
    expect((result.error.cause as Error).cause).toBe(cause);
  });

  it('a thrown store error is 503 with Retry-After: 30', async () => {
    const { otp, store } = setup();
    store.issue = async () => {
      throw new StoreUnavailableError();
    };
    const result = await otp.send(json({ phone: PHONE }));
    expect(result.answer).toMatchObject({ status: 503, headers: { 'retry-after': '30' } });
  });

  it('the cooldown is 429 RATE_LIMITED with a whole-second Retry-After', async () => {
    const { otp } = setup();
    await otp.send(json({ phone: PHONE }));
    const again = await otp.send(json({ phone: PHONE }));
    expect(again.answer.status).toBe(429);
    expect(again.answer.body).toEqual({
      error: { code: 'RATE_LIMITED', message: expect.any(String) },
    });
    expect(again.answer.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
  });

  it('refuses other methods with 405 and Allow: POST', async () => {
    const { otp, sender } = setup();
    const result = await otp.send({ ...json({ phone: PHONE }), method: 'GET' });
    expect(result.answer).toMatchObject({ status: 405, headers: { allow: 'POST' } });
    expect(sender.deliveries).toHaveLength(0);
  });

  it('refuses a cross-site request before reading the body', async () => {
    const { otp } = setup();
    let read = false;
    const result = await otp.send({
      method: 'POST',
      headers: {
        'sec-fetch-site': 'cross-site',
        'content-type': 'application/json',
        'content-length': '2',
      },
      body: async () => {
        read = true;
        return new TextEncoder().encode('{}');
      },
    });
    expect(result.answer.status).toBe(403);
    expect(read).toBe(false);
  });
});

describe('fields', () => {
  const cases: [string, ProtocolRequest, number, string][] = [
    ['no body', { method: 'POST', headers: {} }, 400, 'INVALID_REQUEST'],
    [
      'text/plain',
      { ...json({ phone: PHONE }), headers: { 'content-type': 'text/plain' } },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'JSON in UTF-16',
      json({ phone: PHONE }, { 'content-type': 'application/json; charset=utf-16' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['gzip', json({ phone: PHONE }, { 'content-encoding': 'gzip' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    [
      'multipart',
      json({ phone: PHONE }, { 'content-type': 'multipart/form-data; boundary=b' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a declared length over the cap',
      json({ phone: PHONE }, { 'content-length': '4097' }),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    [
      'a body over the cap',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: new Uint8Array(4097),
      },
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    [
      'broken JSON',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: new TextEncoder().encode('{"phone":'),
      },
      400,
      'MALFORMED_BODY',
    ],
    [
      'bad UTF-8',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: new Uint8Array([0x7b, 0xff, 0x7d]),
      },
      400,
      'MALFORMED_BODY',
    ],
    ['a JSON array', json([PHONE]), 400, 'INVALID_REQUEST'],
    ['a number phone', json({ phone: 9841000001 }), 400, 'INVALID_REQUEST'],
    [
      'a repeated form field',
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new TextEncoder().encode(`phone=${PHONE}&phone=${PHONE}`),
      },
      400,
      'INVALID_REQUEST',
    ],
    [
      'a form of 21 fields',
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new TextEncoder().encode(`phone=${PHONE}${'&x=1'.repeat(20)}`),
      },
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    ['a host-parsed array', { method: 'POST', headers: {}, fields: [] }, 400, 'INVALID_REQUEST'],
  ];
  it.each(cases)('%s: %i %s', async (_name, request, status, code) => {
    const { otp, sender } = setup();
    const result = await otp.send(request);
    expect(result.answer.status).toBe(status);
    expect(result.answer.body).toMatchObject({ error: { code } });
    expect(sender.deliveries).toHaveLength(0);
  });

  it('reads a UTF-8 form, a JSON body with a BOM, a host-parsed body and a Web Request alike', async () => {
    const requests: ProtocolRequest[] = [
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
        body: new TextEncoder().encode(`phone=${PHONE}&channel=voice`),
      },
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: new Uint8Array([
          0xef,
          0xbb,
          0xbf,
          ...new TextEncoder().encode(`{"phone":"${PHONE}","channel":"voice"}`),
        ]),
      },
      { method: 'POST', headers: {}, fields: { phone: PHONE, channel: 'voice' } },
      fromWebRequest(
        new Request('http://localhost/send', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ phone: PHONE, channel: 'voice' }),
        }),
      ),
    ];
    for (const request of requests) {
      const { otp } = setup();
      const result = await otp.send(request);
      expect(result.answer.body).toMatchObject({ phone: `+977${PHONE}`, channel: 'voice' });
    }
  });

  it('toWebResponse carries status, headers and JSON', async () => {
    const { otp } = setup();
    const response = toWebResponse((await otp.send(json({}))).answer);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toMatchObject({ error: { code: 'INVALID_REQUEST' } });
  });
});

describe('verify and sign out', () => {
  it('200 { phone, verifiedAt } and the verified phone as the value; wrong code 401', async () => {
    const { otp, sender, clock } = setup();
    await otp.send(json({ phone: PHONE }));
    clock.advance(1_000);
    const wrong = await otp.verify(
      json({ phone: PHONE, code: sender.last().code === '000000' ? '111111' : '000000' }),
    );
    expect(wrong.answer).toMatchObject({ status: 401, body: { error: { code: 'INVALID_CODE' } } });
    const right = await otp.verify(json({ phone: PHONE, code: sender.last().code }));
    expect(right).toMatchObject({ ok: true, value: { phone: `+977${PHONE}`, purpose: 'sign-in' } });
    expect(Object.keys(right.answer.body as object).sort()).toEqual(['phone', 'verifiedAt']);
  });

  it('sign out answers 204 without a body, after the checks', () => {
    const { otp } = setup();
    expect(otp.signOut({ method: 'POST', headers: {} }).answer).toMatchObject({
      status: 204,
      body: undefined,
    });
    expect(
      otp.signOut({ method: 'POST', headers: { origin: 'https://evil.example', host: 'app' } })
        .answer.status,
    ).toBe(403);
  });
});

describe('options', () => {
  const { engine } = makeEngine();
  it.each([
    [
      { engine, purpse: 'x' },
      /^test: unknown option `purpse`; known options: engine, purpose, crossSiteProtection, allowedOrigins, allowRequestsWithoutOrigin, maxBodyInBytes$/,
    ],
    [{ engine, trustproxy: true }, /unknown option `trustproxy`/],
    [{ engine: {} }, /`engine` must be an OTPEngine/],
    [{ engine, purpose: 'a b' }, /`purpose` must be/],
    [{ engine, allowedOrigins: ['https://app.example.com/login'] }, /no path/],
    [{ engine, allowedOrigins: 'https://app.example.com' }, /array/],
    [{ engine, maxBodyInBytes: 10 }, /maxBodyInBytes/],
    [{ engine, crossSiteProtection: () => {} }, /crossSiteProtection/],
  ])('%o is refused', (options, message) => {
    expect(() => resolveProtocolOptions('test', options)).toThrow(TypeError);
    expect(() => resolveProtocolOptions('test', options)).toThrow(message);
  });

  it('trustProxy must be a boolean, only where the adapter reads the IP from headers', () => {
    expect(() =>
      resolveProtocolOptions('test', { engine, trustProxy: 'yes' }, { clientIPFromHeaders: true }),
    ).toThrow(/`trustProxy` must be a boolean/);
    expect(() => resolveProtocolOptions('test', { engine, trustProxy: true })).toThrow(
      /unknown option `trustProxy`/,
    );
    const resolved = resolveProtocolOptions(
      'test',
      { engine, trustProxy: true, allowedOrigins: ['https://App.example.com/'] },
      { clientIPFromHeaders: true },
    );
    expect(resolved).toMatchObject({
      trustProxy: true,
      ipHeader: 'x-forwarded-for',
      maxBodyInBytes: 4096,
    });
    expect([...resolved.allowedOrigins]).toEqual(['https://app.example.com']);
  });

  it('checks the kinds of adapter options with one message', () => {
    const spec = {
      adapterOptions: { onVerified: 'function', name: 'string', rateLimit: 'object|false' },
    } as const;
    expect(() => resolveProtocolOptions('x', { engine, onVerified: 'yes' }, spec)).toThrow(
      'x: `onVerified` must be a function',
    );
    expect(() => resolveProtocolOptions('x', { engine, name: 1 }, spec)).toThrow(
      'must be a string',
    );
    expect(() => resolveProtocolOptions('x', { engine, rateLimit: null }, spec)).toThrow(
      '`rateLimit` must be an object or false',
    );
    expect(() =>
      resolveProtocolOptions('x', { engine, rateLimit: false, name: 'n', onVerified() {} }, spec),
    ).not.toThrow();
    expect(() => resolveProtocolOptions('x', { engine, nmae: 'n' }, spec)).toThrow(
      'known options: engine, purpose, crossSiteProtection, allowedOrigins, allowRequestsWithoutOrigin, maxBodyInBytes, onVerified, name, rateLimit',
    );
  });

  it('lists the adapter options and takes the engine as an argument', () => {
    expect(() =>
      resolveProtocolOptions('x', { engine }, { engine, adapterOptions: ['onVerified'] }),
    ).toThrow(
      'x: unknown option `engine`; known options: purpose, crossSiteProtection, allowedOrigins, allowRequestsWithoutOrigin, maxBodyInBytes, onVerified',
    );
    expect(resolveProtocolOptions('x', undefined, { engine }).engine).toBe(engine);
  });
});

describe('retryAfterOf', () => {
  it('rounds up, at least 1; defaults for 429 and 503; none for other codes', () => {
    expect(retryAfterOf('RATE_LIMITED', 0.2)).toBe(1);
    expect(retryAfterOf('LOCKED', 61.01)).toBe(62);
    expect(retryAfterOf('RATE_LIMITED')).toBe(60);
    expect(retryAfterOf('SERVICE_UNAVAILABLE')).toBe(30);
    expect(retryAfterOf('INVALID_CODE', 5)).toBeUndefined();
  });
});
