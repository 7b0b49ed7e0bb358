/**
 * Hostile input, property-based (issue 7): fast-check throws random and malformed requests at the
 * router on real Express 5 and Express 4 apps, with and without express-session, with and without
 * the app's own body parsers, and with the no-JavaScript form redirects. For every generated
 * request:
 *
 * 1. never a 5xx;
 * 2. always an answer (each request carries an `AbortSignal.timeout`; nothing is timed);
 * 3. a malformed request sends nothing, signs nobody in and spends no attempt of the pending
 *    challenge: checked after every request through the engine's `failed` events, and after the
 *    run by making `maxAttemptsPerCode - 1` wrong guesses before the right code works exactly once;
 * 4. every 4xx is `{ error: { code, message } }` with a documented code, its status and its
 *    generic message (a refused form post with `redirects`: a 303 to the error page, the code in
 *    the query string only when there is no session);
 * 5. no secret (the pending code, the TingTing API token, the HMAC and session secrets) in any
 *    answer, headers included.
 *
 * The runs are seeded (`FC_SEED=<n>` replays another seed); fast-check prints the seed and the
 * path of a failure.
 */

import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { deflateSync, gzipSync } from 'node:zlib';
import {
  createTingTingSender,
  MemoryStore,
  type OTPDelivery,
  OTPEngine,
  TingTingClient,
  VOICES,
} from '@tingting-auth/core';
import { type FakeTingTing, startFakeTingTing } from '@tingting-auth/testing';
import express5 from 'express';
import session from 'express-session';
import express4 from 'express4';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTingTingAuth, HTTP_ERROR_MESSAGES, type HTTPErrorCode } from '../src/index.js';

const SEED = Number(process.env.FC_SEED ?? 7);
const RUNS = 200;
/** No answer within this long is a hang (an abort fails the property, it is not a timing check). */
const HANG_IN_MILLISECONDS = 10_000;
const SECRET = 'hostile-input-hmac-secret-0123456789abcdef';
const SESSION_SECRET = 'hostile-input-session-secret-2fa9c0';
const KNOWN = '9812345678';
const KNOWN_E164 = '+9779812345678';
/** The router's default `bodyLimit` ('4kb') and express.json()'s default ('100kb'), in bytes. */
const ROUTER_LIMIT = 4 * 1024;
const APP_PARSER_LIMIT = 100 * 1024;
const MAX_ATTEMPTS_PER_CODE = 5;

/** Documented statuses (README "Errors"): the oracle, written independently of the source. */
const STATUS_OF: Partial<Record<HTTPErrorCode, number>> = {
  INVALID_REQUEST: 400,
  MALFORMED_BODY: 400,
  INVALID_PHONE: 400,
  INVALID_CODE: 401,
  CROSS_SITE_REQUEST: 403,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  LOCKED: 429,
};
const SEND_CODES = new Set<HTTPErrorCode>([
  'INVALID_REQUEST',
  'MALFORMED_BODY',
  'INVALID_PHONE',
  'CROSS_SITE_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
]);
const VERIFY_CODES = new Set<HTTPErrorCode>([
  'INVALID_REQUEST',
  'MALFORMED_BODY',
  'INVALID_CODE',
  'CROSS_SITE_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'LOCKED',
]);

// ---------------------------------------------------------------------------------------------
// Text helpers

const toDevanagari = (s: string): string =>
  s.replace(/[0-9]/g, (d) => String.fromCharCode(0x0966 + Number(d)));
const toFullwidth = (s: string): string =>
  s.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)));
/** Characters `String.prototype.trim` keeps: a code with one of them is malformed, not a guess. */
const INVISIBLE = ['\u200B', '\u200C', '\u200D', '\u2060', '\u0000', '\u202E', '\u00AD'];
const isWellFormedCode = (value: unknown): boolean =>
  typeof value === 'string' && /^[0-9]{6}$/.test(value.trim());

const POOL = /^98412345[0-9]{2}$/;

/**
 * The fields as the strings a form carries. A value that becomes a well-formed code only by
 * turning into a string (`123456` the number) is kept malformed, unless the number is one without
 * a challenge: a form can only carry strings, so that would be a real guess, not hostile input.
 */
function stringPairs(f: unknown): [string, string][] {
  if (typeof f !== 'object' || f === null || Array.isArray(f)) return [];
  const phone = (f as Fields).phone;
  const pool = typeof phone === 'string' && POOL.test(phone);
  return Object.entries(f).map(([k, v]) => {
    const text = typeof v === 'string' ? v : (JSON.stringify(v) ?? '');
    return [k, k === 'code' && !pool && isWellFormedCode(text) ? `${text}\u200B` : text];
  });
}

/** Percent-encodes the UTF-8 bytes of `s` (lone surrogates become U+FFFD; never throws). */
function percentEncode(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function utf16(text: string, endian: 'le' | 'be', bom: boolean): Buffer {
  const le = Buffer.from((bom ? '\uFEFF' : '') + text, 'utf16le');
  if (endian === 'le') return le;
  const be = Buffer.alloc(le.length);
  for (let i = 0; i + 1 < le.length; i += 2) {
    be[i] = le[i + 1]!;
    be[i + 1] = le[i]!;
  }
  return be;
}

// ---------------------------------------------------------------------------------------------
// The generated request

interface HostileRequest {
  /** What the generator built, for the shrunk counterexample. */
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  /** Send the body chunked (no Content-Length). */
  chunked: boolean;
  /** The request must be refused (4xx): nothing sent, nobody signed in. */
  mustRefuse: boolean;
}

type Fields = Record<string, unknown>;

/** Prints a request in a counterexample as it went on the wire (bytes as latin1, escaped). */
function readable(r: HostileRequest): HostileRequest {
  return Object.assign(r, {
    [fc.toStringMethod]: () =>
      `${r.kind}: ${r.method} ${r.path} ${JSON.stringify(r.headers)}${r.chunked ? ' (chunked)' : ''} ${
        r.body === undefined ? '(no body)' : JSON.stringify(r.body.toString('latin1'))
      }${r.mustRefuse ? ' [must be refused]' : ''}`,
  });
}

/** An encoded body, and whether the encoding alone makes the request unacceptable. */
interface Encoded {
  kind: string;
  contentType: string | undefined;
  body: Buffer | undefined;
  headers?: Record<string, string>;
  refused: boolean;
}

function arbitraries(rightCode: string) {
  const known = fc.constantFrom(
    KNOWN,
    KNOWN_E164,
    '009779812345678',
    '+977 981-234-5678',
    '(981) 234 5678',
    toDevanagari(KNOWN),
    `+977${toDevanagari(KNOWN)}`,
    toFullwidth(KNOWN),
  );
  // Valid Nepali mobiles other than KNOWN: a send to them may be accepted.
  const pool = fc.integer({ min: 0, max: 99 }).map((n) => `98412345${String(n).padStart(2, '0')}`);
  const garble = (s: string) =>
    fc
      .tuple(fc.nat({ max: s.length }), fc.constantFrom(...INVISIBLE))
      .map(([i, c]) => s.slice(0, i) + c + s.slice(i));

  const phoneText = fc.oneof(
    known,
    pool,
    known.chain(garble),
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary' }),
    fc.constantFrom(
      '',
      ' ',
      '+',
      '+977',
      '0',
      '-1',
      'NaN',
      'null',
      '[object Object]',
      'x'.repeat(65),
    ),
    fc.nat().map(String),
  );
  // Codes that are never a well-formed guess, many of them built from the right code.
  const codeText = fc
    .oneof(
      fc.constantFrom(
        toDevanagari(rightCode),
        toFullwidth(rightCode),
        `${rightCode}0`,
        rightCode.slice(1),
        rightCode.split('').join(' '),
        rightCode.split('').join('-'),
        `+${rightCode}`,
        `${rightCode}\u0000`,
        `${rightCode}e0`,
        '',
        'abcdef',
        'null',
      ),
      garble(rightCode),
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.stringMatching(/^(?:[0-9]{1,5}|[0-9]{7,12})$/),
    )
    .filter((s) => !isWellFormedCode(s));
  const wrongType = fc.oneof(
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom<unknown>(
      Number(rightCode),
      [rightCode],
      { $eq: rightCode },
      { $ne: '' },
      { toString: rightCode },
      [KNOWN],
      { 0: KNOWN },
      [],
      {},
    ),
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
    fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
  );
  const channel = fc.oneof(
    fc.constantFrom('text', 'voice', '', 'TEXT', 'sms', ' voice', 'text\u0000'),
    wrongType,
  );
  const voice = fc.oneof(fc.constantFrom(...VOICES, '', 'robot', 'NP_RIJA'), wrongType);
  const extra = fc.dictionary(
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'purpose', 'ip', 'pad', 'toString'),
    fc.jsonValue({ maxDepth: 1 }),
    { maxKeys: 2 },
  );

  /** Adds a few keys the router must ignore (`__proto__`, `purpose`, …) to an object body. */
  const withExtra = (fields: fc.Arbitrary<unknown>): fc.Arbitrary<Fields> =>
    fc
      .tuple(fields, extra)
      .map(([f, x]) =>
        typeof f === 'object' && f !== null && !Array.isArray(f) ? { ...x, ...f } : (f as Fields),
      );

  /** Verify fields: the code is never a well-formed guess (except against numbers with no challenge). */
  const verifyFields: fc.Arbitrary<Fields> = withExtra(
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record(
          {
            // Mostly the number with the pending code, and a code built from the right one.
            phone: fc.oneof({ weight: 4, arbitrary: known }, phoneText, wrongType),
            code: fc.oneof({ weight: 3, arbitrary: codeText }, wrongType),
            channel,
          },
          { requiredKeys: [] },
        ),
      },
      { weight: 1, arbitrary: fc.record({ phone: pool, code: fc.stringMatching(/^[0-9]{6}$/) }) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    ),
  );
  const sendFields: fc.Arbitrary<Fields> = withExtra(
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record(
          { phone: fc.oneof(phoneText, wrongType), channel, voice, code: codeText },
          { requiredKeys: [] },
        ),
      },
      // Plausible sends, so accepted ones (through the TingTing client) are part of the mix.
      {
        weight: 3,
        arbitrary: fc.record(
          {
            phone: fc.oneof(known, pool, pool.chain(garble)),
            channel: fc.constantFrom('text', 'voice', ''),
            voice: fc.constantFrom(...VOICES, ''),
          },
          { requiredKeys: ['phone'] },
        ),
      },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    ),
  );

  /** Form pairs: strings only, some keys repeated, some values raw percent garbage. */
  const formPairs = (fields: fc.Arbitrary<Fields>) =>
    fc
      .tuple(
        fields,
        fc.array(
          fc.tuple(
            fc.oneof(
              { weight: 3, arbitrary: fc.constant('code') },
              fc.constantFrom(
                'phone',
                'channel',
                'voice',
                'phone[]',
                'code[0]',
                'code[]',
                'phone[a]',
              ),
            ),
            fc.oneof({ weight: 2, arbitrary: fc.constant(rightCode) }, phoneText, codeText),
            fc.boolean(),
          ),
          { maxLength: 2 },
        ),
        fc.array(
          fc.constantFrom('%', '%ZZ', '%E0%A4', '%C0%AF', '%FF%FE', '%00', '+', '=', '&', 'phone'),
          { maxLength: 3 },
        ),
      )
      .map(([f, more, garbage]) => {
        const pairs = stringPairs(f);
        for (const [k, v, first] of more) {
          // An extra copy of a field, never its only copy (the right code never stands alone),
          // before or after the other, so neither "first wins" nor "last wins" goes unseen.
          const alone = !k.includes('[') && !pairs.some(([x]) => x === k);
          if (first) {
            pairs.unshift([k, v]);
            if (alone) pairs.push([k, '']);
          } else {
            if (alone) pairs.unshift([k, '']);
            pairs.push([k, v]);
          }
        }
        const text = [
          ...pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`),
          ...garbage,
        ].join('&');
        return { text, pairs, garbage: garbage.length > 0 };
      });

  const jsonTypes = fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'application/json;charset="UTF-8"',
  );
  const otherTypes = fc.constantFrom(
    'text/plain',
    'text/plain; charset=utf-8',
    'multipart/form-data; boundary=x',
    'multipart/form-data',
    'application/xml',
    'application/octet-stream',
    'application/vnd.api+json',
    'application/json-patch',
    'application/x-www-form-urlencodedx',
    '*/*',
    'application/json, text/plain',
    'application/ json',
    ';',
    'garbage',
  );

  /**
   * Every way to put `fields` in a body. `reads`: the fields the endpoint reads; `qs`: the app's
   * `express.urlencoded({ extended: true })` parses the form (brackets make arrays and objects).
   */
  const encodings = (
    fields: fc.Arbitrary<Fields>,
    fieldsRefused: (f: Fields) => boolean,
    reads: readonly string[],
    qs: boolean,
  ) => {
    const json = fc.tuple(fields, jsonTypes).map(
      ([f, type]): Encoded => ({
        kind: 'json',
        contentType: type,
        body: Buffer.from(JSON.stringify(f)),
        refused: fieldsRefused(f),
      }),
    );
    const oddJSON = fc
      .tuple(
        fields,
        fc.constantFrom(
          'bom',
          'utf-16le',
          'utf-16be',
          'utf-16',
          'latin1',
          'koi9',
          'utf-7',
          'utf-32',
          'gzip',
          'deflate',
        ),
        fc.boolean(),
      )
      .map(([f, how, bom]): Encoded => {
        const text = JSON.stringify(f);
        switch (how) {
          case 'bom':
            return {
              kind: 'json+bom',
              contentType: 'application/json',
              body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
              refused: fieldsRefused(f),
            };
          case 'utf-16le':
          case 'utf-16be':
            return {
              kind: `json ${how}`,
              contentType: `application/json; charset=${how}`,
              body: utf16(text, how === 'utf-16le' ? 'le' : 'be', bom),
              refused: fieldsRefused(f),
            };
          case 'utf-16':
            return {
              kind: 'json utf-16',
              contentType: 'application/json; charset=utf-16',
              body: utf16(text, bom ? 'be' : 'le', true),
              refused: fieldsRefused(f),
            };
          case 'utf-7':
          case 'utf-32':
            // Declared but not used: decoding garbles the text, which may only make it worse.
            return {
              kind: `json declared ${how}`,
              contentType: `application/json; charset=${how}`,
              body: Buffer.from(text),
              refused: fieldsRefused(f),
            };
          case 'latin1':
          case 'koi9':
            return {
              kind: `json ${how}`,
              contentType: `application/json; charset=${how}`,
              body: Buffer.from(text, 'latin1'),
              refused: true,
            };
          default:
            return {
              kind: `json ${how}`,
              contentType: 'application/json',
              body: how === 'gzip' ? gzipSync(text) : deflateSync(text),
              headers: { 'content-encoding': how },
              refused: fieldsRefused(f),
            };
        }
      });
    const duplicatedJSON = fc
      .tuple(
        fields,
        fc.constantFrom('phone', 'code', 'channel'),
        fc.oneof(codeText, fc.constant(rightCode), phoneText),
      )
      .filter(
        ([f, key]) =>
          typeof f === 'object' && f !== null && !Array.isArray(f) && Object.hasOwn(f, key),
      )
      .map(([f, key, first]): Encoded => {
        // JSON.parse keeps the last copy: the first one (sometimes the right code) must never count.
        const rest = JSON.stringify(f).slice(1);
        const text = `{${JSON.stringify(key)}:${JSON.stringify(first)},${rest}`;
        return {
          kind: 'json duplicated',
          contentType: 'application/json',
          body: Buffer.from(text),
          refused: fieldsRefused(f),
        };
      });
    const invalidUTF8 = fc
      .tuple(
        fields,
        fc.constantFrom(
          [0xff],
          [0xfe, 0xff],
          [0xc0, 0xaf],
          [0xed, 0xa0, 0x80],
          [0xe0, 0xa4],
          [0x00],
        ),
      )
      .map(([f, bytes]): Encoded => {
        // Into a value of its own, so the bytes never hide a field the oracle counts on.
        const marker = '@@bytes@@';
        const isObject = typeof f === 'object' && f !== null && !Array.isArray(f);
        const [head = '', tail = ''] = isObject
          ? JSON.stringify({ ...f, pad: marker }).split(marker)
          : ['', JSON.stringify(f)];
        return {
          kind: 'json invalid utf-8',
          contentType: 'application/json',
          body: Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from(tail)]),
          refused: fieldsRefused(f),
        };
      });
    const truncated = fc
      .tuple(fields, fc.double({ min: 0, max: 1, noNaN: true }))
      .map(([f, cut]): Encoded => {
        const text = JSON.stringify(f);
        const prefix = text.slice(0, Math.floor(text.length * cut));
        return {
          kind: 'json truncated',
          contentType: 'application/json',
          body: Buffer.from(prefix),
          // A strict prefix of a JSON object or array is never JSON; of a scalar it may be.
          refused:
            prefix !== text && (text.startsWith('{') || text.startsWith('['))
              ? true
              : fieldsRefused(f),
        };
      });
    const formTypes = fc.oneof(
      { weight: 4, arbitrary: fc.constant('application/x-www-form-urlencoded') },
      fc.constantFrom(
        'application/x-www-form-urlencoded; charset=utf-8',
        'application/x-www-form-urlencoded; charset=iso-8859-1',
        'APPLICATION/X-WWW-FORM-URLENCODED',
        'application/x-www-form-urlencoded; charset=utf-16',
        'application/x-www-form-urlencoded;;charset',
      ),
    );
    const form = fc
      .tuple(formPairs(fields), formTypes)
      .map(([{ text, pairs, garbage }, type]): Encoded => {
        const keys = pairs.map(([k]) => k);
        const repeated = reads.some((k) => keys.filter((x) => x === k).length > 1);
        const nested = qs && keys.some((k) => k.includes('[') && reads.includes(k.split('[')[0]!));
        const map = Object.fromEntries(pairs);
        return {
          kind: 'form',
          contentType: type,
          body: Buffer.from(text),
          refused: repeated || nested || (!garbage && fieldsRefused(map)),
        };
      });
    const crossed = fc.tuple(fields, fc.boolean()).map(([f, jsonAsForm]): Encoded => {
      const json = JSON.stringify(f);
      const formText = stringPairs(f)
        .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
        .join('&');
      return jsonAsForm
        ? {
            kind: 'json as form',
            contentType: 'application/x-www-form-urlencoded',
            body: Buffer.from(json),
            refused: !json.includes('phone='),
          }
        : {
            kind: 'form as json',
            contentType: 'application/json',
            body: Buffer.from(formText),
            refused: true,
          };
    });
    const otherType = fc.tuple(fields, otherTypes, fc.boolean()).map(
      ([f, type, asForm]): Encoded => ({
        kind: `other type ${type}`,
        contentType: type,
        body: Buffer.from(
          asForm ? new URLSearchParams(stringPairs(f)).toString() : JSON.stringify(f),
        ),
        refused: true,
      }),
    );
    const multipart = fields.map((f): Encoded => {
      const parts = stringPairs(f)
        .map(([k, v]) => `--b\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
        .join('');
      const body = `${parts}--b--\r\n`;
      return {
        kind: 'multipart',
        contentType: 'multipart/form-data; boundary=b',
        body: Buffer.from(body),
        refused: true,
      };
    });
    const noBody = fc.constantFrom<Encoded>(
      { kind: 'no body', contentType: undefined, body: undefined, refused: true },
      { kind: 'empty json', contentType: 'application/json', body: Buffer.alloc(0), refused: true },
      {
        kind: 'empty form',
        contentType: 'application/x-www-form-urlencoded',
        body: Buffer.alloc(0),
        refused: true,
      },
      {
        kind: 'no type',
        contentType: undefined,
        body: Buffer.from(`{"phone":"${KNOWN}"}`),
        refused: true,
      },
    );
    const garbageBytes = fc
      .tuple(
        fc.uint8Array({ maxLength: 64 }),
        fc.oneof(
          jsonTypes,
          fc.constant('application/x-www-form-urlencoded'),
          fc.constantFrom('gzip', 'deflate', 'br', 'compress'),
        ),
      )
      .map(
        ([bytes, how]): Encoded =>
          how.includes('/')
            ? {
                kind: 'garbage bytes',
                contentType: how,
                body: Buffer.from(bytes),
                refused: how.includes('json'),
              }
            : {
                kind: `garbage ${how}`,
                contentType: 'application/json',
                body: Buffer.from(bytes),
                headers: { 'content-encoding': how },
                refused: true,
              },
      );
    // Prototype pollution: the read fields only under `__proto__` / `constructor.prototype`.
    const polluted = fc
      .tuple(
        fc.constantFrom(...reads),
        fc.oneof(fc.constant(rightCode), phoneText),
        fc.constantFrom('json __proto__', 'json constructor', 'form __proto__', 'form constructor'),
      )
      .map(([key, value, how]): Encoded => {
        const others = reads.filter((k) => k !== key);
        const top = Object.fromEntries(others.map((k) => [k, k === 'phone' ? KNOWN : 'text']));
        if (how.startsWith('json')) {
          const inner = JSON.stringify({ [key]: value });
          const wrapped =
            how === 'json __proto__'
              ? `"__proto__":${inner}`
              : `"constructor":{"prototype":${inner}}`;
          const rest = JSON.stringify(top).slice(1, -1);
          return {
            kind: `pollution ${how}`,
            contentType: 'application/json',
            body: Buffer.from(`{${rest}${rest === '' ? '' : ','}${wrapped}}`),
            refused: true,
          };
        }
        const path =
          how === 'form __proto__' ? `__proto__[${key}]` : `constructor[prototype][${key}]`;
        const pairs = [...Object.entries(top), [path, value]] as [string, string][];
        return {
          kind: `pollution ${how}`,
          contentType: 'application/x-www-form-urlencoded',
          body: Buffer.from(
            pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&'),
          ),
          refused: true,
        };
      });
    // More form parameters than the router's parser takes (20).
    const manyParameters = fc
      .tuple(formPairs(fields), fc.integer({ min: 10, max: 40 }))
      .map(([{ text }, count]): Encoded => {
        const filler = Array.from({ length: count }, (_, i) => `f${i}=1`).join('&');
        const body = `${filler}&${text}`;
        return {
          kind: `form with ${count} more parameters`,
          contentType: 'application/x-www-form-urlencoded',
          body: Buffer.from(body),
          refused: !qs && body.split('&').length > 21,
        };
      });
    // Deep nesting within the limits, where the phone (or code) should be.
    const deep = fc
      .tuple(
        fc.integer({ min: 1, max: 1_900 }),
        fc.constantFrom('[', '{"a":'),
        fc.constantFrom(...reads),
      )
      .map(([depth, open, key]): Encoded => {
        const close = open === '[' ? ']' : '}';
        const value = `${open.repeat(depth)}1${close.repeat(depth)}`;
        return {
          kind: `nested ${depth} deep in ${key}`,
          contentType: 'application/json',
          body: Buffer.from(`{"phone":"${KNOWN}","${key}":${value}}`),
          refused: true,
        };
      });
    // A small compressed body that inflates past the limit.
    const bomb = fc
      .tuple(fc.constantFrom('gzip', 'deflate'), fc.integer({ min: 1, max: 64 }))
      .map(([how, kilobytes]): Encoded => {
        const text = JSON.stringify({ phone: KNOWN, pad: ' '.repeat(kilobytes * 1024) });
        return {
          kind: `${how} bomb of ${kilobytes} kB`,
          contentType: 'application/json',
          body: how === 'gzip' ? gzipSync(text) : deflateSync(text),
          headers: { 'content-encoding': how },
          refused:
            Buffer.byteLength(text) > (qs ? APP_PARSER_LIMIT : ROUTER_LIMIT) ||
            reads.includes('code'),
        };
      });
    return {
      polluted,
      manyParameters,
      deep,
      bomb,
      json,
      oddJSON,
      duplicatedJSON,
      invalidUTF8,
      truncated,
      form,
      crossed,
      otherType,
      multipart,
      noBody,
      garbageBytes,
    };
  };

  /** A body near or over the limits, its padding in ASCII or in 3-byte Devanagari. */
  const huge = (base: fc.Arbitrary<Fields>, limit: number, fieldsRefused: (f: Fields) => boolean) =>
    fc
      .tuple(
        base.filter((f) => typeof f === 'object' && f !== null && !Array.isArray(f)),
        fc.oneof(
          fc.integer({ min: ROUTER_LIMIT - 8, max: ROUTER_LIMIT + 8 }),
          fc.integer({ min: 3_000, max: 6_000 }),
          fc.integer({ min: APP_PARSER_LIMIT - 8, max: APP_PARSER_LIMIT + 8 }),
          fc.constant(1024 * 1024),
        ),
        fc.constantFrom('x', '९'),
        fc.constantFrom('pad', 'phone', 'code'),
      )
      .map(([f, size, unit, where]): Encoded => {
        const skeleton = Buffer.byteLength(JSON.stringify({ ...f, [where]: '' }));
        const count = Math.max(0, Math.floor((size - skeleton) / Buffer.byteLength(unit)));
        const body = Buffer.from(JSON.stringify({ ...f, [where]: unit.repeat(count) }));
        return {
          kind: `huge ${body.length} bytes in ${where}`,
          contentType: 'application/json',
          body,
          refused: body.length > limit || where === 'phone' || fieldsRefused(f),
        };
      });

  const headers = fc
    .record(
      {
        origin: fc.oneof(
          fc.constantFrom(
            'null',
            'https://evil.example',
            'http://127.0.0.1',
            'http://[::1',
            'file://',
          ),
          fc.string({ unit: 'binary-ascii', maxLength: 20 }),
        ),
        'sec-fetch-site': fc.constantFrom(
          'same-origin',
          'none',
          'cross-site',
          'same-site',
          'SAME-ORIGIN',
          '',
        ),
        accept: fc.constantFrom('text/html', '*/*', 'application/json', ';;;', 'text/html;q=x'),
        cookie: fc.constantFrom(
          'connect.sid=garbage',
          'connect.sid=s%3Aabc.def',
          'connect.sid=%E0%A4%A',
          '=;;=',
          'a=b; connect.sid=',
        ),
        'x-forwarded-for': fc.constantFrom('not-an-ip', '1.2.3.4, 5.6.7.8', '::ffff:1.2.3.4', ''),
        'accept-charset': fc.constantFrom('utf-16', 'koi9'),
        // (Any other expectation is refused by Node itself with 417, before the app.)
        expect: fc.constant('100-continue'),
      },
      { requiredKeys: [] },
    )
    .map((h) =>
      Object.fromEntries(Object.entries(h).filter(([, v]) => /^[\t\x20-\x7e]*$/.test(v))),
    );

  return { sendFields, verifyFields, encodings, huge, headers, rightCode };
}

/** Send fields that can never be accepted, whatever the phone. */
function sendFieldsRefused(f: Fields): boolean {
  if (typeof f !== 'object' || f === null || Array.isArray(f)) return true;
  const value = (k: string): unknown => (Object.hasOwn(f, k) ? f[k] : undefined);
  const phone = value('phone');
  const channel = value('channel');
  const voice = value('voice');
  return (
    typeof phone !== 'string' ||
    !(channel === undefined || channel === '' || channel === 'text' || channel === 'voice') ||
    !(voice === undefined || voice === '' || (VOICES as readonly unknown[]).includes(voice))
  );
}

function toRequests(
  a: ReturnType<typeof arbitraries>,
  path: string,
  fields: fc.Arbitrary<Fields>,
  fieldsRefused: (f: Fields) => boolean,
  variant: Variant,
): fc.Arbitrary<HostileRequest> {
  const reads = path === '/auth/send' ? ['phone', 'channel', 'voice'] : ['phone', 'code'];
  const limit = variant.ownParser ? APP_PARSER_LIMIT : ROUTER_LIMIT;
  const e = a.encodings(fields, fieldsRefused, reads, variant.ownParser);
  const body = fc.oneof(
    { weight: 4, arbitrary: e.json },
    { weight: 2, arbitrary: e.oddJSON },
    { weight: 2, arbitrary: e.duplicatedJSON },
    { weight: 1, arbitrary: e.invalidUTF8 },
    { weight: 2, arbitrary: e.truncated },
    { weight: 4, arbitrary: e.form },
    { weight: 1, arbitrary: e.crossed },
    { weight: 2, arbitrary: e.otherType },
    { weight: 1, arbitrary: e.multipart },
    { weight: 1, arbitrary: e.noBody },
    { weight: 1, arbitrary: e.garbageBytes },
    { weight: 1, arbitrary: e.polluted },
    { weight: 1, arbitrary: e.manyParameters },
    { weight: 1, arbitrary: e.deep },
    { weight: 1, arbitrary: e.bomb },
    { weight: 1, arbitrary: a.huge(fields, limit, fieldsRefused) },
  );
  return fc
    .tuple(
      body,
      fc.option(a.headers, { freq: 2, nil: undefined }),
      fc.boolean(),
      fc.constantFrom('', '/', '?phone=1&code=2'),
    )
    .map(([encoded, headers, chunked, suffix]): HostileRequest => {
      const h: Record<string, string> = { ...(headers ?? {}), ...(encoded.headers ?? {}) };
      if (encoded.contentType !== undefined) h['content-type'] = encoded.contentType;
      // What a browser's form post accepts, so the redirects variants take their form path.
      if (variant.redirects && h.accept === undefined) {
        h.accept = 'text/html,application/xhtml+xml,*/*;q=0.8';
      }
      const site = h['sec-fetch-site'];
      const crossSite = site === 'cross-site' || site === 'same-site';
      return readable({
        kind: encoded.kind,
        method: 'POST',
        path: `${path}${suffix}`,
        headers: h,
        body: encoded.body,
        chunked: chunked && encoded.body !== undefined,
        mustRefuse: encoded.refused || crossSite,
      });
    });
}

// ---------------------------------------------------------------------------------------------
// The apps

interface Answer {
  status: number;
  head: string;
  text: string;
  headers: http.IncomingHttpHeaders;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function send(port: number, r: HostileRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { ...r.headers };
    if (r.body !== undefined && !r.chunked) headers['content-length'] = String(r.body.length);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: r.method,
        path: r.path,
        headers,
        agent,
        signal: AbortSignal.timeout(HANG_IN_MILLISECONDS),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            head: res.rawHeaders.join('\n'),
            text: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

let fake: FakeTingTing;
beforeAll(async () => {
  // Enough credits for every accepted random send of every run: an empty account would be an
  // infrastructure fault (502), not the input's doing.
  fake = await startFakeTingTing({ credits: { sms: 1_000_000, phone: 1_000_000 } });
});
afterAll(async () => {
  agent.destroy();
  await fake.close();
});

type Express = typeof express5;
interface Variant {
  name: string;
  express: Express;
  withSession: boolean;
  ownParser: boolean;
  /** The `redirects` option: browser form posts get 303 redirects instead of JSON. */
  redirects: boolean;
}

const REDIRECTS = {
  afterSend: '/?step=code',
  afterVerify: '/account',
  onError: '/sign-in',
  afterSignOut: '/bye',
} as const;

const VARIANTS: Variant[] = [];
for (const [major, express] of [
  ['Express 5', express5],
  ['Express 4', express4],
] as const) {
  for (const withSession of [true, false]) {
    for (const ownParser of [false, true]) {
      VARIANTS.push({
        name: `${major}, ${withSession ? 'express-session' : 'no session (onVerified)'}, ${ownParser ? "the app's express.json()/urlencoded() and trust proxy" : 'no app body parser'}`,
        express,
        withSession,
        ownParser,
        redirects: false,
      });
    }
    // The no-JavaScript form flow: refusals become redirects (with the code in the session, or
    // in the query string without one).
    VARIANTS.push({
      name: `${major}, ${withSession ? 'express-session' : 'no session (onVerified)'}, redirects for HTML forms`,
      express,
      withSession,
      ownParser: false,
      redirects: true,
    });
  }
}

async function start(variant: Variant) {
  const deliveries: OTPDelivery[] = [];
  const deliver = createTingTingSender(
    new TingTingClient({ apiToken: fake.apiToken, baseURL: fake.url }),
  );
  const engine = new OTPEngine({
    secret: SECRET,
    store: new MemoryStore(),
    sender: async (delivery) => {
      deliveries.push(delivery);
      return deliver(delivery);
    },
    // Generous where accepted random sends would otherwise starve later runs; the resend cooldown
    // stays, so a random send to the known number cannot replace its pending code.
    policy: {
      maxSendsPerIP: Number.POSITIVE_INFINITY,
      sendBudget: Number.POSITIVE_INFINITY,
      maxAttemptsPerCode: MAX_ATTEMPTS_PER_CODE,
    },
  });
  const spent: string[] = [];
  engine.on('failed', (event) => {
    if (event.phone === KNOWN_E164) spent.push(event.detail);
  });
  const verified: string[] = [];
  const tingting = createTingTingAuth(engine, {
    rateLimit: { send: { limit: 10_000 }, verify: { limit: 10_000 } },
    ...(variant.redirects ? { redirects: REDIRECTS } : {}),
    ...(variant.withSession
      ? {}
      : {
          onVerified: (_req, _res, result) => {
            verified.push(result.phone);
          },
        }),
  });
  const app = variant.express();
  if (variant.withSession) {
    app.use(session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }));
  }
  if (variant.ownParser) {
    // Garbage `X-Forwarded-For` then reaches req.ip, the limiter and the engine's per-IP cap.
    app.set('trust proxy', 1);
    // Their refusals are marked, so the last handler can tell them from anything of the router's.
    for (const parser of [variant.express.json(), variant.express.urlencoded({ extended: true })]) {
      app.use((req, res, next) => {
        parser(req, res, (error?: unknown) => {
          if (error !== undefined && error !== null) Object.assign(error, { fromAppParser: true });
          next(error);
        });
      });
    }
  }
  app.use('/auth', tingting.router);
  app.use(tingting.errorHandler);
  // The app's own last error handler: its body parsers' refusals keep their 4xx; anything else
  // that reaches it (an error the router should have answered) is a 500 and fails the property.
  app.use(
    (
      error: { status?: unknown; fromAppParser?: unknown },
      _req: unknown,
      res: { status(n: number): { json(b: unknown): void } },
      _next: unknown,
    ) => {
      const status = Number(error?.status);
      if (error?.fromAppParser === true && status >= 400 && status < 500) {
        res.status(status).json({ appParser: status });
        return;
      }
      res.status(500).json({ unexpected: String((error as Error)?.name) });
    },
  );
  const server = http.createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  // The pending challenge every run must leave alone.
  const sent = await send(port, {
    kind: 'setup',
    method: 'POST',
    path: '/auth/send',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ phone: KNOWN })),
    chunked: false,
    mustRefuse: false,
  });
  expect(sent.status).toBe(202);
  const rightCode = deliveries.at(-1)?.code ?? '';
  expect(rightCode).toMatch(/^[0-9]{6}$/);
  const secrets = [rightCode, fake.apiToken, SECRET, SESSION_SECRET];

  return {
    port,
    rightCode,
    deliveries,
    spent,
    verified,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    /** Properties 1, 4 and 5 for one answer. */
    check(r: HostileRequest, answer: Answer, codes: Set<HTTPErrorCode>) {
      expect(answer.status, `${r.kind}: no 5xx`).toBeLessThan(500);
      for (const secret of secrets) {
        expect(
          answer.text.includes(secret) || answer.head.includes(secret),
          `${r.kind}: a secret leaked`,
        ).toBe(false);
      }
      if (answer.status === 303) {
        expect(variant.redirects, `${r.kind}: a redirect`).toBe(true);
        const location = String(answer.headers.location);
        if (Object.values(REDIRECTS).includes(location as never)) return;
        // Without a session the code rides in the query string; it must be a documented one.
        expect(variant.withSession, `${r.kind}: ${location}`).toBe(false);
        const url = new URL(location, 'http://app.example');
        expect(url.pathname).toBe(REDIRECTS.onError);
        expect([...url.searchParams.keys()]).toEqual(['error']);
        expect(codes.has(url.searchParams.get('error') as HTTPErrorCode), location).toBe(true);
        return;
      }
      if (answer.status < 400) return;
      const body = JSON.parse(answer.text) as Record<string, unknown>;
      if (variant.ownParser && body.appParser === answer.status) return;
      expect(Object.keys(body)).toEqual(['error']);
      const error = body.error as Record<string, unknown>;
      expect(Object.keys(error).sort()).toEqual(['code', 'message']);
      const code = error.code as HTTPErrorCode;
      expect(codes.has(code), `${r.kind}: code ${String(code)}`).toBe(true);
      expect(answer.status).toBe(STATUS_OF[code]);
      expect(error.message).toBe(HTTP_ERROR_MESSAGES[code]);
      expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
      if (answer.status === 429) expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    },
    /** A refusal: a 4xx, or (form posts with `redirects`) a redirect to the error page. */
    isRefusal(answer: Answer): boolean {
      if (answer.status >= 400) return true;
      const location = answer.headers.location;
      return (
        answer.status === 303 &&
        location !== REDIRECTS.afterSend &&
        location !== REDIRECTS.afterVerify &&
        location !== REDIRECTS.afterSignOut
      );
    },
    /** Property 3 after the run: the attempt budget is whole and the code works exactly once. */
    async expectChallengeIntact() {
      const guess = (code: string) =>
        send(port, {
          kind: 'after',
          method: 'POST',
          path: '/auth/verify',
          headers: { 'content-type': 'application/json' },
          body: Buffer.from(JSON.stringify({ phone: KNOWN, code })),
          chunked: false,
          mustRefuse: false,
        });
      const wrong = rightCode === '000000' ? '111111' : '000000';
      for (let i = 0; i < MAX_ATTEMPTS_PER_CODE - 1; i++) {
        expect((await guess(wrong)).status).toBe(401);
      }
      const right = await guess(rightCode);
      expect(right.status).toBe(200);
      expect(JSON.parse(right.text).phone).toBe(KNOWN_E164);
      expect((await guess(rightCode)).status).toBe(401);
      expect(spent).toEqual([
        ...Array<string>(MAX_ATTEMPTS_PER_CODE - 1).fill('wrong_code'),
        'no_challenge',
      ]);
    },
  };
}

const options = { seed: SEED, numRuns: RUNS } as const;

describe.each(VARIANTS)('hostile input: $name', (variant) => {
  // The redirect variants add one code path to variants run in full already: half the runs.
  const runs = { ...options, numRuns: variant.redirects ? RUNS / 2 : RUNS };
  it('send: no 5xx, no hang, nothing sent for a malformed body, one error shape, no secret', async () => {
    const app = await start(variant);
    try {
      const a = arbitraries(app.rightCode);
      await fc.assert(
        fc.asyncProperty(
          toRequests(a, '/auth/send', a.sendFields, sendFieldsRefused, variant),
          async (r) => {
            const before = app.deliveries.length;
            const answer = await send(app.port, r);
            app.check(r, answer, SEND_CODES);
            if (answer.status < 300) {
              expect(answer.status).toBe(202);
              expect(Object.keys(JSON.parse(answer.text)).sort()).toEqual([
                'channel',
                'expiresAt',
                'phone',
                'resendAt',
              ]);
            }
            // A send never lands where a sign-in does.
            expect(answer.headers.location).not.toBe(REDIRECTS.afterVerify);
            if (r.mustRefuse) {
              expect(app.isRefusal(answer), `${r.kind} must be refused`).toBe(true);
              expect(app.deliveries.length).toBe(before);
            }
            // The pending code is never replaced (the cooldown refuses a send to its number).
            expect(app.deliveries.filter((d) => d.phone === KNOWN_E164)).toHaveLength(1);
          },
        ),
        runs,
      );
      await app.expectChallengeIntact();
    } finally {
      await app.close();
    }
  });

  it('verify: no 5xx, no hang, no sign-in, no attempt spent, one error shape, no secret', async () => {
    const app = await start(variant);
    try {
      const a = arbitraries(app.rightCode);
      await fc.assert(
        fc.asyncProperty(
          toRequests(a, '/auth/verify', a.verifyFields, () => true, variant),
          async (r) => {
            // Deltas, not totals: a shrunk counterexample then names the request that spent.
            const spent = app.spent.length;
            const verified = app.verified.length;
            const answer = await send(app.port, r);
            app.check(r, answer, VERIFY_CODES);
            expect(app.isRefusal(answer), `${r.kind} must not sign in`).toBe(true);
            expect(app.spent.slice(spent), `${r.kind} spent an attempt`).toEqual([]);
            expect(app.verified.slice(verified)).toEqual([]);
          },
        ),
        runs,
      );
      await app.expectChallengeIntact();
    } finally {
      await app.close();
    }
  });

  it('odd methods and paths, and sign-out with any body: nothing sent, spent or signed in', async () => {
    const app = await start(variant);
    try {
      const a = arbitraries(app.rightCode);
      const right = Buffer.from(JSON.stringify({ phone: KNOWN, code: app.rightCode }));
      const odd = fc
        .tuple(
          fc.constantFrom(
            'GET',
            'HEAD',
            'PUT',
            'PATCH',
            'DELETE',
            'OPTIONS',
            'TRACE',
            'SEARCH',
            'PROPFIND',
            'LOCK',
          ),
          fc.constantFrom(
            '/auth/send',
            '/auth/verify',
            '/auth/sign-out',
            '/auth/verify/',
            `/auth/verify?phone=${KNOWN}&code=${app.rightCode}`,
          ),
          fc.option(a.headers, { nil: undefined }),
          fc.boolean(),
        )
        .map(
          ([method, path, headers, withBody]): HostileRequest =>
            readable({
              kind: `${method} ${path}`,
              method,
              path,
              headers: {
                ...(headers ?? {}),
                ...(withBody ? { 'content-type': 'application/json' } : {}),
              },
              body: withBody && method !== 'TRACE' ? right : undefined,
              chunked: false,
              mustRefuse: true,
            }),
        );
      const oddPath = fc
        .tuple(
          fc.constantFrom(
            '/auth/SEND',
            '/auth//send',
            '/auth/send%00',
            '/auth/%2e%2e/send',
            '/auth/send;x',
            '/auth/verify.json',
            '/auth/veri%66y',
            '/auth/',
            '/auth',
          ),
          fc.option(a.headers, { nil: undefined }),
        )
        .map(
          ([path, headers]): HostileRequest =>
            readable({
              kind: `POST ${path}`,
              method: 'POST',
              path,
              headers: { ...(headers ?? {}), 'content-type': 'application/json' },
              body: right,
              chunked: false,
              mustRefuse: true,
            }),
        );
      // Sign-out reads no body: any body, any type, still 204 (or its redirect), or 403 cross-site.
      const signOut = toRequests(a, '/auth/sign-out', a.verifyFields, () => false, variant).map(
        (r): HostileRequest => readable({ ...r, kind: `sign-out, ${r.kind}`, mustRefuse: false }),
      );
      await fc.assert(
        fc.asyncProperty(fc.oneof(odd, oddPath, signOut), async (r) => {
          const before = app.deliveries.length;
          const spent = app.spent.length;
          const verified = app.verified.length;
          const answer = await send(app.port, r);
          expect(answer.status, r.kind).toBeLessThan(500);
          // Only the router's own paths answer with its error shape; everything else is the app's 404.
          if (answer.status !== 404) app.check(r, answer, VERIFY_CODES);
          if (answer.status < 400) {
            expect(r.method === 'POST' && r.path.startsWith('/auth/sign-out'), r.kind).toBe(true);
            expect([204, 303]).toContain(answer.status);
          }
          expect(app.deliveries.length).toBe(before);
          expect(app.spent.slice(spent)).toEqual([]);
          expect(app.verified.slice(verified)).toEqual([]);
        }),
        { ...runs, numRuns: runs.numRuns / 2 },
      );
      await app.expectChallengeIntact();
    } finally {
      await app.close();
    }
  });
});
