/**
 * Shared test helpers: an engine with a capturing sender and a clock the test moves, and a
 * promise-shaped runner over chai-passport-strategy.
 */
import {
  MemoryStore,
  type OTPDelivery,
  OTPEngine,
  type OTPEngineOptions,
  type OTPSender,
} from '@tingting-auth/core';
import * as chai from 'chai';
import chaiPassportStrategy, { type ChaiPassport, type MockRequest } from 'chai-passport-strategy';
import { type ManualClock, manualClock } from '../../core/test/helpers.js';
import type { Strategy } from '../src/index.js';

export const SECRET = 'passport-strategy-test-secret-0123456789abcdef';
export const T0: number = Date.UTC(2026, 0, 1, 12, 0, 0);

// chai 5+ hands the plugin a fresh object per `use()` and skips a plugin it has seen before (in
// this worker), so wrap it: each test file gets its own `passport` helper.
const { passport: chaiPassport } = chai.use((c, u) => chaiPassportStrategy(c, u)) as unknown as {
  passport: ChaiPassport;
};

/** A sender that keeps every delivery (what TingTing would have sent). */
export interface CapturingSender extends OTPSender {
  deliveries: OTPDelivery[];
  /** The latest delivery (to `phone`, E.164 or national). */
  last(phone?: string): OTPDelivery;
}

export function capturingSender(
  answer: (delivery: OTPDelivery) => Promise<undefined> = async () => undefined,
): CapturingSender {
  const deliveries: OTPDelivery[] = [];
  const sender = (async (delivery: OTPDelivery) => {
    deliveries.push(delivery);
    return answer(delivery);
  }) as CapturingSender;
  sender.deliveries = deliveries;
  sender.last = (phone) => {
    const national = phone?.replace(/\D/g, '').replace(/^977(?=\d{10}$)/, '');
    const found = deliveries.findLast(
      (d) => national === undefined || d.nationalNumber === national,
    );
    if (found === undefined) throw new Error('nothing was delivered');
    return found;
  };
  return sender;
}

// The same hand-moved clock core's engine tests use.
export { type ManualClock, manualClock } from '../../core/test/helpers.js';

export interface TestEngine {
  engine: OTPEngine;
  sender: CapturingSender;
  clock: ManualClock;
  store: MemoryStore;
}

/** A real engine with a capturing sender, a manual clock and a fresh MemoryStore. */
export function makeEngine(overrides: Partial<OTPEngineOptions> = {}): TestEngine {
  const sender = capturingSender();
  const clock = manualClock();
  const store = (overrides.store as MemoryStore | undefined) ?? new MemoryStore();
  const engine = new OTPEngine({
    sender,
    secret: SECRET,
    store,
    clock,
    logger: { warn: () => {} },
    ...overrides,
  });
  return { engine, sender, clock, store };
}

/** A different Nepali mobile number per call, national form. */
let next = 0;
export function phoneNumber(): string {
  next += 1;
  return `98${String(20_000_000 + next).padStart(8, '0')}`;
}

/** The E.164 form of a national `98…` number. */
export function e164(national: string): string {
  return `+977${national}`;
}

/** A wrong code of the same shape as `code`. */
export function wrongCode(code: string): string {
  return code.slice(0, -1) + String((Number(code.at(-1)) + 1) % 10);
}

/** The answer to a wrong, expired, used or never-sent code. */
export const INVALID_CODE = {
  action: 'fail',
  challenge: { message: 'That code is not right, or it has expired.', code: 'INVALID_CODE' },
  status: 401,
} as const;

/** How one authenticate call ended. */
export type Outcome =
  | { action: 'success'; user: unknown; info: unknown }
  | { action: 'fail'; challenge: unknown; status: number | undefined }
  | { action: 'redirect'; url: string; status: number | undefined }
  | { action: 'pass' }
  | { action: 'error'; error: unknown };

/** A response stand-in that records the headers the strategy sets on `req.res`. */
export interface RecordingResponse {
  headersSent: boolean;
  headers: Record<string, string>;
  setHeader(name: string, value: string): void;
}

export function recordingResponse(): RecordingResponse {
  const res: RecordingResponse = {
    headersSent: false,
    headers: {},
    setHeader(name, value) {
      res.headers[name.toLowerCase()] = value;
    },
  };
  return res;
}

export interface Attempt {
  /** `req.body`; leave out for a request that no body parser touched. */
  body?: unknown;
  headers?: Record<string, string>;
  ip?: string;
  res?: RecordingResponse;
  /** More request properties (`query`, `url`, …). */
  request?: Record<string, unknown>;
  /** The authenticate options (`{ tingtingAction: 'send' }`). */
  options?: object;
}

export interface Ran {
  /** The first action the strategy called. */
  outcome: Outcome;
  /** Every action it called, so far (should stay at one). */
  calls: Outcome[];
  req: MockRequest;
}

/**
 * Runs `strategy.authenticate` through chai-passport-strategy (which, like Passport, calls it on
 * `Object.create(strategy)`), and resolves with the first action it calls.
 */
export function run(strategy: Strategy, attempt: Attempt = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const calls: Outcome[] = [];
    let req: MockRequest | undefined;
    const record = (outcome: Outcome): void => {
      calls.push(outcome);
      if (calls.length === 1) resolve({ outcome, calls, req: req! });
    };
    chaiPassport
      .use(strategy)
      .request((r) => {
        req = r;
        if ('body' in attempt) r.body = attempt.body;
        Object.assign(r.headers, attempt.headers);
        if (attempt.ip !== undefined) r.ip = attempt.ip;
        if (attempt.res !== undefined) r.res = attempt.res;
        Object.assign(r, attempt.request);
      })
      .success((user, info) => record({ action: 'success', user, info }))
      .fail((challenge, status) => record({ action: 'fail', challenge, status }))
      .redirect((url, status) => record({ action: 'redirect', url, status }))
      .pass(() => record({ action: 'pass' }))
      .error((error) => record({ action: 'error', error }))
      .authenticate(attempt.options);
  });
}

/** Runs the send step for `phone` and returns the code the sender got. */
export async function sendCode(
  strategy: Strategy,
  sender: CapturingSender,
  phone: string,
): Promise<string> {
  const { outcome } = await run(strategy, { body: { phone }, options: { tingtingAction: 'send' } });
  if (outcome.action !== 'pass') throw new Error(`send did not pass: ${JSON.stringify(outcome)}`);
  return sender.last(phone).code;
}

/** Lets every pending callback, promise and timer of this turn run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
