/** With `passReqToCallback: true` the verify callback gets the request first. */
import { expect, it } from 'vitest';
import { Strategy } from '../src/index.js';
import { makeEngine, phoneNumber, run, sendCode } from './helpers.js';

it('calls verify(req, phone, done) with the request Passport authenticated', async () => {
  const { engine, sender } = makeEngine();
  const seen: unknown[] = [];
  const strategy = new Strategy({ engine, passReqToCallback: true }, (req, phone, done) => {
    seen.push(req);
    done(null, { phone, invitedBy: (req.body as { invite?: string }).invite });
  });
  const phone = phoneNumber();
  const code = await sendCode(strategy, sender, phone);

  const { outcome, req } = await run(strategy, { body: { phone, code, invite: 'ram' } });

  expect(outcome).toEqual({
    action: 'success',
    user: { phone: `+977${phone}`, invitedBy: 'ram' },
    info: undefined,
  });
  expect(seen).toEqual([req]);
});

it('takes an async callback with the request too', async () => {
  const { engine, sender } = makeEngine();
  const strategy = new Strategy({ engine, passReqToCallback: true }, async (req, phone) => ({
    phone,
    method: req.method,
  }));
  const phone = phoneNumber();
  const code = await sendCode(strategy, sender, phone);

  const { outcome } = await run(strategy, { body: { phone, code }, request: { method: 'POST' } });

  expect(outcome).toMatchObject({ action: 'success', user: { method: 'POST' } });
});
