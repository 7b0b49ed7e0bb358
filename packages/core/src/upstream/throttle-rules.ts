import type { ThrottleRule } from './throttle-store.js';

/**
 * The state of one throttle counter, and the rules of `throttle-store.ts` as pure functions over
 * it. `MemorySessionStore` applies these; the Redis scripts are a line-by-line port (the shared
 * contract suite holds both to the same boundaries).
 */
export interface CounterState {
  /** Counted attempts in the current window. */
  count: number;
  /** Epoch ms of the first attempt of the window. */
  start: number;
  /** Epoch ms of the last counted attempt. */
  last: number;
}

function windowOf(rule: ThrottleRule): number {
  return rule.kind === 'consecutive' ? rule.keepInMilliseconds : rule.windowInMilliseconds;
}

/** The state still in force at `now`, or `undefined` once its window has passed. */
export function current(
  rule: ThrottleRule,
  state: CounterState | undefined,
  now: number,
): CounterState | undefined {
  if (state === undefined || now >= state.start + windowOf(rule)) return undefined;
  return state;
}

/** How long until an attempt is allowed: 0 when it is allowed now. */
export function waitOf(rule: ThrottleRule, state: CounterState | undefined, now: number): number {
  const s = current(rule, state, now);
  if (s === undefined) return 0;
  switch (rule.kind) {
    case 'consecutive': {
      const until = s.last + rule.blockInMilliseconds;
      return s.count >= rule.limit && now < until ? until - now : 0;
    }
    case 'window':
      return s.count >= rule.limit ? s.start + rule.windowInMilliseconds - now : 0;
    case 'delay': {
      if (s.count < rule.free) return 0;
      const delay = Math.min(
        rule.baseDelayInMilliseconds * 2 ** (s.count - rule.free),
        rule.maxDelayInMilliseconds,
      );
      return now < s.last + delay ? s.last + delay - now : 0;
    }
  }
}

/** The state after one more counted attempt at `now`. */
export function counted(
  rule: ThrottleRule,
  state: CounterState | undefined,
  now: number,
): CounterState {
  const s = current(rule, state, now);
  return s === undefined
    ? { count: 1, start: now, last: now }
    : { count: s.count + 1, start: s.start, last: now };
}

/** The state after one attempt is taken back (`undefined`: nothing left to keep). */
export function refunded(
  rule: ThrottleRule,
  state: CounterState | undefined,
  now: number,
): CounterState | undefined {
  const s = current(rule, state, now);
  if (s === undefined || s.count <= 1) return undefined;
  return { count: s.count - 1, start: s.start, last: s.last };
}

/** Epoch ms after which the state changes no answer and may be dropped. */
export function forgetAt(rule: ThrottleRule, state: CounterState): number {
  return state.start + windowOf(rule);
}
