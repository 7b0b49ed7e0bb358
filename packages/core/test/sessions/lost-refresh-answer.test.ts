import { afterEach, describe, expect, it } from 'vitest';
import { SessionExpiredError } from '../../src/upstream/index.js';
import { type SessionsHarness, setup } from './helpers.js';

// T5: a refresh whose answer was lost (the upstream rotated, the connection dropped) is retried
// once with the same refresh token, never more.
describe('a lost refresh answer', () => {
  let h: SessionsHarness;
  afterEach(() => h.close());

  it('inside the upstream grace period: the retry gets the successor and the session goes on', async () => {
    h = await setup({ fake: { rotation: 'rotate', graceSeconds: 10 } });
    const sid = await h.signIn();
    const before = await h.sessions.getTokens(sid);
    h.clock.set(before.accessExpiresAt);
    h.fake.inject('refresh', { kind: 'reset', afterWork: true });
    const token = await h.sessions.getAccessToken(sid);
    expect(token).not.toBe(before.accessToken);
    expect(h.fake.stats.refreshCalls).toBe(2);
    expect(h.fake.refreshTokensPresented.map((p) => p.outcome)).toEqual(['rotated', 'grace']);
    expect((await h.sessions.status(sid)).active).toBe(true);
    expect(
      h.events.some((e) => e.type === 'refresh.failed' && e.reason === 'unknown_outcome'),
    ).toBe(true);
  });

  it('without a grace period: SESSION_EXPIRED (refresh_lost) after exactly 2 refresh calls, and no loop after', async () => {
    h = await setup({ fake: { rotation: 'rotate-detect-reuse' } });
    const sid = await h.signIn();
    const before = await h.sessions.getTokens(sid);
    h.clock.set(before.accessExpiresAt);
    h.fake.inject('refresh', { kind: 'reset', afterWork: true });
    const error = await h.sessions.getAccessToken(sid).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionExpiredError);
    expect((error as SessionExpiredError).code).toBe('SESSION_EXPIRED');
    expect((error as SessionExpiredError).reason).toBe('refresh_lost');
    expect(h.fake.stats.refreshCalls).toBe(2);
    expect(await h.sessions.status(sid)).toEqual({ active: false, reason: 'refresh_lost' });
    for (let i = 0; i < 5; i++) {
      await expect(h.sessions.getAccessToken(sid)).rejects.toBeInstanceOf(SessionExpiredError);
    }
    expect(h.fake.stats.refreshCalls).toBe(2);
    const rejected = h.events.filter((e) => e.type === 'refresh.rejected');
    expect(rejected).toMatchObject([{ reason: 'lost', generation: 0 }]);
  });
});
