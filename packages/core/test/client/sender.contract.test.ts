import { type FakeTingTing, startFakeTingTing } from '@tingting-auth/testing';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  createTingTingSender,
  ErrorCode,
  MemoryStore,
  type OTPDelivery,
  OTPEngine,
} from '../../src/index.js';
import { rejectionOf, tokenClient } from './helpers.js';

let fake: FakeTingTing;
beforeEach(async () => {
  fake = await startFakeTingTing({ credits: { sms: 30, phone: 7 } });
});
afterEach(() => fake.close());

const DELIVERY: OTPDelivery = {
  phone: '+9779812345678',
  nationalNumber: '9812345678',
  code: '604218',
  message: 'Your code is {otp}',
  channel: 'text',
  purpose: 'sign-in',
};

it('sends the delivery in personnel mode and reports the credits', async () => {
  const send = createTingTingSender(tokenClient(fake));
  const receipt = await send(DELIVERY);
  expect(receipt).toEqual({ remainingCredits: { text: 29, voice: 7 } });
  expect(fake.outbox.last()).toMatchObject({
    number: '9812345678',
    otp: '604218',
    otpOptions: 'personnel',
    message: 'Your code is 604218',
  });
});

it('calls use the delivery voice, else the default voice', async () => {
  const send = createTingTingSender(tokenClient(fake), { defaultVoice: 'np_prashanna' });
  await send({ ...DELIVERY, channel: 'voice', voice: 'np_binod' });
  expect(fake.outbox.last()?.voice).toBe('np_binod');
  const { voice: _, ...withoutVoice } = {
    ...DELIVERY,
    channel: 'voice' as const,
    voice: undefined,
  };
  await send(withoutVoice);
  expect(fake.outbox.last()?.voice).toBe('np_prashanna');
});

it('errors pass through typed (the engine tells unknown outcomes apart)', async () => {
  fake.inject('sendOTP', { kind: 'reset' });
  const error = await rejectionOf(createTingTingSender(tokenClient(fake))(DELIVERY));
  expect(error).toMatchObject({ code: ErrorCode.UNKNOWN_OUTCOME });
});

it('a garbled 200 passes through as UNKNOWN_OUTCOME, not a definite error', async () => {
  fake.inject('sendOTP', { kind: 'malformed-json', afterWork: true });
  const error = await rejectionOf(createTingTingSender(tokenClient(fake))(DELIVERY));
  expect(error).toMatchObject({ code: ErrorCode.UNKNOWN_OUTCOME });
  expect(error.cause).toMatchObject({ code: ErrorCode.UNEXPECTED_BODY, reason: 'not-json' });
});

it('OTPEngine keeps the code and the cooldown of a send answered with a garbled 200', async () => {
  const engine = new OTPEngine({
    sender: tokenClient(fake),
    secret: 'x'.repeat(32),
    store: new MemoryStore({ logger: { warn: () => {} } }),
  });
  fake.inject('sendOTP', { kind: 'html', afterWork: true });
  // A success whose delivery is unknown: the user moves on to the code entry.
  expect(await engine.send({ phone: '9812345678' })).toMatchObject({
    ok: true,
    delivery: 'unknown',
  });
  // The cooldown holds: no second SMS goes out blindly.
  expect(await engine.send({ phone: '9812345678' })).toMatchObject({
    ok: false,
    reason: 'rate_limited',
    retryAfter: expect.any(Number),
  });
  expect(fake.outbox.messages).toHaveLength(1);
  // The SMS that did arrive still signs in.
  const delivered = fake.outbox.last('9812345678');
  expect(await engine.verify({ phone: '9812345678', code: delivered?.otp })).toMatchObject({
    ok: true,
  });
});

it('OTPEngine takes the client itself as its sender, end to end over HTTP', async () => {
  fake.setCredits({ phone: 100 });
  const engine = new OTPEngine({
    sender: tokenClient(fake),
    secret: 'x'.repeat(32),
    store: new MemoryStore({ logger: { warn: () => {} } }),
    policy: { creditsLowThreshold: 29 },
  });
  const lows: unknown[] = [];
  engine.on('credits_low', (event) => lows.push(event));
  const sent = await engine.send({ phone: '+977 9812345678' });
  expect(sent).toMatchObject({ ok: true, phone: '+9779812345678' });
  const delivery = fake.outbox.last('9812345678');
  expect(delivery?.otpOptions).toBe('personnel');
  expect(await engine.verify({ phone: '9812345678', code: delivery?.otp })).toMatchObject({
    ok: true,
  });
  expect(lows).toMatchObject([{ channel: 'text', remaining: 29 }]);
});
