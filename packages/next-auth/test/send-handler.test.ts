import { DeliveryFailedError } from '@tingting-auth/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSendHandler, type SendHandlerOptions } from '../src/index.js';
import { brokenStore, type MakeEngineOptions, makeEngine, PHONE, PHONE_E164 } from './helpers.js';

const URL_ = 'http://localhost:3000/api/auth/otp/send';

function setup(engineOptions: MakeEngineOptions = {}, handlerOptions: SendHandlerOptions = {}) {
  const made = makeEngine(engineOptions);
  const send = vi.spyOn(made.engine, 'send');
  const resend = vi.spyOn(made.engine, 'resend');
  const handler = createSendHandler(made.engine, { onError: () => {}, ...handlerOptions });
  return { ...made, handler, send, resend };
}

function post(body: BodyInit | null, headers: Record<string, string> = {}): Request {
  return new Request(URL_, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin', ...headers },
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
}

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(typeof body.error.message).toBe('string');
  return body.error;
}

describe('createSendHandler: success', () => {
  it('answers 202 with the number, channel and times for JSON, never the code', async () => {
    const { handler, deliveries, lastCode } = setup();
    const response = await handler(
      post(JSON.stringify({ phone: PHONE, channel: 'voice', voice: 'np_binod' })),
    );
    expect(response.status).toBe(202);
    expect(deliveries[0]?.voice).toBe('np_binod');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const text = await response.text();
    const body = JSON.parse(text) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['channel', 'expiresAt', 'phone', 'resendAt']);
    expect(body.phone).toBe(PHONE_E164);
    expect(body.channel).toBe('voice');
    expect(Date.parse(body.expiresAt!)).toBeGreaterThan(Date.now());
    expect(Date.parse(body.resendAt!)).toBeGreaterThan(Date.now());
    expect(deliveries).toHaveLength(1);
    expect(text).not.toContain(lastCode());
  });

  it('accepts URL-encoded form bodies', async () => {
    const { handler, deliveries } = setup();
    const form = await handler(
      post(new URLSearchParams({ phone: PHONE }), {
        'content-type': 'application/x-www-form-urlencoded',
      }),
    );
    expect(form.status).toBe(202);
    expect(((await form.json()) as { phone: string }).phone).toBe(PHONE_E164);
    expect(deliveries.map((d) => d.phone)).toEqual([PHONE_E164]);
  });

  it('calls engine.resend for resend: true', async () => {
    const { handler, resend, send } = setup({ policy: { resendCooldownInSeconds: 0 } } as never);
    expect((await handler(post(JSON.stringify({ phone: PHONE })))).status).toBe(202);
    expect((await handler(post(JSON.stringify({ phone: PHONE, resend: true })))).status).toBe(202);
    expect(send).toHaveBeenCalledTimes(1);
    expect(resend).toHaveBeenCalledTimes(1);
  });
});

describe('createSendHandler: refusals', () => {
  it.each([
    ['an invalid number', { phone: '12345' }],
    ['a landline outside the allowed ranges', { phone: '+97714412345' }],
  ])('400 INVALID_PHONE for %s', async (_, body) => {
    const { handler, deliveries } = setup();
    const response = await handler(post(JSON.stringify(body)));
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('INVALID_PHONE');
    expect(deliveries).toHaveLength(0);
  });

  it.each([
    ['an unknown channel', JSON.stringify({ phone: PHONE, channel: 'pigeon' })],
    ['an unknown voice', JSON.stringify({ phone: PHONE, channel: 'voice', voice: 'robot' })],
    ['a JSON array', JSON.stringify([PHONE])],
    // As the Express router answers them: a field of the wrong type or missing is a bad request.
    ['a phone that is not a string', JSON.stringify({ phone: 9841234567 })],
    ['no phone', '{}'],
    ['a channel that is not a string', JSON.stringify({ phone: PHONE, channel: null })],
    ['an empty body', ''],
  ])('400 INVALID_REQUEST for %s', async (_, body) => {
    const { handler, deliveries } = setup();
    const response = await handler(post(body));
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('INVALID_REQUEST');
    expect(deliveries).toHaveLength(0);
  });

  it.each([
    ['malformed JSON', '{"phone": "98'],
    ['bytes that are not UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])],
    // Strict JSON, as the Express router reads it: an object or an array, never a bare scalar.
    ['JSON null', 'null'],
    ['a JSON string', '"9841234567"'],
  ])('400 MALFORMED_BODY for %s', async (_, body) => {
    const { handler, deliveries } = setup();
    const response = await handler(post(body));
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('MALFORMED_BODY');
    expect(deliveries).toHaveLength(0);
  });

  it('400 INVALID_REQUEST for a repeated form field', async () => {
    const { handler } = setup();
    const response = await handler(
      post(`phone=${PHONE}&phone=9812345678`, {
        'content-type': 'application/x-www-form-urlencoded',
      }),
    );
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('INVALID_REQUEST');
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['no content type', undefined],
    // One set of content-type rules for every adapter: JSON and URL-encoded forms only, UTF-8 only.
    ['multipart/form-data', 'multipart/form-data; boundary=x'],
    ['a +json type', 'application/vnd.api+json'],
    ['JSON in Latin-1', 'application/json; charset=iso-8859-1'],
  ])('415 UNSUPPORTED_MEDIA_TYPE for %s', async (_, type) => {
    const { handler, send } = setup();
    const request = new Request(URL_, {
      method: 'POST',
      headers: type ? { 'content-type': type } : {},
      body: new TextEncoder().encode(JSON.stringify({ phone: PHONE })),
    });
    if (!type) request.headers.delete('content-type');
    const response = await handler(request);
    expect(response.status).toBe(415);
    expect((await errorOf(response)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(send).not.toHaveBeenCalled();
  });

  it('413 PAYLOAD_TOO_LARGE for a large body, declared or streamed without a length', async () => {
    const { handler, send } = setup({}, { maxBodyInBytes: 1024 });
    const big = JSON.stringify({ phone: PHONE, pad: 'x'.repeat(5000) });
    const declared = await handler(post(big));
    expect(declared.status).toBe(413);
    expect((await errorOf(declared)).code).toBe('PAYLOAD_TOO_LARGE');
    let pulls = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.enqueue(new Uint8Array(512).fill(0x20));
      },
    });
    const streamed = await handler(post(endless));
    expect(streamed.status).toBe(413);
    expect(pulls).toBeLessThan(10);
    expect(send).not.toHaveBeenCalled();
  });

  it('405 METHOD_NOT_ALLOWED for GET', async () => {
    const { handler } = setup();
    const response = await handler(new Request(URL_));
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect((await errorOf(response)).code).toBe('METHOD_NOT_ALLOWED');
  });

  it('429 RATE_LIMITED with Retry-After during the cooldown', async () => {
    const { handler, deliveries } = setup();
    expect((await handler(post(JSON.stringify({ phone: PHONE })))).status).toBe(202);
    const response = await handler(post(JSON.stringify({ phone: PHONE })));
    expect(response.status).toBe(429);
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await errorOf(response)).code).toBe('RATE_LIMITED');
    expect(deliveries).toHaveLength(1);
  });

  it('applies the per-IP cap to the proxy header only with trustProxy', async () => {
    const policy = { maxSendsPerIP: 2, resendCooldownInSeconds: 0 };
    const numbers = ['9841000001', '9841000002', '9841000003'];
    const headers = { 'x-forwarded-for': '203.0.113.7, 10.0.0.1' };

    const trusted = setup({ policy }, { trustProxy: true });
    const statuses = [];
    for (const phone of numbers) {
      statuses.push((await trusted.handler(post(JSON.stringify({ phone }), headers))).status);
    }
    expect(statuses).toEqual([202, 202, 429]);
    expect(trusted.send.mock.calls.map(([input]) => input?.ip)).toEqual([
      '203.0.113.7',
      '203.0.113.7',
      '203.0.113.7',
    ]);

    const untrusted = setup({ policy });
    for (const phone of numbers) {
      expect((await untrusted.handler(post(JSON.stringify({ phone }), headers))).status).toBe(202);
    }
    expect(untrusted.send.mock.calls.every(([input]) => input?.ip === undefined)).toBe(true);
  });

  it('503 SERVICE_UNAVAILABLE with Retry-After when the send budget is spent', async () => {
    const { handler } = setup({ policy: { sendBudget: 1 } });
    expect((await handler(post(JSON.stringify({ phone: PHONE })))).status).toBe(202);
    const response = await handler(post(JSON.stringify({ phone: '9812345678' })));
    expect(response.status).toBe(503);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await errorOf(response)).code).toBe('SERVICE_UNAVAILABLE');
  });

  it('503 SERVICE_UNAVAILABLE when the store is down, reporting the error to onError', async () => {
    const onError = vi.fn();
    const { handler } = setup({ store: brokenStore() }, { onError });
    const response = await handler(post(JSON.stringify({ phone: PHONE })));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('30');
    const error = await errorOf(response);
    expect(error.code).toBe('SERVICE_UNAVAILABLE');
    expect(error.message).not.toMatch(/ECONNREFUSED|6379/);
    expect(onError).toHaveBeenCalledOnce();
  });

  it('502 DELIVERY_FAILED when the sender fails definitively', async () => {
    const { handler } = setup({
      sender: async () => {
        throw new DeliveryFailedError();
      },
    });
    const response = await handler(post(JSON.stringify({ phone: PHONE })));
    expect(response.status).toBe(502);
    expect((await errorOf(response)).code).toBe('DELIVERY_FAILED');
  });
});

describe('createSendHandler: cross-site requests are refused before any send', () => {
  it.each([
    [
      'Sec-Fetch-Site: cross-site',
      { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
    ],
    [
      'Sec-Fetch-Site: same-site',
      { 'sec-fetch-site': 'same-site', origin: 'http://a.localhost:3000' },
    ],
    [
      'a foreign Origin without Sec-Fetch-Site',
      { 'sec-fetch-site': '', origin: 'https://evil.example' },
    ],
    ['Origin: null', { 'sec-fetch-site': '', origin: 'null' }],
    [
      'a spoofed X-Forwarded-Host without trustProxy',
      {
        'sec-fetch-site': '',
        origin: 'https://evil.example',
        'x-forwarded-host': 'evil.example',
      },
    ],
  ])('403 CROSS_SITE_REQUEST for %s', async (_, headers) => {
    const { handler, send, deliveries } = setup();
    const request = post(JSON.stringify({ phone: PHONE }), headers);
    if (headers['sec-fetch-site'] === '') request.headers.delete('sec-fetch-site');
    const response = await handler(request);
    expect(response.status).toBe(403);
    expect((await errorOf(response)).code).toBe('CROSS_SITE_REQUEST');
    expect(send).not.toHaveBeenCalled();
    expect(deliveries).toHaveLength(0);
  });

  it('allows same-origin Origin, allowedOrigins, and clients that send neither header', async () => {
    const { handler } = setup(
      { policy: { resendCooldownInSeconds: 0 } },
      {
        allowedOrigins: ['https://app.example.com/'],
      },
    );
    const sameOrigin = post(JSON.stringify({ phone: '9841000001' }), {
      origin: 'http://localhost:3000',
    });
    sameOrigin.headers.delete('sec-fetch-site');
    expect((await handler(sameOrigin)).status).toBe(202);
    const allowed = post(JSON.stringify({ phone: '9841000002' }), {
      origin: 'https://app.example.com',
      'sec-fetch-site': 'cross-site',
    });
    expect((await handler(allowed)).status).toBe(202);
    const curl = post(JSON.stringify({ phone: '9841000003' }));
    curl.headers.delete('sec-fetch-site');
    expect((await handler(curl)).status).toBe(202);
  });

  it('trusts X-Forwarded-Host only with trustProxy', async () => {
    const { handler } = setup({}, { trustProxy: true });
    const request = post(JSON.stringify({ phone: PHONE }), {
      origin: 'https://app.example.com',
      'x-forwarded-host': 'app.example.com',
    });
    request.headers.delete('sec-fetch-site');
    expect((await handler(request)).status).toBe(202);
  });
});

describe('createSendHandler: options', () => {
  it('throws a TypeError for a missing engine or bad options', () => {
    expect(() => createSendHandler(undefined as never)).toThrow(TypeError);
    const { engine } = makeEngine();
    expect(() => createSendHandler(engine, { allowedOrigins: ['not a url'] })).toThrow(TypeError);
    expect(() => createSendHandler(engine, { maxBodyInBytes: 1 })).toThrow(TypeError);
    expect(() => createSendHandler(engine, { ipHeader: 'bad header\n' })).toThrow(TypeError);
  });
});

let restore: (() => void) | undefined;
beforeAll(() => {
  // The default onError logs; keep test output clean while proving no secret is logged.
  const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
  restore = () => spy.mockRestore();
});
afterAll(() => restore?.());
