import { afterEach, describe, expect, it } from 'vitest';
import {
  MemorySessionStore,
  SessionUnavailableError,
  sessionKeyOf,
} from '../../src/upstream/index.js';
import { type SessionsHarness, setup } from './helpers.js';

// A process that took the refresh lock and died must not block the session for longer than the
// lock's time to live: the waiters poll, take the free lock, and refresh once.
describe('a refresh lock whose holder is gone', () => {
  let h: SessionsHarness;
  afterEach(() => h.close());

  it('expires, and the next caller refreshes exactly once', async () => {
    const store = new MemorySessionStore();
    h = await setup({ fake: { rotation: 'rotate-detect-reuse' }, sessions: { store } });
    const sid = await h.signIn();
    const before = await h.sessions.getTokens(sid);
    // Another "process" took the lock for 300 ms and never came back.
    expect(await store.lock(sessionKeyOf(sid)!, 'dead-holder', 300)).toBe(true);
    h.clock.set(before.accessExpiresAt);
    h.fake.resetStats();
    const tokens = await Promise.all(
      Array.from({ length: 10 }, () => h.sessions.getAccessToken(sid)),
    );
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(before.accessToken);
    expect(h.fake.stats.refreshCalls).toBe(1);
    expect(h.fake.stats.reuseDetected).toBe(0);
  });

  it('held past the wait limit by a holder that never stores: the waiter serves the valid token, else answers 503, never hangs', async () => {
    const store = new MemorySessionStore();
    h = await setup({ sessions: { store, refreshTimeoutInMilliseconds: 100 } });
    const sid = await h.signIn();
    const before = await h.sessions.getTokens(sid);
    expect(await store.lock(sessionKeyOf(sid)!, 'stuck-holder', 60_000)).toBe(true);
    h.fake.resetStats();
    // Inside the refresh-ahead window, still valid: served after the wait.
    h.clock.set(before.accessExpiresAt - 1_000);
    expect(await h.sessions.getAccessToken(sid)).toBe(before.accessToken);
    // Expired: 503 with Retry-After, the session kept.
    h.clock.set(before.accessExpiresAt);
    const error = await h.sessions.getAccessToken(sid).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionUnavailableError);
    expect((await h.sessions.status(sid)).active).toBe(true);
    expect(h.fake.stats.refreshCalls).toBe(0);
  }, 30_000);
});
