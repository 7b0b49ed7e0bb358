import { describe, expect, it } from 'vitest';
import { makeEngine, phoneNumber, T0 } from './helpers.js';

describe('per-IP cap', () => {
  it('allows 20 sends per hour from one IP, refuses the 21st until the hour ends', async () => {
    const { engine, clock, events, sender } = makeEngine();
    for (let i = 0; i < 20; i++) {
      expect(await engine.send({ phone: phoneNumber(), ip: '203.0.113.7' })).toMatchObject({
        ok: true,
      });
    }
    clock.set(T0 + 3_600_000 - 1);
    expect(await engine.send({ phone: phoneNumber(), ip: '203.0.113.7' })).toEqual({
      ok: false,
      reason: 'rate_limited',
      retryAfter: 1,
    });
    expect(events.at(-1)).toMatchObject({
      type: 'send_refused',
      detail: 'ip_cap',
      ip: '203.0.113.7',
    });
    expect(sender.deliveries).toHaveLength(20);
    expect(await engine.send({ phone: phoneNumber(), ip: '203.0.113.8' })).toMatchObject({
      ok: true,
    });
    clock.set(T0 + 3_600_000);
    expect(await engine.send({ phone: phoneNumber(), ip: '203.0.113.7' })).toMatchObject({
      ok: true,
    });
  });

  it('counts an IPv6 /64 as one client, and an IPv4-mapped address as its IPv4', async () => {
    const { engine } = makeEngine({ policy: { maxSendsPerIP: 2 } });
    await engine.send({ phone: phoneNumber(), ip: '2001:db8:1:2::1' });
    await engine.send({ phone: phoneNumber(), ip: '2001:db8:1:2:ffff:ffff:ffff:ffff' });
    expect(await engine.send({ phone: phoneNumber(), ip: '2001:db8:1:2::99' })).toMatchObject({
      reason: 'rate_limited',
    });
    expect(await engine.send({ phone: phoneNumber(), ip: '2001:db8:1:3::1' })).toMatchObject({
      ok: true,
    });
    await engine.send({ phone: phoneNumber(), ip: '198.51.100.1' });
    await engine.send({ phone: phoneNumber(), ip: '::ffff:198.51.100.1' });
    expect(await engine.send({ phone: phoneNumber(), ip: '198.51.100.1' })).toMatchObject({
      reason: 'rate_limited',
    });
  });

  it('is configurable, and off with Infinity', async () => {
    const { engine } = makeEngine({ policy: { maxSendsPerIP: Number.POSITIVE_INFINITY } });
    for (let i = 0; i < 30; i++) {
      expect(await engine.send({ phone: phoneNumber(), ip: '203.0.113.9' })).toMatchObject({
        ok: true,
      });
    }
    expect(() => makeEngine({ policy: { maxSendsPerIP: 0 } })).toThrow(/maxSendsPerIP/);
  });

  it('refuses an ip that is not a string of sane length as a malformed request', async () => {
    const { engine, sender } = makeEngine();
    expect(await engine.send({ phone: phoneNumber(), ip: 'x'.repeat(200) })).toEqual({
      ok: false,
      reason: 'invalid_request',
    });
    expect(await engine.send({ phone: phoneNumber(), ip: 42 as unknown as string })).toEqual({
      ok: false,
      reason: 'invalid_request',
    });
    expect(sender.deliveries).toHaveLength(0);
  });
});
