/** A wrong code is `fail` 401 INVALID_CODE with a generic message; the verify callback never runs. */
import { expect, it } from 'vitest';
import { Strategy } from '../src/index.js';
import { INVALID_CODE, makeEngine, phoneNumber, run, sendCode, wrongCode } from './helpers.js';

it('fails 401 INVALID_CODE, and the right code still works afterwards', async () => {
  const { engine, sender } = makeEngine();
  const verified: string[] = [];
  const strategy = new Strategy({ engine }, (phone, done) => {
    verified.push(phone);
    done(null, { phone });
  });
  const phone = phoneNumber();
  const code = await sendCode(strategy, sender, phone);

  const { outcome, calls } = await run(strategy, { body: { phone, code: wrongCode(code) } });

  expect(outcome).toEqual(INVALID_CODE);
  expect(calls).toHaveLength(1);
  expect(verified).toEqual([]);
  expect(JSON.stringify(outcome)).not.toContain(code);
  expect((await run(strategy, { body: { phone, code } })).outcome.action).toBe('success');
});

it('answers a number that was never sent a code exactly like a wrong code', async () => {
  const { engine } = makeEngine();
  const strategy = new Strategy({ engine }, (phone, done) => done(null, { phone }));

  const { outcome } = await run(strategy, { body: { phone: phoneNumber(), code: '123456' } });

  expect(outcome).toEqual(INVALID_CODE);
});

it('does not take a code sent for another purpose', async () => {
  const { engine, sender } = makeEngine();
  const signIn = new Strategy({ engine }, (phone, done) => done(null, { phone }));
  const stepUp = new Strategy({ engine, purpose: 'step-up' }, (phone, done) =>
    done(null, { phone }),
  );
  const phone = phoneNumber();
  const code = await sendCode(signIn, sender, phone);

  const { outcome } = await run(stepUp, { body: { phone, code } });

  expect(outcome).toEqual(INVALID_CODE);
});
