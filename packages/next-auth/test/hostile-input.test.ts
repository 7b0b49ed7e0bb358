/**
 * Hostile input, property-based (issue 7): fast-check throws random and malformed requests at the
 * send handler (`createSendHandler`, Web `Request` in, `Response` out) and at the credentials
 * `authorize` of the v4 and v5 providers through next-auth's real request handling (v4:
 * `AuthHandler` from next-auth/core; v5: `Auth()` from @auth/core and next-auth v5's `handlers`),
 * with a real engine and a pending challenge for a known number. For every generated request:
 *
 * 1. never a 5xx;
 * 2. always an answer (each call races an `AbortSignal.timeout`; nothing is timed);
 * 3. nothing sent for a malformed send, and no sign-in and no attempt spent by a malformed
 *    sign-in: checked after every request through the engine's `failed` events, and after the run
 *    by making `maxAttemptsPerCode - 1` wrong guesses before the right code works exactly once;
 * 4. one error shape: the send handler answers `{ error: { code, message } }` with a documented
 *    code, status and message; a refused sign-in is next-auth's redirect with a generic code
 *    (v4 `?error=CODE`, v5 `?error=CredentialsSignin&code=CODE`), or next-auth's own CSRF or
 *    unreadable-body refusal before `authorize` runs;
 * 5. no secret (the pending code, the engine's and next-auth's secrets) in any answer.
 *
 * The runs are seeded (`FC_SEED=<n>` explores another seed); fast-check prints the seed and the
 * path of a failure.
 */

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Auth, type AuthConfig } from '@auth/core';
import { type OTPEngine, VOICES } from '@tingting-auth/core';
import { DEFAULT_MAX_BODY_IN_BYTES } from '@tingting-auth/core/protocol';
import fc from 'fast-check';
import type { AuthOptions } from 'next-auth';
import NextAuth, { CredentialsSignin } from 'next-auth-v5';
import {
  EXTRA_KEYS,
  expectChallengeIntact,
  fieldValues,
  HANG_IN_MILLISECONDS,
  isObject,
  isWellFormedCode,
  MAX_ATTEMPTS_PER_CODE,
  percentEncode,
  sendFieldsRefused as refusedSend,
} from 'test-support/hostile';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  callbacks,
  createSendHandler,
  ERROR_MESSAGES,
  type SendErrorCode,
  type SendHandlerOptions,
  TingTing as TingTingV4,
} from '../src/index.js';
import { TingTing as TingTingV5 } from '../src/v5.js';
import {
  PHONE as KNOWN,
  PHONE_E164 as KNOWN_E164,
  type MakeEngineOptions,
  makeEngine,
  SECRET,
} from './helpers.js';

const SEED = Number(process.env.FC_SEED ?? 7);
const RUNS = 250;
const AUTH_SECRET = 'a-next-auth-hostile-input-secret-0f3a9c';
const ORIGIN = 'http://localhost:3000';
/**
 * A multipart boundary no generated value contains (undici cannot parse a part whose value
 * holds the boundary, e.g. boundary `b` and the value `robot`).
 */
const BOUNDARY = 'hostile-input-boundary-3f9c1a';
/** Codes a refused sign-in may carry here (the store is up and `getUser` is the default). */
const SIGN_IN_CODES = new Set(['INVALID_REQUEST', 'INVALID_CODE', 'LOCKED']);
/** The send handler's documented statuses (README, `createSendHandler` TSDoc). */
const SEND_STATUS: Partial<Record<SendErrorCode, number>> = {
  INVALID_REQUEST: 400,
  MALFORMED_BODY: 400,
  INVALID_PHONE: 400,
  CROSS_SITE_REQUEST: 403,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
};

// ---------------------------------------------------------------------------------------------
// Helpers

/** Resolves with `promise`, or rejects when it has not settled before the hang limit. */
function answered<T>(promise: Promise<T>, what: string): Promise<T> {
  const signal = AbortSignal.timeout(HANG_IN_MILLISECONDS);
  return new Promise<T>((resolve, reject) => {
    const hang = () => reject(new Error(`no answer: ${what}`));
    signal.addEventListener('abort', hang, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', hang);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', hang);
        reject(error);
      },
    );
  });
}

/** Bytes a `Request` takes as its body. */
type Bytes = Uint8Array<ArrayBuffer>;
const utf8 = (text: string): Bytes => new Uint8Array(Buffer.from(text, 'utf8'));

/** Random field values around the pending challenge of KNOWN (`redirect` among the keys to ignore). */
const values = (rightCode: string) =>
  fieldValues(rightCode, {
    phone: KNOWN,
    poolPrefix: '98123456',
    extraKeys: [...EXTRA_KEYS, 'redirect'],
  });

// ---------------------------------------------------------------------------------------------
// The send handler

/** A generated Web request; built afresh for every execution (a `Request` is read once). */
interface WebCase {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Bytes | undefined;
  /** Stream the body in these pieces (`duplex: 'half'`), and fail the stream at the end. */
  stream?: { cuts: number[]; error: boolean };
  mustRefuse: boolean;
}

function readable(c: WebCase): WebCase {
  return Object.assign(c, {
    [fc.toStringMethod]: () =>
      `${c.kind}: ${c.method} ${c.path} ${JSON.stringify(c.headers)}${
        c.stream
          ? ` (streamed at ${c.stream.cuts.join(',')}${c.stream.error ? ', then failing' : ''})`
          : ''
      } ${c.body === undefined ? '(no body)' : JSON.stringify(Buffer.from(c.body).toString('latin1'))}${
        c.mustRefuse ? ' [must be refused]' : ''
      }`,
  });
}

function toRequest(c: WebCase): Request {
  let body: BodyInit | undefined = c.body;
  if (c.body !== undefined && c.stream !== undefined) {
    const bytes = c.body;
    const { cuts, error } = c.stream;
    body = new ReadableStream<Uint8Array>({
      start(controller) {
        let from = 0;
        for (const cut of [
          ...cuts.filter((n) => n < bytes.length).sort((a, b) => a - b),
          bytes.length,
        ]) {
          if (cut > from) controller.enqueue(bytes.slice(from, cut));
          from = Math.max(from, cut);
        }
        if (error) controller.error(new TypeError('the client went away'));
        else controller.close();
      },
    });
  }
  const request = new Request(`${ORIGIN}${c.path}`, {
    method: c.method,
    headers: c.headers,
    ...(body === undefined ? {} : { body }),
    ...(c.stream ? { duplex: 'half' } : {}),
  } as RequestInit);
  // The constructor adds a type for some bodies: a case without one has none.
  if (c.headers['content-type'] === undefined) request.headers.delete('content-type');
  return request;
}

interface Encoded {
  kind: string;
  contentType: string | undefined;
  body: Bytes | undefined;
  refused: boolean;
}

/** Send fields that can never be accepted, whatever the phone (the engine reads `null` as the default). */
const sendFieldsRefused = (f: unknown): boolean => refusedSend(f, { nullIsDefault: true });

function sendCases(rightCode: string, maxBodyInBytes: number, allowedOrigin: string | undefined) {
  const v = values(rightCode);
  const { channel, voice } = v;
  const resend = fc.oneof(fc.constantFrom<unknown>(true, 'true', '1', false, 'yes'), v.wrongType);
  const fields: fc.Arbitrary<unknown> = fc
    .tuple(
      fc.oneof(
        {
          weight: 5,
          arbitrary: fc.record(
            { phone: fc.oneof(v.phoneText, v.wrongType), channel, voice, resend },
            { requiredKeys: [] },
          ),
        },
        // Plausible sends, so accepted ones are part of the mix.
        {
          weight: 3,
          arbitrary: fc.record(
            {
              phone: fc.oneof(v.known, v.pool, v.pool.chain(v.garble)),
              channel: fc.constantFrom('text', 'voice', ''),
              voice: fc.constantFrom(...VOICES, ''),
              resend: fc.constantFrom(true, 'true', false),
            },
            { requiredKeys: ['phone'] },
          ),
        },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
      ),
      v.extra,
    )
    .map(([f, x]) => (isObject(f) ? { ...x, ...f } : f));

  const pairsOf = (f: unknown): [string, string][] =>
    isObject(f)
      ? Object.entries(f).map(([k, value]) => [
          k,
          typeof value === 'string' ? value : (JSON.stringify(value) ?? ''),
        ])
      : [];
  const formOf = fc
    .tuple(
      fields,
      fc.array(fc.tuple(fc.constantFrom('phone', 'channel', 'voice', 'resend', 'x'), v.phoneText), {
        maxLength: 2,
      }),
      fc.array(fc.constantFrom('%', '%ZZ', '%E0%A4', '%C0%AF', '%FF', '%00', '+', '=', '&'), {
        maxLength: 3,
      }),
    )
    .map(([f, more, garbage]) => {
      const pairs = [...pairsOf(f), ...more];
      const keys = pairs.map(([k]) => k);
      const repeated = keys.some((k, i) => keys.indexOf(k) !== i);
      const text = [
        ...pairs.map(([k, value]) => `${percentEncode(k)}=${percentEncode(value)}`),
        ...garbage,
      ].join('&');
      return {
        pairs,
        text,
        refused: repeated || (garbage.length === 0 && sendFieldsRefused(Object.fromEntries(pairs))),
      };
    });

  const json = fc
    .tuple(
      fields,
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'APPLICATION/JSON',
        'application/vnd.api+json',
        'application/json; charset=utf-16',
        'application/json;;;',
      ),
    )
    .map(
      ([f, type]): Encoded => ({
        kind: 'json',
        contentType: type,
        body: utf8(JSON.stringify(f)),
        refused: sendFieldsRefused(f),
      }),
    );
  const oddJSON = fc
    .tuple(
      fields,
      fc.constantFrom('bom', 'utf-16le', 'invalid utf-8', 'truncated', 'duplicated', 'deep'),
      fc.nat(),
    )
    .map(([f, how, n]): Encoded => {
      const text = JSON.stringify(f);
      switch (how) {
        case 'bom':
          // TextDecoder drops a leading BOM: the fields decide.
          return {
            kind: 'json with BOM',
            contentType: 'application/json',
            body: utf8(`\uFEFF${text}`),
            refused: sendFieldsRefused(f),
          };
        case 'utf-16le':
          return {
            kind: 'json in UTF-16',
            contentType: 'application/json; charset=utf-16le',
            body: new Uint8Array(Buffer.from(text, 'utf16le')),
            refused: true,
          };
        case 'invalid utf-8': {
          const [head = '', tail = ''] = isObject(f)
            ? JSON.stringify({ ...f, pad: '@@' }).split('@@')
            : ['', text];
          const bytes = [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe0, 0xa4]][n % 4]!;
          return {
            kind: 'json with invalid UTF-8',
            contentType: 'application/json',
            body: new Uint8Array(
              Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from(tail)]),
            ),
            refused: true,
          };
        }
        case 'truncated': {
          const prefix = text.slice(0, n % Math.max(1, text.length));
          return {
            kind: 'json truncated',
            contentType: 'application/json',
            body: utf8(prefix),
            refused: prefix === '' || /^[[{]/.test(text) || sendFieldsRefused(f),
          };
        }
        case 'duplicated': {
          if (!isObject(f) || !Object.hasOwn(f, 'phone'))
            return {
              kind: 'json',
              contentType: 'application/json',
              body: utf8(text),
              refused: sendFieldsRefused(f),
            };
          // JSON.parse keeps the last copy; the first one never counts.
          return {
            kind: 'json with a repeated phone',
            contentType: 'application/json',
            body: utf8(`{"phone":"${KNOWN}",${text.slice(1)}`),
            refused: sendFieldsRefused(f),
          };
        }
        default: {
          const depth = 1 + (n % 2_000);
          return {
            kind: `json nested ${depth} deep`,
            contentType: 'application/json',
            body: utf8(`{"phone":${'['.repeat(depth)}${']'.repeat(depth)}}`),
            refused: true,
          };
        }
      }
    });
  const form = fc
    .tuple(
      formOf,
      fc.constantFrom(
        'application/x-www-form-urlencoded',
        'application/x-www-form-urlencoded; charset=utf-8',
        'application/x-www-form-urlencoded; charset=utf-16',
        'APPLICATION/X-WWW-FORM-URLENCODED',
      ),
    )
    .map(
      ([{ text, refused }, type]): Encoded => ({
        kind: 'form',
        contentType: type,
        body: utf8(text),
        refused,
      }),
    );
  const multipart = fc
    .tuple(formOf, fc.boolean(), fc.boolean())
    .map(([{ pairs: raw }, withFile, rightBoundary]): Encoded => {
      const pairs = raw.map(([k, value]): [string, string] => [
        k.replace(/["\r\n]/g, ''),
        value.replaceAll(BOUNDARY, ''),
      ]);
      const parts = pairs.map(
        ([k, value]) =>
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${value}\r\n`,
      );
      if (withFile)
        parts.push(
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="phone"; filename="p.txt"\r\nContent-Type: text/plain\r\n\r\n9812345600\r\n`,
        );
      const keys = pairs.map(([k]) => k);
      return {
        kind: `multipart${withFile ? ' with a file' : ''}${rightBoundary ? '' : ' with the wrong boundary'}`,
        contentType: `multipart/form-data; boundary=${rightBoundary ? BOUNDARY : 'other-boundary'}`,
        body: utf8(`${parts.join('')}--${BOUNDARY}--\r\n`),
        refused:
          withFile ||
          !rightBoundary ||
          keys.some((k, i) => keys.indexOf(k) !== i) ||
          sendFieldsRefused(Object.fromEntries(pairs)),
      };
    });
  const crossed = fc.tuple(fields, fc.boolean()).map(([f, jsonAsForm]): Encoded => {
    const text = JSON.stringify(f);
    return jsonAsForm
      ? {
          kind: 'json sent as a form',
          contentType: 'application/x-www-form-urlencoded',
          body: utf8(text),
          refused: !text.includes('phone='),
        }
      : {
          kind: 'form sent as json',
          contentType: 'application/json',
          body: utf8(
            pairsOf(f)
              .map(([k, value]) => `${percentEncode(k)}=${percentEncode(value)}`)
              .join('&'),
          ),
          refused: true,
        };
  });
  const otherType = fc
    .tuple(
      fields,
      fc.constantFrom(
        'text/plain',
        'text/plain;charset=UTF-8',
        'application/xml',
        'application/octet-stream',
        'application/jsonx',
        'json',
        '*/*',
        ';',
        'application/x-www-form-urlencodedx',
        undefined,
      ),
    )
    .map(
      ([f, type]): Encoded => ({
        kind: `type ${String(type)}`,
        contentType: type,
        body: utf8(JSON.stringify(f)),
        refused: true,
      }),
    );
  const empty = fc.constantFrom<Encoded>(
    { kind: 'no body', contentType: 'application/json', body: undefined, refused: true },
    { kind: 'empty json', contentType: 'application/json', body: new Uint8Array(), refused: true },
    {
      kind: 'empty form',
      contentType: 'application/x-www-form-urlencoded',
      body: new Uint8Array(),
      refused: true,
    },
    { kind: 'no body, no type', contentType: undefined, body: undefined, refused: true },
  );
  const huge = fc
    .tuple(
      fields,
      fc.oneof(
        fc.integer({ min: maxBodyInBytes - 4, max: maxBodyInBytes + 4 }),
        fc.constant(1024 * 1024),
      ),
      fc.constantFrom('x', '९'),
    )
    .map(([f, size, unit]): Encoded => {
      const base = isObject(f) ? f : { phone: KNOWN };
      const skeleton = Buffer.byteLength(JSON.stringify({ ...base, pad: '' }));
      const body = utf8(
        JSON.stringify({
          ...base,
          pad: unit.repeat(Math.max(0, Math.floor((size - skeleton) / Buffer.byteLength(unit)))),
        }),
      );
      return {
        kind: `huge (${body.length} bytes)`,
        contentType: 'application/json',
        body,
        refused: body.length > maxBodyInBytes || sendFieldsRefused(base),
      };
    });
  const garbage = fc
    .tuple(
      fc.uint8Array({ maxLength: 64 }),
      fc.constantFrom(
        'application/json',
        'application/x-www-form-urlencoded',
        'multipart/form-data',
      ),
    )
    .map(
      ([bytes, type]): Encoded => ({
        kind: 'random bytes',
        contentType: type,
        body: new Uint8Array(bytes),
        refused: type !== 'application/x-www-form-urlencoded',
      }),
    );

  const body = fc.oneof(
    { weight: 4, arbitrary: json },
    { weight: 3, arbitrary: oddJSON },
    { weight: 4, arbitrary: form },
    { weight: 2, arbitrary: multipart },
    { weight: 1, arbitrary: crossed },
    { weight: 2, arbitrary: otherType },
    { weight: 1, arbitrary: empty },
    { weight: 1, arbitrary: huge },
    { weight: 1, arbitrary: garbage },
  );
  const headers = fc
    .record(
      {
        'sec-fetch-site': fc.constantFrom(
          'same-origin',
          'same-origin',
          'none',
          'cross-site',
          'same-site',
          'SAME-ORIGIN',
          '',
        ),
        origin: fc.oneof(
          fc.constantFrom(
            ORIGIN,
            'null',
            'https://evil.example',
            'https://app.example.com',
            'http://[::1',
            'file://',
          ),
          fc.string({ maxLength: 20 }),
        ),
        'content-length': fc.constantFrom('0', '1', '-1', 'abc', '99999999', '1e3', ''),
        'x-forwarded-for': fc.constantFrom(
          '203.0.113.9',
          'not-an-ip',
          '',
          'x'.repeat(80),
          '1.2.3.4, 5.6.7.8',
        ),
        'x-forwarded-host': fc.constantFrom('evil.example', 'localhost:3000'),
        cookie: fc.constantFrom('a=b', '=;;=', 'next-auth.csrf-token=%E0%A4%A'),
      },
      { requiredKeys: [] },
    )
    .map((h) =>
      Object.fromEntries(Object.entries(h).filter(([, value]) => /^[\x20-\x7e]*$/.test(value))),
    );

  return fc
    .tuple(
      body,
      fc.option(headers, { freq: 2, nil: undefined }),
      fc.oneof(
        { weight: 12, arbitrary: fc.constant('POST') },
        fc.constantFrom('GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'post', 'PROPFIND'),
      ),
      fc.option(
        fc.record({ cuts: fc.array(fc.nat({ max: 80 }), { maxLength: 4 }), error: fc.boolean() }),
        { freq: 3, nil: undefined },
      ),
      fc.constantFrom('/api/auth/otp/send', `/api/auth/otp/send?phone=${KNOWN}&resend=true`),
    )
    .map(([encoded, h, method, stream, path]): WebCase => {
      const withBody = method !== 'GET' && method !== 'HEAD' && encoded.body !== undefined;
      const all: Record<string, string> = { ...(h ?? {}) };
      if (encoded.contentType !== undefined) all['content-type'] = encoded.contentType;
      const site = all['sec-fetch-site'];
      const origin = all.origin;
      const allowed = origin !== undefined && origin === allowedOrigin;
      const crossSite =
        !allowed &&
        (site !== undefined
          ? site !== 'same-origin' && site !== 'none'
          : origin !== undefined && origin !== ORIGIN);
      const type = (encoded.contentType ?? '').split(';')[0]!.trim().toLowerCase();
      // Core's protocol reads JSON and URL-encoded forms only (multipart and +json are refused).
      const known = type === 'application/json' || type === 'application/x-www-form-urlencoded';
      const declared = Number(all['content-length'] ?? 0);
      const method_ = new Request(ORIGIN, { method }).method;
      return readable({
        kind: encoded.kind,
        method,
        path,
        headers: all,
        body: withBody ? encoded.body : undefined,
        ...(withBody && stream !== undefined ? { stream } : {}),
        mustRefuse:
          method_ !== 'POST' ||
          crossSite ||
          !known ||
          declared > maxBodyInBytes ||
          (withBody && stream?.error === true) ||
          !withBody ||
          encoded.refused,
      });
    });
}

describe.each<[string, SendHandlerOptions]>([
  ['default options', {}],
  [
    'trustProxy, allowedOrigins and a 512-byte limit',
    { trustProxy: true, allowedOrigins: ['https://app.example.com'], maxBodyInBytes: 512 },
  ],
])('createSendHandler, hostile input (%s)', (_, handlerOptions) => {
  it('no 5xx, no hang, nothing sent for a malformed request, one error shape, no secret', async () => {
    const { engine, deliveries, rightCode, spent } = await pendingChallenge({
      maxSendsPerIP: Number.POSITIVE_INFINITY,
      sendBudget: Number.POSITIVE_INFINITY,
    });
    const handler = createSendHandler(engine, { onError: () => {}, ...handlerOptions });
    const secrets = [rightCode, SECRET];
    const limit = handlerOptions.maxBodyInBytes ?? DEFAULT_MAX_BODY_IN_BYTES;
    const allowed = handlerOptions.allowedOrigins?.[0];

    await fc.assert(
      fc.asyncProperty(sendCases(rightCode, limit, allowed), async (c) => {
        const before = deliveries.length;
        const { response, text } = await answered(
          (async () => {
            const response = await handler(toRequest(c));
            return { response, text: await response.text() };
          })(),
          c.kind,
        );
        expect(response.status, `${c.kind}: no 5xx`).toBeLessThan(500);
        const head = JSON.stringify([...response.headers]);
        for (const secret of secrets) {
          expect(text.includes(secret) || head.includes(secret), `${c.kind}: a secret leaked`).toBe(
            false,
          );
        }
        expect(response.headers.get('cache-control')).toBe('no-store');
        const body = JSON.parse(text) as Record<string, unknown>;
        if (response.status === 202) {
          expect(Object.keys(body).sort()).toEqual(['channel', 'expiresAt', 'phone', 'resendAt']);
          expect(deliveries.length).toBe(before + 1);
        } else {
          expect(Object.keys(body)).toEqual(['error']);
          const error = body.error as Record<string, unknown>;
          expect(Object.keys(error).sort()).toEqual(['code', 'message']);
          const code = error.code as SendErrorCode;
          expect(SEND_STATUS[code], `${c.kind}: code ${String(code)}`).toBe(response.status);
          expect(error.message).toBe(ERROR_MESSAGES[code]);
          if (response.status === 429)
            expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
          if (response.status === 405) expect(response.headers.get('allow')).toBe('POST');
          expect(deliveries.length).toBe(before);
        }
        if (c.mustRefuse)
          expect(response.status, `${c.kind} must be refused`).toBeGreaterThanOrEqual(400);
        // The pending code is never replaced (the cooldown refuses a send to its number).
        expect(deliveries.filter((d) => d.phone === KNOWN_E164)).toHaveLength(1);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // The code is still there, with its whole attempt budget.
    const guess = async (code: string): Promise<string> => {
      const result = await engine.verify({ phone: KNOWN, code });
      return result.ok ? 'ok' : result.reason;
    };
    await expectChallengeIntact({ rightCode, spent, refused: 'invalid_code', guess });
  });
});

describe('createSendHandler: one answer whatever the encoding', () => {
  /** The same fields as JSON, as a URL-encoded form and as multipart/form-data. */
  function encode(fields: [string, string][]): [string, string, Bytes][] {
    const object = Object.fromEntries(fields);
    const form = fields
      .map(([k, value]) => `${percentEncode(k)}=${percentEncode(value)}`)
      .join('&');
    const multipart = `${fields
      .map(
        ([k, value]) =>
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${value}\r\n`,
      )
      .join('')}--${BOUNDARY}--\r\n`;
    return [
      ['json', 'application/json', utf8(JSON.stringify(object))],
      ['form', 'application/x-www-form-urlencoded', utf8(form)],
      ['multipart', `multipart/form-data; boundary=${BOUNDARY}`, utf8(multipart)],
    ];
  }

  async function answer(type: string, body: Bytes) {
    // A fresh engine for each encoding: the resend cooldown must not tell them apart.
    const { engine } = makeEngine();
    const handler = createSendHandler(engine, { onError: () => {} });
    const response = await answered(
      handler(
        new Request(`${ORIGIN}/api/auth/otp/send`, {
          method: 'POST',
          headers: { 'content-type': type, 'sec-fetch-site': 'same-origin' },
          body,
        }),
      ),
      type,
    );
    const body_ = (await response.json()) as { error?: { code: string } };
    return `${response.status} ${body_.error?.code ?? ''}`;
  }

  it('regression: a form field named constructor or __proto__ is a field, not a duplicate', async () => {
    // Found by the property below: `key in fields` saw Object.prototype's members as fields
    // already read, so these forms got 400 INVALID_REQUEST where the same JSON was accepted.
    for (const name of ['constructor', '__proto__', 'toString']) {
      const fields: [string, string][] = [
        ['phone', '9812345600'],
        [name, 'x'],
      ];
      for (const [encoding, type, body] of encode(fields)) {
        expect(await answer(type, body), `${name} in ${encoding}`).toBe(
          encoding === 'multipart' ? '415 UNSUPPORTED_MEDIA_TYPE' : '202 ',
        );
      }
    }
    // A real duplicate is still refused.
    expect(
      await answer('application/x-www-form-urlencoded', utf8('phone=9812345600&phone=9812345601')),
    ).toBe('400 INVALID_REQUEST');
  });

  it('string fields get the same status and code as JSON and a form; multipart is refused', async () => {
    const v = values('123456');
    const value = fc.oneof(
      v.known,
      v.pool,
      fc.constantFrom('text', 'voice', '', 'true', '1', ...VOICES, 'robot'),
      fc.string({ unit: 'grapheme', maxLength: 12 }),
    );
    // Unique names, among them names of Object.prototype members, which a form may carry too.
    const fields = fc.uniqueArray(
      fc.tuple(
        fc.constantFrom(
          'phone',
          'phone',
          'channel',
          'voice',
          'resend',
          'constructor',
          'toString',
          '__proto__',
          'valueOf',
          'hasOwnProperty',
          'pad',
        ),
        value,
      ),
      { selector: ([k]) => k, maxLength: 5 },
    );
    await fc.assert(
      fc.asyncProperty(
        fields.filter((f) => f.every(([, value]) => !/[\r\n]/.test(value))),
        async (f) => {
          const answers = [];
          for (const [, type, body] of encode(f)) answers.push(await answer(type, body));
          expect(answers[1], 'form vs JSON').toBe(answers[0]);
          // One set of content-type rules for every adapter: JSON and URL-encoded forms only.
          expect(answers[2], 'multipart').toBe('415 UNSUPPORTED_MEDIA_TYPE');
        },
      ),
      { seed: SEED, numRuns: 150 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// authorize, through next-auth

/** Sign-in bodies: the credentials (some the right code in disguise) and the CSRF token. */
function signInBodies(rightCode: string, csrfToken: string, arrays: boolean) {
  const v = values(rightCode);
  const csrf = fc.oneof(
    { weight: 8, arbitrary: fc.constant<unknown>(csrfToken) },
    fc.constantFrom<unknown>(
      undefined,
      '',
      `${csrfToken}x`,
      [csrfToken],
      42,
      csrfToken.split('|')[0],
    ),
  );
  // Duplicated form fields as a body parser may hand them over: an array, the right code first or last.
  const duplicated = fc
    .tuple(v.codeText, fc.boolean())
    .map(([other, first]) => (first ? [rightCode, other] : [other, rightCode]));
  const credential = (text: fc.Arbitrary<string>) =>
    fc.oneof(
      { weight: 3, arbitrary: text as fc.Arbitrary<unknown> },
      v.wrongType,
      ...(arrays ? [duplicated as fc.Arbitrary<unknown>] : []),
    );
  return fc
    .tuple(
      fc.record(
        {
          phone: fc.oneof(
            { weight: 4, arbitrary: v.known as fc.Arbitrary<unknown> },
            credential(v.phoneText),
          ),
          code: credential(v.codeText),
          callbackUrl: fc.constantFrom(
            `${ORIGIN}/account`,
            'https://evil.example/',
            'javascript:alert(1)',
            '',
          ),
        },
        { requiredKeys: [] },
      ),
      v.extra,
      csrf,
    )
    .map(([fields, x, token]) => ({
      ...x,
      ...fields,
      ...(token === undefined ? {} : { csrfToken: token }),
    }));
}

/** Raw bodies next-auth has to read itself: odd encodings and types around valid credentials. */
function rawBodies(rightCode: string, csrfToken: string) {
  const v = values(rightCode);
  return fc
    .tuple(
      fc.record({ phone: v.known, code: fc.oneof(v.codeText, fc.constant(`${rightCode}\u200B`)) }),
      fc.constantFrom(
        'json',
        'bom',
        'utf-16',
        'invalid utf-8',
        'truncated',
        'form',
        'form as json',
        'json as form',
        'text',
        'multipart',
        'none',
      ),
      fc.nat(),
    )
    .map(([fields, how, n]) => {
      const object = { ...fields, csrfToken, callbackUrl: `${ORIGIN}/account` };
      const json = JSON.stringify(object);
      const form = new URLSearchParams(object).toString();
      const cases: Record<string, [string | undefined, Bytes | undefined]> = {
        json: ['application/json', utf8(json)],
        bom: ['application/json', utf8(`\uFEFF${json}`)],
        'utf-16': [
          'application/json; charset=utf-16',
          new Uint8Array(Buffer.from(json, 'utf16le')),
        ],
        'invalid utf-8': [
          'application/json',
          new Uint8Array(
            Buffer.concat([Buffer.from(json.slice(0, -1)), Buffer.from([0xff]), Buffer.from('}')]),
          ),
        ],
        truncated: ['application/json', utf8(json.slice(0, n % json.length))],
        form: ['application/x-www-form-urlencoded', utf8(form)],
        'form as json': ['application/json', utf8(form)],
        'json as form': ['application/x-www-form-urlencoded', utf8(json)],
        text: ['text/plain', utf8(json)],
        multipart: [
          `multipart/form-data; boundary=${BOUNDARY}`,
          utf8(
            `--${BOUNDARY}\r\nContent-Disposition: form-data; name="code"\r\n\r\n${rightCode}\r\n--${BOUNDARY}--\r\n`,
          ),
        ],
        none: [undefined, undefined],
      };
      const [type, body] = cases[how]!;
      return { kind: `raw ${how}`, type, body };
    });
}

type CookieJar = Map<string, string>;

// next-auth v4's request handler for every framework (its `core` folder is not in `exports`).
const require = createRequire(import.meta.url);
const { AuthHandler } = require(join(dirname(require.resolve('next-auth')), 'core/index.js')) as {
  AuthHandler: (params: { req: unknown; options: AuthOptions }) => Promise<{
    status?: number;
    body?: unknown;
    redirect?: string;
    cookies?: { name: string; value: string }[];
    headers?: unknown;
  }>;
};

beforeAll(() => {
  // next-auth logs every refused sign-in; the assertions are on its answers.
  vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterAll(() => {
  vi.restoreAllMocks();
});

/**
 * A real engine (with `policy`) with a pending code for KNOWN, and a record of the attempts spent
 * on it.
 */
async function pendingChallenge(policy: MakeEngineOptions['policy'] = {}) {
  const made = makeEngine({ policy: { maxAttemptsPerCode: MAX_ATTEMPTS_PER_CODE, ...policy } });
  expect((await made.engine.send({ phone: KNOWN })).ok).toBe(true);
  const rightCode = made.lastCode();
  const spent: string[] = [];
  made.engine.on('failed', (event) => {
    if (event.phone === KNOWN_E164) spent.push(event.detail);
  });
  return { ...made, rightCode, spent };
}

describe('authorize on next-auth v4 (AuthHandler), hostile input', () => {
  // v4 reads its origin from NEXTAUTH_URL; v5's handlers would then expect a NextRequest.
  let previousURL: string | undefined;
  beforeAll(() => {
    previousURL = process.env.NEXTAUTH_URL;
    process.env.NEXTAUTH_URL = ORIGIN;
  });
  afterAll(() => {
    if (previousURL === undefined) delete process.env.NEXTAUTH_URL;
    else process.env.NEXTAUTH_URL = previousURL;
  });

  function setup(engine: OTPEngine) {
    const options: AuthOptions = {
      providers: [TingTingV4({ engine, trustProxy: true })],
      secret: AUTH_SECRET,
      session: { strategy: 'jwt' },
      callbacks,
    };
    const headers = (jar: CookieJar) => ({
      cookie: [...jar].map(([k, value]) => `${k}=${value}`).join('; '),
      host: 'localhost:3000',
    });
    async function call(req: unknown, jar: CookieJar) {
      const response = await answered(AuthHandler({ req, options }), 'AuthHandler');
      for (const cookie of response.cookies ?? []) jar.set(cookie.name, cookie.value);
      return response;
    }
    async function csrf(jar: CookieJar): Promise<string> {
      const response = await call(
        new Request(`${ORIGIN}/api/auth/csrf`, { headers: headers(jar) }),
        jar,
      );
      return (response.body as { csrfToken: string }).csrfToken;
    }
    /** A sign-in as the route handlers hand it to AuthHandler: `body` is what their parser made. */
    function internal(body: unknown, jar: CookieJar, extra: Record<string, string> = {}) {
      return call(
        {
          action: 'callback',
          providerId: 'tingting',
          method: 'POST',
          body,
          query: {},
          cookies: Object.fromEntries(jar),
          headers: { ...headers(jar), 'content-type': 'application/json', ...extra },
        },
        jar,
      );
    }
    return { call, csrf, internal, headers };
  }

  type V4Answer = Awaited<ReturnType<ReturnType<typeof setup>['call']>>;

  /** Properties 1, 4 and 5 for one answer of AuthHandler; `true` when authorize refused it. */
  function checkV4(what: string, response: V4Answer, secrets: string[]): void {
    expect(response.status ?? 200, `${what}: no 5xx`).toBeLessThan(500);
    const all = JSON.stringify(response);
    for (const secret of secrets)
      expect(all.includes(secret), `${what}: a secret leaked`).toBe(false);
    expect(
      response.cookies?.some((c) => c.name.endsWith('session-token') && c.value !== ''),
    ).not.toBe(true);
    const redirect = new URL(response.redirect ?? '', ORIGIN);
    if (redirect.pathname === '/api/auth/signin') {
      expect(redirect.searchParams.get('csrf'), what).toBe('true');
      return;
    }
    expect(redirect.pathname, `${what}: ${response.redirect}`).toBe('/api/auth/error');
    expect(
      SIGN_IN_CODES.has(redirect.searchParams.get('error') ?? ''),
      `${what}: ${response.redirect}`,
    ).toBe(true);
    expect(response.status).toBe(401);
  }

  it('credentials of every type and shape: no 5xx, no hang, no sign-in, no attempt spent, one error shape', async () => {
    const { engine, rightCode, spent } = await pendingChallenge();
    const { csrf, internal } = setup(engine);
    const jar: CookieJar = new Map();
    const token = await csrf(jar);
    await fc.assert(
      fc.asyncProperty(
        signInBodies(rightCode, token, true),
        fc.constantFrom('198.51.100.4', 'not-an-ip', '', 'x'.repeat(100)),
        async (body, ip) => {
          const before = spent.length;
          const response = await internal(body, new Map(jar), { 'x-forwarded-for': ip });
          checkV4('credentials', response, [rightCode, SECRET, AUTH_SECRET]);
          expect(spent.slice(before), 'an attempt was spent').toEqual([]);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    const guess = async (code: string): Promise<string> => {
      const response = await internal({ csrfToken: token, phone: KNOWN, code }, new Map(jar));
      if (response.cookies?.some((c) => c.name === 'next-auth.session-token' && c.value !== ''))
        return 'ok';
      return new URL(response.redirect ?? '', ORIGIN).searchParams.get('error') ?? 'none';
    };
    await expectChallengeIntact({ rightCode, spent, refused: 'INVALID_CODE', guess });
  });

  it('raw bodies next-auth reads itself: no 5xx, no hang, no sign-in, no attempt spent', async () => {
    const { engine, rightCode, spent } = await pendingChallenge();
    const { csrf, call, headers } = setup(engine);
    const jar: CookieJar = new Map();
    const token = await csrf(jar);
    await fc.assert(
      fc.asyncProperty(rawBodies(rightCode, token), async ({ kind, type, body }) => {
        const before = spent.length;
        const request = new Request(`${ORIGIN}/api/auth/callback/tingting`, {
          method: 'POST',
          headers: { ...headers(jar), ...(type === undefined ? {} : { 'content-type': type }) },
          ...(body === undefined ? {} : { body }),
        });
        const response = await call(request, new Map(jar));
        checkV4(kind, response, [rightCode, SECRET, AUTH_SECRET]);
        expect(spent.slice(before), `${kind}: an attempt was spent`).toEqual([]);
      }),
      { seed: SEED, numRuns: 100 },
    );
    expect(spent).toEqual([]);
  });
});

describe.each([
  ['@auth/core Auth()', (c: AuthConfig) => (request: Request) => Auth(request, c)],
  [
    'next-auth v5 handlers',
    (c: AuthConfig) => {
      const { handlers } = NextAuth(c as never);
      return (request: Request) => handlers.POST(request as never);
    },
  ],
])('authorize on next-auth v5 (%s), hostile input', (_, makeHandler) => {
  function setup(engine: OTPEngine) {
    const config: AuthConfig = {
      providers: [TingTingV5({ engine, CredentialsSignin, trustProxy: true })],
      secret: AUTH_SECRET,
      trustHost: true,
      basePath: '/api/auth',
      session: { strategy: 'jwt' },
      callbacks,
    };
    const handler = makeHandler(config);
    const cookie = (jar: CookieJar) => [...jar].map(([k, value]) => `${k}=${value}`).join('; ');
    async function csrf(jar: CookieJar): Promise<string> {
      const response = await Auth(
        new Request(`${ORIGIN}/api/auth/csrf`, { headers: { cookie: cookie(jar) } }),
        config,
      );
      for (const header of response.headers.getSetCookie()) {
        const [pair = ''] = header.split(';');
        jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
      }
      return ((await response.json()) as { csrfToken: string }).csrfToken;
    }
    async function post(
      jar: CookieJar,
      type: string | undefined,
      body: BodyInit | undefined,
      extra: Record<string, string> = {},
    ) {
      const request = new Request(`${ORIGIN}/api/auth/callback/tingting`, {
        method: 'POST',
        headers: {
          cookie: cookie(jar),
          ...(type === undefined ? {} : { 'content-type': type }),
          ...extra,
        },
        ...(body === undefined ? {} : { body }),
      });
      if (type === undefined) request.headers.delete('content-type');
      return answered(
        (async () => {
          const response = await handler(request);
          return { response, text: await response.text() };
        })(),
        'Auth.js',
      );
    }
    return { csrf, post };
  }

  /** Properties 1, 4 and 5 for one answer of Auth.js. */
  function checkV5(
    what: string,
    { response, text }: { response: Response; text: string },
    secrets: string[],
  ) {
    expect(response.status, `${what}: no 5xx`).toBeLessThan(500);
    const all = `${text}${JSON.stringify([...response.headers])}`;
    for (const secret of secrets)
      expect(all.includes(secret), `${what}: a secret leaked`).toBe(false);
    expect(response.headers.getSetCookie().some((c) => /session-token=[^;]/.test(c))).toBe(false);
    if (response.status === 400) {
      // Auth.js's own answer when it cannot read the body; authorize never ran.
      expect(text).toBe('"Bad request."');
      return;
    }
    const location = new URL(
      response.headers.get('location') ?? (JSON.parse(text) as { url: string }).url,
      ORIGIN,
    );
    const error = location.searchParams.get('error');
    if (error === 'MissingCSRF') return;
    expect(error, `${what}: ${location.href}`).toBe('CredentialsSignin');
    expect(
      SIGN_IN_CODES.has(location.searchParams.get('code') ?? ''),
      `${what}: ${location.href}`,
    ).toBe(true);
  }

  it('credentials of every type and shape, as JSON or a form: no 5xx, no hang, no sign-in, no attempt spent, one error shape', async () => {
    const { engine, rightCode, spent } = await pendingChallenge();
    const { csrf, post } = setup(engine);
    const jar: CookieJar = new Map();
    const token = await csrf(jar);
    await fc.assert(
      fc.asyncProperty(
        signInBodies(rightCode, token, false),
        fc.boolean(),
        fc.boolean(),
        async (fields, asForm, returnRedirect) => {
          const before = spent.length;
          // A form carries strings only: each value as the browser would send its text.
          const body = asForm
            ? new URLSearchParams(
                Object.entries(fields).map(([k, value]) => {
                  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
                  // `123456` the number is a real guess once it is text: keep it malformed.
                  return [k, k === 'code' && isWellFormedCode(text) ? `${text}\u200B` : text];
                }),
              )
            : JSON.stringify(fields);
          const answer = await post(
            jar,
            asForm ? 'application/x-www-form-urlencoded' : 'application/json',
            body,
            {
              'x-forwarded-for': 'not-an-ip',
              ...(returnRedirect ? { 'x-auth-return-redirect': '1' } : {}),
            },
          );
          checkV5(asForm ? 'form' : 'json', answer, [rightCode, SECRET, AUTH_SECRET]);
          expect(spent.slice(before), 'an attempt was spent').toEqual([]);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    const guess = async (code: string): Promise<string> => {
      const { response } = await post(
        jar,
        'application/x-www-form-urlencoded',
        new URLSearchParams({ csrfToken: token, phone: KNOWN, code }),
      );
      if (response.headers.getSetCookie().some((c) => c.startsWith('authjs.session-token=')))
        return 'ok';
      return (
        new URL(response.headers.get('location') ?? '', ORIGIN).searchParams.get('code') ?? 'none'
      );
    };
    await expectChallengeIntact({ rightCode, spent, refused: 'INVALID_CODE', guess });
  });

  it('raw bodies Auth.js reads itself: no 5xx, no hang, no sign-in, no attempt spent', async () => {
    const { engine, rightCode, spent } = await pendingChallenge();
    const { csrf, post } = setup(engine);
    const jar: CookieJar = new Map();
    const token = await csrf(jar);
    await fc.assert(
      fc.asyncProperty(rawBodies(rightCode, token), async ({ kind, type, body }) => {
        const before = spent.length;
        const answer = await post(jar, type, body);
        checkV5(kind, answer, [rightCode, SECRET, AUTH_SECRET]);
        expect(spent.slice(before), `${kind}: an attempt was spent`).toEqual([]);
      }),
      { seed: SEED, numRuns: 100 },
    );
    expect(spent).toEqual([]);
  });
});
