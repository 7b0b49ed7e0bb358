import { afterEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/errors.js';
import {
  MemorySessionStore,
  type ReplaceOutcome,
  type SessionKey,
  type SessionUpdate,
} from '../../src/upstream/index.js';
import { type SessionsHarness, setup } from './helpers.js';

// T4: rotation is persisted before anyone gets the new access token, and no refresh token is
// ever presented twice.
describe('a refresh token is presented once, and its rotation is stored first', () => {
  let h: SessionsHarness;
  afterEach(() => h.close());

  it('over 5 rotations of 20 parallel requests each, every refresh token is presented exactly once, and it is the one the store held', async () => {
    h = await setup({ fake: { rotation: 'rotate-detect-reuse' } });
    const sid = await h.signIn();
    const held: string[] = [];
    for (let round = 0; round < 5; round++) {
      const current = await h.sessions.getTokens(sid);
      held.push(current.refreshToken!);
      h.clock.set(current.accessExpiresAt);
      await Promise.all(Array.from({ length: 20 }, () => h.sessions.getAccessToken(sid)));
    }
    const presented = h.fake.refreshTokensPresented.map((p) => p.token);
    expect(presented).toEqual(held);
    expect(new Set(presented).size).toBe(5);
    expect(h.fake.refreshTokensPresented.every((p) => p.outcome === 'rotated')).toBe(true);
    expect(h.fake.stats.duplicateRefreshPresentations).toBe(0);
    expect(h.fake.stats.reuseDetected).toBe(0);
    expect((await h.sessions.getTokens(sid)).generation).toBe(5);
  });

  it('when the rotation cannot be stored, nobody gets the new access token', async () => {
    class FailingReplace extends MemorySessionStore {
      fail = false;
      override replace(
        key: SessionKey,
        expected: number,
        next: SessionUpdate,
        now: number,
      ): Promise<ReplaceOutcome> {
        if (this.fail) return Promise.reject(new StoreUnavailableError('down'));
        return super.replace(key, expected, next, now);
      }
    }
    const store = new FailingReplace();
    h = await setup({ fake: { rotation: 'rotate' }, sessions: { store } });
    const sid = await h.signIn();
    const before = await h.sessions.getTokens(sid);
    h.clock.set(before.accessExpiresAt);
    store.fail = true;
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => h.sessions.getAccessToken(sid)),
    );
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(
      results.every((r) => r.status === 'rejected' && r.reason instanceof StoreUnavailableError),
    ).toBe(true);
    expect(h.fake.stats.refreshCalls).toBe(1);
  });
});
