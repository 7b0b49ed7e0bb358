import { describe, expect, it } from 'vitest';
import { generateCode } from '../src/engine/code.js';
import { makeEngine, phoneNumber } from './helpers.js';

describe('code length', () => {
  it('sends 6-digit codes by default', async () => {
    const { engine, sender } = makeEngine();
    expect(engine.codeLength).toBe(6);
    await engine.send({ phone: phoneNumber() });
    expect(sender.last().code).toMatch(/^[0-9]{6}$/);
  });

  it.each([7, 8, 10])('sends %i-digit codes when configured', async (codeLength) => {
    const { engine, sender } = makeEngine({ policy: { codeLength } });
    expect(engine.codeLength).toBe(codeLength);
    await engine.send({ phone: phoneNumber() });
    expect(sender.last().code).toMatch(new RegExp(`^[0-9]{${codeLength}}$`));
  });

  it.each([5, 11, 6.5, '6', Number.NaN])('refuses codeLength %s at construction', (codeLength) => {
    expect(() => makeEngine({ policy: { codeLength: codeLength as number } })).toThrow(
      /policy\.codeLength must be an integer from 6 to 10/,
    );
  });

  it('refuses a code of another length at verify without touching the store', async () => {
    const { engine, sender } = makeEngine();
    const phone = phoneNumber();
    await engine.send({ phone });
    const code = sender.last().code;
    expect(await engine.verify({ phone, code: `${code}0` })).toEqual({
      ok: false,
      reason: 'invalid_request',
    });
    expect(await engine.verify({ phone, code: code.slice(1) })).toEqual({
      ok: false,
      reason: 'invalid_request',
    });
    expect(await engine.verify({ phone, code })).toMatchObject({ ok: true });
  });

  it('draws every digit uniformly in every position, leading zeros included (chi-square, p≈0.001)', () => {
    const samples = 100_000;
    const length = 6;
    const counts = Array.from({ length }, () => new Array<number>(10).fill(0));
    let leadingZero = 0;
    for (let i = 0; i < samples; i++) {
      const code = generateCode(length);
      if (code.length !== length) throw new Error(`wrong length: ${code.length}`);
      if (code[0] === '0') leadingZero++;
      for (let position = 0; position < length; position++) {
        counts[position]![Number(code[position])]! += 1;
      }
    }
    // Critical value of chi-square with 9 degrees of freedom at p = 0.001.
    const critical = 27.877;
    const expected = samples / 10;
    for (const row of counts) {
      const chiSquare = row.reduce(
        (sum, observed) => sum + (observed - expected) ** 2 / expected,
        0,
      );
      expect(chiSquare).toBeLessThan(critical);
    }
    expect(leadingZero).toBeGreaterThan(samples / 10 - 600);
  });

  it('draws 10-digit codes too (one randomInt draw below 2^48)', () => {
    const codes = new Set(Array.from({ length: 1_000 }, () => generateCode(10)));
    for (const code of codes) expect(code).toMatch(/^[0-9]{10}$/);
    expect(codes.size).toBeGreaterThan(995);
  });
});
