/**
 * Hostile-input generators the adapters' `hostile-input.test.ts` files share: random and
 * malformed values for the sign-in fields (spellings of a known number, codes built from the
 * pending one that are never a well-formed guess, values of the wrong type, keys that must be
 * ignored), the text helpers they are built with, and the check that a run left the pending
 * challenge alone. The bodies, requests and app harness for Node HTTP apps (Express, Passport)
 * are in `test-support/hostile-bodies`, `test-support/hostile-requests` and
 * `test-support/hostile-app`.
 */
import { VOICES } from '@tingting-auth/core';
import fc from 'fast-check';
import { expect } from 'vitest';

/** No answer within this long is a hang (an abort fails the property; it is not a timing check). */
export const HANG_IN_MILLISECONDS = 10_000;
/** The engines under hostile input allow this many guesses per code. */
export const MAX_ATTEMPTS_PER_CODE = 5;

/** A request body's fields, as the generators build them (anything JSON can carry). */
export type Fields = Record<string, unknown>;

/** `s` with its ASCII digits in Devanagari (० to ९). */
export const toDevanagari = (s: string): string =>
  s.replace(/[0-9]/g, (d) => String.fromCharCode(0x0966 + Number(d)));
/** `s` with its ASCII digits in fullwidth form (０ to ９). */
export const toFullwidth = (s: string): string =>
  s.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)));
/** Characters `String.prototype.trim` keeps: a code with one of them is malformed, not a guess. */
export const INVISIBLE: readonly string[] = [
  '\u200B',
  '\u200C',
  '\u200D',
  '\u2060',
  '\u0000',
  '\u202E',
  '\u00AD',
];
/** Whether `value` would be read as a guess: six ASCII digits, once trimmed. */
export const isWellFormedCode = (value: unknown): boolean =>
  typeof value === 'string' && /^[0-9]{6}$/.test(value.trim());
/** Whether `value` is a plain object (not `null`, not an array). */
export const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Percent-encodes the UTF-8 bytes of `s` (lone surrogates become U+FFFD; never throws). */
export function percentEncode(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** `text` in UTF-16, little or big endian, with or without a byte order mark. */
export function utf16(text: string, endian: 'le' | 'be', bom: boolean): Buffer {
  const le = Buffer.from((bom ? '\uFEFF' : '') + text, 'utf16le');
  if (endian === 'le') return le;
  const be = Buffer.alloc(le.length);
  for (let i = 0; i + 1 < le.length; i += 2) {
    be[i] = le[i + 1]!;
    be[i + 1] = le[i]!;
  }
  return be;
}

/**
 * The ways a person may write a ten-digit Nepali mobile `phone` that all mean the same number:
 * national, E.164, `00977`, spaced and dashed, in brackets, in Devanagari or fullwidth digits.
 */
export function spellingsOf(phone: string): string[] {
  const [a, b, c] = [phone.slice(0, 3), phone.slice(3, 6), phone.slice(6)];
  return [
    phone,
    `+977${phone}`,
    `00977${phone}`,
    `+977 ${a}-${b}-${c}`,
    `(${a}) ${b} ${c}`,
    toDevanagari(phone),
    `+977${toDevanagari(phone)}`,
    toFullwidth(phone),
  ];
}

/** Keys a body may carry that the adapters must ignore (or refuse), never act on. */
export const EXTRA_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'purpose',
  'ip',
  'pad',
  'toString',
];

/** Options of {@link fieldValues}. */
export interface FieldValuesOptions {
  /** The number with the pending challenge, national form (ten digits). */
  phone: string;
  /**
   * Eight digits that make valid mobiles other than `phone` with any two more (`'98412345'`): a
   * send to them may be accepted.
   */
  poolPrefix: string;
  /** The keys of {@link FieldValues.extra}. @default EXTRA_KEYS */
  extraKeys?: readonly string[];
}

/** What {@link fieldValues} returns: one arbitrary for each kind of field value. */
export interface FieldValues {
  /** Spellings of the number with the pending challenge. */
  known: fc.Arbitrary<string>;
  /** Valid mobiles other than the known one. */
  pool: fc.Arbitrary<string>;
  /** `s` with one invisible character put in somewhere. */
  garble: (s: string) => fc.Arbitrary<string>;
  /** Phone fields: the known number and the pool, garbled, random text, odd constants. */
  phoneText: fc.Arbitrary<string>;
  /** Codes that are never a well-formed guess, many of them built from the right code. */
  codeText: fc.Arbitrary<string>;
  /** Values of any type but a string, some of them the right code or the known number inside. */
  wrongType: fc.Arbitrary<unknown>;
  /** Channel fields, right and wrong. */
  channel: fc.Arbitrary<unknown>;
  /** Voice fields, right and wrong. */
  voice: fc.Arbitrary<unknown>;
  /** A few keys to ignore ({@link FieldValuesOptions.extraKeys}) with any JSON value. */
  extra: fc.Arbitrary<Record<string, fc.JsonValue>>;
}

/** Random field values around the pending challenge of `phone`, whose code is `rightCode`. */
export function fieldValues(rightCode: string, options: FieldValuesOptions): FieldValues {
  const { phone, poolPrefix, extraKeys = EXTRA_KEYS } = options;
  const known = fc.constantFrom(...spellingsOf(phone));
  const pool = fc
    .integer({ min: 0, max: 99 })
    .map((n) => `${poolPrefix}${String(n).padStart(2, '0')}`);
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
      [phone],
      { 0: phone },
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
  const extra = fc.dictionary(fc.constantFrom(...extraKeys), fc.jsonValue({ maxDepth: 1 }), {
    maxKeys: 2,
  });
  return { known, pool, garble, phoneText, codeText, wrongType, channel, voice, extra };
}

/**
 * Whether send fields can never be accepted, whatever the phone: not an object, a phone that is
 * not a string, or a channel or voice no send takes. `nullIsDefault`: the adapter reads a `null`
 * channel or voice as the default (NextAuth's send handler), not as a wrong type.
 */
export function sendFieldsRefused(f: unknown, { nullIsDefault = false } = {}): boolean {
  if (!isObject(f)) return true;
  const value = (k: string): unknown => (Object.hasOwn(f, k) ? f[k] : undefined);
  const isDefault = (v: unknown) => v === undefined || v === '' || (nullIsDefault && v === null);
  const channel = value('channel');
  const voice = value('voice');
  return (
    typeof value('phone') !== 'string' ||
    !(isDefault(channel) || channel === 'text' || channel === 'voice') ||
    !(isDefault(voice) || (VOICES as readonly unknown[]).includes(voice))
  );
}

/** What {@link expectChallengeIntact} needs. */
export interface IntactChallenge {
  /** The pending code. */
  rightCode: string;
  /**
   * Every attempt spent on the known number since the challenge was made (the `detail` of the
   * engine's `failed` events for it), the hostile run included.
   */
  spent: readonly string[];
  /** A guess through the adapter: `'ok'` when it signs in, else what the refusal says. */
  guess: (code: string) => Promise<string>;
  /** What a refused guess says (a substring or a pattern). */
  refused: string | RegExp;
}

/**
 * Property 3 after a run: nothing was spent by it, `MAX_ATTEMPTS_PER_CODE - 1` wrong guesses are
 * still refused and do not lock the number, then the right code signs in exactly once.
 */
export async function expectChallengeIntact({
  rightCode,
  spent,
  guess,
  refused,
}: IntactChallenge): Promise<void> {
  const wrong = rightCode === '000000' ? '111111' : '000000';
  for (let i = 0; i < MAX_ATTEMPTS_PER_CODE - 1; i++) expect(await guess(wrong)).toMatch(refused);
  expect(await guess(rightCode)).toBe('ok');
  expect(await guess(rightCode)).toMatch(refused);
  expect(spent).toEqual([
    ...Array<string>(MAX_ATTEMPTS_PER_CODE - 1).fill('wrong_code'),
    'no_challenge',
  ]);
}
