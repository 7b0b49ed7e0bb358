import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { notesProvider, UpstreamSessions } from '@tingting-auth/core/upstream';
import { startFakeNotes } from '@tingting-auth/testing';
import { expect, it } from 'vitest';
import type { RedisSessionStore } from '../src/index.js';

const run = promisify(execFile);
const FIXTURE = fileURLToPath(new URL('./fixtures/refresh.mjs', import.meta.url));
const SECRET = 'cross-process-secret-0123456789-abcdefghij';
const T0 = 1_767_268_800_000;

/**
 * T2: 4 Node processes × 25 parallel `getAccessToken` on one expired session, sharing one Redis
 * (or Cluster): exactly one upstream refresh, every caller gets the same new token, and the
 * upstream never sees a refresh token twice.
 *
 * @param target - what the child processes connect to: a `redis://` URL or `cluster:<ports>`.
 */
export function itRefreshesOnceAcrossProcesses(
  target: string,
  prefix: string,
  store: () => RedisSessionStore,
): void {
  it('4 processes × 25 parallel requests on an expired token: 1 upstream refresh, one token for all', async () => {
    let now = T0;
    const fake = await startFakeNotes({
      accounts: [{ username: 'asha', password: 'right-password-123' }],
      rotation: 'rotate-detect-reuse',
      now: () => now,
    });
    try {
      const sessions = new UpstreamSessions({
        store: store(),
        secret: SECRET,
        provider: notesProvider({ baseURL: fake.url }),
        clock: () => now,
        throttle: false,
      });
      const signed = await sessions.signIn({ identifier: 'asha', password: 'right-password-123' });
      if (!signed.ok) throw new Error('sign-in failed');
      const before = await sessions.getTokens(signed.sid);
      now = before.accessExpiresAt + 1;
      const startAt = Date.now() + 2_000;
      const outputs = await Promise.all(
        Array.from({ length: 4 }, () =>
          run(process.execPath, [
            FIXTURE,
            target,
            prefix,
            fake.url,
            SECRET,
            signed.sid,
            '25',
            String(startAt),
            String(now),
          ]),
        ),
      );
      const results = outputs.flatMap(
        ({ stdout }) => JSON.parse(stdout) as { token?: string; error?: string }[],
      );
      expect(results).toHaveLength(100);
      expect(results.filter((r) => r.error !== undefined)).toEqual([]);
      expect(new Set(results.map((r) => r.token)).size).toBe(1);
      expect(results[0]!.token).not.toBe(before.accessToken);
      expect(fake.stats.refreshCalls).toBe(1);
      expect(fake.stats.duplicateRefreshPresentations).toBe(0);
      expect(fake.stats.reuseDetected).toBe(0);
      expect((await sessions.getTokens(signed.sid)).generation).toBe(1);
    } finally {
      await fake.close();
    }
  }, 60_000);
}
