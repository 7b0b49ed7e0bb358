/**
 * While another process holds a session's refresh lock: this process polls the store (50 ms,
 * doubling, at most 400 ms between reads) for the generation the holder stores, never refreshes
 * itself, and gives up at the lock's lifetime plus a second (serving the current access token
 * while it lasts, else a 503). Real time: the waits are about processes, not the session clock.
 */
import { describe, expect, it, vi } from 'vitest';
import { UNAVAILABLE_RETRY_AFTER_IN_SECONDS } from '../../src/public-errors.js';
import { SessionUnavailableError } from '../../src/upstream/index.js';
import { anotherProcess, makeTokens, unitSetup } from './units-helpers.js';

// The delays the poll loop asks `node:timers/promises` for, in order; each still waits for real.
// Pinning the asked delays (not the measured ones) keeps the test exact on a loaded machine, where
// a timer may fire hundreds of milliseconds late.
const asked = vi.hoisted(() => [] as number[]);
vi.mock('node:timers/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:timers/promises')>();
  return {
    ...actual,
    setTimeout: (delay: number, ...rest: []) => {
      asked.push(delay);
      return actual.setTimeout(delay, ...rest);
    },
  };
});

describe('waiting for another process that holds the refresh lock', () => {
  it('polls at 50, 100, 200, 400, 400 ms and returns the generation the holder stored', async () => {
    const h = unitSetup();
    const other = anotherProcess(h);
    const tokens = makeTokens(h.clock);
    const sid = await h.session(tokens);
    h.clock.set(tokens.accessExpiresAt - 1);
    h.store.answer.lock = () => Promise.resolve(false);
    const reads: number[] = [];
    h.store.answer.get = () => {
      reads.push(performance.now());
      return undefined;
    };
    asked.length = 0;
    const started = performance.now();
    // The holder stores generation 1 about 1.3 s in.
    const holder = new Promise<string>((resolve) => {
      setTimeout(() => resolve(other.getAccessToken(sid)), 1_300);
    });
    const got = await h.sessions.getTokens(sid);
    const theirs = await holder;
    expect(got.accessToken).toBe(theirs);
    expect(got.generation).toBe(1);
    expect(h.provider.refreshCalls).toHaveLength(1);
    // The first read is ours before the lock; then one read after each wait.
    const waits = reads.slice(1).map((at, i) => at - reads[i]!);
    expect(waits.length).toBeGreaterThanOrEqual(5);
    // The loop asks for 50 ms, doubling, capped at 400 ms; each wait lasts at least what it asked
    // (timers never fire early, so this holds however loaded the machine is).
    expect(asked.slice(0, 5)).toEqual([50, 100, 200, 400, 400]);
    expect(asked.slice(5).every((delay) => delay === 400)).toBe(true);
    expect(asked).toHaveLength(waits.length);
    [50, 100, 200, 400, 400].forEach((delay, i) => {
      expect(waits[i]).toBeGreaterThanOrEqual(delay - 2);
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_300);
  });

  it('gives up after the lock lifetime plus a second: the access token while it lasts, else a 503', async () => {
    const wait = async (expired: boolean) => {
      // A 1 ms refresh timeout: lock lifetime 2 * 1 + 2,000 ms, so the wait ends after 3,002 ms.
      const h = unitSetup({ refreshTimeoutInMilliseconds: 1 });
      const tokens = makeTokens(h.clock);
      const sid = await h.session(tokens);
      h.clock.set(expired ? tokens.accessExpiresAt : tokens.accessExpiresAt - 1);
      h.store.answer.lock = () => Promise.resolve(false);
      const started = Date.now();
      const outcome = await h.sessions.getTokens(sid).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      return { h, tokens, outcome, elapsed: Date.now() - started };
    };
    const [serving, unavailable] = await Promise.all([wait(false), wait(true)]);
    for (const run of [serving, unavailable]) {
      expect(run.elapsed).toBeGreaterThanOrEqual(3_000);
      expect(run.elapsed).toBeLessThan(8_000);
      expect(run.h.provider.refreshCalls).toHaveLength(0);
      expect(run.h.store.of('lock')[0]![2]).toBe(2_002);
      expect(run.h.store.count('lock')).toBeGreaterThanOrEqual(8);
    }
    expect((serving.outcome as { value: { accessToken: string } }).value.accessToken).toBe(
      serving.tokens.accessToken,
    );
    const error = (unavailable.outcome as { error: SessionUnavailableError }).error;
    expect(error).toBeInstanceOf(SessionUnavailableError);
    expect(error.retryAfterInSeconds).toBe(UNAVAILABLE_RETRY_AFTER_IN_SECONDS);
    expect(error.cause).toBeUndefined();
    expect(error.provider).toBe('stub');
  });
});
