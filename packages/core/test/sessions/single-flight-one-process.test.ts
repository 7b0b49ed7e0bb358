import { afterEach, describe, expect, it } from 'vitest';
import {
  MemorySessionStore,
  refreshAtOf,
  type SessionKey,
  UpstreamSessions,
} from '../../src/upstream/index.js';
import { PASSWORD, SECRET, type SessionsHarness, setup } from './helpers.js';

/** A memory store that counts lock attempts (the cross-process step). */
class CountingStore extends MemorySessionStore {
  lockCalls = 0;
  override lock(key: SessionKey, token: string, ttl: number): Promise<boolean> {
    this.lockCalls += 1;
    return super.lock(key, token, ttl);
  }
}

// T1: one refresh per rotation, however many requests of one process ask at once.
describe('single flight in one process', () => {
  let h: SessionsHarness;
  afterEach(() => h.close());

  it('100 parallel getAccessToken on an expired token make exactly 1 upstream refresh, and all get the same new token', async () => {
    const store = new CountingStore();
    h = await setup({ fake: { rotation: 'rotate-detect-reuse' }, sessions: { store } });
    const sid = await h.signIn();
    const before = await h.sessions.getTokens(sid);
    h.clock.set(before.accessExpiresAt + 1);
    h.fake.resetStats();

    const tokens = await Promise.all(
      Array.from({ length: 100 }, () => h.sessions.getAccessToken(sid)),
    );

    expect(h.fake.stats.refreshCalls).toBe(1);
    expect(h.fake.stats.reuseDetected).toBe(0);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(before.accessToken);
    // The 100 callers joined one in-process flight: one lock taken, not 100 tried.
    expect(store.lockCalls).toBe(1);
    // The stored session carries the new generation; the next read needs no refresh.
    expect((await h.sessions.getTokens(sid)).generation).toBe(1);
    expect(h.fake.stats.refreshCalls).toBe(1);
  });

  it('100 parallel calls just past refreshAt (token still valid) also refresh once', async () => {
    h = await setup({ fake: { rotation: 'rotate-detect-reuse' } });
    const sid = await h.signIn();
    h.clock.set(refreshAtOf(await h.sessions.getTokens(sid)));
    h.fake.resetStats();
    await Promise.all(Array.from({ length: 100 }, () => h.sessions.getAccessToken(sid)));
    expect(h.fake.stats.refreshCalls).toBe(1);
    expect(h.fake.stats.duplicateRefreshPresentations).toBe(0);
  });

  it('two managers sharing one store refresh once between them (the store lock, not the in-process map)', async () => {
    h = await setup({ fake: { rotation: 'rotate-detect-reuse' } });
    const store = new MemorySessionStore();
    const make = (): UpstreamSessions =>
      new UpstreamSessions({ store, secret: SECRET, provider: h.provider, clock: h.clock });
    const a = make();
    const b = make();
    const signed = await a.signIn({ identifier: 'asha', password: PASSWORD });
    if (!signed.ok) throw new Error('sign-in failed');
    h.clock.advance(3 * 3_600_000);
    h.fake.resetStats();
    const tokens = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).getAccessToken(signed.sid)),
    );
    expect(h.fake.stats.refreshCalls).toBe(1);
    expect(h.fake.stats.reuseDetected).toBe(0);
    expect(new Set(tokens).size).toBe(1);
  });
});
