import { describe, expect, it } from 'vitest';
import { makeEngine, phoneNumber } from './helpers.js';

describe('allow-list', () => {
  it('sends to Nepali mobiles by default', async () => {
    const { engine, sender } = makeEngine();
    expect(await engine.send({ phone: '9812345678' })).toMatchObject({
      ok: true,
      phone: '+9779812345678',
    });
    expect(sender.last()).toMatchObject({ phone: '+9779812345678', nationalNumber: '9812345678' });
  });

  it.each([
    ['a US mobile', '+1 415 555 2671'],
    ['a UK mobile', '+44 7400 123456'],
  ])('refuses %s as invalid_phone, sending nothing', async (_, phone) => {
    const { engine, sender, events } = makeEngine();
    expect(await engine.send({ phone })).toEqual({ ok: false, reason: 'invalid_phone' });
    expect(events.at(-1)).toMatchObject({ type: 'send_refused', detail: 'not_allowed' });
    expect(sender.deliveries).toHaveLength(0);
  });

  it('refuses +977 900… (libphonenumber calls it mobile; TingTing delivers to 96/97/98 only)', async () => {
    const { engine, sender, events } = makeEngine();
    expect(await engine.send({ phone: '+977 9001234567' })).toEqual({
      ok: false,
      reason: 'invalid_phone',
    });
    expect(events.at(-1)).toMatchObject({ type: 'send_refused', detail: 'not_allowed' });
    expect(sender.deliveries).toHaveLength(0);
  });

  it('refuses a Nepali landline (not a mobile: no SMS) as invalid_phone', async () => {
    const { engine, sender } = makeEngine();
    expect(await engine.send({ phone: '+977 1 4411111' })).toEqual({
      ok: false,
      reason: 'invalid_phone',
    });
    expect(sender.deliveries).toHaveLength(0);
  });

  it.each(['', 'not a number', '12', 42, null, '9'.repeat(80)])(
    'refuses %j as invalid_phone',
    async (phone) => {
      const { engine, sender, events } = makeEngine();
      expect(await engine.send({ phone })).toEqual({ ok: false, reason: 'invalid_phone' });
      expect(events.at(-1)).toMatchObject({ type: 'send_refused', detail: 'invalid_phone' });
      expect(sender.deliveries).toHaveLength(0);
    },
  );

  it('takes a predicate over the parsed number', async () => {
    const { engine, sender } = makeEngine({
      policy: { allowList: (phone) => phone.country === 'US' || phone.country === 'NP' },
    });
    expect(await engine.send({ phone: '+1 415 555 2671' })).toMatchObject({ ok: true });
    expect(await engine.send({ phone: phoneNumber() })).toMatchObject({ ok: true });
    expect(await engine.send({ phone: '+44 7400 123456' })).toMatchObject({
      reason: 'invalid_phone',
    });
    expect(sender.deliveries).toHaveLength(2);
  });

  it('refuses a predicate that is not a function', () => {
    expect(() => makeEngine({ policy: { allowList: 'NP' as never } })).toThrow(
      /allowList must be a function/,
    );
  });
});
