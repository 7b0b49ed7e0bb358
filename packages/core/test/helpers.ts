import { OTPEngine, type OTPEngineOptions } from '../src/engine/otp-engine.js';
import type { OTPEvent } from '../src/otp-types.js';
import type { OTPDelivery, OTPSender, OTPSendReceipt } from '../src/sender.js';
import { MemoryStore } from '../src/stores/memory-store.js';

export const SECRET = 'test-secret-of-at-least-32-bytes-0123456789';
export const T0: number = Date.UTC(2026, 0, 1, 12, 0, 0);

/** A real sender function that records every delivery (what TingTing would have sent). */
export interface RecordingSender extends OTPSender {
  deliveries: OTPDelivery[];
  /** The code of the latest delivery. */
  last(): OTPDelivery;
}

export function recordingSender(
  answer: (delivery: OTPDelivery) => Promise<OTPSendReceipt | undefined> = async () => undefined,
): RecordingSender {
  const deliveries: OTPDelivery[] = [];
  const sender = (async (delivery: OTPDelivery) => {
    deliveries.push(delivery);
    return answer(delivery);
  }) as RecordingSender;
  sender.deliveries = deliveries;
  sender.last = () => {
    const delivery = deliveries.at(-1);
    if (delivery === undefined) throw new Error('nothing was delivered');
    return delivery;
  };
  return sender;
}

/** A clock the test moves by hand. */
export interface ManualClock {
  (): number;
  now: number;
  advance(milliseconds: number): void;
  set(milliseconds: number): void;
}

export function manualClock(start: number = T0): ManualClock {
  const clock = (() => clock.now) as ManualClock;
  clock.now = start;
  clock.advance = (milliseconds) => {
    clock.now += milliseconds;
  };
  clock.set = (milliseconds) => {
    clock.now = milliseconds;
  };
  return clock;
}

export interface TestEngine {
  engine: OTPEngine;
  sender: RecordingSender;
  clock: ManualClock;
  store: MemoryStore;
  events: OTPEvent[];
}

/** An engine with a recording sender, a manual clock, a fresh MemoryStore and every event recorded. */
export function makeEngine(
  overrides: Partial<OTPEngineOptions> & { answer?: Parameters<typeof recordingSender>[0] } = {},
): TestEngine {
  const { answer, ...options } = overrides;
  const sender = recordingSender(answer);
  const clock = manualClock();
  const store = (options.store as MemoryStore | undefined) ?? new MemoryStore();
  const engine = new OTPEngine({
    sender,
    secret: SECRET,
    store,
    clock,
    logger: { warn: () => {} },
    ...options,
  });
  const events: OTPEvent[] = [];
  for (const type of [
    'sent',
    'send_refused',
    'verified',
    'failed',
    'locked',
    'budget_low',
    'budget_exhausted',
    'credits_low',
  ] as const) {
    engine.on(type, (event) => events.push(event));
  }
  return { engine, sender, clock, store, events };
}

/** A different Nepali mobile number per call. */
let next = 0;
export function phoneNumber(): string {
  next += 1;
  return `98${String(10_000_000 + next).padStart(8, '0')}`;
}

/** A wrong code of the same shape as `code`. */
export function wrongCode(code: string): string {
  const last = Number(code.at(-1));
  return code.slice(0, -1) + String((last + 1) % 10);
}
