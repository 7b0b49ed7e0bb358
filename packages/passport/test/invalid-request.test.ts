/**
 * Malformed or missing input is `fail` 400 INVALID_REQUEST: read from `req.body` only, checked
 * before the engine runs, and never an attempt spent.
 */
import { describe, expect, it } from 'vitest';
import { Strategy } from '../src/index.js';
import { makeEngine, phoneNumber, run, sendCode } from './helpers.js';

const INVALID_REQUEST = {
  action: 'fail',
  challenge: { message: 'The request is not valid.', code: 'INVALID_REQUEST' },
  status: 400,
};

function setup() {
  const { engine, sender } = makeEngine({
    policy: { lockAfterFailures: 1, maxAttemptsPerCode: 1 },
  });
  const verified: string[] = [];
  const strategy = new Strategy({ engine }, (phone, done) => {
    verified.push(phone);
    done(null, { phone });
  });
  return { strategy, sender, verified };
}

describe('verify step', () => {
  it.each([
    ['no body parser ran', undefined],
    ['a body that is a string', 'phone=9812345678&code=123456'],
    ['a body that is an array', [{ phone: '9812345678', code: '123456' }]],
    ['no code', { phone: 'PHONE' }],
    ['no number', { code: 'CODE' }],
    ['an empty code', { phone: 'PHONE', code: '' }],
    ['a code that is a number', { phone: 'PHONE', code: 123456 }],
    ['a repeated code field', { phone: 'PHONE', code: ['CODE', 'CODE'] }],
    ['a number that is an object', { phone: { $gt: '' }, code: 'CODE' }],
    ['a code of the wrong length', { phone: 'PHONE', code: '12345' }],
    ['a code with letters', { phone: 'PHONE', code: '12a456' }],
  ])('fails 400 for %s, and spends no attempt', async (_, shape) => {
    const { strategy, sender, verified } = setup();
    const phone = phoneNumber();
    const code = await sendCode(strategy, sender, phone);
    const body = JSON.parse(
      JSON.stringify(shape ?? null)
        .replaceAll('PHONE', phone)
        .replaceAll('CODE', code),
    );

    const { outcome } = await run(strategy, shape === undefined ? {} : { body });

    expect(outcome).toEqual(INVALID_REQUEST);
    expect(verified).toEqual([]);
    // One wrong code would lock this number (lockAfterFailures: 1): the right one still works.
    const after = await run(strategy, { body: { phone, code } });
    expect(after.outcome.action).toBe('success');
  });

  it('never reads the query string', async () => {
    const { strategy, sender } = setup();
    const phone = phoneNumber();
    const code = await sendCode(strategy, sender, phone);

    const { outcome } = await run(strategy, {
      body: {},
      // What Express parses from `POST /verify?phone=…&code=…`.
      request: { query: { phone, code }, url: `/verify?phone=${phone}&code=${code}` },
    });

    expect(outcome).toEqual(INVALID_REQUEST);
  });
});

describe('send step', () => {
  it.each([
    ['no body parser ran', undefined],
    ['no number', {}],
    ['an empty number', { phone: '' }],
    ['a number that is a number', { phone: 9812345678 }],
    ['a repeated number field', { phone: ['9812345678', '9812345679'] }],
    ['a channel that is not text or voice', { phone: 'PHONE', channel: 'fax' }],
    ['a channel that is an array', { phone: 'PHONE', channel: ['voice'] }],
    ['an unknown voice', { phone: 'PHONE', channel: 'voice', voice: 'en_robot' }],
  ])('fails 400 for %s, and sends nothing', async (_, shape) => {
    const { strategy, sender } = setup();
    const body = JSON.parse(JSON.stringify(shape ?? null).replaceAll('PHONE', phoneNumber()));

    const { outcome } = await run(strategy, {
      ...(shape === undefined ? {} : { body }),
      options: { tingtingAction: 'send' },
    });

    expect(outcome).toEqual(INVALID_REQUEST);
    expect(sender.deliveries).toEqual([]);
  });
});
