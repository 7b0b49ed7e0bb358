import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './helpers.js';

const run = promisify(execFile);
const FIXTURE = fileURLToPath(new URL('./fixtures/guess.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const T0 = 1_700_000_000_000;
const LIMITS = {
  cooldownInMilliseconds: 1_000,
  maxSendsPerWindow: 3,
  sendWindowInMilliseconds: 10_000,
};
const POLICY = {
  maxAttemptsPerCode: 5,
  lockAfterFailures: 1000,
  lockBaseInMilliseconds: 1000,
  lockMaxInMilliseconds: 4000,
  failureWindowInMilliseconds: 60000,
};

const client = createClient({ url: REDIS_URL });
const prefix = uniquePrefix('procs');
let store: RedisStore;

beforeAll(async () => {
  await client.connect();
  store = new RedisStore({ prefix, sendCommand: (args) => client.sendCommand(args) });
});
afterAll(async () => {
  await deletePrefix((args) => client.sendCommand(args), prefix);
  client.destroy();
});

type Counts = Record<string, number>;

/** Runs two Node processes that fire `each` guesses of `hashes[i]` at the same moment. */
async function twoProcesses(
  phone: string,
  hashes: [string, string],
  each: number,
): Promise<Counts> {
  const startAt = Date.now() + 1_500;
  const results = await Promise.all(
    hashes.map((hash) =>
      run(process.execPath, [
        FIXTURE,
        REDIS_URL,
        prefix,
        phone,
        hash,
        String(each),
        String(startAt),
        String(T0 + 1),
        String(POLICY.maxAttemptsPerCode),
      ]),
    ),
  );
  const total: Counts = {};
  for (const { stdout } of results) {
    for (const [key, n] of Object.entries(JSON.parse(stdout) as Counts)) {
      total[key] = (total[key] ?? 0) + n;
    }
  }
  return total;
}

describe('RedisStore across two Node processes', () => {
  it('runs against the built dist', () => {
    expect(existsSync(DIST)).toBe(true);
  });

  it('50 parallel wrong guesses from two processes evaluate exactly the allowed number; the right code fails afterwards', async () => {
    const phone = '+9779800000201';
    await store.issue(
      { phone, purpose: 'sign-in' },
      { id: 'a', codeHash: 'right', expiresAt: T0 + 300_000, channel: 'text' },
      LIMITS,
      T0,
    );
    const counts = await twoProcesses(phone, ['wrong-a', 'wrong-b'], 25);
    expect(counts).toEqual({ wrong_code: 5, too_many_attempts: 45 });
    expect(await store.verify({ phone, purpose: 'sign-in' }, 'right', POLICY, T0 + 2)).toEqual({
      ok: false,
      detail: 'too_many_attempts',
    });
  });

  it('20 parallel right guesses from two processes succeed exactly once', async () => {
    const phone = '+9779800000202';
    await store.issue(
      { phone, purpose: 'sign-in' },
      { id: 'b', codeHash: 'right', expiresAt: T0 + 300_000, channel: 'text' },
      LIMITS,
      T0,
    );
    const counts = await twoProcesses(phone, ['right', 'right'], 10);
    expect(counts).toEqual({ ok: 1, no_challenge: 19 });
  });
});
