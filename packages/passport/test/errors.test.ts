/**
 * Infrastructure failures thrown by the engine reach Passport as `error(err)` with the typed core
 * error (no secret in its message); a mistake in the authenticate options is an `error` too.
 */
import { type FakeTingTing, startFakeTingTing } from '@tingting-auth/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createTingTingSender,
  DeliveryFailedError,
  ErrorCode,
  MemoryStore,
  OTPEngine,
  StoreUnavailableError,
  Strategy,
  TingTingClient,
} from '../src/index.js';
import { makeEngine, phoneNumber, run, SECRET } from './helpers.js';

let fake: FakeTingTing;
beforeAll(async () => {
  fake = await startFakeTingTing();
});
afterAll(() => fake.close());

class DownStore extends MemoryStore {
  override issue(): never {
    throw new StoreUnavailableError('redis://:hunter2@cache.internal:6379 refused the connection');
  }
  override verify(): never {
    throw new StoreUnavailableError('redis://:hunter2@cache.internal:6379 refused the connection');
  }
}

it.each([
  ['send', { tingtingAction: 'send' }],
  ['verify', { tingtingAction: 'verify' }],
])('%s: a store that is down is error(StoreUnavailableError)', async (_, options) => {
  const { engine } = makeEngine({ store: new DownStore() });
  const strategy = new Strategy({ engine }, (phone, done) => done(null, { phone }));

  const { outcome, calls } = await run(strategy, {
    body: { phone: phoneNumber(), code: '123456' },
    options,
  });

  expect(outcome.action).toBe('error');
  const error = (outcome as { error: unknown }).error;
  expect(error).toBeInstanceOf(StoreUnavailableError);
  expect(error).toMatchObject({ code: ErrorCode.STORE_UNAVAILABLE });
  expect(calls).toHaveLength(1);
});

it('send: TingTing refusing the send (no credits) is error(DeliveryFailedError), without the code', async () => {
  const engine = new OTPEngine({
    sender: createTingTingSender(
      new TingTingClient({ apiToken: fake.apiToken, baseURL: fake.url }),
    ),
    secret: SECRET,
    store: new MemoryStore(),
  });
  const strategy = new Strategy({ engine }, (phone, done) => done(null, { phone }));
  fake.setCredits({ sms: 0 });
  const phone = phoneNumber();

  const { outcome } = await run(strategy, { body: { phone }, options: { tingtingAction: 'send' } });

  expect(outcome.action).toBe('error');
  const error = (outcome as { error: Error }).error;
  expect(error).toBeInstanceOf(DeliveryFailedError);
  expect(error).toMatchObject({ code: ErrorCode.DELIVERY_FAILED });
  expect(error.message).not.toContain(fake.apiToken);
  expect(fake.outbox.messages).toEqual([]);
  // The failed send left no challenge and no cooldown: with credits back it goes out at once.
  fake.setCredits({ sms: 10 });
  const again = await run(strategy, { body: { phone }, options: { tingtingAction: 'send' } });
  expect(again.outcome.action).toBe('pass');
  expect(fake.outbox.last(phone)?.otp).toMatch(/^\d{6}$/);
});

it('an unknown tingtingAction is error(TypeError), nothing sent', async () => {
  const { engine, sender } = makeEngine();
  const strategy = new Strategy({ engine }, (phone, done) => done(null, { phone }));

  const { outcome } = await run(strategy, {
    body: { phone: phoneNumber() },
    options: { tingtingAction: 'sned' },
  });

  expect(outcome.action).toBe('error');
  expect((outcome as { error: unknown }).error).toBeInstanceOf(TypeError);
  expect(sender.deliveries).toEqual([]);
});
