/**
 * createOTPProtocol and checkRequest in detail, over a recording engine: what the handlers hand
 * the engine (fields, purpose, IP, resend), how each engine answer is mapped, field names, and the
 * method and cross-site checks (URL host, forwarded host, allow-lists, missing Origin).
 */
import { describe, expect, it } from 'vitest';
import { DeliveryFailedError, StoreUnavailableError } from '../../src/errors.js';
import {
  checkRequest,
  createOTPProtocol,
  type OTPEngineAPI,
  type ProtocolRequest,
  resolveProtocolOptions,
  stringField,
} from '../../src/protocol/index.js';
import { DELIVERY_UNKNOWN_MESSAGE, PUBLIC_ERROR_MESSAGES } from '../../src/public-errors.js';

const EXPIRES = new Date('2026-01-01T00:05:00.000Z');
const RESEND = new Date('2026-01-01T00:01:00.000Z');
const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
};

type Call = { method: 'send' | 'resend' | 'verify'; input: Record<string, unknown> };

function recordingEngine(
  answer: (call: Call) => unknown = (call) =>
    call.method === 'verify'
      ? { ok: true, phone: '+9779841000001', purpose: call.input.purpose }
      : {
          ok: true,
          phone: '+9779841000001',
          channel: call.method === 'resend' ? 'voice' : 'text',
          purpose: call.input.purpose,
          expiresAt: EXPIRES,
          resendAt: RESEND,
        },
  withResend = true,
) {
  const calls: Call[] = [];
  const run = (method: Call['method']) => async (input: Record<string, unknown>) => {
    const call = { method, input };
    calls.push(call);
    return answer(call);
  };
  const engine = {
    send: run('send'),
    verify: run('verify'),
    ...(withResend ? { resend: run('resend') } : {}),
  } as unknown as OTPEngineAPI;
  return { engine, calls };
}

function parsed(fields: unknown, extra: Partial<ProtocolRequest> = {}): ProtocolRequest {
  return { method: 'POST', headers: {}, fields, ...extra };
}

function setup(
  options: Record<string, unknown> = {},
  answer?: (call: Call) => unknown,
  withResend = true,
) {
  const rig = recordingEngine(answer, withResend);
  const otp = createOTPProtocol(
    resolveProtocolOptions(
      'otp',
      { engine: rig.engine, ...options },
      { clientIPFromHeaders: true },
    ),
  );
  return { ...rig, otp };
}

describe('stringField', () => {
  it('own string values; empty or absent is undefined; any other value is null', () => {
    const fields = { a: 'x', empty: '', n: 5, list: ['1'], o: {}, nil: null, f: false };
    expect(stringField(fields, 'a')).toBe('x');
    expect(stringField(fields, 'empty')).toBeUndefined();
    expect(stringField(fields, 'missing')).toBeUndefined();
    expect(stringField(fields, 'n')).toBeNull();
    expect(stringField(fields, 'list')).toBeNull();
    expect(stringField(fields, 'o')).toBeNull();
    expect(stringField(fields, 'nil')).toBeNull();
    expect(stringField(fields, 'f')).toBeNull();
    // Inherited properties are not fields.
    expect(stringField(Object.create({ a: 'x' }), 'a')).toBeUndefined();
    expect(stringField({}, 'toString')).toBeUndefined();
    expect(stringField({}, 'constructor')).toBeUndefined();
  });
});

describe('field names', () => {
  it('defaults, renamed ones, and frozen', () => {
    expect(setup().otp.fieldNames).toEqual({
      phone: 'phone',
      code: 'code',
      channel: 'channel',
      voice: 'voice',
      resend: 'resend',
    });
    const rig = recordingEngine();
    const options = resolveProtocolOptions('otp', { engine: rig.engine });
    const otp = createOTPProtocol(options, {
      fieldNames: { phone: 'mobile', code: 'otp', channel: undefined },
    });
    expect(otp.fieldNames).toEqual({
      phone: 'mobile',
      code: 'otp',
      channel: 'channel',
      voice: 'voice',
      resend: 'resend',
    });
    expect(Object.isFrozen(otp.fieldNames)).toBe(true);
    expect(otp.options).toBe(options);
  });

  it('refuses an empty or non-string name, and two fields with one name', () => {
    const options = resolveProtocolOptions('otp', { engine: recordingEngine().engine });
    for (const key of ['phone', 'code', 'channel', 'voice', 'resend']) {
      expect(() => createOTPProtocol(options, { fieldNames: { [key]: '' } })).toThrow(
        new TypeError(`otp: the ${key} field name must be a non-empty string`),
      );
      expect(() => createOTPProtocol(options, { fieldNames: { [key]: 5 as never } })).toThrow(
        new TypeError(`otp: the ${key} field name must be a non-empty string`),
      );
    }
    expect(() => createOTPProtocol(options, { fieldNames: { code: 'phone' } })).toThrow(
      new TypeError('otp: the body field names must differ'),
    );
    expect(() => createOTPProtocol(options, { fieldNames: { resend: 'voice' } })).toThrow(
      new TypeError('otp: the body field names must differ'),
    );
  });

  it('renamed fields are the only ones read', async () => {
    const rig = recordingEngine();
    const otp = createOTPProtocol(resolveProtocolOptions('otp', { engine: rig.engine }), {
      fieldNames: { phone: 'mobile', code: 'otp', channel: 'via', voice: 'v', resend: 'again' },
    });
    expect((await otp.send(parsed({ phone: '1' }))).answer.status).toBe(400);
    await otp.send(parsed({ mobile: '1', via: 'voice', v: 'male', again: '1' }));
    expect(rig.calls.at(-1)).toEqual({
      method: 'resend',
      input: { phone: '1', channel: 'voice', voice: 'male', purpose: 'sign-in' },
    });
    await otp.verify(parsed({ mobile: '1', otp: '123456' }));
    expect(rig.calls.at(-1)?.input).toEqual({ phone: '1', code: '123456', purpose: 'sign-in' });
  });
});

describe('send', () => {
  it('hands the engine the phone, the channel and voice when given, the purpose and the IP', async () => {
    const { otp, calls } = setup({ purpose: 'change-number' });
    await otp.send(parsed({ phone: '9841000001' }));
    expect(calls[0]).toEqual({
      method: 'send',
      input: { phone: '9841000001', purpose: 'change-number' },
    });
    expect(Object.keys(calls[0]!.input)).toEqual(['phone', 'purpose']);
    await otp.send(
      parsed(
        { phone: '9841000001', channel: 'voice', voice: 'female' },
        { clientIP: '198.51.100.4' },
      ),
    );
    expect(calls[1]!.input).toEqual({
      phone: '9841000001',
      channel: 'voice',
      voice: 'female',
      purpose: 'change-number',
      ip: '198.51.100.4',
    });
    // Empty channel and voice mean the engine's defaults.
    await otp.send(parsed({ phone: '9841000001', channel: '', voice: '' }));
    expect(Object.keys(calls[2]!.input)).toEqual(['phone', 'purpose']);
  });

  it('the IP from the header only with trustProxy; the host-given IP wins', async () => {
    const headers = { 'x-forwarded-for': '203.0.113.50, 10.0.0.1' };
    const untrusted = setup();
    await untrusted.otp.send(parsed({ phone: '1' }, { headers }));
    expect(untrusted.calls[0]!.input).not.toHaveProperty('ip');
    const trusted = setup({ trustProxy: true });
    await trusted.otp.send(parsed({ phone: '1' }, { headers }));
    expect(trusted.calls[0]!.input.ip).toBe('203.0.113.50');
    await trusted.otp.send(parsed({ phone: '1' }, { headers, clientIP: '192.0.2.1' }));
    expect(trusted.calls[1]!.input.ip).toBe('192.0.2.1');
    const custom = setup({ trustProxy: true, ipHeader: 'X-Real-IP' });
    await custom.otp.send(parsed({ phone: '1' }, { headers: { 'x-real-ip': '198.51.100.9' } }));
    expect(custom.calls[0]!.input.ip).toBe('198.51.100.9');
  });

  it('a missing phone, or a non-string phone, channel or voice, is 400 before the engine', async () => {
    const { otp, calls } = setup();
    for (const fields of [
      {},
      { phone: '' },
      { phone: 5 },
      { phone: ['1', '2'] },
      { phone: '1', channel: 1 },
      { phone: '1', voice: ['a', 'b'] },
      { phone: '1', channel: null },
    ]) {
      const result = await otp.send(parsed(fields));
      expect(result.answer.status).toBe(400);
      expect(!result.ok && result.error.code).toBe('INVALID_REQUEST');
    }
    expect(calls).toHaveLength(0);
  });

  it('resend only for true, "true" or "1", and only when the engine has resend', async () => {
    const { otp, calls } = setup();
    for (const resend of [true, 'true', '1']) await otp.send(parsed({ phone: '1', resend }));
    for (const resend of [false, 'false', '0', 1, 'yes', 'TRUE', '']) {
      await otp.send(parsed({ phone: '1', resend }));
    }
    expect(calls.map((call) => call.method)).toEqual([
      'resend',
      'resend',
      'resend',
      'send',
      'send',
      'send',
      'send',
      'send',
      'send',
      'send',
    ]);
    // An inherited `resend` is not a field.
    await otp.send(parsed(Object.assign(Object.create({ resend: true }), { phone: '1' })));
    expect(calls.at(-1)?.method).toBe('send');
    const old = setup({}, undefined, false);
    const result = await old.otp.send(parsed({ phone: '1', resend: true }));
    expect(result.ok).toBe(true);
    expect(old.calls.map((call) => call.method)).toEqual(['send']);
  });

  it('202 with exactly phone, channel, expiresAt and resendAt; the value is the engine result', async () => {
    const { otp } = setup();
    const result = await otp.send(parsed({ phone: '1' }));
    expect(result.answer).toStrictEqual({
      status: 202,
      headers: JSON_HEADERS,
      body: {
        phone: '+9779841000001',
        channel: 'text',
        expiresAt: '2026-01-01T00:05:00.000Z',
        resendAt: '2026-01-01T00:01:00.000Z',
      },
    });
    expect(result.ok && result.value).toMatchObject({ ok: true, expiresAt: EXPIRES });
  });

  it('delivery unknown adds delivery and the message; any other delivery value adds nothing', async () => {
    const success = (delivery: unknown) => () => ({
      ok: true,
      phone: '+9779841000001',
      channel: 'text',
      purpose: 'sign-in',
      expiresAt: EXPIRES,
      resendAt: RESEND,
      delivery,
    });
    const unknown = await setup({}, success('unknown')).otp.send(parsed({ phone: '1' }));
    expect(unknown.answer.body).toStrictEqual({
      phone: '+9779841000001',
      channel: 'text',
      expiresAt: '2026-01-01T00:05:00.000Z',
      resendAt: '2026-01-01T00:01:00.000Z',
      delivery: 'unknown',
      message: DELIVERY_UNKNOWN_MESSAGE,
    });
    const other = await setup({}, success('sent')).otp.send(parsed({ phone: '1' }));
    expect(Object.keys(other.answer.body as object)).toEqual([
      'phone',
      'channel',
      'expiresAt',
      'resendAt',
    ]);
  });

  it('each engine refusal reason has its code; Retry-After from the engine, else the default', async () => {
    const cases = [
      ['invalid_request', undefined, 400, 'INVALID_REQUEST', undefined],
      ['invalid_phone', undefined, 400, 'INVALID_PHONE', undefined],
      ['rate_limited', 17, 429, 'RATE_LIMITED', '17'],
      ['rate_limited', undefined, 429, 'RATE_LIMITED', '60'],
      ['unavailable', 4.5, 503, 'SERVICE_UNAVAILABLE', '5'],
      ['unavailable', undefined, 503, 'SERVICE_UNAVAILABLE', '30'],
    ] as const;
    for (const [reason, retryAfter, status, code, header] of cases) {
      const { otp } = setup({}, () => ({
        ok: false,
        reason,
        ...(retryAfter === undefined ? {} : { retryAfter }),
      }));
      const result = await otp.send(parsed({ phone: '1' }));
      expect(result.answer.status).toBe(status);
      expect(result.answer.body).toStrictEqual({
        error: { code, message: PUBLIC_ERROR_MESSAGES[code] },
      });
      expect(result.answer.headers['retry-after']).toBe(header);
      expect(!result.ok && Object.hasOwn(result.error, 'cause')).toBe(false);
    }
  });

  it('a thrown error is 503 (502 for a definite delivery failure) with the error as cause', async () => {
    const store = new StoreUnavailableError();
    const down = await setup({}, () => {
      throw store;
    }).otp.send(parsed({ phone: '1' }));
    expect(down.answer.status).toBe(503);
    expect(down.answer.headers['retry-after']).toBe('30');
    expect(!down.ok && down.error.cause).toBe(store);
    const delivery = new DeliveryFailedError();
    const failed = await setup({}, () => {
      throw delivery;
    }).otp.send(parsed({ phone: '1', resend: '1' }));
    expect(failed.answer.status).toBe(502);
    expect(!failed.ok && failed.error).toMatchObject({ code: 'DELIVERY_FAILED', cause: delivery });
  });
});

describe('verify', () => {
  it('hands the engine phone, code, purpose and IP; 200 with exactly phone and verifiedAt', async () => {
    const { otp, calls } = setup({ purpose: 'change-number' });
    const before = Date.now();
    const result = await otp.verify(
      parsed({ phone: '9841000001', code: '123456' }, { clientIP: '192.0.2.8' }),
    );
    const after = Date.now();
    expect(calls[0]).toEqual({
      method: 'verify',
      input: { phone: '9841000001', code: '123456', purpose: 'change-number', ip: '192.0.2.8' },
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.phone).toBe('+9779841000001');
    expect(result.value.purpose).toBe('change-number');
    const at = Date.parse(result.value.verifiedAt);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(after);
    expect(result.value.verifiedAt).toBe(new Date(at).toISOString());
    expect(result.answer).toStrictEqual({
      status: 200,
      headers: JSON_HEADERS,
      body: { phone: '+9779841000001', verifiedAt: result.value.verifiedAt },
    });
    await otp.verify(parsed({ phone: '9841000001', code: '123456' }));
    expect(Object.keys(calls[1]!.input)).toEqual(['phone', 'code', 'purpose']);
  });

  it('a missing or non-string phone or code is 400 before the engine', async () => {
    const { otp, calls } = setup();
    for (const fields of [
      {},
      { phone: '1' },
      { code: '123456' },
      { phone: '', code: '123456' },
      { phone: '1', code: '' },
      { phone: 1, code: '123456' },
      { phone: '1', code: 123456 },
    ]) {
      const result = await otp.verify(parsed(fields));
      expect(result.answer.status).toBe(400);
      expect(!result.ok && result.error.code).toBe('INVALID_REQUEST');
    }
    expect(calls).toHaveLength(0);
  });

  it('each engine refusal reason has its code and Retry-After', async () => {
    const cases = [
      ['invalid_request', undefined, 400, 'INVALID_REQUEST', undefined],
      ['invalid_code', undefined, 401, 'INVALID_CODE', undefined],
      ['locked', 120, 429, 'LOCKED', '120'],
      ['locked', undefined, 429, 'LOCKED', '60'],
    ] as const;
    for (const [reason, retryAfter, status, code, header] of cases) {
      const { otp } = setup({}, () => ({
        ok: false,
        reason,
        ...(retryAfter === undefined ? {} : { retryAfter }),
      }));
      const result = await otp.verify(parsed({ phone: '1', code: '123456' }));
      expect(result.answer.status).toBe(status);
      expect(!result.ok && result.error.code).toBe(code);
      expect(result.answer.headers['retry-after']).toBe(header);
    }
  });

  it('a thrown error is 503 with the error as cause', async () => {
    const store = new StoreUnavailableError();
    const result = await setup({}, () => {
      throw store;
    }).otp.verify(parsed({ phone: '1', code: '123456' }));
    expect(result.answer.status).toBe(503);
    expect(!result.ok && result.error.cause).toBe(store);
  });
});

describe('sign out and the checks', () => {
  it('sign out: 204 with no-store only, no body', () => {
    const { otp } = setup();
    const result = otp.signOut({ method: 'POST', headers: {} });
    expect(result).toStrictEqual({
      ok: true,
      answer: { status: 204, headers: { 'cache-control': 'no-store' }, body: undefined },
      value: undefined,
    });
    const refused = otp.signOut({ method: 'GET', headers: {} });
    expect(refused.answer.status).toBe(405);
    expect(refused.answer.headers.allow).toBe('POST');
    const cross = otp.signOut({
      method: 'POST',
      headers: { host: 'app.example', origin: 'https://evil.example' },
    });
    expect(cross.answer.status).toBe(403);
  });

  it('the method: POST in any case, or none; anything else is 405 before the body', async () => {
    const { otp, calls } = setup();
    expect(otp.check({ headers: {} })).toBeUndefined();
    expect(otp.check({ method: 'post', headers: {} })).toBeUndefined();
    expect(otp.check({ method: 'GET', headers: {} })?.code).toBe('METHOD_NOT_ALLOWED');
    expect(otp.check({ method: 'PUT', headers: {} })?.status).toBe(405);
    const result = await otp.send(parsed({ phone: '1' }, { method: 'GET' }));
    expect(result.answer.status).toBe(405);
    const verify = await otp.verify(parsed({ phone: '1', code: '1' }, { method: 'DELETE' }));
    expect(verify.answer.status).toBe(405);
    expect(calls).toHaveLength(0);
  });

  it('a cross-site send or verify is 403 before the engine', async () => {
    const { otp, calls } = setup();
    const headers = { host: 'app.example', origin: 'https://evil.example' };
    expect((await otp.send(parsed({ phone: '1' }, { headers }))).answer.status).toBe(403);
    const verify = await otp.verify(parsed({ phone: '1', code: '1' }, { headers }));
    expect(verify.answer.body).toStrictEqual({
      error: { code: 'CROSS_SITE_REQUEST', message: PUBLIC_ERROR_MESSAGES.CROSS_SITE_REQUEST },
    });
    expect(calls).toHaveLength(0);
  });

  it('checkRequest: the URL host counts as the app own host; a broken URL is ignored', () => {
    const options = resolveProtocolOptions('c', { engine: recordingEngine().engine });
    const origin = { origin: 'https://app.example' };
    expect(
      checkRequest(options, { headers: origin, url: 'https://app.example/api/send' }),
    ).toBeUndefined();
    expect(checkRequest(options, { headers: origin, url: 'https://other.example/' })?.code).toBe(
      'CROSS_SITE_REQUEST',
    );
    expect(checkRequest(options, { headers: origin, url: 'not a url' })?.code).toBe(
      'CROSS_SITE_REQUEST',
    );
    expect(checkRequest(options, { headers: origin })?.code).toBe('CROSS_SITE_REQUEST');
  });

  it('checkRequest: X-Forwarded-Host only with trustProxy or the request says so', () => {
    const headers = {
      host: 'internal:3000',
      origin: 'https://app.example',
      'x-forwarded-host': 'app.example',
    };
    const engine = recordingEngine().engine;
    const plain = resolveProtocolOptions('c', { engine }, { clientIPFromHeaders: true });
    expect(checkRequest(plain, { headers })?.code).toBe('CROSS_SITE_REQUEST');
    expect(checkRequest(plain, { headers, trustForwardedHost: true })).toBeUndefined();
    const trusting = resolveProtocolOptions(
      'c',
      { engine, trustProxy: true },
      { clientIPFromHeaders: true },
    );
    expect(checkRequest(trusting, { headers })).toBeUndefined();
    expect(checkRequest(trusting, { headers, trustForwardedHost: false })?.code).toBe(
      'CROSS_SITE_REQUEST',
    );
  });

  it('checkRequest: allowed origins and requests without an Origin follow the options', () => {
    const engine = recordingEngine().engine;
    const headers = { host: 'app.example', origin: 'https://partner.example' };
    const plain = resolveProtocolOptions('c', { engine });
    expect(checkRequest(plain, { headers })?.code).toBe('CROSS_SITE_REQUEST');
    const allowing = resolveProtocolOptions('c', {
      engine,
      allowedOrigins: ['https://partner.example'],
    });
    expect(checkRequest(allowing, { headers })).toBeUndefined();
    expect(checkRequest(plain, { headers: { host: 'app.example' } })).toBeUndefined();
    const strict = resolveProtocolOptions('c', { engine, allowRequestsWithoutOrigin: false });
    expect(checkRequest(strict, { headers: { host: 'app.example' } })?.code).toBe(
      'CROSS_SITE_REQUEST',
    );
  });

  it('checkRequest: no cross-site check when the app protects the routes itself', () => {
    const engine = recordingEngine().engine;
    const headers = { host: 'app.example', origin: 'https://evil.example' };
    const off = resolveProtocolOptions('c', { engine, crossSiteProtection: false });
    expect(checkRequest(off, { headers })).toBeUndefined();
    expect(checkRequest(off, { method: 'GET', headers })?.code).toBe('METHOD_NOT_ALLOWED');
    const middleware = resolveProtocolOptions(
      'c',
      { engine, crossSiteProtection: () => {} },
      { crossSiteMiddleware: true },
    );
    expect(checkRequest(middleware, { headers })).toBeUndefined();
  });
});
