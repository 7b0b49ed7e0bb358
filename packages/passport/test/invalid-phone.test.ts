/** A number codes may not go to is `fail` 400: INVALID_PHONE when sending, INVALID_REQUEST when verifying. */
import { expect, it } from 'vitest';
import { Strategy } from '../src/index.js';
import { makeEngine, run } from './helpers.js';

function setup() {
  const { engine, sender } = makeEngine();
  const strategy = new Strategy({ engine }, (phone, done) => done(null, { phone }));
  return { strategy, sender };
}

it.each([
  ['not a number', 'hello'],
  ['too short', '98123'],
  ['a Nepali landline', '014412345'],
  ['a foreign mobile', '+447911123456'],
])('send: fails 400 INVALID_PHONE for %s and sends nothing', async (_, phone) => {
  const { strategy, sender } = setup();

  const { outcome } = await run(strategy, { body: { phone }, options: { tingtingAction: 'send' } });

  expect(outcome).toEqual({
    action: 'fail',
    challenge: { message: 'Enter a valid mobile number.', code: 'INVALID_PHONE' },
    status: 400,
  });
  expect(sender.deliveries).toEqual([]);
});

it('verify: fails 400 INVALID_REQUEST for a number that is not one', async () => {
  const { strategy } = setup();

  const { outcome } = await run(strategy, { body: { phone: '014412345', code: '123456' } });

  expect(outcome).toEqual({
    action: 'fail',
    challenge: { message: 'The request is not valid.', code: 'INVALID_REQUEST' },
    status: 400,
  });
});
