/**
 * The throttle rules as pure functions (`throttle-rules.ts`), on both sides of every boundary.
 * The stores (memory, and the Redis scripts ported from these) answer from them, so an off-by-one
 * here is an attempt more or less for an attacker, or a lockout a moment too long for a user.
 */
import { describe, expect, it } from 'vitest';
import {
  type CounterState,
  counted,
  current,
  forgetAt,
  refunded,
  waitOf,
} from '../src/upstream/throttle-rules.js';
import type { ConsecutiveRule, DelayRule, WindowRule } from '../src/upstream/throttle-store.js';

const T = 1_000_000;

const consecutive: ConsecutiveRule = {
  kind: 'consecutive',
  limit: 3,
  blockInMilliseconds: 1_000,
  keepInMilliseconds: 10_000,
};
const window: WindowRule = { kind: 'window', limit: 3, windowInMilliseconds: 5_000 };
const delay: DelayRule = {
  kind: 'delay',
  free: 2,
  windowInMilliseconds: 100_000,
  baseDelayInMilliseconds: 100,
  maxDelayInMilliseconds: 700,
};

const state = (count: number, start: number, last: number): CounterState => ({
  count,
  start,
  last,
});

describe('current: the state in force', () => {
  it('is undefined without a state', () => {
    expect(current(window, undefined, T)).toBeUndefined();
  });

  it('keeps the state until start + window, and drops it from then on', () => {
    const s = state(2, T, T + 10);
    expect(current(window, s, T + 4_999)).toBe(s);
    expect(current(window, s, T + 5_000)).toBeUndefined();
    expect(current(window, s, T + 5_001)).toBeUndefined();
  });

  it('a consecutive rule lives for its keep time, not its block time', () => {
    const s = state(1, T, T);
    // The block time (1 s) must not end the count: a block applies long after it.
    expect(current(consecutive, s, T + 9_999)).toBe(s);
    expect(current(consecutive, s, T + 10_000)).toBeUndefined();
  });

  it('a delay rule lives for its window', () => {
    const s = state(1, T, T);
    expect(current(delay, s, T + 99_999)).toBe(s);
    expect(current(delay, s, T + 100_000)).toBeUndefined();
  });
});

describe('forgetAt', () => {
  it('is start + the window of each kind (keep time for consecutive)', () => {
    const s = state(5, T, T + 3);
    expect(forgetAt(window, s)).toBe(T + 5_000);
    expect(forgetAt(consecutive, s)).toBe(T + 10_000);
    expect(forgetAt(delay, s)).toBe(T + 100_000);
  });
});

describe('counted', () => {
  it('starts a new window at now with a count of 1', () => {
    expect(counted(window, undefined, T)).toEqual({ count: 1, start: T, last: T });
  });

  it('adds one in the window, keeping the start and moving last', () => {
    expect(counted(window, state(2, T, T + 1), T + 4_999)).toEqual({
      count: 3,
      start: T,
      last: T + 4_999,
    });
  });

  it('starts again once the window has passed', () => {
    expect(counted(window, state(3, T, T + 1), T + 5_000)).toEqual({
      count: 1,
      start: T + 5_000,
      last: T + 5_000,
    });
  });
});

describe('refunded', () => {
  it('takes one back, keeping start and last', () => {
    expect(refunded(window, state(3, T, T + 7), T + 8)).toEqual({
      count: 2,
      start: T,
      last: T + 7,
    });
  });

  it('answers undefined for the last counted attempt, a missing state, or a passed window', () => {
    expect(refunded(window, state(1, T, T), T)).toBeUndefined();
    expect(refunded(window, state(0, T, T), T)).toBeUndefined();
    expect(refunded(window, undefined, T)).toBeUndefined();
    expect(refunded(window, state(3, T, T), T + 5_000)).toBeUndefined();
  });

  it('keeps a count of 2 as 1', () => {
    expect(refunded(window, state(2, T, T), T)).toEqual({ count: 1, start: T, last: T });
  });
});

describe('waitOf: window', () => {
  it('allows below the limit', () => {
    expect(waitOf(window, undefined, T)).toBe(0);
    expect(waitOf(window, state(2, T, T), T + 1)).toBe(0);
  });

  it('refuses at the limit until the window ends', () => {
    expect(waitOf(window, state(3, T, T + 100), T + 100)).toBe(4_900);
    expect(waitOf(window, state(4, T, T + 100), T + 4_999)).toBe(1);
    expect(waitOf(window, state(3, T, T + 100), T + 5_000)).toBe(0);
  });
});

describe('waitOf: consecutive', () => {
  it('allows below the limit, even right after a failure', () => {
    expect(waitOf(consecutive, state(2, T, T + 50), T + 50)).toBe(0);
  });

  it('blocks at the limit for the block time after the last attempt', () => {
    expect(waitOf(consecutive, state(3, T, T + 50), T + 50)).toBe(1_000);
    expect(waitOf(consecutive, state(3, T, T + 50), T + 1_049)).toBe(1);
    expect(waitOf(consecutive, state(3, T, T + 50), T + 1_050)).toBe(0);
    // Never a negative wait once the block has passed.
    expect(waitOf(consecutive, state(3, T, T + 50), T + 1_051)).toBe(0);
    expect(waitOf(consecutive, state(3, T, T + 50), T + 5_000)).toBe(0);
    expect(waitOf(consecutive, state(7, T, T + 50), T + 1_000)).toBe(50);
  });

  it('forgets the count once the keep time has passed, blocked or not', () => {
    expect(waitOf(consecutive, state(3, T, T + 9_999), T + 10_000)).toBe(0);
  });
});

describe('waitOf: delay', () => {
  it('is free up to `free` attempts', () => {
    expect(waitOf(delay, state(1, T, T), T)).toBe(0);
  });

  it('waits base * 2^(count - free) after the last attempt', () => {
    expect(waitOf(delay, state(2, T, T + 10), T + 10)).toBe(100);
    expect(waitOf(delay, state(2, T, T + 10), T + 109)).toBe(1);
    expect(waitOf(delay, state(2, T, T + 10), T + 110)).toBe(0);
    // Never a negative wait once the delay has passed.
    expect(waitOf(delay, state(2, T, T + 10), T + 111)).toBe(0);
    expect(waitOf(delay, state(3, T, T + 10), T + 5_000)).toBe(0);
    expect(waitOf(delay, state(3, T, T + 10), T + 10)).toBe(200);
    expect(waitOf(delay, state(4, T, T + 10), T + 10)).toBe(400);
    expect(waitOf(delay, state(4, T, T + 10), T + 20)).toBe(390);
  });

  it('is capped at maxDelay', () => {
    expect(waitOf(delay, state(5, T, T + 10), T + 10)).toBe(700);
    expect(waitOf(delay, state(40, T, T + 10), T + 709)).toBe(1);
    expect(waitOf(delay, state(40, T, T + 10), T + 710)).toBe(0);
  });

  it('starts over when the window has passed', () => {
    expect(waitOf(delay, state(40, T, T + 99_999), T + 100_000)).toBe(0);
  });
});
