import { describe, expect, it } from 'vitest';
import { ipRateLimitKey } from '../src/engine/ip.js';

// The key the per-IP cap counts under. Two addresses of one client must share a key (or the cap is
// dodged by rotating through an IPv6 /64), and two clients must not (or one locks out the other).
describe('ipRateLimitKey', () => {
  it.each([
    ['203.0.113.5', '203.0.113.5'],
    [' 203.0.113.5\t', '203.0.113.5'],
    // IPv6: the /64 prefix, in lower case, without leading zeros.
    ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002::', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:db8:1::', '2001:db8:1:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['::', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['2001:db8:1:2:3:4:198.51.100.1', '2001:db8:1:2::/64'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4::/64'],
    ['1::5:6:7:8', '1:0:0:0::/64'],
    ['1:2:3:4:5::8', '1:2:3:4::/64'],
    // IPv4-mapped IPv6 counts as its IPv4 address.
    ['::ffff:198.51.100.1', '198.51.100.1'],
    ['::FFFF:198.51.100.1', '198.51.100.1'],
    ['0:0:0:0:0:ffff:198.51.100.1', '198.51.100.1'],
    ['0000:0000:0000:0000:0000:ffff:198.51.100.1', '198.51.100.1'],
    // Anything else (a proxy's opaque client id) as given, in lower case.
    ['Client-42', 'client-42'],
    ['x'.repeat(100), 'x'.repeat(100)],
  ])('%j counts as %j', (ip, key) => {
    expect(ipRateLimitKey(ip)).toBe(key);
  });

  it.each([[''], ['   '], ['x'.repeat(101)], [` ${'1'.repeat(101)} `]])(
    'refuses %j (empty, or longer than 100 characters)',
    (ip) => {
      expect(ipRateLimitKey(ip)).toBeUndefined();
    },
  );

  it('keeps two /64s apart and two IPv4 addresses apart', () => {
    expect(ipRateLimitKey('2001:db8:1:2::1')).not.toBe(ipRateLimitKey('2001:db8:1:3::1'));
    expect(ipRateLimitKey('198.51.100.1')).not.toBe(ipRateLimitKey('198.51.100.2'));
    expect(ipRateLimitKey('::ffff:198.51.100.1')).not.toBe(ipRateLimitKey('::ffff:198.51.100.2'));
  });
});
