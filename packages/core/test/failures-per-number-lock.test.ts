import { describe, expect, it } from 'vitest';
import { makeEngine, phoneNumber, T0, wrongCode } from './helpers.js';

describe('failures per number and lock', () => {
  it('counts failures across resends: 3 wrong, resend, 2 wrong locks for 60 s', async () => {
    const { engine, sender, clock, events } = makeEngine();
    const phone = phoneNumber();
    await engine.send({ phone });
    for (let i = 0; i < 3; i++) await engine.verify({ phone, code: wrongCode(sender.last().code) });
    clock.advance(60_000);
    expect(await engine.resend({ phone })).toMatchObject({ ok: true });
    const code = sender.last().code;
    expect(await engine.verify({ phone, code: wrongCode(code) })).toEqual({
      ok: false,
      reason: 'invalid_code',
    });
    expect(await engine.verify({ phone, code: wrongCode(code) })).toEqual({
      ok: false,
      reason: 'locked',
      retryAfter: 60,
    });
    const locked = events.filter((event) => event.type === 'locked');
    expect(locked).toEqual([
      expect.objectContaining({
        phone: `+977${phone}`,
        failures: 5,
        until: new Date(clock.now + 60_000),
      }),
    ]);
  });

  it('while locked even the right code is refused, without spending an attempt; it works when the lock ends', async () => {
    const { engine, sender, clock } = makeEngine({ policy: { maxAttemptsPerCode: 10 } });
    const phone = phoneNumber();
    await engine.send({ phone });
    const code = sender.last().code;
    for (let i = 0; i < 5; i++) await engine.verify({ phone, code: wrongCode(code) });
    const lockEnd = clock.now + 60_000;
    clock.set(lockEnd - 1);
    for (let i = 0; i < 10; i++) {
      expect(await engine.verify({ phone, code })).toEqual({
        ok: false,
        reason: 'locked',
        retryAfter: 1,
      });
    }
    clock.set(lockEnd);
    expect(await engine.verify({ phone, code })).toMatchObject({ ok: true });
  });

  it('refuses sends while locked, allows them when the lock ends', async () => {
    const { engine, sender, clock, events } = makeEngine();
    const phone = phoneNumber();
    await engine.send({ phone });
    for (let i = 0; i < 5; i++) await engine.verify({ phone, code: wrongCode(sender.last().code) });
    const lockEnd = clock.now + 60_000;
    clock.set(lockEnd - 1);
    expect(await engine.send({ phone })).toEqual({
      ok: false,
      reason: 'rate_limited',
      retryAfter: 1,
    });
    expect(events.at(-1)).toMatchObject({ type: 'send_refused', detail: 'locked' });
    clock.set(lockEnd);
    expect(await engine.send({ phone })).toMatchObject({ ok: true });
  });

  it('doubles the lock each time, up to one hour', async () => {
    const { engine, sender, clock } = makeEngine();
    const phone = phoneNumber();
    const locks: number[] = [];
    for (let lock = 0; lock < 8; lock++) {
      // A fresh code each round (the last one expired or ran out of attempts): failures carry over.
      expect(await engine.send({ phone })).toMatchObject({ ok: true });
      const code = sender.last().code;
      let result = await engine.verify({ phone, code: wrongCode(code) });
      for (let i = 1; i < 5; i++) result = await engine.verify({ phone, code: wrongCode(code) });
      expect(result).toMatchObject({ ok: false, reason: 'locked' });
      const retryAfter = (result as { retryAfter: number }).retryAfter;
      locks.push(retryAfter);
      clock.advance(retryAfter * 1_000);
    }
    expect(locks).toEqual([60, 120, 240, 480, 960, 1_920, 3_600, 3_600]);
  });

  it('forgets failures after 24 hours without one', async () => {
    const { engine, sender, clock } = makeEngine({ policy: { ttlInSeconds: 600 } });
    const phone = phoneNumber();
    await engine.send({ phone });
    for (let i = 0; i < 4; i++) await engine.verify({ phone, code: wrongCode(sender.last().code) });
    const lastFailure = clock.now;
    clock.set(lastFailure + 86_400_000 - 1);
    await engine.send({ phone });
    // One more failure just inside the window would lock: the count was kept.
    expect(await engine.verify({ phone, code: wrongCode(sender.last().code) })).toMatchObject({
      reason: 'locked',
    });

    const other = phoneNumber();
    clock.set(T0);
    await engine.send({ phone: other });
    for (let i = 0; i < 4; i++)
      await engine.verify({ phone: other, code: wrongCode(sender.last().code) });
    clock.set(T0 + 86_400_000);
    await engine.send({ phone: other });
    expect(await engine.verify({ phone: other, code: wrongCode(sender.last().code) })).toEqual({
      ok: false,
      reason: 'invalid_code',
    });
  });

  it('a success resets the failure count', async () => {
    const { engine, sender, clock } = makeEngine();
    const phone = phoneNumber();
    await engine.send({ phone });
    for (let i = 0; i < 4; i++) await engine.verify({ phone, code: wrongCode(sender.last().code) });
    await engine.verify({ phone, code: sender.last().code });
    clock.advance(60_000);
    await engine.send({ phone });
    for (let i = 0; i < 4; i++) {
      expect(await engine.verify({ phone, code: wrongCode(sender.last().code) })).toMatchObject({
        reason: 'invalid_code',
      });
    }
  });

  it('validates the lock options', () => {
    expect(() => makeEngine({ policy: { lockMaxInSeconds: 30 } })).toThrow(
      /lockMaxInSeconds.*lockBaseInSeconds/,
    );
    expect(() => makeEngine({ policy: { failureWindowInSeconds: 60 } })).toThrow(
      /failureWindowInSeconds/,
    );
    expect(() => makeEngine({ policy: { lockAfterFailures: 0 } })).toThrow(TypeError);
  });
});
