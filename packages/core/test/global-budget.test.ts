import { describe, expect, it } from 'vitest';
import { makeEngine, phoneNumber, T0 } from './helpers.js';

describe('global budget', () => {
  it('emits budget_low at 80 %, budget_exhausted when spent, then refuses as unavailable', async () => {
    const { engine, sender, events, clock } = makeEngine({ policy: { sendBudget: 5 } });
    for (let i = 0; i < 5; i++) {
      expect(await engine.send({ phone: phoneNumber() })).toMatchObject({ ok: true });
    }
    expect(events.filter((event) => event.type === 'budget_low')).toEqual([
      expect.objectContaining({ used: 4, budget: 5 }),
    ]);
    expect(events.filter((event) => event.type === 'budget_exhausted')).toEqual([
      expect.objectContaining({ used: 5, budget: 5 }),
    ]);
    clock.set(T0 + 86_400_000 - 1);
    const refused = phoneNumber();
    expect(await engine.send({ phone: refused })).toEqual({
      ok: false,
      reason: 'unavailable',
      retryAfter: 1,
    });
    expect(events.at(-1)).toMatchObject({ type: 'send_refused', detail: 'budget_exhausted' });
    expect(sender.deliveries).toHaveLength(5);
    // The refused send was undone (its cooldown cleared): the same number may try again at once.
    clock.set(T0 + 86_400_000);
    expect(await engine.send({ phone: refused })).toMatchObject({ ok: true });
    expect(sender.deliveries).toHaveLength(6);
  });

  it('a refused send leaves no code to verify', async () => {
    const { engine, events } = makeEngine({
      policy: { sendBudget: 1 },
      testMode: { codes: {} },
    });
    await engine.send({ phone: phoneNumber() });
    const phone = phoneNumber();
    await engine.send({ phone });
    expect(events.at(-1)).toMatchObject({ detail: 'budget_exhausted' });
    expect(await engine.verify({ phone, code: '000000' })).toMatchObject({
      reason: 'invalid_code',
    });
    expect(events.at(-1)).toMatchObject({ type: 'failed', detail: 'no_challenge' });
  });

  it('does not spend the budget on refused sends (cooldown) or test-mode numbers', async () => {
    const testNumber = phoneNumber();
    const { engine, clock } = makeEngine({
      policy: { sendBudget: 2 },
      testMode: { codes: { [testNumber]: '123456' } },
    });
    const phone = phoneNumber();
    await engine.send({ phone });
    for (let i = 0; i < 10; i++) await engine.send({ phone });
    for (let i = 0; i < 3; i++) {
      await engine.send({ phone: testNumber });
      clock.advance(60_000);
    }
    expect(await engine.send({ phone: phoneNumber() })).toMatchObject({ ok: true });
    expect(await engine.send({ phone: phoneNumber() })).toMatchObject({
      ok: false,
      reason: 'unavailable',
    });
  });

  it('is configurable, and off with Infinity', () => {
    expect(() => makeEngine({ policy: { sendBudget: 0 } })).toThrow(/sendBudget/);
    expect(() => makeEngine({ policy: { budgetLowRatio: 1.5 } })).toThrow(/budgetLowRatio/);
    expect(() => makeEngine({ policy: { sendBudget: Number.POSITIVE_INFINITY } })).not.toThrow();
  });
});
