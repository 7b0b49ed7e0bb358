/** A verify callback that throws is `error(err)`, once; a throw after `done` changes nothing. */
import { expect, it } from 'vitest';
import { Strategy } from '../src/index.js';
import { makeEngine, phoneNumber, run, sendCode, settle } from './helpers.js';

async function verifyWith(verify: ConstructorParameters<typeof Strategy>[1]) {
  const { engine, sender } = makeEngine();
  const strategy = new Strategy({ engine }, verify);
  const phone = phoneNumber();
  const code = await sendCode(strategy, sender, phone);
  const ran = await run(strategy, { body: { phone, code } });
  await settle();
  return ran;
}

it('is error(err) when the callback throws before answering', async () => {
  const failure = new TypeError('Cannot read properties of undefined');

  const { outcome, calls } = await verifyWith(() => {
    throw failure;
  });

  expect(outcome).toEqual({ action: 'error', error: failure });
  expect(calls).toHaveLength(1);
});

it('is an error, never a success, when it throws something falsy', async () => {
  const { outcome } = await verifyWith(() => {
    throw 0;
  });

  expect(outcome.action).toBe('error');
  expect((outcome as { error: unknown }).error).toBeInstanceOf(Error);
});

it('keeps the success when the callback throws after calling done', async () => {
  const { outcome, calls } = await verifyWith((phone, done) => {
    done(null, { phone });
    throw new Error('after done');
  });

  expect(outcome).toMatchObject({ action: 'success' });
  expect(calls).toHaveLength(1);
});

it('is error(err) when done is called with an error', async () => {
  const failure = new Error('database down');

  const { outcome } = await verifyWith((_phone, done) => done(failure));

  expect(outcome).toEqual({ action: 'error', error: failure });
});
