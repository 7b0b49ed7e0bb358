import { randomUUID } from 'node:crypto';

/** The Redis server the tests use. */
export const REDIS_URL: string = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A prefix unique to one test file run, so files can share a server. */
export function uniquePrefix(label: string): string {
  return `tt-test-${label}-${randomUUID().slice(0, 8)}`;
}

/** Delete every key under `prefix` (number keys `{prefix:...}` and hit keys). */
export async function deletePrefix(
  send: (args: string[]) => Promise<unknown>,
  prefix: string,
): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = (await send([
      'SCAN',
      cursor,
      'MATCH',
      `{${prefix}:*`,
      'COUNT',
      '1000',
    ])) as [string, string[]];
    cursor = String(next);
    for (const key of keys) await send(['DEL', key]);
  } while (cursor !== '0');
}
