import { describe, expect, it } from 'vitest';
import {
  DeliveryFailedError,
  ErrorCode,
  StoreUnavailableError,
  TingTingAuthError,
} from '../src/errors.js';
import type { OTPStore } from '../src/store.js';
import { MemoryStore } from '../src/stores/memory-store.js';
import { makeEngine, phoneNumber } from './helpers.js';

describe('delivery failure', () => {
  it('a definitive failure is rethrown and undone: no code to verify, no cooldown', async () => {
    let fail = true;
    const { engine, sender, events } = makeEngine({
      answer: async () => {
        if (fail) throw new DeliveryFailedError();
        return undefined;
      },
    });
    const phone = phoneNumber();
    await expect(engine.send({ phone })).rejects.toBeInstanceOf(DeliveryFailedError);
    const lost = sender.last().code;
    expect(events.some((event) => event.type === 'sent')).toBe(false);
    expect(await engine.verify({ phone, code: lost })).toEqual({
      ok: false,
      reason: 'invalid_code',
    });
    expect(events.at(-1)).toMatchObject({ type: 'failed', detail: 'no_challenge' });
    fail = false;
    expect(await engine.send({ phone })).toMatchObject({ ok: true });
  });

  it('repeated definite failures to one number count against its send window: two provider calls per window, not one per retry', async () => {
    const { engine, sender, clock } = makeEngine({
      answer: async () => {
        throw new DeliveryFailedError();
      },
    });
    const phone = phoneNumber();
    const outcomes: string[] = [];
    // A user (or a script) retrying every 10 s for 20 minutes: two 10-minute windows.
    for (let i = 0; i < 120; i++) {
      const outcome = await engine.send({ phone }).then(
        (result) => (result.ok ? 'sent' : result.reason),
        (error: unknown) => (error as DeliveryFailedError).code,
      );
      outcomes.push(outcome);
      clock.advance(10_000);
    }
    expect(sender.deliveries).toHaveLength(4);
    expect(outcomes.filter((o) => o === 'DELIVERY_FAILED')).toHaveLength(4);
    expect(outcomes.filter((o) => o === 'rate_limited')).toHaveLength(116);
    // The first failure still lets the user try again at once (by voice, say).
    expect(outcomes.slice(0, 3)).toEqual(['DELIVERY_FAILED', 'DELIVERY_FAILED', 'rate_limited']);
  });

  it('after a failure, a send that works is not held back', async () => {
    let fail = true;
    const { engine, sender } = makeEngine({
      answer: async () => {
        if (fail) throw new DeliveryFailedError();
        return undefined;
      },
    });
    const phone = phoneNumber();
    await expect(engine.send({ phone })).rejects.toBeInstanceOf(DeliveryFailedError);
    fail = false;
    expect(await engine.send({ phone, channel: 'voice' })).toMatchObject({ ok: true });
    expect(await engine.verify({ phone, code: sender.last().code })).toMatchObject({ ok: true });
  });

  it('wraps a TingTing error in DeliveryFailedError, keeping it as the cause (e.g. INSUFFICIENT_CREDITS)', async () => {
    const cause = new TingTingAuthError(ErrorCode.INSUFFICIENT_CREDITS, 'Insufficient SMS credits');
    const { engine } = makeEngine({
      answer: async () => {
        throw cause;
      },
    });
    const error = await engine.send({ phone: phoneNumber() }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeliveryFailedError);
    expect(error).toMatchObject({ code: 'DELIVERY_FAILED', cause });
    expect((error as Error).message).toContain('INSUFFICIENT_CREDITS');
  });

  it('wraps any other sender failure in DeliveryFailedError, keeping the cause', async () => {
    const cause = new Error('socket hang up');
    const { engine } = makeEngine({
      answer: async () => {
        throw cause;
      },
    });
    const error = await engine.send({ phone: phoneNumber() }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeliveryFailedError);
    expect(error).toMatchObject({ code: 'DELIVERY_FAILED', cause });
  });

  it('an UNKNOWN_OUTCOME is a success with delivery: unknown, NOT undone: the code may have arrived', async () => {
    const { engine, sender, clock } = makeEngine({
      answer: async () => {
        throw new TingTingAuthError(
          ErrorCode.UNKNOWN_OUTCOME,
          'The send may have reached TingTing',
        );
      },
    });
    const phone = phoneNumber();
    const events: unknown[] = [];
    engine.on('sent', (event) => events.push(event));
    expect(await engine.send({ phone })).toMatchObject({ ok: true, delivery: 'unknown' });
    expect(events).toMatchObject([{ type: 'sent', delivery: 'unknown' }]);
    expect(await engine.send({ phone })).toMatchObject({ ok: false, reason: 'rate_limited' });
    clock.advance(1_000);
    expect(await engine.verify({ phone, code: sender.deliveries[0]!.code })).toMatchObject({
      ok: true,
    });
  });

  it('fails closed with StoreUnavailableError when the store fails', async () => {
    const broken: OTPStore = {
      issue: async () => {
        throw new Error('ECONNREFUSED');
      },
      abandon: async () => {},
      cancel: async () => {
        throw new Error('ECONNREFUSED');
      },
      hit: async () => {
        throw new Error('ECONNREFUSED');
      },
      verify: async () => {
        throw new Error('ECONNREFUSED');
      },
    };
    const { engine, sender } = makeEngine({ store: broken });
    await expect(engine.send({ phone: phoneNumber() })).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    await expect(engine.send({ phone: phoneNumber(), ip: '203.0.113.1' })).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
    await expect(engine.verify({ phone: phoneNumber(), code: '123456' })).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    await expect(engine.cancel({ phone: phoneNumber() })).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    expect(sender.deliveries).toHaveLength(0);
  });

  it('fails closed when the store answers nonsense', async () => {
    const inner = new MemoryStore();
    const nonsense: OTPStore = {
      issue: (...args) => inner.issue(...args),
      abandon: (...args) => inner.abandon(...args),
      cancel: (...args) => inner.cancel(...args),
      hit: async () => ({ count: Number.NaN, resetAt: 0 }),
      verify: async () => 'OK' as never,
    };
    const { engine, sender } = makeEngine({ store: nonsense });
    await expect(engine.send({ phone: phoneNumber(), ip: '203.0.113.1' })).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    await expect(engine.verify({ phone: phoneNumber(), code: '123456' })).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    expect(sender.deliveries).toHaveLength(0);
  });

  it('a budget counter failure after issue undoes the issue', async () => {
    const inner = new MemoryStore();
    let budgetDown = true;
    const store: OTPStore = {
      issue: (...args) => inner.issue(...args),
      abandon: (...args) => inner.abandon(...args),
      cancel: (...args) => inner.cancel(...args),
      verify: (...args) => inner.verify(...args),
      hit: async (...args) => {
        if (budgetDown) throw new Error('timeout');
        return inner.hit(...args);
      },
    };
    const { engine, sender } = makeEngine({ store });
    const phone = phoneNumber();
    await expect(engine.send({ phone })).rejects.toBeInstanceOf(StoreUnavailableError);
    budgetDown = false;
    expect(await engine.send({ phone })).toMatchObject({ ok: true });
    expect(sender.deliveries).toHaveLength(1);
  });
});
