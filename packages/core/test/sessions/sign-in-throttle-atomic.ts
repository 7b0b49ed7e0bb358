import { describe, expect, it } from 'vitest';
import type { LoginThrottleStore, UpstreamSessionStore } from '../../src/upstream/index.js';
import { setup } from './helpers.js';

/**
 * T9: the limiter's check and count are one atomic step: 50 parallel wrong passwords, exactly the
 * allowed 10 reach the upstream (express-brute's get-then-set let them all through). Run by
 * `sign-in-throttle-atomic.test.ts` (memory) and `packages/redis/test/sessions-throttle-atomic.test.ts`.
 */
export function describeAtomicThrottle(
  name: string,
  make: () => Promise<UpstreamSessionStore & LoginThrottleStore>,
): void {
  describe(`the sign-in limiter is atomic: ${name}`, () => {
    it('50 parallel wrong passwords from one IP: exactly 10 reach the upstream', async () => {
      const h = await setup({ sessions: { store: await make() } });
      try {
        const outcomes = await Promise.all(
          Array.from({ length: 50 }, () =>
            h.sessions.signIn({ identifier: 'asha', password: 'wrong', ip: '203.0.113.5' }),
          ),
        );
        expect(h.fake.stats.loginCalls).toBe(10);
        expect(outcomes.filter((o) => !o.ok && o.reason === 'invalid_credentials')).toHaveLength(
          10,
        );
        expect(outcomes.filter((o) => !o.ok && o.reason === 'rate_limited')).toHaveLength(40);
      } finally {
        await h.close();
      }
    });
  });
}
