/** The verify step signs in the user of a number whose code is right. */
import { expect, it } from 'vitest';
import { Strategy, TingTingStrategy } from '../src/index.js';
import { e164, makeEngine, phoneNumber, run, sendCode } from './helpers.js';

it('calls the verify callback with the E.164 number and succeeds with its user and info', async () => {
  const { engine, sender } = makeEngine();
  const phones: string[] = [];
  const strategy = new Strategy({ engine }, (phone, done) => {
    phones.push(phone);
    done(null, { id: 7, phone }, { message: 'Welcome back' });
  });
  const phone = phoneNumber();
  const code = await sendCode(strategy, sender, phone);

  const { outcome, calls } = await run(strategy, { body: { phone, code } });

  expect(outcome).toEqual({
    action: 'success',
    user: { id: 7, phone: e164(phone) },
    info: { message: 'Welcome back' },
  });
  expect(phones).toEqual([e164(phone)]);
  expect(calls).toHaveLength(1);
});

it('accepts the number as people type it and hands over one canonical form', async () => {
  const { engine, sender } = makeEngine();
  const strategy = new Strategy({ engine }, (phone, done) => done(null, { phone }));
  const code = await sendCode(strategy, sender, '+977 981-2345678');

  // Devanagari digits for the same number.
  const { outcome } = await run(strategy, { body: { phone: '९८१२३४५६७८', code } });

  expect(outcome).toEqual({
    action: 'success',
    user: { phone: '+9779812345678' },
    info: undefined,
  });
});

it('verifies by default and with tingtingAction: "verify"; is named "tingting"', async () => {
  const { engine, sender } = makeEngine();
  const strategy = new TingTingStrategy({ engine }, (phone, done) => done(null, { phone }));
  expect(TingTingStrategy).toBe(Strategy);
  expect(strategy.name).toBe('tingting');
  const phone = phoneNumber();
  const code = await sendCode(strategy, sender, phone);

  const { outcome } = await run(strategy, {
    body: { phone, code },
    options: { tingtingAction: 'verify' },
  });

  expect(outcome.action).toBe('success');
});

it('reads renamed body fields and uses its purpose', async () => {
  const { engine, sender } = makeEngine();
  const strategy = new Strategy(
    { engine, phoneField: 'mobile', codeField: 'otp', purpose: 'step-up', name: 'otp' },
    (phone, done) => done(null, { phone }),
  );
  expect(strategy.name).toBe('otp');
  const phone = phoneNumber();
  const sent = await run(strategy, {
    body: { mobile: phone },
    options: { tingtingAction: 'send' },
  });
  expect(sent.outcome.action).toBe('pass');
  expect(sender.last(phone).purpose).toBe('step-up');

  const { outcome } = await run(strategy, { body: { mobile: phone, otp: sender.last().code } });

  expect(outcome.action).toBe('success');
});
