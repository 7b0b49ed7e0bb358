import { describe, expect, it } from 'vitest';
import { ipRateLimitKey } from '../src/engine/ip.js';
import { makeEngine, phoneNumber } from './helpers.js';

// The per-IP send cap counts under ipRateLimitKey. Two cases the other tests do not have:
// an IPv6 address that merely ends in `ffff:<dotted quad>` (it is not IPv4-mapped: it belongs to
// its own /64, not to that IPv4 client), and a `::` with five or more groups after it (the zero
// run is shorter than usual, so the /64 prefix reaches into the tail).
describe('ipRateLimitKey: embedded IPv4 and long tails', () => {
  it.each([
    // Not IPv4-mapped: the ffff group is the 6th of a global address.
    ['2001:db8:1:2:3:ffff:1.2.3.4', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::ffff:1.2.3.4', '2001:db8:1:2::/64'],
    ['1:2:3:4:5:ffff:198.51.100.1', '1:2:3:4::/64'],
    // `::` stands for two zero groups when five groups follow it, one when six do.
    ['1::2:3:4:5:6', '1:0:0:2::/64'],
    ['1::2:3:4:5:6:7', '1:0:2:3::/64'],
    ['1:2::3:4:5:6', '1:2:0:0::/64'],
    ['::2:3:4:5:6:7:8', '0:2:3:4::/64'],
    ['1::2:3:4:5:1.2.3.4', '1:0:2:3::/64'],
  ])('%j counts as %j', (ip, key) => {
    expect(ipRateLimitKey(ip)).toBe(key);
  });

  it('an address ending in ffff:<IPv4> does not share the cap of that IPv4 client', async () => {
    const { engine } = makeEngine({ policy: { maxSendsPerIP: 1 } });
    expect(await engine.send({ phone: phoneNumber(), ip: '1.2.3.4' })).toMatchObject({ ok: true });
    expect(
      await engine.send({ phone: phoneNumber(), ip: '2001:db8:1:2:3:ffff:1.2.3.4' }),
    ).toMatchObject({ ok: true });
    // The same /64 is one client: its second send is refused.
    expect(await engine.send({ phone: phoneNumber(), ip: '2001:db8:1:2::1' })).toMatchObject({
      ok: false,
      reason: 'rate_limited',
    });
  });

  it('two clients whose addresses differ in the 4th group after a long tail are two clients', async () => {
    const { engine } = makeEngine({ policy: { maxSendsPerIP: 1 } });
    // 1::2:3:4:5:6 is 1:0:0:2:3:4:5:6 (/64 1:0:0:2); 1::3:3:4:5:6 is in 1:0:0:3.
    expect(await engine.send({ phone: phoneNumber(), ip: '1::2:3:4:5:6' })).toMatchObject({
      ok: true,
    });
    expect(await engine.send({ phone: phoneNumber(), ip: '1::3:3:4:5:6' })).toMatchObject({
      ok: true,
    });
    expect(await engine.send({ phone: phoneNumber(), ip: '1:0:0:2::9' })).toMatchObject({
      ok: false,
      reason: 'rate_limited',
    });
  });
});
