/**
 * Edges of the session seal found by mutation testing: a deflate that saves nothing (a tie) keeps
 * the record plain, and a session id must be a string (an array stringifies to a valid one).
 */
import { createCipheriv, randomBytes, randomInt } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { open, packJSON, sessionKeyOf } from '../../src/upstream/sessions-seal.js';

it('JSON that deflates to exactly its own length stays plain (deflate must save a byte)', () => {
  // Random text of ASCII and 2- and 3-byte UTF-8 at about the break-even mix, 512 bytes of JSON or
  // more (deflate is tried from there): about one draw in a few dozen deflates to exactly its own
  // length. Drawn until one does.
  const ascii =
    'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,-./:;<=>?@[]^_{|}~';
  const draw = (p: number): string => {
    const r = randomInt(100);
    if (r < p) return ascii[randomInt(ascii.length)]!;
    if (r < p + (100 - p) / 2) return String.fromCodePoint(randomInt(0x80, 0x800));
    return String.fromCodePoint(randomInt(0xe000, 0x10000));
  };
  let tie: string | undefined;
  for (let attempt = 0; attempt < 50_000 && tie === undefined; attempt++) {
    const p = randomInt(50, 60);
    const text = Array.from({ length: randomInt(300, 360) }, () => draw(p)).join('');
    const json = Buffer.from(JSON.stringify(text), 'utf8');
    if (json.length < 512) continue;
    if (deflateRawSync(json, { windowBits: 11, memLevel: 5 }).length === json.length) tie = text;
  }
  expect(tie).toBeDefined();
  const packed = packJSON(tie);
  expect(packed[0]).toBe(0);
  expect(packed.subarray(1).toString('utf8')).toBe(JSON.stringify(tie));
});

it('sessionKeyOf: a non-string that stringifies to a session id is not one', () => {
  const sid = `${'k'.repeat(16)}.${'r'.repeat(22)}`;
  expect(sessionKeyOf(sid)).toBeDefined();
  expect(sessionKeyOf([sid])).toBeUndefined();
  expect(sessionKeyOf({ toString: () => sid })).toBeUndefined();
});

it('a value shorter than version + IV + tag is refused even when its bytes authenticate', () => {
  // 28 bytes: version, a 12-byte IV, an empty ciphertext and a tag whose first byte is the IV's
  // last. Without the length check, the last 16 bytes are taken as the tag and they do
  // authenticate: drawn until the tag's first byte equals the IV's last (one IV in 256).
  const key = randomBytes(32);
  let value: string | undefined;
  for (let attempt = 0; attempt < 10_000 && value === undefined; attempt++) {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from('aad', 'utf8'));
    cipher.final();
    const tag = cipher.getAuthTag();
    if (tag[0] === iv[11]) {
      value = Buffer.concat([Buffer.of(1), iv, tag.subarray(1)]).toString('base64url');
    }
  }
  expect(value).toBeDefined();
  expect(Buffer.from(value!, 'base64url')).toHaveLength(28);
  expect(open(key, value!, 'aad')).toBeUndefined();
});
