import { afterEach, describe, expect, it } from 'vitest';
import { SessionUnavailableError } from '../../src/upstream/index.js';
import { type SessionsHarness, setup } from './helpers.js';

// T7: an upstream outage never ends a session.
describe('an upstream outage keeps the session', () => {
  let h: SessionsHarness;
  afterEach(() => h.close());

  it('503 on refresh while the access token is valid: the current token is served', async () => {
    h = await setup({ fake: { rotation: 'rotate-detect-reuse' } });
    const sid = await h.signIn();
    const before = await h.sessions.getTokens(sid);
    h.clock.set(before.accessExpiresAt - 1_000);
    h.fake.inject('refresh', { status: 503, times: 3 });
    expect(await h.sessions.getAccessToken(sid)).toBe(before.accessToken);
    expect((await h.sessions.status(sid)).active).toBe(true);
    expect(h.events.filter((e) => e.type === 'refresh.failed')).toMatchObject([
      { reason: 'unavailable' },
    ]);
  });

  for (const status of [503, 429]) {
    it(`${status} on refresh after the access token expired: 503 + Retry-After, refresh token kept, later success`, async () => {
      h = await setup({ fake: { rotation: 'rotate-detect-reuse' } });
      const sid = await h.signIn();
      const before = await h.sessions.getTokens(sid);
      h.clock.set(before.accessExpiresAt);
      h.fake.inject('refresh', { status, headers: { 'retry-after': '7' }, times: 2 });
      for (let i = 0; i < 2; i++) {
        const error = await h.sessions.getAccessToken(sid).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SessionUnavailableError);
        expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryAfterInSeconds: 7 });
      }
      expect((await h.sessions.status(sid)).active).toBe(true);
      expect((await h.sessions.getTokens(sid).catch(() => undefined)) === undefined).toBe(false);
      // The next call after the outage succeeds with the refresh token we kept.
      const presented = h.fake.refreshTokensPresented.map((p) => p.token);
      expect(new Set(presented)).toEqual(new Set([before.refreshToken]));
      const after = await h.sessions.getTokens(sid);
      expect(after.accessToken).not.toBe(before.accessToken);
      expect(after.generation).toBe(1);
      expect(h.fake.stats.reuseDetected).toBe(0);
    });
  }
});
