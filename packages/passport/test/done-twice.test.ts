/** Each attempt settles exactly once, however often the verify callback answers. */
import { expect, it } from 'vitest';
import { Strategy, type VerifyDone } from '../src/index.js';
import { makeEngine, phoneNumber, run, sendCode, settle } from './helpers.js';

async function setup(verify: (phone: string, done: VerifyDone) => unknown) {
  const { engine, sender } = makeEngine();
  const strategy = new Strategy({ engine }, (phone, done) => {
    verify(phone, done);
  });
  const phone = phoneNumber();
  const code = await sendCode(strategy, sender, phone);
  return { strategy, phone, code };
}

it('keeps the first answer when done is called twice in a row', async () => {
  const { strategy, phone, code } = await setup((p, done) => {
    done(null, { phone: p, first: true });
    done(null, { phone: p, second: true });
    done(new Error('third'));
  });

  const { outcome, calls } = await run(strategy, { body: { phone, code } });
  await settle();

  expect(outcome).toMatchObject({ action: 'success', user: { first: true } });
  expect(calls).toHaveLength(1);
});

it('keeps the first answer when done is called again later', async () => {
  let again: Promise<void> | undefined;
  const { strategy, phone, code } = await setup((p, done) => {
    done(null, false);
    again = new Promise((resolve) =>
      setImmediate(() => {
        done(null, { phone: p });
        resolve();
      }),
    );
  });

  const { outcome, calls } = await run(strategy, { body: { phone, code } });
  await again;

  expect(outcome).toMatchObject({ action: 'fail', status: 401 });
  expect(calls).toHaveLength(1);
});

it('ignores a promise result after done has answered', async () => {
  const { engine, sender } = makeEngine();
  const strategy = new Strategy({ engine }, async (phone, done) => {
    done(null, false);
    return { phone };
  });
  const phone = phoneNumber();
  const code = await sendCode(strategy, sender, phone);

  const { outcome, calls } = await run(strategy, { body: { phone, code } });
  await settle();

  expect(outcome).toMatchObject({ action: 'fail', status: 401 });
  expect(calls).toHaveLength(1);
});
