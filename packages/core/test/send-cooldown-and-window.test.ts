import { describe, expect, it } from 'vitest';
import { makeEngine, phoneNumber, T0 } from './helpers.js';

describe('send cooldown and window', () => {
  it('refuses a second send within 60 s and allows it at 60 s', async () => {
    const { engine, sender, clock, events } = makeEngine();
    const phone = phoneNumber();
    expect(await engine.send({ phone })).toMatchObject({
      ok: true,
      resendAt: new Date(T0 + 60_000),
    });
    clock.set(T0 + 59_999);
    expect(await engine.resend({ phone })).toEqual({
      ok: false,
      reason: 'rate_limited',
      retryAfter: 1,
    });
    expect(events.at(-1)).toMatchObject({ type: 'send_refused', detail: 'cooldown' });
    expect(sender.deliveries).toHaveLength(1);
    clock.set(T0 + 60_000);
    expect(await engine.resend({ phone })).toMatchObject({ ok: true });
    expect(sender.deliveries).toHaveLength(2);
  });

  it('applies the cooldown across purposes (per number)', async () => {
    const { engine, clock } = makeEngine();
    const phone = phoneNumber();
    await engine.send({ phone, purpose: 'sign-in' });
    clock.advance(30_000);
    expect(await engine.send({ phone, purpose: 'phone-change' })).toEqual({
      ok: false,
      reason: 'rate_limited',
      retryAfter: 30,
    });
  });

  it('caps 5 sends per 10 minutes per number, and allows again when the window ends', async () => {
    const { engine, clock, events } = makeEngine();
    const phone = phoneNumber();
    for (let i = 0; i < 5; i++) {
      clock.set(T0 + i * 60_000);
      expect(await engine.send({ phone })).toMatchObject({ ok: true });
    }
    clock.set(T0 + 5 * 60_000);
    expect(await engine.send({ phone })).toEqual({
      ok: false,
      reason: 'rate_limited',
      retryAfter: 300,
    });
    expect(events.at(-1)).toMatchObject({ type: 'send_refused', detail: 'window_cap' });
    clock.set(T0 + 600_000 - 1);
    expect(await engine.send({ phone })).toMatchObject({ ok: false, reason: 'rate_limited' });
    clock.set(T0 + 600_000);
    expect(await engine.send({ phone })).toMatchObject({ ok: true });
  });

  it('20 parallel sends to one number deliver once', async () => {
    const { engine, sender } = makeEngine();
    const phone = phoneNumber();
    const results = await Promise.all(Array.from({ length: 20 }, () => engine.send({ phone })));
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(sender.deliveries).toHaveLength(1);
  });

  it('honours configured values', async () => {
    const { engine, clock } = makeEngine({
      policy: { resendCooldownInSeconds: 10, maxSendsPerWindow: 2, sendWindowInSeconds: 100 },
    });
    const phone = phoneNumber();
    await engine.send({ phone });
    clock.set(T0 + 9_999);
    expect(await engine.send({ phone })).toMatchObject({ ok: false, retryAfter: 1 });
    clock.set(T0 + 10_000);
    expect(await engine.send({ phone })).toMatchObject({
      ok: true,
      resendAt: new Date(T0 + 20_000),
    });
    clock.set(T0 + 20_000);
    expect(await engine.send({ phone })).toMatchObject({ ok: false, retryAfter: 80 });
  });
});
