import { afterEach, describe, expect, it } from 'vitest';
import { refreshAheadOf, refreshAtOf } from '../../src/upstream/index.js';
import { T0 } from '../helpers.js';
import { type SessionsHarness, setup } from './helpers.js';

describe('refreshAheadOf', () => {
  it('refreshAhead = clamp(10% of the lifetime, 30 s, 5 min), at most half the lifetime', () => {
    expect(refreshAheadOf(300_000)).toBe(30_000); // Timbr's 5-minute token: the 30 s floor
    expect(refreshAheadOf(1_000_000)).toBe(100_000);
    expect(refreshAheadOf(7_200_000)).toBe(300_000); // notes' 2 hours: the 5 min cap
    expect(refreshAheadOf(20_000)).toBe(10_000); // a 20 s token is not refreshed on every read
  });
});

// T3: refresh ahead of expiry, on our clock at receipt; upstream clock skew changes nothing.
describe('refresh ahead of expiry, on our clock', () => {
  let h: SessionsHarness;
  afterEach(() => h.close());

  it('no refresh 1 ms before refreshAt, exactly one at refreshAt', async () => {
    h = await setup();
    const sid = await h.signIn();
    const tokens = await h.sessions.getTokens(sid);
    expect(refreshAtOf(tokens)).toBe(T0 + 7_200_000 - 300_000);
    h.fake.resetStats();
    h.clock.set(refreshAtOf(tokens) - 1);
    expect(await h.sessions.getAccessToken(sid)).toBe(tokens.accessToken);
    expect(h.fake.stats.refreshCalls).toBe(0);
    h.clock.set(refreshAtOf(tokens));
    expect(await h.sessions.getAccessToken(sid)).not.toBe(tokens.accessToken);
    expect(h.fake.stats.refreshCalls).toBe(1);
  });

  for (const skew of [-600_000, 600_000]) {
    it(`an upstream clock ${skew > 0 ? 'ahead' : 'behind'} by 10 minutes causes no refresh storm and no expired token`, async () => {
      h = await setup({ upstreamSkewInMilliseconds: skew });
      const sid = await h.signIn();
      const first = await h.sessions.getTokens(sid);
      expect(first.accessExpiresAt - first.receivedAt).toBe(7_200_000);
      // Reads all through the token's life before refreshAt: no refresh.
      for (let t = T0; t < refreshAtOf(first); t += 60_000) {
        h.clock.set(t);
        await h.sessions.getAccessToken(sid);
      }
      expect(h.fake.stats.refreshCalls).toBe(0);
      h.clock.set(refreshAtOf(first));
      const second = await h.sessions.getTokens(sid);
      expect(h.fake.stats.refreshCalls).toBe(1);
      expect(second.accessExpiresAt).toBe(refreshAtOf(first) + 7_200_000);
      for (let i = 0; i < 20; i++) await h.sessions.getAccessToken(sid);
      expect(h.fake.stats.refreshCalls).toBe(1);
    });
  }
});
