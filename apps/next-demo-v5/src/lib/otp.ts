/**
 * The demo's OTP engine, one per server process.
 *
 * With `TINGTING_API_TOKEN` set, codes go through the real TingTing API (or `TINGTING_BASE_URL`).
 * Without it, a fake TingTing server starts inside this process on first use, prints every code
 * it "delivers", and the dev outbox (`/dev/outbox`) shows them.
 *
 * Next.js may evaluate this module more than once (per route bundle, and on every dev reload),
 * so the state lives on `globalThis`: one fake, one store, one engine.
 */

import {
  createTingTingSender,
  MemoryStore,
  OTPEngine,
  type OTPEngineAPI,
  type OTPSender,
  type SendInput,
  TingTingClient,
  type VerifyInput,
} from '@tingting-auth/core';
import { type FakeTingTing, startFakeTingTing } from '@tingting-auth/testing';

const DEV_OTP_SECRET = 'next-demo-v5-dev-only-otp-secret-change-me-000000';

interface DemoState {
  engine: Promise<OTPEngineAPI>;
  fake?: Promise<FakeTingTing>;
}

const KEY = Symbol.for('tingting-auth.next-demo-v5.otp');
const global = globalThis as typeof globalThis & { [KEY]?: DemoState };

/** `true` when the demo runs on the embedded fake TingTing (no API token configured). */
export const usesEmbeddedFake: boolean = !process.env.TINGTING_API_TOKEN;

/** `true` when the dev outbox (page and JSON route) may be served. */
export const isOutboxEnabled: boolean =
  usesEmbeddedFake &&
  (process.env.NODE_ENV !== 'production' || process.env.TINGTING_DEMO_OUTBOX === '1');

const NOTICES = Symbol.for('tingting-auth.demo.notices');

/** Print a notice once per process (Next.js evaluates server modules once per route bundle). */
export function noticeOnce(message: string): void {
  const g = globalThis as typeof globalThis & { [NOTICES]?: Set<string> };
  g[NOTICES] ??= new Set();
  if (g[NOTICES].has(message)) return;
  g[NOTICES].add(message);
  console.warn(message);
}

function createClient(options: { apiToken: string; baseURL?: string }): OTPSender {
  return createTingTingSender(new TingTingClient(options));
}

function start(): DemoState {
  const secret = process.env.OTP_SECRET ?? DEV_OTP_SECRET;
  if (!process.env.OTP_SECRET) {
    noticeOnce(
      '[next-demo-v5] OTP_SECRET is not set: using a development secret. Set it in production.',
    );
  }
  if (!usesEmbeddedFake) {
    const client = createClient({
      apiToken: process.env.TINGTING_API_TOKEN ?? '',
      ...(process.env.TINGTING_BASE_URL ? { baseURL: process.env.TINGTING_BASE_URL } : {}),
    });
    return {
      engine: Promise.resolve(new OTPEngine({ sender: client, secret, store: new MemoryStore() })),
    };
  }
  const fake = startFakeTingTing().then((server) => {
    console.log(
      `[next-demo-v5] No TINGTING_API_TOKEN: using an embedded fake TingTing at ${server.url}`,
    );
    server.outbox.subscribe((delivery) => {
      // The demo's whole point on the fake: the developer reads the code here (never do this
      // with a real provider).
      console.log(
        `[next-demo-v5] fake TingTing delivered ${delivery.channel} to ${delivery.number}: code ${delivery.otp}`,
      );
    });
    return server;
  });
  const engine = fake.then((server) => {
    const client = createClient({ apiToken: server.apiToken, baseURL: server.url });
    return new OTPEngine({ sender: client, secret, store: new MemoryStore() });
  });
  return { engine, fake };
}

function state(): DemoState {
  global[KEY] ??= start();
  return global[KEY];
}

/** The embedded fake server, when the demo runs on it. */
export function getFakeTingTing(): Promise<FakeTingTing> | undefined {
  return usesEmbeddedFake ? state().fake : undefined;
}

/**
 * The engine, as `TingTing({ engine })` and `createSendHandler(engine)` take it. It starts
 * everything lazily, on the first request, so `next build` never starts a server.
 */
export const engine: OTPEngineAPI = {
  send: async (input: SendInput) => (await state().engine).send(input),
  resend: async (input: SendInput) => (await state().engine).resend(input),
  verify: async (input: VerifyInput) => (await state().engine).verify(input),
  cancel: async (input) => (await state().engine).cancel(input),
  on(type, listener) {
    let off: (() => void) | undefined;
    let subscribed = true;
    void state().engine.then((resolved) => {
      if (subscribed) off = resolved.on(type, listener);
    });
    return () => {
      subscribed = false;
      off?.();
    };
  },
  codeLength: 6,
};
