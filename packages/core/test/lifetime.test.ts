import { describe, expect, it } from 'vitest';
import { makeEngine, phoneNumber, T0 } from './helpers.js';

describe('lifetime', () => {
  it('a code works until just before 5 minutes by default', async () => {
    const { engine, sender, clock } = makeEngine();
    const phone = phoneNumber();
    const sent = await engine.send({ phone });
    expect(sent).toMatchObject({ ok: true, expiresAt: new Date(T0 + 300_000) });
    clock.set(T0 + 300_000 - 1);
    expect(await engine.verify({ phone, code: sender.last().code })).toMatchObject({ ok: true });
  });

  it('a code stops working at 5 minutes', async () => {
    const { engine, sender, clock, events } = makeEngine();
    const phone = phoneNumber();
    await engine.send({ phone });
    clock.set(T0 + 300_000);
    expect(await engine.verify({ phone, code: sender.last().code })).toEqual({
      ok: false,
      reason: 'invalid_code',
    });
    expect(events.at(-1)).toMatchObject({ type: 'failed', detail: 'expired' });
  });

  it('honours a shorter configured lifetime on both sides of the boundary', async () => {
    const { engine, sender, clock } = makeEngine({ policy: { ttlInSeconds: 120 } });
    const a = phoneNumber();
    const b = phoneNumber();
    await engine.send({ phone: a });
    const codeA = sender.last().code;
    await engine.send({ phone: b });
    const codeB = sender.last().code;
    clock.set(T0 + 119_999);
    expect(await engine.verify({ phone: a, code: codeA })).toMatchObject({ ok: true });
    clock.set(T0 + 120_000);
    expect(await engine.verify({ phone: b, code: codeB })).toMatchObject({ ok: false });
  });

  it('allows at most 10 minutes', () => {
    expect(() => makeEngine({ policy: { ttlInSeconds: 600 } })).not.toThrow();
    expect(() => makeEngine({ policy: { ttlInSeconds: 601 } })).toThrow(TypeError);
    expect(() => makeEngine({ policy: { ttlInSeconds: 601 } })).toThrow(/ttlInSeconds.*1 to 600/);
    expect(() => makeEngine({ policy: { ttlInSeconds: 0 } })).toThrow(TypeError);
  });
});
