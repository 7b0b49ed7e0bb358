// Why these tests check the mechanism and not the behaviour: codes drawn from `Math.random()`, or
// from `randomBytes` reduced `% 10 ** length`, look exactly like good codes. Math.random is
// uniform enough to pass any test a suite can afford, but it is predictable from a few outputs;
// the modulo bias of `% 10 ** 6` over 48 random bits is about 1 part in 3 * 10^8 per code, far
// below what a chi-square test can see (code-length.test.ts cannot tell them apart). So these
// tests pin where codes come from: one `crypto.randomInt(0, 10 ** length)` per code, which draws
// from the CSPRNG and rejects out-of-range draws (no modulo), and never `Math.random`. Then they
// check the only arithmetic left, the mapping from that integer to a code, exhaustively with a
// deterministic source: it is one-to-one onto every code, so a uniform draw gives a uniform code.
import * as crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { generateCode } from '../src/engine/code.js';
import { makeEngine, phoneNumber } from './helpers.js';

// A partial mock: the real node:crypto, with randomInt wrapped in a spy that still draws from the
// real CSPRNG. ESM namespaces cannot be spied on, so the seam is the module mock.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, randomInt: vi.fn(actual.randomInt) };
});

const randomInt = vi.mocked(crypto.randomInt) as unknown as MockInstance<
  (min: number, max: number) => number
>;
const { randomInt: realRandomInt } =
  await vi.importActual<typeof import('node:crypto')>('node:crypto');
let mathRandom: MockInstance<() => number>;

beforeEach(() => {
  randomInt.mockClear();
  mathRandom = vi.spyOn(Math, 'random');
});

afterEach(() => {
  mathRandom.mockRestore();
  // Back to the real CSPRNG after a test that fed a deterministic source.
  randomInt.mockImplementation(realRandomInt);
});

describe('code randomness: the source', () => {
  it.each([6, 7, 8, 9, 10])(
    'a %i-digit code is one crypto.randomInt(0, 10^length) draw, never Math.random',
    (length) => {
      const code = generateCode(length);
      expect(randomInt.mock.calls).toEqual([[0, 10 ** length]]);
      expect(code).toBe(String(randomInt.mock.results[0]?.value).padStart(length, '0'));
      expect(mathRandom).not.toHaveBeenCalled();
    },
  );

  it('the engine sends the code crypto.randomInt drew, and never calls Math.random', async () => {
    const { engine, sender } = makeEngine({ policy: { codeLength: 8 } });
    await engine.send({ phone: phoneNumber() });
    expect(randomInt.mock.calls).toEqual([[0, 10 ** 8]]);
    expect(sender.last().code).toBe(String(randomInt.mock.results[0]?.value).padStart(8, '0'));
    expect(mathRandom).not.toHaveBeenCalled();
  });
});

describe('code randomness: the arithmetic, with a deterministic source', () => {
  it('maps the 10^6 values randomInt can return one-to-one onto the 10^6 six-digit codes', () => {
    // Every value in [0, 10^6) once, in order: if the mapping is one-to-one onto all codes, a
    // uniform draw gives every code with probability exactly 10^-6 (no code favoured).
    let next = 0;
    randomInt.mockImplementation(() => next++);
    const seen = new Uint8Array(10 ** 6);
    for (let value = 0; value < 10 ** 6; value++) {
      const code = generateCode(6);
      if (!/^[0-9]{6}$/.test(code)) throw new Error(`not six digits: ${code} (from ${value})`);
      const index = Number(code);
      if (seen[index] === 1) throw new Error(`code ${code} drawn twice (second from ${value})`);
      seen[index] = 1;
      // The spy keeps every call; drop them as we go so a million calls stay cheap.
      if (value % 10_000 === 9_999) randomInt.mockClear();
    }
    expect(next).toBe(10 ** 6);
    expect(seen.every((bit) => bit === 1)).toBe(true);
  });

  it.each([6, 7, 8, 9, 10])(
    'keeps the extremes of the range for %i digits: 0 is all zeros, 10^length - 1 all nines',
    (length) => {
      randomInt.mockImplementationOnce(() => 0).mockImplementationOnce(() => 10 ** length - 1);
      expect(generateCode(length)).toBe('0'.repeat(length));
      expect(generateCode(length)).toBe('9'.repeat(length));
    },
  );
});
