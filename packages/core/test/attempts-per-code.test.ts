import { describe, expect, it } from 'vitest';
import { makeEngine, phoneNumber, wrongCode } from './helpers.js';

describe('attempts per code', () => {
  it('after 5 wrong guesses even the right code fails', async () => {
    // Locking off (every 100th failure) to see the per-code limit alone.
    const { engine, sender, events } = makeEngine({ policy: { lockAfterFailures: 100 } });
    const phone = phoneNumber();
    await engine.send({ phone });
    const code = sender.last().code;
    for (let i = 0; i < 5; i++) {
      expect(await engine.verify({ phone, code: wrongCode(code) })).toEqual({
        ok: false,
        reason: 'invalid_code',
      });
    }
    expect(await engine.verify({ phone, code })).toEqual({ ok: false, reason: 'invalid_code' });
    expect(events.at(-1)).toMatchObject({ type: 'failed', detail: 'too_many_attempts' });
  });

  it('after 4 wrong guesses the right code still works', async () => {
    const { engine, sender } = makeEngine({ policy: { lockAfterFailures: 100 } });
    const phone = phoneNumber();
    await engine.send({ phone });
    const code = sender.last().code;
    for (let i = 0; i < 4; i++) await engine.verify({ phone, code: wrongCode(code) });
    expect(await engine.verify({ phone, code })).toMatchObject({ ok: true });
  });

  it('honours a configured limit', async () => {
    const { engine, sender } = makeEngine({
      policy: { maxAttemptsPerCode: 2, lockAfterFailures: 100 },
    });
    const phone = phoneNumber();
    await engine.send({ phone });
    const code = sender.last().code;
    await engine.verify({ phone, code: wrongCode(code) });
    await engine.verify({ phone, code: wrongCode(code) });
    expect(await engine.verify({ phone, code })).toMatchObject({ ok: false });
  });

  it('50 parallel wrong guesses evaluate at most 5, and the right code fails afterwards', async () => {
    const { engine, sender, events } = makeEngine({ policy: { lockAfterFailures: 100 } });
    const phone = phoneNumber();
    await engine.send({ phone });
    const code = sender.last().code;
    const guesses = Array.from({ length: 50 }, (_, i) =>
      String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'),
    );
    const results = await Promise.all(
      guesses.map((guess) => engine.verify({ phone, code: guess })),
    );
    expect(results.every((result) => !result.ok)).toBe(true);
    const details = events
      .filter((e) => e.type === 'failed')
      .map((e) => (e as { detail: string }).detail);
    expect(details.filter((detail) => detail === 'wrong_code')).toHaveLength(5);
    expect(details.filter((detail) => detail === 'too_many_attempts')).toHaveLength(45);
    expect(await engine.verify({ phone, code })).toEqual({ ok: false, reason: 'invalid_code' });
  });

  it('refuses a limit outside 1-100', () => {
    expect(() => makeEngine({ policy: { maxAttemptsPerCode: 0 } })).toThrow(TypeError);
    expect(() => makeEngine({ policy: { maxAttemptsPerCode: 101 } })).toThrow(/maxAttemptsPerCode/);
  });
});
