/**
 * The engine's send limits: `fail` 429 RATE_LIMITED during the resend cooldown, `fail` 503
 * SERVICE_UNAVAILABLE once the send budget is spent; both with `retryAfter` and `Retry-After`.
 */
import { expect, it } from 'vitest';
import { Strategy } from '../src/index.js';
import { makeEngine, phoneNumber, recordingResponse, run, sendCode } from './helpers.js';

const SEND = { tingtingAction: 'send' } as const;

it('fails 429 RATE_LIMITED with Retry-After during the resend cooldown', async () => {
  const { engine, sender, clock } = makeEngine({ policy: { resendCooldownInSeconds: 60 } });
  const strategy = new Strategy({ engine }, (phone, done) => done(null, { phone }));
  const phone = phoneNumber();
  await sendCode(strategy, sender, phone);
  clock.advance(15_000);
  const res = recordingResponse();

  const { outcome } = await run(strategy, { body: { phone }, options: SEND, res });

  expect(outcome).toEqual({
    action: 'fail',
    challenge: {
      message: 'Too many requests. Please wait and try again.',
      code: 'RATE_LIMITED',
      retryAfter: 45,
    },
    status: 429,
  });
  expect(res.headers['retry-after']).toBe('45');
  expect(sender.deliveries).toHaveLength(1);
});

it('fails 503 SERVICE_UNAVAILABLE with Retry-After once the send budget is spent', async () => {
  const { engine, sender } = makeEngine({
    policy: { sendBudget: 1, budgetWindowInSeconds: 3600 },
  });
  const strategy = new Strategy({ engine }, (phone, done) => done(null, { phone }));
  await sendCode(strategy, sender, phoneNumber());
  const res = recordingResponse();

  const { outcome } = await run(strategy, { body: { phone: phoneNumber() }, options: SEND, res });

  expect(outcome).toMatchObject({
    action: 'fail',
    challenge: { code: 'SERVICE_UNAVAILABLE', retryAfter: 3600 },
    status: 503,
  });
  expect(res.headers['retry-after']).toBe('3600');
  expect(sender.deliveries).toHaveLength(1);
});

it('passes the caller IP to the engine for its per-IP cap (req.ip, or the ip option)', async () => {
  const { engine, sender } = makeEngine({ policy: { maxSendsPerIP: 1 } });
  const byReqIP = new Strategy({ engine }, (phone, done) => done(null, { phone }));
  await run(byReqIP, { body: { phone: phoneNumber() }, options: SEND, ip: '203.0.113.9' });

  const second = await run(byReqIP, {
    body: { phone: phoneNumber() },
    options: SEND,
    ip: '203.0.113.9',
  });
  expect(second.outcome).toMatchObject({ status: 429, challenge: { code: 'RATE_LIMITED' } });
  const other = await run(byReqIP, {
    body: { phone: phoneNumber() },
    options: SEND,
    ip: '198.51.100.1',
  });
  expect(other.outcome.action).toBe('pass');

  const byHeader = new Strategy(
    { engine, ip: (req) => req.get?.('x-client-ip') ?? (req.headers['x-client-ip'] as string) },
    (phone, done) => done(null, { phone }),
  );
  const viaHeader = await run(byHeader, {
    body: { phone: phoneNumber() },
    options: SEND,
    headers: { 'x-client-ip': '203.0.113.9' },
  });
  expect(viaHeader.outcome).toMatchObject({ status: 429, challenge: { code: 'RATE_LIMITED' } });
  expect(sender.deliveries).toHaveLength(2);
});
