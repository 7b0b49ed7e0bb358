/**
 * Hostile request bodies for the adapters that run in a Node HTTP app (Express, Passport): the
 * send and verify fields of `test-support/hostile` in every encoding a client may (or should not)
 * use, each with whether it must be refused. What an adapter answers is for its own test to check.
 */

import { deflateSync, gzipSync } from 'node:zlib';
import { VOICES } from '@tingting-auth/core';
import fc from 'fast-check';
import {
  type Fields,
  fieldValues,
  isWellFormedCode,
  percentEncode,
  sendFieldsRefused,
  utf16,
} from './hostile.js';

/** An encoded body, and whether the encoding alone makes the request unacceptable. */
export interface Encoded {
  /** What the generator built, for the shrunk counterexample. */
  kind: string;
  contentType: string | undefined;
  body: Buffer | undefined;
  /** More headers the encoding needs (`content-encoding`). */
  headers?: Record<string, string>;
  /** The body must be refused whatever else the request carries. */
  refused: boolean;
}

/** Options of {@link hostileBodies}. */
export interface HostileBodiesOptions {
  /** The number with the pending challenge, national form. */
  phone: string;
  /** Eight digits that make other valid mobiles with two more (see `fieldValues`). */
  poolPrefix: string;
  /** Sizes of the huge bodies, in bytes: around each body limit the app has, and far past them. */
  sizes: fc.Arbitrary<number>;
}

/** Options of the `encodings` of {@link hostileBodies}: what the endpoint and its parser take. */
export interface EncodingOptions {
  /** The fields the endpoint reads (a repeated one in a form must be refused). */
  reads: readonly string[];
  /** A qs parser (`urlencoded({ extended: true })`) reads the forms: brackets make objects. */
  qs: boolean;
  /** The body limit, in bytes (of the decompressed body). */
  limit: number;
  /** A form of more `&`-separated parts than this is refused (the parser's `parameterLimit`). */
  maxFormParts?: number;
}

/** Body sizes within 8 bytes either side of `limit`, for {@link HostileBodiesOptions.sizes}. */
export const around = (limit: number): fc.Arbitrary<number> =>
  fc.integer({ min: limit - 8, max: limit + 8 });

/** The fields a send reads. */
export const SEND_READS: readonly string[] = ['phone', 'channel', 'voice'];
/** The fields a verify reads. */
export const VERIFY_READS: readonly string[] = ['phone', 'code'];

/** An endpoint's generated fields, which of them must be refused, and the fields it reads. */
export interface Endpoint {
  fields: fc.Arbitrary<Fields>;
  /** Fields no encoding makes acceptable. */
  refused: (f: Fields) => boolean;
  reads: readonly string[];
}

/**
 * Send and verify fields around the pending challenge (`rightCode` for `phone`), every way to
 * encode them, and the odd headers a request may carry.
 */
export function hostileBodies(rightCode: string, options: HostileBodiesOptions) {
  const { phone, poolPrefix, sizes } = options;
  const { known, pool, garble, phoneText, codeText, wrongType, channel, voice, extra } =
    fieldValues(rightCode, { phone, poolPrefix });
  const inPool = new RegExp(`^${poolPrefix}[0-9]{2}$`);

  /**
   * The fields as the strings a form carries. A value that becomes a well-formed code only by
   * turning into a string (`123456` the number) is kept malformed, unless the number is one
   * without a challenge: a form can only carry strings, so that would be a real guess, not hostile
   * input.
   */
  function stringPairs(f: unknown): [string, string][] {
    if (typeof f !== 'object' || f === null || Array.isArray(f)) return [];
    const number = (f as Fields).phone;
    const pooled = typeof number === 'string' && inPool.test(number);
    return Object.entries(f).map(([k, v]) => {
      const text = typeof v === 'string' ? v : (JSON.stringify(v) ?? '');
      return [k, k === 'code' && !pooled && isWellFormedCode(text) ? `${text}\u200B` : text];
    });
  }

  /** Adds a few keys the adapter must ignore (`__proto__`, `purpose`, …) to an object body. */
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
   * Every way to put `fields` in a body, each with whether it must be refused: `fieldsRefused`
   * tells which fields no encoding makes acceptable.
   */
  const encodings = (
    fields: fc.Arbitrary<Fields>,
    fieldsRefused: (f: Fields) => boolean,
    { reads, qs, limit, maxFormParts = Number.POSITIVE_INFINITY }: EncodingOptions,
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
    /** A form must be refused for a repeated read field, brackets under qs, or its fields. */
    const formRefused = ({ pairs, garbage }: { pairs: [string, string][]; garbage: boolean }) => {
      const keys = pairs.map(([k]) => k);
      const repeated = reads.some((k) => keys.filter((x) => x === k).length > 1);
      const nested = qs && keys.some((k) => k.includes('[') && reads.includes(k.split('[')[0]!));
      return repeated || nested || (!garbage && fieldsRefused(Object.fromEntries(pairs)));
    };
    const form = fc.tuple(formPairs(fields), formTypes).map(
      ([pairs, type]): Encoded => ({
        kind: 'form',
        contentType: type,
        body: Buffer.from(pairs.text),
        refused: formRefused(pairs),
      }),
    );
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
        body: Buffer.from(`{"phone":"${phone}"}`),
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
        const top = Object.fromEntries(others.map((k) => [k, k === 'phone' ? phone : 'text']));
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
    // Many more form parameters, some forms past what the parser takes (`maxFormParts`).
    const manyParameters = fc
      .tuple(formPairs(fields), fc.integer({ min: 10, max: 40 }))
      .map(([form, count]): Encoded => {
        const filler = Array.from({ length: count }, (_, i) => `f${i}=1`).join('&');
        const body = `${filler}&${form.text}`;
        return {
          kind: `form with ${count} more parameters`,
          contentType: 'application/x-www-form-urlencoded',
          body: Buffer.from(body),
          refused: body.split('&').length > maxFormParts || formRefused(form),
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
          body: Buffer.from(`{"phone":"${phone}","${key}":${value}}`),
          refused: true,
        };
      });
    // A small compressed body that inflates past the limit.
    const bomb = fc
      .tuple(fc.constantFrom('gzip', 'deflate'), fc.integer({ min: 1, max: 64 }))
      .map(([how, kilobytes]): Encoded => {
        const text = JSON.stringify({ phone, pad: ' '.repeat(kilobytes * 1024) });
        return {
          kind: `${how} bomb of ${kilobytes} kB`,
          contentType: 'application/json',
          body: how === 'gzip' ? gzipSync(text) : deflateSync(text),
          headers: { 'content-encoding': how },
          refused: Buffer.byteLength(text) > limit || reads.includes('code'),
        };
      });
    /** A body near or over the limits, its padding in ASCII or in 3-byte Devanagari. */
    const huge = fc
      .tuple(
        fields.filter((f) => typeof f === 'object' && f !== null && !Array.isArray(f)),
        sizes,
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
      huge,
    };
  };

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

  /** The send endpoint: its fields, the ones no encoding makes acceptable, what it reads. */
  const send: Endpoint = {
    fields: sendFields,
    refused: (f) => sendFieldsRefused(f),
    reads: SEND_READS,
  };
  /** The verify endpoint: no generated verify may sign in, whatever its encoding. */
  const verify: Endpoint = { fields: verifyFields, refused: () => true, reads: VERIFY_READS };
  return { send, verify, encodings, headers, rightCode };
}

/** What {@link hostileBodies} returns. */
export type HostileBodies = ReturnType<typeof hostileBodies>;
