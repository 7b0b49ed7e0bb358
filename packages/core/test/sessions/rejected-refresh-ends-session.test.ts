import { afterEach, describe, expect, it } from 'vitest';
import { SessionExpiredError } from '../../src/upstream/index.js';
import { type SessionsHarness, setup } from './helpers.js';

// T6: a refresh the upstream refuses ends the session with a stable code.
describe('a rejected refresh ends the session', () => {
  let h: SessionsHarness;
  afterEach(() => h.close());

  it('revoked upstream: SESSION_EXPIRED (refresh_rejected), the tokens are deleted, no further upstream call', async () => {
    h = await setup({ fake: { rotation: 'rotate' } });
    const sid = await h.signIn();
    const before = await h.sessions.getTokens(sid);
    h.fake.revokeAll('asha');
    h.clock.set(before.accessExpiresAt + 60_000);
    const error = await h.sessions.getAccessToken(sid).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionExpiredError);
    expect(error).toMatchObject({ code: 'SESSION_EXPIRED', reason: 'refresh_rejected' });
    expect(await h.sessions.status(sid)).toEqual({ active: false, reason: 'refresh_rejected' });
    expect(await h.sessions.list('asha')).toEqual([]);
    await expect(h.sessions.getTokens(sid)).rejects.toMatchObject({ reason: 'refresh_rejected' });
    expect(h.fake.stats.refreshCalls).toBe(1);
    const rejected = h.events.find((e) => e.type === 'refresh.rejected');
    expect(rejected).toMatchObject({
      type: 'refresh.rejected',
      provider: 'notes',
      reason: 'rejected',
      generation: 0,
      ageMs: before.accessExpiresAt + 60_000 - before.receivedAt,
    });
    expect(h.events.find((e) => e.type === 'ended')).toMatchObject({
      reason: 'refresh_rejected',
      count: 1,
    });
  });

  it('the refresh token expired upstream: the same', async () => {
    h = await setup({ fake: { lifetimes: { accessSeconds: 600, refreshSeconds: 3_600 } } });
    const sid = await h.signIn();
    // Unused for longer than the refresh token's lifetime: the upstream refuses it.
    h.clock.advance(3_600_000);
    await expect(h.sessions.getAccessToken(sid)).rejects.toMatchObject({
      reason: 'refresh_rejected',
    });
  });
});
