import { describe, expect, it } from 'vitest';
import type { OTPStore } from '../src/store.js';
import { MemoryStore } from '../src/stores/memory-store.js';
import { makeEngine, phoneNumber, wrongCode } from './helpers.js';

describe('enumeration', () => {
  it('answers the same whatever the reason a verify failed; the reason goes to the event', async () => {
    const { engine, sender, clock, events } = makeEngine({ policy: { lockAfterFailures: 100 } });
    const answers: unknown[] = [];
    const details: unknown[] = [];
    const record = async (phone: string, code: string): Promise<void> => {
      answers.push(await engine.verify({ phone, code }));
      details.push((events.at(-1) as { detail: string }).detail);
    };

    await record(phoneNumber(), '123456'); // never sent

    const wrong = phoneNumber();
    await engine.send({ phone: wrong });
    await record(wrong, wrongCode(sender.last().code)); // wrong code

    const used = phoneNumber();
    await engine.send({ phone: used });
    await engine.verify({ phone: used, code: sender.last().code });
    await record(used, sender.last().code); // already used

    const tooMany = phoneNumber();
    await engine.send({ phone: tooMany });
    for (let i = 0; i < 5; i++)
      await engine.verify({ phone: tooMany, code: wrongCode(sender.last().code) });
    await record(tooMany, sender.last().code); // too many attempts

    const expired = phoneNumber();
    await engine.send({ phone: expired });
    clock.advance(300_000);
    await record(expired, sender.last().code); // expired

    expect(details).toEqual([
      'no_challenge',
      'wrong_code',
      'no_challenge',
      'too_many_attempts',
      'expired',
    ]);
    for (const answer of answers) expect(answer).toEqual({ ok: false, reason: 'invalid_code' });
  });

  it('malformed input is invalid_request, spends no attempt and does not touch the store', async () => {
    let calls = 0;
    const inner = new MemoryStore();
    const store: OTPStore = {
      issue: (...args) => inner.issue(...args),
      abandon: (...args) => inner.abandon(...args),
      cancel: (...args) => inner.cancel(...args),
      hit: (...args) => inner.hit(...args),
      verify: (...args) => {
        calls++;
        return inner.verify(...args);
      },
    };
    const { engine, sender, events } = makeEngine({ store, policy: { maxAttemptsPerCode: 1 } });
    const phone = phoneNumber();
    await engine.send({ phone });
    const code = sender.last().code;
    const malformed: unknown[] = [
      undefined,
      123456,
      '',
      '12345',
      '1234567',
      '12 456',
      '१२३४५६', // Devanagari digits are not ASCII digits
      '１２３４５６', // nor are fullwidth ones
      'abcdef',
      { toString: () => code },
    ];
    for (const bad of malformed) {
      expect(await engine.verify({ phone, code: bad })).toEqual({
        ok: false,
        reason: 'invalid_request',
      });
      expect(events.at(-1)).toMatchObject({ type: 'failed', detail: 'malformed' });
    }
    expect(await engine.verify({ phone: 'nope', code })).toEqual({
      ok: false,
      reason: 'invalid_request',
    });
    expect(await engine.verify({ phone, code, purpose: 'bad purpose\n' })).toEqual({
      ok: false,
      reason: 'invalid_request',
    });
    expect(await engine.verify(null as never)).toEqual({ ok: false, reason: 'invalid_request' });
    expect(calls).toBe(0);
    // The single allowed attempt is still there; surrounding whitespace is trimmed.
    expect(await engine.verify({ phone, code: ` ${code}\n` })).toMatchObject({ ok: true });
    expect(calls).toBe(1);
  });

  it('send answers do not reveal whether a number has an account or a pending code', async () => {
    const { engine } = makeEngine();
    const fresh = await engine.send({ phone: phoneNumber() });
    const again = await engine.send({ phone: phoneNumber() });
    expect(Object.keys(fresh).sort()).toEqual(Object.keys(again).sort());
  });
});
