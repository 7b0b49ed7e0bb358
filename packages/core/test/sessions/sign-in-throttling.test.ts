import { afterEach, describe, expect, it } from 'vitest';
import { type SessionsHarness, setup } from './helpers.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const IP1 = '203.0.113.1';

// T8: password attempts are limited before they reach the upstream.
describe('sign-in throttling', () => {
  let h: SessionsHarness;
  afterEach(() => h.close());

  const wrong = (identifier = 'asha', ip = IP1) =>
    h.sessions.signIn({ identifier, password: 'wrong-password', ip });

  it('10 wrong passwords from one IP: the 11th is RATE_LIMITED without an upstream call, for 1 hour', async () => {
    h = await setup();
    for (let i = 0; i < 10; i++) {
      expect(await wrong()).toEqual({ ok: false, reason: 'invalid_credentials' });
    }
    const calls = h.fake.stats.loginCalls;
    expect(await wrong()).toEqual({
      ok: false,
      reason: 'rate_limited',
      retryAfterInMilliseconds: HOUR,
    });
    // Even the right password is not checked while blocked.
    expect(
      await h.sessions.signIn({ identifier: 'asha', password: 'right-password-123', ip: IP1 }),
    ).toMatchObject({ ok: false, reason: 'rate_limited' });
    expect(h.fake.stats.loginCalls).toBe(calls);
    // Another IP is not blocked by this pair.
    expect((await wrong('asha', '198.51.100.9')).ok).toBe(false);
    expect(h.fake.stats.loginCalls).toBe(calls + 1);
    h.clock.advance(HOUR - 1);
    expect(await wrong()).toMatchObject({ reason: 'rate_limited', retryAfterInMilliseconds: 1 });
    h.clock.advance(1);
    expect(await wrong()).toEqual({ ok: false, reason: 'invalid_credentials' });
  });

  it('a success before the 10th failure resets the count; identifiers are compared normalized', async () => {
    h = await setup();
    for (let i = 0; i < 9; i++) await wrong(i % 2 ? 'asha' : '  ASHA ');
    expect(
      (await h.sessions.signIn({ identifier: 'asha', password: 'right-password-123', ip: IP1 })).ok,
    ).toBe(true);
    for (let i = 0; i < 9; i++) {
      expect(await wrong()).toEqual({ ok: false, reason: 'invalid_credentials' });
    }
    expect(await wrong(' Asha')).toEqual({ ok: false, reason: 'invalid_credentials' });
    expect(await wrong()).toMatchObject({ reason: 'rate_limited' });
  });

  it('100 failures from one IP across many identifiers block that IP for the rest of the day', async () => {
    h = await setup();
    for (let i = 0; i < 100; i++) {
      expect(await wrong(`user-${i}`)).toEqual({ ok: false, reason: 'invalid_credentials' });
    }
    const calls = h.fake.stats.loginCalls;
    expect(await wrong('someone-new')).toEqual({
      ok: false,
      reason: 'rate_limited',
      retryAfterInMilliseconds: DAY,
    });
    expect(h.fake.stats.loginCalls).toBe(calls);
    h.clock.advance(DAY);
    expect(await wrong('someone-new')).toEqual({ ok: false, reason: 'invalid_credentials' });
  });

  it('the per-IP figure is configurable (carrier NAT)', async () => {
    h = await setup({ sessions: { throttle: { maxFailuresPerIPPerDay: 3 } } });
    for (let i = 0; i < 3; i++) await wrong(`user-${i}`);
    expect(await wrong('user-x')).toMatchObject({ reason: 'rate_limited' });
  });

  it('rotating IPs still slows one identifier down: after 50 failures a doubling delay, never a hard lock', async () => {
    h = await setup();
    for (let i = 0; i < 50; i++) await wrong('asha', `198.51.100.${i + 1}`);
    const calls = h.fake.stats.loginCalls;
    expect(await wrong('asha', '192.0.2.1')).toEqual({
      ok: false,
      reason: 'rate_limited',
      retryAfterInMilliseconds: 1_000,
    });
    expect(h.fake.stats.loginCalls).toBe(calls);
    h.clock.advance(1_000);
    expect(await wrong('asha', '192.0.2.2')).toEqual({ ok: false, reason: 'invalid_credentials' });
    expect(await wrong('asha', '192.0.2.3')).toMatchObject({ retryAfterInMilliseconds: 2_000 });
    // The delay is capped at 15 minutes: the account can always be tried again.
    for (let i = 0; i < 12; i++) {
      const outcome = await wrong('asha', `192.0.2.${10 + i}`);
      if (!outcome.ok && outcome.reason === 'rate_limited')
        h.clock.advance(outcome.retryAfterInMilliseconds);
      else continue;
      expect((await wrong('asha', `192.0.2.${100 + i}`)).ok).toBe(false);
    }
    const last = await wrong('asha', '192.0.2.250');
    expect(last).toMatchObject({ reason: 'rate_limited' });
    if (!last.ok && last.reason === 'rate_limited') {
      expect(last.retryAfterInMilliseconds).toBeLessThanOrEqual(900_000);
    }
    // Another identifier is not slowed down.
    expect(await wrong('someone-else', '192.0.2.251')).toEqual({
      ok: false,
      reason: 'invalid_credentials',
    });
  });

  it('an upstream outage (503, 429) does not count against the user', async () => {
    h = await setup();
    h.fake.inject('login', { status: 503, times: 12 });
    for (let i = 0; i < 12; i++) {
      expect(await wrong()).toMatchObject({ ok: false, reason: 'unavailable' });
    }
    h.fake.inject('login', { status: 429, headers: { 'retry-after': '5' } });
    expect(await wrong()).toEqual({
      ok: false,
      reason: 'unavailable',
      retryAfterInMilliseconds: 5_000,
    });
    for (let i = 0; i < 10; i++) {
      expect(await wrong()).toEqual({ ok: false, reason: 'invalid_credentials' });
    }
    expect(await wrong()).toMatchObject({ reason: 'rate_limited' });
  });

  it('a blocked unknown identifier gets the same answer as a blocked real one', async () => {
    h = await setup();
    for (let i = 0; i < 10; i++) {
      await wrong('asha');
      await wrong('nobody-here');
    }
    expect(await wrong('nobody-here')).toEqual(await wrong('asha'));
  });
});
