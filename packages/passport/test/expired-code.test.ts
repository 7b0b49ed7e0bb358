/** An expired code is `fail` 401 INVALID_CODE, the same answer as a wrong one. */
import { expect, it } from 'vitest';
import { Strategy } from '../src/index.js';
import { INVALID_CODE, makeEngine, phoneNumber, run, sendCode } from './helpers.js';

function setup() {
  const { engine, sender, clock } = makeEngine({ policy: { ttlInSeconds: 300 } });
  const strategy = new Strategy({ engine }, (phone, done) => done(null, { phone }));
  return { strategy, sender, clock };
}

it('works one second before the end of its lifetime', async () => {
  const { strategy, sender, clock } = setup();
  const phone = phoneNumber();
  const code = await sendCode(strategy, sender, phone);
  clock.advance(299_000);

  const { outcome } = await run(strategy, { body: { phone, code } });

  expect(outcome.action).toBe('success');
});

it('fails 401 INVALID_CODE at the end of its lifetime', async () => {
  const { strategy, sender, clock } = setup();
  const phone = phoneNumber();
  const code = await sendCode(strategy, sender, phone);
  clock.advance(300_000);

  const { outcome } = await run(strategy, { body: { phone, code } });

  expect(outcome).toEqual(INVALID_CODE);
});
