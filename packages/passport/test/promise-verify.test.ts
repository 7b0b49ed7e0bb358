/** A verify callback may return a promise of the user (or `false`) instead of calling `done`. */
import { expect, it } from 'vitest';
import { Strategy, type VerifyFunction } from '../src/index.js';
import { makeEngine, phoneNumber, run, sendCode } from './helpers.js';

async function verifyWith(verify: VerifyFunction) {
  const { engine, sender } = makeEngine();
  const strategy = new Strategy({ engine }, verify);
  const phone = phoneNumber();
  const code = await sendCode(strategy, sender, phone);
  return run(strategy, { body: { phone, code } });
}

it('succeeds with the user an async callback returns', async () => {
  const { outcome, calls } = await verifyWith(async (phone) => ({ id: 1, phone }));

  expect(outcome).toMatchObject({ action: 'success', user: { id: 1 } });
  expect(calls).toHaveLength(1);
});

it.each([
  ['false', false],
  ['null', null],
  ['undefined', undefined],
])('fails 401 ACCESS_DENIED when it resolves with %s', async (_, value) => {
  const { outcome } = await verifyWith(async () => value as false);

  expect(outcome).toEqual({
    action: 'fail',
    challenge: { message: 'This number cannot sign in here.', code: 'ACCESS_DENIED' },
    status: 401,
  });
});

it('is error(err) when the promise rejects', async () => {
  const failure = new Error('users table is down');

  const { outcome } = await verifyWith(async () => {
    throw failure;
  });

  expect(outcome).toEqual({ action: 'error', error: failure });
});

it('is an error, never a success, when the promise rejects without a reason', async () => {
  const { outcome } = await verifyWith(() => Promise.reject(undefined));

  expect(outcome.action).toBe('error');
  expect((outcome as { error: unknown }).error).toBeInstanceOf(Error);
});

it('waits for done when an async callback declares it and resolves with nothing', async () => {
  const { outcome, calls } = await verifyWith(async (phone, done) => {
    await new Promise((resolve) => setImmediate(resolve));
    done(null, { phone, late: true });
  });

  expect(outcome).toMatchObject({ action: 'success', user: { late: true } });
  expect(calls).toHaveLength(1);
});

it('passes done(null, false, info) on as the challenge', async () => {
  const { outcome } = await verifyWith((_phone, done) => {
    done(null, false, { message: 'Ask an admin for an invite.', code: 'NOT_INVITED' });
  });

  expect(outcome).toEqual({
    action: 'fail',
    challenge: { message: 'Ask an admin for an invite.', code: 'NOT_INVITED' },
    status: 401,
  });
});
