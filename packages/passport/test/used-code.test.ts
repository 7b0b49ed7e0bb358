/** A code signs in once: the second use is `fail` 401 INVALID_CODE. */
import { expect, it } from 'vitest';
import { Strategy } from '../src/index.js';
import { INVALID_CODE, makeEngine, phoneNumber, run, sendCode } from './helpers.js';

it('fails 401 INVALID_CODE the second time, without calling the verify callback again', async () => {
  const { engine, sender } = makeEngine();
  let calls = 0;
  const strategy = new Strategy({ engine }, (phone, done) => {
    calls += 1;
    done(null, { phone });
  });
  const phone = phoneNumber();
  const code = await sendCode(strategy, sender, phone);
  expect((await run(strategy, { body: { phone, code } })).outcome.action).toBe('success');

  const { outcome } = await run(strategy, { body: { phone, code } });

  expect(outcome).toEqual(INVALID_CODE);
  expect(calls).toBe(1);
});

it('lets only one of two simultaneous uses of a code through', async () => {
  const { engine, sender } = makeEngine();
  const strategy = new Strategy({ engine }, (phone, done) => done(null, { phone }));
  const phone = phoneNumber();
  const code = await sendCode(strategy, sender, phone);

  const both = await Promise.all([
    run(strategy, { body: { phone, code } }),
    run(strategy, { body: { phone, code } }),
  ]);

  expect(both.map((ran) => ran.outcome.action).sort()).toEqual(['fail', 'success']);
});
