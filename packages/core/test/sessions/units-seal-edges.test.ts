/**
 * Edges of the session seal found by mutation testing: a deflate that saves nothing (a tie) keeps
 * the record plain, and a session id must be a string (an array stringifies to a valid one).
 */
import { randomInt } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { packJSON, sessionKeyOf } from '../../src/upstream/sessions-seal.js';

it('JSON that deflates to exactly its own length stays plain (deflate must save a byte)', () => {
  // Random text of ASCII and 2- and 3-byte UTF-8 at about the break-even mix: about one draw in a
  // few hundred deflates to exactly its own length. Drawn until one does.
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
    const text = Array.from({ length: randomInt(230, 290) }, () => draw(p)).join('');
    const json = Buffer.from(JSON.stringify(text), 'utf8');
    if (json.length < 256) continue;
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
