import { describe, expect, it } from 'vitest';
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
});
