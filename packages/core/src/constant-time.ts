import { timingSafeEqual } from 'node:crypto';

/**
 * Constant-time string equality after a length check (the length of a hash is not a secret).
 * Shared by the stores, which compare code hashes; it lives below both engine/ and stores/.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
