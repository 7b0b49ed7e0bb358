import { afterEach, describe, expect, it } from 'vitest';
import {
  type ConsumeOutcome,
  MemorySessionStore,
  type SignInResult,
  type ThrottleEntry,
} from '../../src/upstream/index.js';
import { type SessionsHarness, setup } from './helpers.js';

/** Records every store call (method and number of entries), to compare the work per branch. */
class RecordingStore extends MemorySessionStore {
  calls: string[] = [];
  override consume(entries: readonly ThrottleEntry[], now: number): Promise<ConsumeOutcome> {
    this.calls.push(`consume:${entries.map((e) => e.rule.kind).join(',')}`);
    return super.consume(entries, now);
  }
  override refund(entries: readonly ThrottleEntry[], now: number): Promise<void> {
    this.calls.push(`refund:${entries.length}`);
    return super.refund(entries, now);
  }
  override reset(entries: readonly ThrottleEntry[], now: number): Promise<void> {
    this.calls.push(`reset:${entries.length}`);
    return super.reset(entries, now);
  }
}

// T10: unknown user, wrong password and inactive account cannot be told apart from outside,
// and our layer does the same work for each.
describe('sign-in does not tell which accounts exist', () => {
  let h: SessionsHarness;
  afterEach(() => h.close());

  it('unknown user, wrong password and inactive account: the same result, the same store calls, one upstream call each', async () => {
    const store = new RecordingStore();
    h = await setup({ sessions: { store } });
    h.fake.addAccount({ username: 'bina', password: 'bina-password-1', active: false });
    const cases = {
      unknown: { identifier: 'nobody', password: 'whatever-1', ip: '203.0.113.1' },
      wrongPassword: { identifier: 'asha', password: 'not-it', ip: '203.0.113.2' },
      inactive: { identifier: 'bina', password: 'bina-password-1', ip: '203.0.113.3' },
    };
    const results: Record<string, SignInResult> = {};
    const calls: Record<string, string[]> = {};
    const upstream: Record<string, number> = {};
    for (const [name, input] of Object.entries(cases)) {
      store.calls = [];
      const before = h.fake.stats.loginCalls;
      results[name] = await h.sessions.signIn(input);
      calls[name] = store.calls;
      upstream[name] = h.fake.stats.loginCalls - before;
    }
    expect(results.unknown).toEqual({ ok: false, reason: 'invalid_credentials' });
    expect(results.wrongPassword).toEqual(results.unknown);
    expect(results.inactive).toEqual(results.unknown);
    expect(JSON.stringify(results.inactive)).toBe(JSON.stringify(results.unknown));
    expect(calls.wrongPassword).toEqual(calls.unknown);
    expect(calls.inactive).toEqual(calls.unknown);
    expect(upstream).toEqual({ unknown: 1, wrongPassword: 1, inactive: 1 });
    // Each failure is logged (OWASP), with a keyed hash of the identifier, never the identifier.
    const failed = h.events.filter((e) => e.type === 'sign-in.failed');
    expect(failed).toHaveLength(3);
    expect(JSON.stringify(failed)).not.toMatch(/nobody|asha|bina/);
  });

  it('blocked: the same answer whether or not the account exists', async () => {
    h = await setup();
    const attempt = (identifier: string) =>
      h.sessions.signIn({ identifier, password: 'wrong', ip: '203.0.113.9' });
    for (let i = 0; i < 10; i++) {
      await attempt('asha');
      await attempt('nobody');
    }
    expect(await attempt('nobody')).toEqual(await attempt('asha'));
  });

  it('malformed input is refused before any limiter or upstream work', async () => {
    const store = new RecordingStore();
    h = await setup({ sessions: { store } });
    for (const input of [
      { identifier: ['asha'], password: 'x' },
      { identifier: 'asha', password: { $ne: '' } },
      { identifier: '   ', password: 'x' },
      { identifier: 'asha', password: '' },
      { identifier: 'a'.repeat(321), password: 'x' },
      {},
    ]) {
      const result = await h.sessions.signIn(input as never);
      expect(result).toMatchObject({ ok: false, reason: 'invalid_request' });
    }
    expect(store.calls).toEqual([]);
    expect(h.fake.stats.loginCalls).toBe(0);
  });
});
