/**
 * readFields: the one set of body rules every adapter shares. The byte cap exactly at and over the
 * limit for every body kind, content types and charsets, JSON vs form vs host-parsed bodies, and
 * which refusals come before a body is read.
 */
import { describe, expect, it } from 'vitest';
import { MAX_FORM_PARTS, type ProtocolBody, readFields } from '../../src/protocol/index.js';

const JSON_TYPE = { 'content-type': 'application/json' };
const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };
const encode = (text: string) => new TextEncoder().encode(text);

/** A JSON text of exactly `size` bytes: `{"a":"xxx…"}`. */
function jsonOfSize(size: number): string {
  return `{"a":"${'x'.repeat(size - 8)}"}`;
}

async function codeOf(
  headers: Record<string, string> | Headers,
  body: ProtocolBody | undefined,
  max = 64,
): Promise<string> {
  const result = await readFields({ headers, ...(body === undefined ? {} : { body }) }, max);
  return result.ok ? 'ok' : result.error.code;
}

async function fieldsOf(headers: Record<string, string>, body: ProtocolBody, max = 4096) {
  const result = await readFields({ headers, body }, max);
  if (!result.ok) throw new Error(`refused: ${result.error.code}`);
  return result.fields;
}

function stream(chunks: string[]) {
  let cancelled = false;
  let index = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (index < chunks.length) controller.enqueue(encode(chunks[index++]!));
      else controller.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  return { body, cancelled: () => cancelled, pulled: () => index };
}

function iterable(chunks: string[]) {
  let read = 0;
  const body: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      for (const chunk of chunks) {
        read += 1;
        yield encode(chunk);
      }
    },
  };
  return { body, read: () => read };
}

describe('host-parsed fields', () => {
  it('an object is taken as it is; anything else is 400 INVALID_REQUEST', async () => {
    const fields = { phone: '1' };
    const result = await readFields({ headers: {}, fields }, 64);
    expect(result.ok && result.fields).toBe(fields);
    for (const value of [[], ['a'], 'phone=1', 5, null, true]) {
      const refused = await readFields({ headers: {}, fields: value }, 64);
      expect(!refused.ok && refused.error.code).toBe('INVALID_REQUEST');
      expect(!refused.ok && refused.error.status).toBe(400);
    }
  });

  it('fields win over a body', async () => {
    const result = await readFields(
      { headers: JSON_TYPE, fields: { a: 1 }, body: encode('{"b":2}') },
      64,
    );
    expect(result.ok && result.fields).toEqual({ a: 1 });
  });
});

describe('no body', () => {
  it('a missing or null body is 400 INVALID_REQUEST', async () => {
    expect(await codeOf(JSON_TYPE, undefined)).toBe('INVALID_REQUEST');
    expect(await codeOf(JSON_TYPE, null)).toBe('INVALID_REQUEST');
    // Also when the headers announce one that the host did not hand over.
    const announced = { ...JSON_TYPE, 'content-length': '7', 'transfer-encoding': 'chunked' };
    expect(await codeOf(announced, null)).toBe('INVALID_REQUEST');
    expect(await codeOf(announced, undefined)).toBe('INVALID_REQUEST');
  });

  it('a function or a Node-like stream is read only when the headers announce a body', async () => {
    let calls = 0;
    const read = async () => {
      calls += 1;
      return encode('{"a":1}');
    };
    expect(await codeOf(JSON_TYPE, read)).toBe('INVALID_REQUEST');
    expect(await codeOf({ ...JSON_TYPE, 'content-length': '0' }, read)).toBe('INVALID_REQUEST');
    expect(calls).toBe(0);
    expect(await codeOf({ ...JSON_TYPE, 'content-length': '7' }, read)).toBe('ok');
    expect(calls).toBe(1);
    expect(await codeOf({ ...JSON_TYPE, 'transfer-encoding': 'chunked' }, read)).toBe('ok');
    expect(calls).toBe(2);
    const node = iterable(['{"a":1}']);
    expect(await codeOf(JSON_TYPE, node.body)).toBe('INVALID_REQUEST');
    expect(node.read()).toBe(0);
    expect(await codeOf({ ...JSON_TYPE, 'transfer-encoding': 'chunked' }, node.body)).toBe('ok');
  });

  it('bytes and a Web stream are read without a length header', async () => {
    expect(await codeOf(JSON_TYPE, encode('{"a":1}'))).toBe('ok');
    expect(await codeOf(JSON_TYPE, stream(['{"a":1}']).body)).toBe('ok');
  });

  it('an empty body read is 400 INVALID_REQUEST', async () => {
    expect(await codeOf(JSON_TYPE, new Uint8Array(0))).toBe('INVALID_REQUEST');
    expect(await codeOf(FORM_TYPE, new Uint8Array(0))).toBe('INVALID_REQUEST');
    expect(await codeOf(JSON_TYPE, stream([]).body)).toBe('INVALID_REQUEST');
  });
});

describe('content encoding, type and charset', () => {
  const body = () => encode('{"a":1}');

  it('identity or no encoding only', async () => {
    expect(await codeOf({ ...JSON_TYPE, 'content-encoding': 'identity' }, body())).toBe('ok');
    expect(await codeOf({ ...JSON_TYPE, 'content-encoding': ' IDENTITY ' }, body())).toBe('ok');
    expect(await codeOf({ ...JSON_TYPE, 'content-encoding': '' }, body())).toBe('ok');
    for (const encoding of ['gzip', 'br', 'deflate', 'identity, gzip']) {
      expect(await codeOf({ ...JSON_TYPE, 'content-encoding': encoding }, body())).toBe(
        'UNSUPPORTED_MEDIA_TYPE',
      );
    }
  });

  it('JSON or a urlencoded form, any case and spacing; anything else is 415', async () => {
    for (const type of [
      'application/json',
      'Application/JSON',
      ' application/json ',
      'application/json;',
      'application/json; boundary=x',
    ]) {
      expect(await codeOf({ 'content-type': type }, body())).toBe('ok');
    }
    expect(
      await codeOf({ 'content-type': 'APPLICATION/X-WWW-FORM-URLENCODED' }, encode('a=1')),
    ).toBe('ok');
    for (const type of [
      'text/plain',
      'multipart/form-data',
      'application/jsonx',
      'application/ld+json',
      'json',
      '',
    ]) {
      expect(await codeOf({ 'content-type': type }, body())).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    expect(await codeOf({}, body())).toBe('UNSUPPORTED_MEDIA_TYPE');
    const refused = await readFields({ headers: {}, body: body() }, 64);
    expect(!refused.ok && refused.error.status).toBe(415);
  });

  it('charset UTF-8 (utf-8, utf8, quoted, any case) or none; any other is 415', async () => {
    for (const parameters of [
      'charset=utf-8',
      'charset=UTF-8',
      'charset=utf8',
      'charset="utf-8"',
      'Charset = "UTF-8" ',
      ' CHARSET=utf-8',
      'foo=bar; charset=utf-8',
      'charset=latin1; charset=utf-8',
      'charset',
      // No `=`: not a charset parameter, even one whose name starts with it.
      'charsetx',
      'q',
    ]) {
      expect(await codeOf({ 'content-type': `application/json; ${parameters}` }, body())).toBe(
        'ok',
      );
    }
    for (const parameters of [
      'charset=latin1',
      'charset=utf-16',
      'charset=utf-8; charset=latin1',
      'charset="utf-8',
      'charset=utf-8"',
      'charset=""',
      'charset=',
      'xcharset=utf-8; charset=ascii',
      'charset=a"utf-8"',
      // Quotes count only around the whole value.
      'charset=utf-8""',
      'charset="utf"8',
    ]) {
      expect(await codeOf({ 'content-type': `application/json; ${parameters}` }, body())).toBe(
        'UNSUPPORTED_MEDIA_TYPE',
      );
    }
  });

  it('a parameter other than charset is ignored, whatever its value', async () => {
    expect(await codeOf({ 'content-type': 'application/json; xcharset=latin1' }, body())).toBe(
      'ok',
    );
    expect(await codeOf({ 'content-type': 'application/json; charsetx=latin1' }, body())).toBe(
      'ok',
    );
  });

  it('Fetch Headers are read too', async () => {
    const headers = new Headers({ 'Content-Type': 'application/json; charset=utf-8' });
    expect(await codeOf(headers, body())).toBe('ok');
    expect(await codeOf(new Headers({ 'content-type': 'text/plain' }), body())).toBe(
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('the media-type check comes before the size check and before reading', async () => {
    let calls = 0;
    const read = async () => {
      calls += 1;
      return encode('{}');
    };
    expect(await codeOf({ 'content-type': 'text/plain', 'content-length': '99999' }, read)).toBe(
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expect(calls).toBe(0);
  });
});

describe('the byte cap', () => {
  it('bytes: exactly the cap is read, one byte over is 413', async () => {
    expect(await codeOf(JSON_TYPE, encode(jsonOfSize(64)), 64)).toBe('ok');
    expect(await codeOf(JSON_TYPE, encode(jsonOfSize(65)), 64)).toBe('PAYLOAD_TOO_LARGE');
    const refused = await readFields({ headers: JSON_TYPE, body: encode(jsonOfSize(65)) }, 64);
    expect(!refused.ok && refused.error.status).toBe(413);
  });

  it('a declared length over the cap is 413 before anything is read; at the cap it is read', async () => {
    let calls = 0;
    const read = (text: string) => async (max: number) => {
      calls += 1;
      expect(max).toBe(64);
      return encode(text);
    };
    expect(await codeOf({ ...JSON_TYPE, 'content-length': '65' }, read('{}'), 64)).toBe(
      'PAYLOAD_TOO_LARGE',
    );
    expect(calls).toBe(0);
    expect(await codeOf({ ...JSON_TYPE, 'content-length': '64' }, read(jsonOfSize(64)), 64)).toBe(
      'ok',
    );
    expect(calls).toBe(1);
    // A length that is not a number is not a size: the body is read and measured.
    expect(await codeOf({ ...JSON_TYPE, 'content-length': 'abc' }, read('{"a":1}'), 64)).toBe('ok');
  });

  it('a reading function: its bytes are measured too, and its 413 errors are 413', async () => {
    const headers = { ...JSON_TYPE, 'transfer-encoding': 'chunked' };
    expect(await codeOf(headers, async () => encode(jsonOfSize(64)), 64)).toBe('ok');
    expect(await codeOf(headers, async () => encode(jsonOfSize(65)), 64)).toBe('PAYLOAD_TOO_LARGE');
    expect(await codeOf(headers, () => Promise.reject({ status: 413 }), 64)).toBe(
      'PAYLOAD_TOO_LARGE',
    );
    expect(await codeOf(headers, () => Promise.reject({ statusCode: 413 }), 64)).toBe(
      'PAYLOAD_TOO_LARGE',
    );
    expect(
      await codeOf(headers, () => Promise.reject(Object.assign(new Error('big'), { status: 413 }))),
    ).toBe('PAYLOAD_TOO_LARGE');
    // Any other failure is an unreadable body.
    for (const reason of [{ status: 400 }, { statusCode: 500 }, new Error('aborted'), null, 413]) {
      expect(await codeOf(headers, () => Promise.reject(reason), 64)).toBe('MALFORMED_BODY');
    }
  });

  it('a Web stream: chunks up to the cap are joined; past it the stream is cancelled, 413', async () => {
    const half = jsonOfSize(64);
    const fits = stream([half.slice(0, 30), half.slice(30)]);
    const result = await readFields({ headers: JSON_TYPE, body: fits.body }, 64);
    expect(result.ok && result.fields).toEqual(JSON.parse(half));
    expect(fits.cancelled()).toBe(false);

    const over = jsonOfSize(65);
    const big = stream([over.slice(0, 40), over.slice(40), '{"never":"read"}']);
    expect(await codeOf(JSON_TYPE, big.body, 64)).toBe('PAYLOAD_TOO_LARGE');
    expect(big.cancelled()).toBe(true);
    expect(big.pulled()).toBeLessThan(3);
  });

  it('a Web stream whose cancel fails is still 413', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encode(jsonOfSize(65)));
      },
      cancel() {
        throw new Error('cannot cancel');
      },
    });
    expect(await codeOf(JSON_TYPE, body, 64)).toBe('PAYLOAD_TOO_LARGE');
  });

  it('a broken Web stream is 400 MALFORMED_BODY', async () => {
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error('connection reset'));
      },
    });
    expect(await codeOf(JSON_TYPE, body, 64)).toBe('MALFORMED_BODY');
  });

  it('an async iterable (Node stream): joined up to the cap; past it read to the end, then 413', async () => {
    const headers = { ...JSON_TYPE, 'transfer-encoding': 'chunked' };
    const text = jsonOfSize(64);
    const fits = iterable([text.slice(0, 10), text.slice(10, 50), text.slice(50)]);
    const result = await readFields({ headers, body: fits.body }, 64);
    expect(result.ok && result.fields).toEqual(JSON.parse(text));

    const over = jsonOfSize(65);
    const big = iterable([over.slice(0, 60), over.slice(60), 'more', 'and more']);
    expect(await codeOf(headers, big.body, 64)).toBe('PAYLOAD_TOO_LARGE');
    // Read off to the end, so a keep-alive socket stays usable.
    expect(big.read()).toBe(4);
  });

  it('an async iterable that fails is 400 MALFORMED_BODY', async () => {
    const body: AsyncIterable<Uint8Array> = {
      // biome-ignore lint/correctness/useYield: fails before the first chunk
      async *[Symbol.asyncIterator]() {
        throw new Error('aborted');
      },
    };
    expect(await codeOf({ ...JSON_TYPE, 'content-length': '10' }, body, 64)).toBe('MALFORMED_BODY');
  });
});

describe('decoding and parsing', () => {
  it('bytes that are not UTF-8 are 400 MALFORMED_BODY, also inside a JSON string or a form', async () => {
    const bad = new Uint8Array([...encode('{"a":"'), 0xff, 0xfe, ...encode('"}')]);
    expect(await codeOf(JSON_TYPE, bad)).toBe('MALFORMED_BODY');
    const badForm = new Uint8Array([...encode('a='), 0xc3, 0x28]);
    expect(await codeOf(FORM_TYPE, badForm)).toBe('MALFORMED_BODY');
    const refused = await readFields({ headers: JSON_TYPE, body: bad }, 64);
    expect(!refused.ok && refused.error.status).toBe(400);
  });

  it('a UTF-8 BOM is allowed; multi-byte text is kept', async () => {
    const withBOM = new Uint8Array([0xef, 0xbb, 0xbf, ...encode('{"name":"नेपाल"}')]);
    expect(await fieldsOf(JSON_TYPE, withBOM)).toEqual({ name: 'नेपाल' });
  });

  it('broken JSON and bare scalars are 400 MALFORMED_BODY; an array is 400 INVALID_REQUEST', async () => {
    for (const text of ['{', '{"a":1', 'phone=1', '5', '"text"', 'true', 'null']) {
      expect(await codeOf(JSON_TYPE, encode(text))).toBe('MALFORMED_BODY');
    }
    expect(await codeOf(JSON_TYPE, encode('[]'))).toBe('INVALID_REQUEST');
    expect(await codeOf(JSON_TYPE, encode('[{"phone":"1"}]'))).toBe('INVALID_REQUEST');
    expect(await fieldsOf(JSON_TYPE, encode('{"phone":"1","n":2}'))).toEqual({ phone: '1', n: 2 });
  });

  it('a form: fields as strings, a repeated field as a list, prototype names as plain fields', async () => {
    expect(await fieldsOf(FORM_TYPE, encode('phone=%2B977+1&code=12'))).toEqual({
      phone: '+977 1',
      code: '12',
    });
    expect(await fieldsOf(FORM_TYPE, encode('a=1&a=2'))).toEqual({ a: ['1', '2'] });
    expect(await fieldsOf(FORM_TYPE, encode('a=1&a=2&a=3&b=x'))).toEqual({
      a: ['1', '2', '3'],
      b: 'x',
    });
    const odd = await fieldsOf(FORM_TYPE, encode('constructor=c&__proto__=p&toString=t'));
    expect(Object.getPrototypeOf(odd)).toBeNull();
    expect({ ...odd }).toEqual({ constructor: 'c', ['__proto__']: 'p', toString: 't' });
    expect(Object.keys(odd)).toEqual(['constructor', '__proto__', 'toString']);
  });

  it(`a form of ${MAX_FORM_PARTS} parts is read, one more is 413`, async () => {
    expect(MAX_FORM_PARTS).toBe(20);
    const parts = (n: number) => Array.from({ length: n }, (_, i) => `f${i}=${i}`).join('&');
    const fields = await fieldsOf(FORM_TYPE, encode(parts(20)));
    expect(Object.keys(fields)).toHaveLength(20);
    expect(fields.f19).toBe('19');
    expect(await codeOf(FORM_TYPE, encode(parts(21)), 4096)).toBe('PAYLOAD_TOO_LARGE');
    // Repeats count as parts too.
    expect(await codeOf(FORM_TYPE, encode('a=1&'.repeat(21)), 4096)).toBe('PAYLOAD_TOO_LARGE');
  });
});
