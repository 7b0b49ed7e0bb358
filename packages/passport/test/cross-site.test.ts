/**
 * A request a browser sent from another site is `fail` 403 CROSS_SITE_REQUEST before any code is
 * sent or any attempt is spent (the check shared with @tingting-auth/express, from core).
 */
import { describe, expect, it } from 'vitest';
import { Strategy } from '../src/index.js';
import { makeEngine, phoneNumber, run, sendCode, wrongCode } from './helpers.js';

const CROSS_SITE = {
  action: 'fail',
  challenge: { message: 'Requests from other sites are not allowed.', code: 'CROSS_SITE_REQUEST' },
  status: 403,
};

const OTHER_SITE = { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' };

function setup(options: { crossSiteProtection?: false; allowedOrigins?: string[] } = {}) {
  const { engine, sender } = makeEngine({
    policy: { lockAfterFailures: 1, maxAttemptsPerCode: 1 },
  });
  const strategy = new Strategy({ engine, ...options }, (phone, done) => done(null, { phone }));
  return { strategy, sender };
}

describe.each([
  ['Sec-Fetch-Site: cross-site', OTHER_SITE],
  ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
  ['an Origin of another host', { host: 'app.example.com', origin: 'https://evil.example' }],
  ['Origin: null', { host: 'app.example.com', origin: 'null' }],
])('%s', (_, headers) => {
  it('send: fails 403 and sends nothing', async () => {
    const { strategy, sender } = setup();

    const { outcome } = await run(strategy, {
      body: { phone: phoneNumber() },
      headers,
      options: { tingtingAction: 'send' },
    });

    expect(outcome).toEqual(CROSS_SITE);
    expect(sender.deliveries).toEqual([]);
  });

  it('verify: fails 403 and spends no attempt', async () => {
    const { strategy, sender } = setup();
    const phone = phoneNumber();
    const code = await sendCode(strategy, sender, phone);

    const { outcome } = await run(strategy, { body: { phone, code: wrongCode(code) }, headers });

    expect(outcome).toEqual(CROSS_SITE);
    // One wrong code would have locked the number (lockAfterFailures: 1).
    expect((await run(strategy, { body: { phone, code } })).outcome.action).toBe('success');
  });
});

it.each([
  ['the same origin', { 'sec-fetch-site': 'same-origin', origin: 'https://app.example.com' }],
  [
    'a same-host Origin (older browsers)',
    { host: 'app.example.com', origin: 'https://app.example.com' },
  ],
  ['no Origin at all (curl, server to server)', {}],
])('lets %s through', async (_, headers) => {
  const { strategy } = setup();

  const { outcome } = await run(strategy, {
    body: { phone: phoneNumber() },
    headers,
    options: { tingtingAction: 'send' },
  });

  expect(outcome).toEqual({ action: 'pass' });
});

it('lets listed origins through', async () => {
  const { strategy } = setup({ allowedOrigins: ['https://spa.example.net'] });
  const headers = { 'sec-fetch-site': 'cross-site', origin: 'https://spa.example.net' };

  const { outcome } = await run(strategy, {
    body: { phone: phoneNumber() },
    headers,
    options: { tingtingAction: 'send' },
  });

  expect(outcome).toEqual({ action: 'pass' });
});

it('checks nothing with crossSiteProtection: false (the app has CSRF tokens)', async () => {
  const { strategy, sender } = setup({ crossSiteProtection: false });

  const { outcome } = await run(strategy, {
    body: { phone: phoneNumber() },
    headers: OTHER_SITE,
    options: { tingtingAction: 'send' },
  });

  expect(outcome).toEqual({ action: 'pass' });
  expect(sender.deliveries).toHaveLength(1);
});
