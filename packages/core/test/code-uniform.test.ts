/**
 * Codes are uniform, leading zeros included: checked exactly, not statistically. The CSPRNG's
 * `randomInt` is replaced by a counter that returns every value of its range once, so the test
 * cannot fail by chance (a chi-square test on real draws at p = 0.001 per digit position failed
 * about one run in 170). What is left to prove is ours: one draw over exactly `[0, 10^length)`,
 * and a one-to-one mapping from the draw to the digits.
 */

import { beforeEach, describe, expect, it, vi } from 'vitest';

const draws = vi.hoisted(() => ({ next: 0, ranges: [] as Array<[number, number]> }));

vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>();
  return {
    ...original,
    randomInt: (min: number, max: number) => {
      draws.ranges.push([min, max]);
      const value = min + (draws.next % (max - min));
      draws.next += 1;
      return value;
    },
  };
});

const { generateCode } = await import('../src/engine/code.js');

beforeEach(() => {
  draws.next = 0;
  draws.ranges = [];
});

describe('generateCode', () => {
  it.each([6, 7, 8, 9, 10])('draws once, over exactly [0, 10^%i)', (length) => {
    generateCode(length);
    expect(draws.ranges).toEqual([[0, 10 ** length]]);
  });

  it('maps every draw to its own 6-digit code: each digit exactly as often in every position', () => {
    const size = 10 ** 6;
    const counts = Array.from({ length: 6 }, () => new Array<number>(10).fill(0));
    const seen = new Set<string>();
    for (let i = 0; i < size; i++) {
      const code = generateCode(6);
      if (code.length !== 6) throw new Error(`draw ${i} gave ${code}`);
      seen.add(code);
      for (let position = 0; position < 6; position++) {
        counts[position]![code.charCodeAt(position) - 48]! += 1;
      }
    }
    expect(seen.size).toBe(size);
    for (const row of counts) expect(row).toEqual(new Array(10).fill(size / 10));
  });

  it('keeps leading zeros', () => {
    expect(generateCode(6)).toBe('000000');
    draws.next = 42;
    expect(generateCode(10)).toBe('0000000042');
  });
});
