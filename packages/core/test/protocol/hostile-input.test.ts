/**
 * The hostile-input properties, once, over the protocol layer every adapter runs: whatever the
 * method, headers and bytes, a handler resolves (never throws), answers from the public table
 * (status, `{ error: { code, message } }`, `Retry-After` on every 429/503), sends nothing and
 * spends no attempt for a malformed request, and never carries the code. Each adapter's parity
 * test drives the same kind of requests through its real framework.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OTPEngine } from '../../src/engine/otp-engine.js';
import type { OTPEvent } from '../../src/otp-types.js';
import {
  createOTPProtocol,
  type ProtocolRequest,
  type ProtocolResult,
  resolveProtocolOptions,
} from '../../src/protocol/index.js';
import {
  PUBLIC_ERROR_MESSAGES,
  PUBLIC_ERROR_STATUS,
  type PublicErrorCode,
} from '../../src/public-errors.js';
import { MemoryStore } from '../../src/stores/memory-store.js';
import { manualClock, recordingSender, SECRET } from '../helpers.js';

const KNOWN = '9841000001';
const SEED = 11;
const RUNS = 400;

function rig() {
  const sender = recordingSender();
  const clock = manualClock();
  const engine = new OTPEngine({
    sender,
    secret: SECRET,
    store: new MemoryStore({ logger: { warn: () => {} } }),
    clock,
    logger: { warn: () => {} },
  });
  const events: OTPEvent[] = [];
  engine.on('failed', (event) => events.push(event));
  engine.on('verified', (event) => events.push(event));
  const otp = createOTPProtocol(
    resolveProtocolOptions('hostile', { engine, allowedOrigins: ['https://app.example'] }),
  );
  return { engine, sender, clock, events, otp };
}

const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(KNOWN, `+977${KNOWN}`, '९८४१०००००१', '12', '', ' ', '\u0000', '__proto__'),
);
const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: text },
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(text, { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 4 }), text, { maxKeys: 2 }),
);
const fields = fc.oneof(
  fc.record(
    { phone: value, code: value, channel: value, voice: value, resend: value, constructor: value },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=UTF-16',
  'application/json; charset=latin1',
  'application/vnd.api+json',
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=iso-8859-1',
  'multipart/form-data; boundary=b',
  'text/plain',
  'APPLICATION/JSON;;charset',
);
const bytes = fc.oneof(
  fields.map((f) => new TextEncoder().encode(JSON.stringify(f) ?? '')),
  fields.map((f) =>
    new TextEncoder().encode(
      typeof f === 'object' && f !== null
        ? new URLSearchParams(
            Object.entries(f).map(([k, v]) => [
              k,
              typeof v === 'string' ? v : (JSON.stringify(v) ?? ''),
            ]),
          ).toString()
        : (JSON.stringify(f) ?? ''),
    ),
  ),
  fc.uint8Array({ maxLength: 64 }),
  fc
    .integer({ min: 4090, max: 4200 })
    .map((n) => new TextEncoder().encode(`{"phone":"${'9'.repeat(n)}"}`)),
);
const headers = fc.record(
  {
    'content-type': contentType,
    'content-encoding': fc.constantFrom(undefined, 'gzip', 'identity', 'br'),
    'content-length': fc.constantFrom(undefined, '0', '5', '999999'),
    origin: fc.constantFrom(undefined, 'https://app.example', 'https://evil.example', 'null', 'x'),
    'sec-fetch-site': fc.constantFrom(
      undefined,
      'same-origin',
      'cross-site',
      'none',
      'SAME-ORIGIN',
    ),
    host: fc.constantFrom(undefined, 'app.example'),
    'x-forwarded-for': fc.constantFrom(undefined, '203.0.113.9', 'not-an-ip'),
  },
  { requiredKeys: [] },
);
/** Well-formed sends to a few numbers: successes, then the cooldown's 429s among the noise. */
const wellFormed: fc.Arbitrary<ProtocolRequest> = fc
  .constantFrom(KNOWN, '9841000002', '9801000003')
  .map((phone) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: new TextEncoder().encode(JSON.stringify({ phone })),
  }));
const noise: fc.Arbitrary<ProtocolRequest> = fc
  .tuple(
    fc.constantFrom('POST', 'POST', 'POST', 'GET', 'post', 'PUT', undefined),
    headers,
    fc.oneof(
      bytes.map((b) => ({ body: b })),
      bytes.map((b) => ({ body: new Blob([b as BlobPart]).stream() })),
      fields.map((f) => ({ fields: f })),
      fc.constant({}),
    ),
    fc.constantFrom(undefined, '203.0.113.7', 'not an ip', ''),
  )
  .map(([method, h, body, clientIP]) => {
    const clean = Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined));
    return {
      ...(method === undefined ? {} : { method }),
      headers: clean as Record<string, string>,
      ...body,
      ...(clientIP === undefined ? {} : { clientIP }),
    };
  });
const request = fc.oneof({ weight: 5, arbitrary: noise }, { weight: 1, arbitrary: wellFormed });

/** The answer is one from the public table: status, one error shape, Retry-After rules. */
function expectTableAnswer(
  r: ProtocolRequest,
  result: ProtocolResult<unknown>,
  okStatus: number,
): void {
  const { status, headers: h, body } = result.answer;
  const sent = r.headers as Record<string, string | undefined>;
  // A browser's cross-site request is refused before anything else but a wrong method.
  const listed = sent.origin === 'https://app.example';
  if (r.method?.toUpperCase() === 'POST' && sent['sec-fetch-site'] === 'cross-site' && !listed) {
    expect(status).toBe(403);
  }
  expect(h['cache-control']).toBe('no-store');
  if (result.ok) {
    expect(status).toBe(okStatus);
    return;
  }
  const code = result.error.code as PublicErrorCode;
  expect(status).toBe(PUBLIC_ERROR_STATUS[code]);
  expect(body).toEqual({ error: { code, message: PUBLIC_ERROR_MESSAGES[code] } });
  expect(h['content-type']).toBe('application/json; charset=utf-8');
  if (status === 429 || status === 503) expect(Number(h['retry-after'])).toBeGreaterThanOrEqual(1);
  else expect(h['retry-after']).toBeUndefined();
  if (code === 'METHOD_NOT_ALLOWED') expect(h.allow).toBe('POST');
}

describe('hostile input over the protocol layer', () => {
  it('send: resolves, answers from the table, sends only for a well-formed number, never shows the code', async () => {
    const { otp, sender, clock } = rig();
    const statuses: number[] = [];
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        // Less than the 60 s cooldown: some sends are refused with 429 and Retry-After.
        clock.advance(25_000);
        const before = sender.deliveries.length;
        const result = await otp.send(r);
        statuses.push(result.answer.status);
        expectTableAnswer(r, result, 202);
        if (result.ok) {
          expect(sender.deliveries.length).toBe(before + 1);
          expect(JSON.stringify(result.answer)).not.toContain(sender.last().code);
        } else expect(sender.deliveries.length).toBe(before);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect([...new Set(statuses)].sort()).toEqual([202, 400, 403, 405, 413, 415, 429]);
  });

  it('verify: resolves, answers from the table, spends no attempt for malformed input, no sign-in', async () => {
    const { otp, engine, sender, events } = rig();
    await engine.send({ phone: KNOWN });
    const code = sender.last().code;
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        // Never the right code: a guess is not hostile input, and it would end the challenge.
        const safe =
          'fields' in r && typeof r.fields === 'object' && r.fields !== null
            ? {
                ...r,
                fields: {
                  ...r.fields,
                  ...(JSON.stringify(r.fields).includes(code) ? { code: 'x' } : {}),
                },
              }
            : r;
        const seen = events.length;
        const result = await otp.verify(safe);
        expectTableAnswer(safe, result, 200);
        expect(result.ok).toBe(false);
        for (const event of events.slice(seen)) {
          // Only a well-formed guess at some number may count; the pending number's budget is untouched.
          expect(event.type).toBe('failed');
          if ((event as { phone?: string }).phone === `+977${KNOWN}`) {
            expect((event as { detail: string }).detail).toBe('malformed');
          }
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(await engine.verify({ phone: KNOWN, code })).toMatchObject({ ok: true });
  });

  it('sign out: only the method and cross-site checks, never a body read', async () => {
    const { otp } = rig();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const result = otp.signOut({ ...r, body: () => Promise.reject(new Error('read')) });
        expectTableAnswer(r, result, 204);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
