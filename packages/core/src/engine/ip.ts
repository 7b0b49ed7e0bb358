import { isIP } from 'node:net';

const MAX_IP_LENGTH = 100;

/**
 * The key the per-IP send cap counts under: the IPv4 address, or the /64 prefix of an IPv6
 * address (one subscriber usually holds a whole /64, so counting single IPv6 addresses would let
 * one client rotate through 2^64 of them). IPv4-mapped IPv6 addresses count as their IPv4.
 * Anything else (a proxy's opaque id) is used as given; `undefined` when it is too long.
 */
export function ipRateLimitKey(ip: string): string | undefined {
  const value = ip.trim().toLowerCase();
  if (value.length === 0 || value.length > MAX_IP_LENGTH) return undefined;
  const address = value.split('%')[0]!;
  const kind = isIP(address);
  if (kind !== 6) return value;
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  if (mapped) return mapped[1]!;
  const groups = (part: string | undefined): string[] =>
    part === undefined || part === ''
      ? []
      : part.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : [group]));
  const [headPart, tailPart] = address.split('::');
  const head = groups(headPart);
  const tail = groups(tailPart);
  const all = [
    ...head,
    ...Array<string>(Math.max(0, 8 - head.length - tail.length)).fill('0'),
    ...tail,
  ];
  return `${all
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}
