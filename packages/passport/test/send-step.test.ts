/**
 * The send step (`tingtingAction: 'send'`) sends a code, puts `req.tingtingSent` on the request
 * and calls `pass()`: it never signs anyone in, never calls the verify callback, never shows the code.
 */
import { expect, it } from 'vitest';
import { Strategy } from '../src/index.js';
import { makeEngine, phoneNumber, run, T0 } from './helpers.js';

const SEND = { tingtingAction: 'send' } as const;

it('passes with req.tingtingSent and no code anywhere', async () => {
  const { engine, sender } = makeEngine({
    policy: { ttlInSeconds: 300, resendCooldownInSeconds: 60 },
  });
  let verifyCalls = 0;
  const strategy = new Strategy({ engine }, (phone, done) => {
    verifyCalls += 1;
    done(null, { phone });
  });
  const phone = phoneNumber();

  const { outcome, calls, req } = await run(strategy, { body: { phone }, options: SEND });

  expect(outcome).toEqual({ action: 'pass' });
  expect(calls).toHaveLength(1);
  expect(req.tingtingSent).toEqual({
    phone: `+977${phone}`,
    channel: 'text',
    expiresAt: new Date(T0 + 300_000),
    resendAt: new Date(T0 + 60_000),
  });
  const code = sender.last(phone).code;
  expect(JSON.stringify(req.tingtingSent)).not.toContain(code);
  expect(Object.keys(req)).not.toContain('user');
  expect(verifyCalls).toBe(0);
});

it('sends a voice call with the voice asked for', async () => {
  const { engine, sender } = makeEngine();
  const strategy = new Strategy({ engine }, (phone, done) => done(null, { phone }));
  const phone = phoneNumber();

  const { outcome, req } = await run(strategy, {
    body: { phone, channel: 'voice', voice: 'np_binod' },
    options: SEND,
  });

  expect(outcome).toEqual({ action: 'pass' });
  expect(req.tingtingSent).toMatchObject({ channel: 'voice' });
  expect(sender.last(phone)).toMatchObject({ channel: 'voice', voice: 'np_binod' });
});

it('reads renamed channel and voice fields, and ignores an empty optional field', async () => {
  const { engine, sender } = makeEngine();
  const strategy = new Strategy(
    { engine, channelField: 'via', voiceField: 'speaker' },
    (phone, done) => done(null, { phone }),
  );
  const phone = phoneNumber();

  await run(strategy, { body: { phone, via: 'voice', speaker: '' }, options: SEND });

  expect(sender.last(phone)).toMatchObject({ channel: 'voice', voice: 'np_rija' });
});

it('with tingtingCallback, reports the sent code as fail(sent, 202), for a custom callback', async () => {
  const { engine, sender } = makeEngine({
    policy: { ttlInSeconds: 300, resendCooldownInSeconds: 60 },
  });
  const strategy = new Strategy({ engine }, (phone, done) => done(null, { phone }));
  const phone = phoneNumber();

  const { outcome, calls, req } = await run(strategy, {
    body: { phone },
    options: { ...SEND, tingtingCallback: true },
  });

  const sent = {
    phone: `+977${phone}`,
    channel: 'text',
    expiresAt: new Date(T0 + 300_000),
    resendAt: new Date(T0 + 60_000),
  };
  expect(outcome).toEqual({ action: 'fail', challenge: sent, status: 202 });
  expect(calls).toHaveLength(1);
  expect(req.tingtingSent).toEqual(sent);
  expect(JSON.stringify(outcome)).not.toContain(sender.last(phone).code);
});
