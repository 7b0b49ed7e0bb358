/**
 * Too many wrong codes lock the number: `fail` 429 LOCKED with `retryAfter`, and `Retry-After` on
 * `req.res` when there is one. Even the right code is refused while locked.
 */
import { expect, it } from 'vitest';
import { Strategy } from '../src/index.js';
import {
  INVALID_CODE,
  makeEngine,
  phoneNumber,
  recordingResponse,
  run,
  sendCode,
  wrongCode,
} from './helpers.js';

function setup() {
  const { engine, sender, clock } = makeEngine({
    policy: { lockAfterFailures: 3, lockBaseInSeconds: 60 },
  });
  const strategy = new Strategy({ engine }, (phone, done) => done(null, { phone }));
  return { strategy, sender, clock };
}

it('fails 429 LOCKED with Retry-After from the third wrong code on, even for the right code', async () => {
  const { strategy, sender } = setup();
  const phone = phoneNumber();
  const code = await sendCode(strategy, sender, phone);
  for (let i = 0; i < 2; i += 1) {
    const { outcome } = await run(strategy, { body: { phone, code: wrongCode(code) } });
    expect(outcome).toEqual(INVALID_CODE);
  }
  const third = await run(strategy, { body: { phone, code: wrongCode(code) } });
  expect(third.outcome).toMatchObject({ status: 429, challenge: { code: 'LOCKED' } });

  const res = recordingResponse();
  const { outcome } = await run(strategy, { body: { phone, code }, res });

  expect(outcome).toEqual({
    action: 'fail',
    challenge: {
      message: 'Too many wrong codes. Please wait and try again.',
      code: 'LOCKED',
      retryAfter: 60,
    },
    status: 429,
  });
  expect(res.headers['retry-after']).toBe('60');
});

it('answers LOCKED without a response object to set the header on', async () => {
  const { strategy, sender } = setup();
  const phone = phoneNumber();
  const code = await sendCode(strategy, sender, phone);
  for (let i = 0; i < 3; i += 1) await run(strategy, { body: { phone, code: wrongCode(code) } });

  const { outcome } = await run(strategy, { body: { phone, code } });

  expect(outcome).toMatchObject({ action: 'fail', status: 429, challenge: { code: 'LOCKED' } });
});

it('lets the right code in once the lock is over (with a new code)', async () => {
  const { strategy, sender, clock } = setup();
  const phone = phoneNumber();
  const code = await sendCode(strategy, sender, phone);
  for (let i = 0; i < 3; i += 1) await run(strategy, { body: { phone, code: wrongCode(code) } });
  clock.advance(61_000);
  const fresh = await sendCode(strategy, sender, phone);

  const { outcome } = await run(strategy, { body: { phone, code: fresh } });

  expect(outcome.action).toBe('success');
});
