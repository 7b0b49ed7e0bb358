/**
 * The session seal's format and key derivation, pinned with Node's own crypto: a session stored by
 * one release must open in the next (a changed label, length or layout would end every session on
 * upgrade, as `unreadable`), and anything tampered, truncated or of another version must not open.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  randomInt,
} from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  deriveSessionKeys,
  keyedHash,
  MIN_SECRET_BYTES,
  newSessionId,
  open,
  openBytes,
  packJSON,
  randomBytesPooled,
  seal,
  sessionKeyOf,
  subjectKeyOf,
  tokenKeyOf,
  unpackJSON,
} from '../../src/upstream/sessions-seal.js';

const SECRET = 'seal-test-secret-0123456789-abcdefghijklmn';

function hkdf(label: string): Buffer {
  return Buffer.from(
    hkdfSync('sha256', Buffer.from(SECRET, 'utf8'), '', `tingting-auth upstream ${label} v1`, 32),
  );
}

describe('deriveSessionKeys', () => {
  it('derives each key by HKDF-SHA-256 of the secret with its own label', () => {
    const keys = deriveSessionKeys(SECRET, 'Test');
    expect(keys.info.export()).toEqual(hkdf('session-info'));
    expect(keys.tokens.export()).toEqual(hkdf('session-tokens'));
    expect(keys.subject.export()).toEqual(hkdf('subject'));
    expect(keys.identifier.export()).toEqual(hkdf('identifier'));
    expect(Object.isFrozen(keys)).toBe(true);
  });

  it('a Uint8Array secret gives the same keys as the same bytes in a string', () => {
    const keys = deriveSessionKeys(new Uint8Array(Buffer.from(SECRET, 'utf8')), 'Test');
    expect(keys.info.export()).toEqual(hkdf('session-info'));
  });

  it('a UTF-8 secret counts bytes, not characters', () => {
    // 11 three-byte characters: 33 bytes, 11 characters.
    expect(() => deriveSessionKeys('€'.repeat(11), 'Test')).not.toThrow();
    expect(deriveSessionKeys('€'.repeat(11), 'Test').info.export()).toEqual(
      Buffer.from(
        hkdfSync(
          'sha256',
          Buffer.from('€'.repeat(11), 'utf8'),
          '',
          'tingting-auth upstream session-info v1',
          32,
        ),
      ),
    );
  });

  it('no secret, or one of another type: a TypeError that says what to pass', () => {
    for (const secret of [undefined, null, 42, {}, [1, 2]]) {
      expect(() => deriveSessionKeys(secret, 'Owner')).toThrow(
        new TypeError(
          'Owner: `secret` is required: a string or Uint8Array of at least 32 bytes, ' +
            "e.g. `crypto.randomBytes(32).toString('base64url')` kept in your secret store",
        ),
      );
    }
  });

  it('31 bytes: refused with the length; 32: taken', () => {
    expect(MIN_SECRET_BYTES).toBe(32);
    expect(() => deriveSessionKeys('x'.repeat(31), 'Owner')).toThrow(
      new TypeError(
        'Owner: `secret` must be at least 32 bytes, got 31; ' +
          "generate one with `crypto.randomBytes(32).toString('base64url')`",
      ),
    );
    expect(() => deriveSessionKeys(new Uint8Array(31), 'Owner')).toThrow(/got 31/);
    expect(() => deriveSessionKeys('x'.repeat(32), 'Owner')).not.toThrow();
    expect(() => deriveSessionKeys(new Uint8Array(32), 'Owner')).not.toThrow();
  });
});

describe('keyed hashes and ids', () => {
  const keys = deriveSessionKeys(SECRET, 'Test');

  it('keyedHash: HMAC-SHA-256 of the UTF-8 value, base64url, cut to the bytes asked (32 by default)', () => {
    const full = createHmac('sha256', hkdf('identifier')).update('ünï', 'utf8').digest();
    expect(keyedHash(keys.identifier, 'ünï')).toBe(full.toString('base64url'));
    expect(keyedHash(keys.identifier, 'ünï', 16)).toBe(full.subarray(0, 16).toString('base64url'));
  });

  it('subjectKeyOf: 12 bytes of the keyed hash of provider and subject on two lines', () => {
    const expected = createHmac('sha256', hkdf('subject'))
      .update('notes\nalice', 'utf8')
      .digest()
      .subarray(0, 12)
      .toString('base64url');
    expect(subjectKeyOf(keys, 'notes', 'alice')).toBe(expected);
    expect(expected).toHaveLength(16);
  });

  it('newSessionId: the subject key, a dot, 16 random bytes in base64url; never twice the same', () => {
    const a = newSessionId('S'.repeat(16));
    const b = newSessionId('S'.repeat(16));
    expect(a).toMatch(/^S{16}\.[A-Za-z0-9_-]{22}$/);
    expect(a).not.toBe(b);
  });

  it('sessionKeyOf: the subject part, and the public id (16 bytes of SHA-256 of the random part)', () => {
    const random = 'abcdefghijklmnopqrstuv';
    const sid = `${'k'.repeat(16)}.${random}`;
    const id = createHash('sha256')
      .update(`session-id\n${random}`, 'utf8')
      .digest()
      .subarray(0, 16)
      .toString('base64url');
    expect(sessionKeyOf(sid)).toEqual({ subject: 'k'.repeat(16), id });
  });

  it('sessionKeyOf: undefined for anything that is not exactly a session id', () => {
    const subject = 'A-_z09'.padEnd(16, 'q');
    const random = 'R'.repeat(22);
    expect(sessionKeyOf(`${subject}.${random}`)).toBeDefined();
    for (const bad of [
      undefined,
      42,
      null,
      '',
      `${subject}${random}`,
      `${subject}.${random}x`,
      `x${subject}.${random}`,
      `${subject}.${random.slice(1)}`,
      `${subject.slice(1)}.${random}`,
      `${subject}.${random}\n`,
      `${subject}.${random.slice(1)}+`,
      `${subject.slice(1)}/.${random}`,
      `.${subject}.${random}`,
      `${subject}.${random}.`,
    ]) {
      expect(sessionKeyOf(bad)).toBeUndefined();
    }
  });

  it('tokenKeyOf: HMAC-SHA-256 of the session id under the tokens key', () => {
    const sid = `${'k'.repeat(16)}.${'r'.repeat(22)}`;
    expect(tokenKeyOf(keys, sid)).toEqual(
      createHmac('sha256', hkdf('session-tokens')).update(sid, 'utf8').digest(),
    );
  });
});

describe('seal and open', () => {
  const key = randomBytes(32);

  it('layout: version 1, a 12-byte IV, the AES-256-GCM ciphertext, the 16-byte tag', () => {
    const sealed = seal(key, 'hello ünïcode', 'the aad');
    const bytes = Buffer.from(sealed, 'base64url');
    expect(bytes[0]).toBe(1);
    expect(bytes.length).toBe(1 + 12 + Buffer.byteLength('hello ünïcode') + 16);
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(1, 13));
    decipher.setAAD(Buffer.from('the aad', 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    const text = Buffer.concat([
      decipher.update(bytes.subarray(13, bytes.length - 16)),
      decipher.final(),
    ]).toString('utf8');
    expect(text).toBe('hello ünïcode');
    expect(open(key, sealed, 'the aad')).toBe('hello ünïcode');
  });

  it('a Buffer plaintext seals its bytes', () => {
    const data = Buffer.from([0, 1, 2, 250, 255]);
    expect(openBytes(key, seal(key, data, 'a'), 'a')).toEqual(data);
  });

  it('opens what an independent AES-256-GCM sealer made in the same layout', () => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from('ääd', 'utf8'));
    const body = Buffer.concat([cipher.update('payload', 'utf8'), cipher.final()]);
    const sealed = Buffer.concat([Buffer.of(1), iv, body, cipher.getAuthTag()]).toString(
      'base64url',
    );
    expect(open(key, sealed, 'ääd')).toBe('payload');
    // An empty plaintext: exactly 29 bytes, the shortest sealed value.
    const empty = seal(key, '', 'x');
    expect(Buffer.from(empty, 'base64url')).toHaveLength(29);
    expect(open(key, empty, 'x')).toBe('');
  });

  it('two seals of the same text differ (a fresh IV each time)', () => {
    expect(seal(key, 'same', 'a')).not.toBe(seal(key, 'same', 'a'));
  });

  it('does not open: another key, another aad, a flipped byte anywhere, another version, too short', () => {
    const sealed = seal(key, 'secret text', 'aad');
    expect(open(randomBytes(32), sealed, 'aad')).toBeUndefined();
    expect(open(key, sealed, 'aae')).toBeUndefined();
    const bytes = Buffer.from(sealed, 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const copy = Buffer.from(bytes);
      copy[i] = copy[i]! ^ 0x01;
      expect(openBytes(key, copy.toString('base64url'), 'aad')).toBeUndefined();
    }
    for (const version of [0, 2, 255]) {
      const copy = Buffer.from(bytes);
      copy[0] = version;
      expect(open(key, copy.toString('base64url'), 'aad')).toBeUndefined();
    }
    // Cut: 28 bytes can hold no version, IV and tag; a cut tag does not authenticate.
    for (const length of [0, 1, 13, 28, 29, bytes.length - 1]) {
      expect(open(key, bytes.subarray(0, length).toString('base64url'), 'aad')).toBeUndefined();
    }
  });

  it('a version-1, 28-byte value is refused before any decryption', () => {
    // 28 bytes: under 1 + 12 + 16. GCM would reject a 12-byte tag too, so check the length alone
    // with a key GCM refuses: the length check must answer first, without throwing.
    const short = Buffer.concat([Buffer.of(1), randomBytes(27)]).toString('base64url');
    expect(openBytes(Buffer.alloc(5), short, 'a')).toBeUndefined();
  });
});

describe('packJSON and unpackJSON', () => {
  it('under 512 bytes of JSON: kept as is after a 0 byte', () => {
    // 456 bytes of very compressible JSON: plain all the same (notes' token sets are about 263).
    const value = { a: 'x'.repeat(450) };
    const packed = packJSON(value);
    expect(packed[0]).toBe(0);
    expect(packed.subarray(1).toString('utf8')).toBe(JSON.stringify(value));
    expect(unpackJSON(packed)).toEqual(value);
  });

  it('511 bytes of JSON stay plain; 512 compressible bytes are deflated (a 1 byte, raw deflate)', () => {
    const at = (n: number) => 'a'.repeat(n - 2);
    expect(JSON.stringify(at(511))).toHaveLength(511);
    expect(packJSON(at(511))[0]).toBe(0);
    expect(packJSON(at(256))[0]).toBe(0);
    const packed = packJSON(at(512));
    expect(packed[0]).toBe(1);
    expect(packed.length).toBeLessThan(100);
    expect(unpackJSON(packed)).toBe(at(512));
  });

  it('JSON that deflate cannot shrink stays plain', () => {
    // 380 characters drawn at random from ASCII (6 in 10) and 2- and 3-byte UTF-8: about 570
    // bytes of JSON (530 at the least in 2,000 draws) with too little repetition for raw deflate
    // to save a byte (checked, drawn again if not).
    const ascii =
      'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,-./:;<=>?@[]^_{|}~';
    const draw = (): string => {
      const r = randomInt(10);
      if (r < 6) return ascii[randomInt(ascii.length)]!;
      if (r < 9) return String.fromCodePoint(randomInt(0x80, 0x800));
      return String.fromCodePoint(randomInt(0xe000, 0x10000));
    };
    let text = '';
    let json = Buffer.alloc(0);
    for (let attempt = 0; attempt < 20; attempt++) {
      text = Array.from({ length: 380 }, draw).join('');
      json = Buffer.from(JSON.stringify(text), 'utf8');
      if (
        json.length >= 512 &&
        deflateRawSync(json, { windowBits: 11, memLevel: 5 }).length >= json.length
      ) {
        break;
      }
    }
    // The premise: at least 512 bytes, and raw deflate does not save a byte on it.
    expect(json.length).toBeGreaterThanOrEqual(512);
    expect(deflateRawSync(json, { windowBits: 11, memLevel: 5 }).length).toBeGreaterThanOrEqual(
      json.length,
    );
    const packed = packJSON(text);
    expect(packed[0]).toBe(0);
    expect(packed.subarray(1)).toEqual(json);
    expect(unpackJSON(packed)).toBe(text);
  });

  it('a deflated record reads back; one that inflates past 1 MiB is refused', () => {
    const big = { t: 'z'.repeat((1 << 20) - 20) };
    const packed = packJSON(big);
    expect(packed[0]).toBe(1);
    expect(unpackJSON(packed)).toEqual(big);
    const bomb = Buffer.concat([
      Buffer.of(1),
      deflateRawSync(Buffer.from(JSON.stringify({ t: 'z'.repeat(1 << 20) }))),
    ]);
    expect(() => unpackJSON(bomb)).toThrow();
  });

  it('deflates with a 2 KiB window and a small hash table, as documented (CPU over size)', () => {
    // A block repeated 2,100 bytes later: zlib's default 32 KiB window finds the repeat, the 2 KiB
    // window does not. The packed bytes are those of the documented settings.
    const block = randomBytes(1_800).toString('base64url');
    const value = { a: block, b: '-'.repeat(300), c: block };
    const json = Buffer.from(JSON.stringify(value), 'utf8');
    const small = deflateRawSync(json, { windowBits: 11, memLevel: 5 });
    expect(deflateRawSync(json).length).toBeLessThan(small.length);
    expect(packJSON(value)).toEqual(Buffer.concat([Buffer.of(1), small]));
  });

  it('an unknown packing byte is refused', () => {
    expect(() => unpackJSON(Buffer.from([2, 0x7b, 0x7d]))).toThrow(
      new TypeError('unknown packing'),
    );
    expect(() => unpackJSON(Buffer.from([]))).toThrow(new TypeError('unknown packing'));
  });
});

describe('randomBytesPooled', () => {
  it('hands out the size asked, pooled or (over 4 KiB) directly', () => {
    expect(randomBytesPooled(1)).toHaveLength(1);
    expect(randomBytesPooled(4_096)).toHaveLength(4_096);
    const big = randomBytesPooled(4_097);
    expect(big).toHaveLength(4_097);
    expect(big.every((b) => b === 0)).toBe(false);
  });

  it('a whole-pool draw right after small ones is fresh, not zeros or a repeat', () => {
    const first = randomBytesPooled(4_000);
    const whole = randomBytesPooled(4_096);
    expect(whole.equals(Buffer.alloc(4_096))).toBe(false);
    expect(whole.subarray(0, 4_000).equals(first)).toBe(false);
    // Zero runs of 16 bytes never come out of a CSPRNG; a wiped or stale pool gives them.
    const rest = randomBytesPooled(96);
    expect(rest.equals(Buffer.alloc(96))).toBe(false);
  });
});
