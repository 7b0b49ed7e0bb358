import { afterEach, describe, expect, it } from 'vitest';
import { SessionExpiredError, SessionUnavailableError } from '../../src/upstream/index.js';
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

// A lost answer, then an upstream that is down for the retry: the first call's outcome is still
// unknown, and an outage must not sign anyone out. Before, any failure of the retry ended the
// session as refresh_lost, so an upstream restart (a reset keep-alive socket, then a 503 or a
// refused connection) signed out everyone whose token was due.
describe('a lost refresh answer, then the upstream down for the retry', () => {
  let h: SessionsHarness;
  afterEach(() => h.close());

  it('keeps the session: 503 with Retry-After, the refresh token kept; the next try (grace) goes on', async () => {
    h = await setup({ fake: { rotation: 'rotate', graceSeconds: 60 } });
    const sid = await h.signIn();
    const before = await h.sessions.getTokens(sid);
    h.clock.set(before.accessExpiresAt);
    h.fake.inject('refresh', { kind: 'reset', afterWork: true });
    h.fake.inject('refresh', { status: 503, headers: { 'retry-after': '7' } });
    const error = await h.sessions.getAccessToken(sid).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionUnavailableError);
    expect((error as SessionUnavailableError).retryAfterInSeconds).toBe(7);
    expect(h.fake.stats.refreshCalls).toBe(2);
    expect((await h.sessions.status(sid)).active).toBe(true);
    expect(h.events.filter((e) => e.type === 'refresh.rejected')).toEqual([]);
    expect(
      h.events
        .filter((e) => e.type === 'refresh.failed')
        .map((e) => (e as { reason: string }).reason),
    ).toEqual(['unknown_outcome', 'unavailable']);
    // The upstream is back: the same refresh token once more, inside its grace period.
    const token = await h.sessions.getAccessToken(sid);
    expect(token).not.toBe(before.accessToken);
    expect(h.fake.stats.refreshCalls).toBe(3);
    expect(h.fake.refreshTokensPresented.map((p) => p.outcome)).toEqual(['rotated', 'grace']);
  });

  it('keeps the access token while it lasts, and ends as refresh_rejected once the upstream refuses the rotated token', async () => {
    h = await setup({ fake: { rotation: 'rotate-detect-reuse' } });
    const sid = await h.signIn();
    const before = await h.sessions.getTokens(sid);
    // Inside the refresh-ahead window (at least 30 s), the access token still valid.
    h.clock.set(before.accessExpiresAt - 1_000);
    h.fake.inject('refresh', { kind: 'reset', afterWork: true });
    h.fake.inject('refresh', { status: 503 });
    expect(await h.sessions.getAccessToken(sid)).toBe(before.accessToken);
    expect((await h.sessions.status(sid)).active).toBe(true);
    h.clock.set(before.accessExpiresAt);
    const error = await h.sessions.getAccessToken(sid).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionExpiredError);
    expect((error as SessionExpiredError).reason).toBe('refresh_rejected');
    expect(await h.sessions.status(sid)).toEqual({ active: false, reason: 'refresh_rejected' });
  });
});
