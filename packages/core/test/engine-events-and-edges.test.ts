import { describe, expect, it } from 'vitest';
import { DeliveryFailedError } from '../src/errors.js';
import type { OTPStore } from '../src/store.js';
import { MemoryStore } from '../src/stores/memory-store.js';
import { makeEngine, phoneNumber, T0, wrongCode } from './helpers.js';

const at = new Date(T0);
const IP = '203.0.113.7';

/** A MemoryStore behind a store that records every hit key and may override one method. */
function recordingStore(overrides: Partial<OTPStore> = {}): OTPStore & { hitKeys: string[] } {
  const inner = new MemoryStore({ logger: { warn: () => {} } });
  const hitKeys: string[] = [];
  return {
    hitKeys,
    issue: (...args) => inner.issue(...args),
    abandon: (...args) => inner.abandon(...args),
    cancel: (...args) => inner.cancel(...args),
    verify: (...args) => inner.verify(...args),
    hit: (key, ...rest) => {
      hitKeys.push(key);
      return inner.hit(key, ...rest);
    },
    ...overrides,
  };
}

describe('failed events: exactly what is known, nothing more', () => {
  it('a malformed verify: no phone, the purpose, the ip', async () => {
    const { engine, events } = makeEngine();
    expect(await engine.verify({ phone: phoneNumber(), code: '12x456', ip: IP })).toEqual({
      ok: false,
      reason: 'invalid_request',
    });
    expect(events).toEqual([
      { type: 'failed', purpose: 'sign-in', detail: 'malformed', ip: IP, at },
    ]);
  });

  it('a purpose that is not a string is malformed and reported as an empty purpose', async () => {
    const { engine, events } = makeEngine();
    const phone = phoneNumber();
    expect(await engine.verify({ phone, code: '123456', purpose: 5 as never })).toEqual({
      ok: false,
      reason: 'invalid_request',
    });
    expect(await engine.send({ phone, purpose: 5 as never })).toEqual({
      ok: false,
      reason: 'invalid_request',
    });
    expect(events).toEqual([
      { type: 'failed', purpose: '', detail: 'malformed', at },
      { type: 'send_refused', purpose: '', detail: 'malformed', at },
    ]);
  });

  it('an ip that is not a string is left out of a failed event', async () => {
    const { engine, events } = makeEngine();
    await engine.verify({ phone: phoneNumber(), code: '123456', ip: 42 as never });
    expect(events).toEqual([
      { type: 'failed', phone: expect.any(String), purpose: 'sign-in', detail: 'no_challenge', at },
    ]);
  });

  it('a wrong code, the lock it triggers, and a verify while locked', async () => {
    const { engine, sender, events } = makeEngine({
      policy: { lockAfterFailures: 1, lockBaseInSeconds: 60, lockMaxInSeconds: 60 },
    });
    const phone = phoneNumber();
    await engine.send({ phone });
    const code = sender.last().code;
    events.length = 0;
    expect(await engine.verify({ phone, code: wrongCode(code), ip: IP })).toEqual({
      ok: false,
      reason: 'locked',
      retryAfter: 60,
    });
    expect(await engine.verify({ phone, code })).toEqual({
      ok: false,
      reason: 'locked',
      retryAfter: 60,
    });
    const e164 = `+977${phone}`;
    expect(events).toEqual([
      { type: 'failed', phone: e164, purpose: 'sign-in', detail: 'wrong_code', ip: IP, at },
      {
        type: 'locked',
        phone: e164,
        purpose: 'sign-in',
        until: new Date(T0 + 60_000),
        failures: 1,
        at,
      },
      // Already locked: a failed event, and no second locked event.
      { type: 'failed', phone: e164, purpose: 'sign-in', detail: 'locked', at },
    ]);
  });

  it('a store answer outside the contract counts as no_challenge', async () => {
    const { engine, events } = makeEngine({
      store: recordingStore({ verify: async () => ({ ok: false, detail: 'weird' }) as never }),
    });
    const phone = phoneNumber();
    expect(await engine.verify({ phone, code: '123456' })).toEqual({
      ok: false,
      reason: 'invalid_code',
    });
    for (const detail of ['expired', 'too_many_attempts', 'wrong_code', 'no_challenge'] as const) {
      const known = makeEngine({
        store: recordingStore({ verify: async () => ({ ok: false, detail }) as never }),
      });
      await known.engine.verify({ phone, code: '123456' });
      expect(known.events.map((event) => (event as { detail: string }).detail)).toEqual([detail]);
    }
    expect(events.map((event) => (event as { detail: string }).detail)).toEqual(['no_challenge']);
  });
});

describe('send_refused events', () => {
  it('malformed: no phone, the purpose, the ip; a number not allowed: with the phone', async () => {
    const { engine, events } = makeEngine({ policy: { allowList: () => false } });
    const phone = phoneNumber();
    expect(await engine.send({ phone, channel: 'sms' as never, ip: IP })).toEqual({
      ok: false,
      reason: 'invalid_request',
    });
    expect(await engine.send({ phone, ip: 42 as never })).toEqual({
      ok: false,
      reason: 'invalid_request',
    });
    expect(await engine.send({ phone, ip: IP })).toEqual({ ok: false, reason: 'invalid_phone' });
    expect(events).toEqual([
      { type: 'send_refused', purpose: 'sign-in', detail: 'malformed', ip: IP, at },
      { type: 'send_refused', purpose: 'sign-in', detail: 'malformed', at },
      {
        type: 'send_refused',
        phone: `+977${phone}`,
        purpose: 'sign-in',
        detail: 'not_allowed',
        ip: IP,
        at,
      },
    ]);
  });

  it('a store refusal outside the contract is reported as a cooldown, one second by default', async () => {
    const { engine, events } = makeEngine({
      store: recordingStore({ issue: async () => ({ ok: false, detail: 'weird' }) as never }),
    });
    expect(await engine.send({ phone: phoneNumber() })).toEqual({
      ok: false,
      reason: 'rate_limited',
      retryAfter: 1,
    });
    expect(events).toMatchObject([{ type: 'send_refused', detail: 'cooldown' }]);
    for (const detail of ['locked', 'cooldown', 'window_cap'] as const) {
      const known = makeEngine({
        store: recordingStore({
          issue: async () => ({ ok: false, detail, retryAfterInMilliseconds: 4_500 }) as never,
        }),
      });
      expect(await known.engine.send({ phone: phoneNumber() })).toEqual({
        ok: false,
        reason: 'rate_limited',
        retryAfter: 5,
      });
      expect(known.events).toMatchObject([{ type: 'send_refused', detail }]);
    }
  });
});

describe('inputs that are not objects', () => {
  it.each([null, undefined, 'phone', 5])(
    'send(%j) and verify(%j) refuse without throwing',
    async (input) => {
      const { engine } = makeEngine();
      expect(await engine.send(input as never)).toMatchObject({ ok: false });
      expect(await engine.verify(input as never)).toEqual({ ok: false, reason: 'invalid_request' });
    },
  );
});

describe('purposes', () => {
  it.each(['-sign-in', '.x', ':x', 'a'.repeat(65), 'sign in', 'sign-in\n'])(
    'refuses the purpose %j',
    async (purpose) => {
      const { engine, sender } = makeEngine();
      expect(await engine.send({ phone: phoneNumber(), purpose })).toEqual({
        ok: false,
        reason: 'invalid_request',
      });
      expect(await engine.verify({ phone: phoneNumber(), code: '123456', purpose })).toEqual({
        ok: false,
        reason: 'invalid_request',
      });
      expect(sender.deliveries).toHaveLength(0);
    },
  );

  it.each(['a', 'A9', 'a'.repeat(64), 'x.y_z:w-v'])('takes the purpose %j', async (purpose) => {
    const { engine } = makeEngine();
    expect(await engine.send({ phone: phoneNumber(), purpose })).toMatchObject({
      ok: true,
      purpose,
    });
  });
});

describe('limits that are off cost no store round trip; the counter keys are stable', () => {
  it('counts under otp:ip:<key> and otp:budget', async () => {
    const store = recordingStore();
    const { engine } = makeEngine({ store });
    await engine.send({ phone: phoneNumber(), ip: IP });
    await engine.send({ phone: phoneNumber() });
    expect(store.hitKeys).toEqual([`otp:ip:${IP}`, 'otp:budget', 'otp:budget']);
  });

  it('maxSendsPerIP: Infinity and sendBudget: Infinity touch no counter', async () => {
    const store = recordingStore();
    const { engine } = makeEngine({
      store,
      policy: { maxSendsPerIP: Number.POSITIVE_INFINITY, sendBudget: Number.POSITIVE_INFINITY },
    });
    expect(await engine.send({ phone: phoneNumber(), ip: IP })).toMatchObject({ ok: true });
    expect(store.hitKeys).toEqual([]);
  });

  it('sends without an ip are never counted per IP', async () => {
    const { engine } = makeEngine({ policy: { maxSendsPerIP: 1 } });
    for (let i = 0; i < 3; i++) {
      expect(await engine.send({ phone: phoneNumber() })).toMatchObject({ ok: true });
    }
  });

  it('test-mode numbers skip the allow-list and the budget', async () => {
    const store = recordingStore();
    const { engine, sender } = makeEngine({
      store,
      policy: { allowList: () => false },
      testMode: { codes: { '9800000001': '123456' } },
    });
    expect(await engine.send({ phone: '9800000001' })).toMatchObject({ ok: true });
    expect(store.hitKeys).toEqual([]);
    expect(sender.deliveries).toHaveLength(0);
  });
});

describe('delivery failures and credits', () => {
  it("passes the sender's own DeliveryFailedError through unchanged", async () => {
    const own = new DeliveryFailedError('TingTing said no');
    const { engine } = makeEngine({
      answer: async () => {
        throw own;
      },
    });
    await expect(engine.send({ phone: phoneNumber() })).rejects.toBe(own);
  });

  it('ignores a reported credit count that is not a finite number', async () => {
    const reports: unknown[] = [500, Number.NaN, 50, Number.POSITIVE_INFINITY, '5'];
    const { engine, events, clock } = makeEngine({
      policy: { creditsLowThreshold: 100 },
      answer: async () => ({ remainingCredits: { text: reports.shift() as number } }),
    });
    for (let i = 0; i < 5; i++) {
      await engine.send({ phone: phoneNumber() });
      clock.advance(1);
    }
    // 500, an unreadable count (skipped: 500 stays the last known), 50: crossing the threshold
    // once; then two more unreadable counts change nothing.
    expect(events.filter((event) => event.type === 'credits_low')).toEqual([
      { type: 'credits_low', channel: 'text', remaining: 50, at: new Date(T0 + 2) },
    ]);
  });

  it('watches the voice credits apart from the text credits', async () => {
    const reports = [
      { text: 500, voice: 500 },
      { text: 500, voice: 20 },
      { text: 20, voice: 10 },
    ];
    const { engine, events } = makeEngine({
      answer: async () => ({ remainingCredits: reports.shift() }),
    });
    for (let i = 0; i < 3; i++) await engine.send({ phone: phoneNumber() });
    expect(
      events
        .filter((event) => event.type === 'credits_low')
        .map((event) => [
          (event as { channel: string }).channel,
          (event as { remaining: number }).remaining,
        ]),
    ).toEqual([
      ['voice', 20],
      ['text', 20],
    ]);
  });
});
