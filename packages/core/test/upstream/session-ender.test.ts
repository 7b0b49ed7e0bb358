/**
 * `SessionEnder`: ending sessions while the sessions store may be down. A failed end never
 * throws; its sid is refused here at once, retried in the background (backoff, one `unref`ed
 * timer, ten tries) and at once by the first read that works after a failure (once per failure
 * seen); at most 10,000 are kept (oldest dropped); the outage is told once, with the error's name
 * and code only, never its message or a session id.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StoreUnavailableError } from '../../src/index.js';
import {
  errorNameAndCode,
  SessionEnder,
  type SessionEndFailure,
  type SessionEndStore,
} from '../../src/upstream/index.js';

const SECRET_URL = 'redis://:hunter2-secret@10.0.0.5:6379';
const SID = 'sid-secret-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** The backoff the ender is documented to keep, in milliseconds. */
const DELAYS = [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000];

/** A store failure whose message, as some clients' do, holds the connection URL. */
const outage = () => new StoreUnavailableError(`connect ECONNREFUSED ${SECRET_URL}`);

/** A store whose `end` fails while `down`; `calls` records each `end`'s arguments. */
function fakeStore() {
  const state = { down: true, calls: [] as unknown[][], ended: [] as unknown[][] };
  const store: SessionEndStore = {
    end: async (...args: unknown[]) => {
      state.calls.push(args);
      if (state.down) throw outage();
      state.ended.push(args);
      return true;
    },
  };
  return { store, state };
}

/** An ender whose warnings are recorded instead of emitted. */
function quietEnder() {
  const warnings: SessionEndFailure[] = [];
  const ender = new SessionEnder({ onEndFailed: (failure) => warnings.push(failure) });
  return { ender, warnings };
}

/** Let a retry started without a timer (`storeAnswered`) settle. */
const settle = () => vi.advanceTimersByTimeAsync(0);

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('SessionEnder', () => {
  it('ends a session in the store when it answers, with the reason only when one is given', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { store, state } = fakeStore();
    state.down = false;
    const { ender, warnings } = quietEnder();
    await ender.end(store, 'a');
    await ender.end(store, 'b', 'ended_by_app');
    expect(state.ended).toEqual([['a'], ['b', 'ended_by_app']]);
    expect(ender.isPending('a')).toBe(false);
    expect(ender.pending).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(warnings).toEqual([]);
  });

  it('a failed end does not throw and is refused here at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { store } = fakeStore();
    const { ender } = quietEnder();
    await expect(ender.end(store, SID)).resolves.toBeUndefined();
    expect(ender.isPending(SID)).toBe(true);
    expect(ender.isPending('another-sid')).toBe(false);
    expect(ender.pending).toBe(1);
  });

  it('retries with backoff (1 s doubling to 60 s, ten tries), then gives up', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { store, state } = fakeStore();
    const { ender } = quietEnder();
    await ender.end(store, SID);
    expect(state.calls).toHaveLength(1);
    for (const [index, delay] of DELAYS.entries()) {
      expect(vi.getTimerCount()).toBe(1);
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(state.calls).toHaveLength(index + 1);
      await vi.advanceTimersByTimeAsync(1);
      expect(state.calls).toHaveLength(index + 2);
    }
    // Given up: no timer, no more tries, still refused.
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(24 * 60 * 60_000);
    expect(state.calls).toHaveLength(11);
    expect(ender.isPending(SID)).toBe(true);
  });

  it('ends it at the next retry once the store is back, with its reason, and forgets it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { store, state } = fakeStore();
    const { ender } = quietEnder();
    await ender.end(store, 'first', 'ended_by_app');
    await ender.end(store, 'second');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(state.calls).toHaveLength(3); // a retry stops at the first failure
    state.down = false;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(state.ended).toEqual([['first', 'ended_by_app'], ['second']]);
    expect(ender.isPending('first')).toBe(false);
    expect(ender.isPending('second')).toBe(false);
    expect(ender.pending).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a read that works retries at once, once per failure seen (an end or a read)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { store, state } = fakeStore();
    const { ender } = quietEnder();
    await ender.end(store, SID);
    expect(state.calls).toHaveLength(1);
    // The store reads but cannot end: one retry at the first read, none at the later ones.
    for (let read = 0; read < 5; read++) {
      ender.storeAnswered();
      await settle();
    }
    expect(state.calls).toHaveLength(2);
    // The backoff goes on from the start: the next try is the timer's, 1 s on.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(state.calls).toHaveLength(3);
    // A failed read is a new failure seen: the next read that works retries again.
    ender.storeFailed();
    ender.storeAnswered();
    await settle();
    expect(state.calls).toHaveLength(4);
    // So is a new failed end.
    await ender.end(store, 'another-sid');
    expect(state.calls).toHaveLength(5);
    state.down = false;
    ender.storeAnswered();
    await settle();
    expect(state.ended).toEqual([[SID], ['another-sid']]);
    expect(ender.pending).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a read with nothing failed costs no end', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { store, state } = fakeStore();
    const { ender } = quietEnder();
    ender.storeFailed();
    ender.storeAnswered();
    await settle();
    expect(state.calls).toEqual([]);
    await ender.end(store, SID);
    state.down = false;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(state.calls).toHaveLength(2);
    ender.storeAnswered();
    await settle();
    expect(state.calls).toHaveLength(2);
  });

  it('after giving up, a read that works or a new failed end tries again', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { store, state } = fakeStore();
    const { ender } = quietEnder();
    await ender.end(store, SID);
    for (let minute = 0; minute < 20; minute++) await vi.advanceTimersByTimeAsync(60_000);
    expect(state.calls).toHaveLength(11);
    expect(vi.getTimerCount()).toBe(0);
    // A new failed end starts the backoff again (and its own try fails first).
    await ender.end(store, 'later-sid');
    expect(state.calls).toHaveLength(12);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(state.calls).toHaveLength(13);
    for (let minute = 0; minute < 20; minute++) await vi.advanceTimersByTimeAsync(60_000);
    expect(vi.getTimerCount()).toBe(0);
    // A read that works, with the store back: both are ended.
    state.down = false;
    ender.storeAnswered();
    await settle();
    expect(state.ended).toEqual([[SID], ['later-sid']]);
    expect(ender.pending).toBe(0);
  });

  it('keeps at most 10,000 (refused), dropping the oldest, with one timer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { store } = fakeStore();
    const { ender, warnings } = quietEnder();
    for (let i = 0; i <= 10_000; i++) await ender.end(store, `sid-${i}`);
    expect(ender.pending).toBe(10_000);
    expect(ender.isPending('sid-0')).toBe(false);
    expect(ender.isPending('sid-1')).toBe(true);
    expect(ender.isPending('sid-10000')).toBe(true);
    expect(vi.getTimerCount()).toBe(1);
    expect(warnings).toHaveLength(1);
    // Failing again moves a sid to the newest: the next one dropped is the oldest other.
    await ender.end(store, 'sid-1');
    await ender.end(store, 'sid-10001');
    expect(ender.isPending('sid-1')).toBe(true);
    expect(ender.isPending('sid-2')).toBe(false);
    expect(ender.pending).toBe(10_000);
  });

  it('no timer at construction; the retry timer never keeps the process alive', async () => {
    const setTimer = vi.spyOn(globalThis, 'setTimeout');
    const { store } = fakeStore();
    const { ender } = quietEnder();
    expect(setTimer).not.toHaveBeenCalled();
    await ender.end(store, SID);
    await ender.end(store, 'another-sid');
    expect(setTimer).toHaveBeenCalledTimes(1);
    const timer = setTimer.mock.results[0]?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    clearTimeout(timer);
  });

  it('warns once per outage, with the error name and code only, never the message or a sid', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const emitted = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const { store, state } = fakeStore();
    const ender = new SessionEnder();
    await ender.end(store, SID);
    await ender.end(store, 'another-sid', 'ended_by_app');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(emitted.mock.calls).toEqual([
      [
        expect.stringMatching(
          /failed to end a session \(StoreUnavailableError STORE_UNAVAILABLE\)/,
        ),
        { code: 'TINGTING_SESSION_END_FAILED' },
      ],
    ]);
    expect(JSON.stringify(emitted.mock.calls)).not.toMatch(/hunter2|10\.0\.0\.5|ECONNREFUSED/);
    expect(JSON.stringify(emitted.mock.calls)).not.toContain(SID);
    // Every failed end went through: the outage is over, and the next one is told again.
    state.down = false;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(ender.pending).toBe(0);
    state.down = true;
    await ender.end(store, 'next-outage');
    expect(emitted).toHaveBeenCalledTimes(2);
  });

  it('hands onEndFailed the code and the error name and code; a throwing hook does not make end throw', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { store } = fakeStore();
    const seen: SessionEndFailure[] = [];
    const ender = new SessionEnder({
      onEndFailed: (failure) => {
        seen.push(failure);
        throw new Error('a broken logger');
      },
    });
    await expect(ender.end(store, SID)).resolves.toBeUndefined();
    expect(seen).toEqual([
      { code: 'TINGTING_SESSION_END_FAILED', error: 'StoreUnavailableError STORE_UNAVAILABLE' },
    ]);
    expect(ender.isPending(SID)).toBe(true);
  });

  it('refuses bad options with a TypeError', () => {
    expect(() => new SessionEnder({ onEndFailed: 'log' } as never)).toThrow(TypeError);
    expect(() => new SessionEnder({ retries: 3 } as never)).toThrow(/unknown option `retries`/);
    expect(() => new SessionEnder(null as never)).toThrow(TypeError);
  });
});

describe('errorNameAndCode', () => {
  it("is the error's name and code, never its message", () => {
    expect(errorNameAndCode(outage())).toBe('StoreUnavailableError STORE_UNAVAILABLE');
    expect(errorNameAndCode(new TypeError(SECRET_URL))).toBe('TypeError');
    expect(errorNameAndCode({ code: 'ECONNREFUSED', message: SECRET_URL })).toBe('ECONNREFUSED');
    expect(errorNameAndCode({ name: 7, code: '' })).toBe('');
    for (const nothing of [undefined, null, 'ECONNREFUSED', 42]) {
      expect(errorNameAndCode(nothing)).toBe('');
    }
  });
});
