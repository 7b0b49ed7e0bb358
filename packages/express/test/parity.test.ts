/**
 * Parity: the Express router answers every request exactly as core's protocol does (status,
 * code, message, Retry-After), through the real framework. The same generated request goes to
 * an Express app with the router and to a bare Node server running the protocol, both over real
 * HTTP, both in front of the same deterministic engine (so only the translation is compared).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OTPEngineAPI, SendResult, VerifyResult } from '@tingting-auth/core';
import {
  createOTPProtocol,
  fromNodeRequest,
  resolveProtocolOptions,
  sendNodeAnswer,
} from '@tingting-auth/core/protocol';
import express5 from 'express';
import express4 from 'express4';
import fc from 'fast-check';
import { type Answer, httpClient } from 'test-support/hostile-requests';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTingTingAuth } from '../src/index.js';

const T = new Date('2026-01-01T00:00:00Z');
/** Answers by the number's last digit: sent, unknown delivery, refused, throttled; verify refuses. */
const engine: OTPEngineAPI = {
  codeLength: 6,
  async send(input): Promise<SendResult> {
    const phone = String(input.phone);
    if (!/^98[0-9]{8}$/.test(phone)) return { ok: false, reason: 'invalid_phone' };
    if (phone.endsWith('7')) return { ok: false, reason: 'rate_limited', retryAfter: 12.2 };
    if (phone.endsWith('8')) throw Object.assign(new Error('down'), { code: 'STORE_UNAVAILABLE' });
    const base = {
      ok: true as const,
      phone: `+977${phone}`,
      channel: 'text' as const,
      purpose: 'sign-in',
    };
    const times = { expiresAt: T, resendAt: T };
    return phone.endsWith('9') ? { ...base, ...times, delivery: 'unknown' } : { ...base, ...times };
  },
  resend(input) {
    return this.send(input);
  },
  async verify(input): Promise<VerifyResult> {
    return String(input.code) === '000000'
      ? { ok: false, reason: 'locked', retryAfter: 59.5 }
      : { ok: false, reason: 'invalid_code' };
  },
  async cancel() {},
  on: () => () => {},
};

const servers: Server[] = [];
async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}
const ports: Record<string, number> = {};
const client = httpClient();

beforeAll(async () => {
  const otp = createOTPProtocol(resolveProtocolOptions('parity', { engine }));
  ports.protocol = await listen(
    createServer(async (req, res) => {
      const step = req.url?.startsWith('/auth/verify') ? 'verify' : 'send';
      sendNodeAnswer(res, (await otp[step](fromNodeRequest(req))).answer);
    }),
  );
  for (const [name, express] of [
    ['express5', express5],
    ['express4', express4],
  ] as const) {
    const tingting = createTingTingAuth(engine, {
      rateLimit: false,
      onVerified: (_req, res) => res.end(),
    });
    const app = express();
    app.use('/auth', tingting.router);
    app.use(tingting.errorHandler);
    ports[name] = await listen(createServer(app));
  }
});
afterAll(async () => {
  client.close();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

const phone = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('9841000001', '9841000007', '9841000008', '9841000009') },
  fc.constantFrom('12', ''),
  fc.string({ maxLength: 6 }),
);
const fieldsArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record(
      { phone, code: fc.constantFrom('000000', '123456', 'x') },
      { requiredKeys: ['phone'] },
    ),
  },
  fc.jsonValue({ maxDepth: 2 }),
);
const encoded = fc.tuple(
  fieldsArb,
  fc.oneof(
    { weight: 4, arbitrary: fc.constant('application/json') },
    fc.constantFrom(
      'application/json; charset=utf-16',
      'application/x-www-form-urlencoded',
      'text/plain',
      'multipart/form-data; boundary=b',
      undefined,
    ),
  ),
  fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, fc.constant('https://evil.example')),
  fc.constantFrom('/auth/send', '/auth/verify'),
  fc.boolean(),
);

/** What must match: status, body (or its error), Retry-After and content type. */
const view = (answer: Answer) => ({
  status: answer.status,
  body: answer.status === 200 && answer.text === '' ? '' : JSON.parse(answer.text),
  retryAfter: answer.headers['retry-after'],
  type: answer.status === 200 ? undefined : answer.headers['content-type'],
});

describe('parity with the protocol', () => {
  it.each(['express5', 'express4'])('%s answers as the protocol does', async (name) => {
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(encoded, async ([fields, type, origin, path, asForm]) => {
        const text =
          asForm && typeof fields === 'object' && fields !== null && !Array.isArray(fields)
            ? new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, String(v)])).toString()
            : JSON.stringify(fields);
        const request = {
          kind: 'parity',
          method: 'POST',
          path,
          headers: {
            ...(type === undefined ? {} : { 'content-type': type }),
            ...(origin === undefined ? {} : { origin }),
          },
          body: Buffer.from(text),
          chunked: false,
          mustRefuse: false,
        };
        const expected = view(await client.send(ports.protocol!, request));
        const actual = view(await client.send(ports[name]!, request));
        expect(actual).toEqual(expected);
        seen.add(actual.status);
      }),
      { seed: 5, numRuns: 150 },
    );
    // The run covered the answers that matter: sent, refused, throttled, down, cross-site, bad bodies.
    expect([...seen].sort()).toEqual(expect.arrayContaining([202, 400, 401, 403, 415, 429, 503]));
  });
});
