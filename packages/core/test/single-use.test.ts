import { describe, expect, it } from 'vitest';
import { makeEngine, phoneNumber } from './helpers.js';

describe('single use', () => {
  it('the right code succeeds once, then fails', async () => {
    const { engine, sender, events } = makeEngine();
    const phone = phoneNumber();
    await engine.send({ phone });
    const code = sender.last().code;
    expect(await engine.verify({ phone, code })).toEqual({
      ok: true,
      phone: `+977${phone}`,
      purpose: 'sign-in',
    });
    expect(await engine.verify({ phone, code })).toEqual({ ok: false, reason: 'invalid_code' });
    expect(events.at(-1)).toMatchObject({ type: 'failed', detail: 'no_challenge' });
  });

  it('20 parallel verifies of the right code succeed exactly once', async () => {
    const { engine, sender } = makeEngine();
    const phone = phoneNumber();
    await engine.send({ phone });
    const code = sender.last().code;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => engine.verify({ phone, code })),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok && result.reason === 'invalid_code')).toHaveLength(
      19,
    );
  });

  it('a resend replaces the pending code: the old one no longer works', async () => {
    const { engine, sender, clock } = makeEngine();
    const phone = phoneNumber();
    await engine.send({ phone });
    const first = sender.last().code;
    clock.advance(60_000);
    await engine.resend({ phone });
    const second = sender.last().code;
    if (first !== second) {
      expect(await engine.verify({ phone, code: first })).toMatchObject({ ok: false });
    }
    expect(await engine.verify({ phone, code: second })).toMatchObject({ ok: true });
  });

  it('cancel drops the pending code', async () => {
    const { engine, sender } = makeEngine();
    const phone = phoneNumber();
    await engine.send({ phone });
    await engine.cancel({ phone });
    expect(await engine.verify({ phone, code: sender.last().code })).toEqual({
      ok: false,
      reason: 'invalid_code',
    });
  });
});
