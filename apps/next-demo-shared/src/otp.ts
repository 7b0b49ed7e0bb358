/**
 * A demo's OTP engine, one per server process.
 *
 * With `TINGTING_API_TOKEN` set, codes go through the real TingTing API (or `TINGTING_BASE_URL`).
 * Without it, a fake TingTing server starts inside this process on first use, prints every code
 * it "delivers", and the dev outbox (`/dev/outbox`) shows them.
 *
 * Next.js may evaluate this module more than once (per route bundle, and on every dev reload),
 * so the state lives on `globalThis`: one fake, one store, one engine per app name.
 */

import {
  createTingTingSender,
  MemoryStore,
  OTPEngine,
  type OTPEngineAPI,
  type OTPSender,
  TingTingClient,
} from '@tingting-auth/core';
import { type FakeTingTing, startFakeTingTing } from '@tingting-auth/testing';

/** One app's engine and, on the embedded fake, its outbox. */
export interface DemoOTP {
  /**
   * Builds the engine on first use, as `TingTing({ engine })` and `createSendHandler(engine)` take
   * it: `next build` never starts a server, reads a secret or creates a store.
   */
  getEngine: () => Promise<OTPEngineAPI>;
  /** `true` when the demo runs on the embedded fake TingTing (no API token configured). */
  usesEmbeddedFake: boolean;
  /** `true` when the dev outbox (page and JSON route) may be served. */
  isOutboxEnabled: boolean;
  /** The embedded fake server, when the demo runs on it. */
  getFakeTingTing: () => Promise<FakeTingTing> | undefined;
}

interface DemoState {
  engine: Promise<OTPEngineAPI>;
  fake?: Promise<FakeTingTing>;
}

const NOTICES = Symbol.for('tingting-auth.demo.notices');

/** Print a notice once per process (Next.js evaluates server modules once per route bundle). */
export function noticeOnce(message: string): void {
  const g = globalThis as typeof globalThis & { [NOTICES]?: Set<string> };
  g[NOTICES] ??= new Set();
  if (g[NOTICES].has(message)) return;
  g[NOTICES].add(message);
  console.warn(message);
}

function createSender(options: { apiToken: string; baseURL?: string }): OTPSender {
  return createTingTingSender(new TingTingClient(options));
}

/**
 * The OTP engine of the demo app `name` (`name` prefixes its log lines and its development
 * secret). Reads the environment once, here; starts nothing until the first request.
 */
export function createDemoOTP(name: string): DemoOTP {
  const key = Symbol.for(`tingting-auth.${name}.otp`);
  const global = globalThis as typeof globalThis & { [key]?: DemoState };
  const usesEmbeddedFake = !process.env.TINGTING_API_TOKEN;
  const isOutboxEnabled =
    usesEmbeddedFake &&
    (process.env.NODE_ENV !== 'production' || process.env.TINGTING_DEMO_OUTBOX === '1');

  function start(): DemoState {
    const secret = process.env.OTP_SECRET ?? `${name}-dev-only-otp-secret-change-me-000000`;
    if (!process.env.OTP_SECRET) {
      noticeOnce(
        `[${name}] OTP_SECRET is not set: using a development secret. Set it in production.`,
      );
    }
    if (!usesEmbeddedFake) {
      const sender = createSender({
        apiToken: process.env.TINGTING_API_TOKEN ?? '',
        ...(process.env.TINGTING_BASE_URL ? { baseURL: process.env.TINGTING_BASE_URL } : {}),
      });
      return {
        engine: Promise.resolve(new OTPEngine({ sender, secret, store: new MemoryStore() })),
      };
    }
    const fake = startFakeTingTing().then((server) => {
      console.log(
        `[${name}] No TINGTING_API_TOKEN: using an embedded fake TingTing at ${server.url}`,
      );
      server.outbox.subscribe((delivery) => {
        // The demo's whole point on the fake: the developer reads the code here (never do this
        // with a real provider).
        console.log(
          `[${name}] fake TingTing delivered ${delivery.channel} to ${delivery.number}: code ${delivery.otp}`,
        );
      });
      return server;
    });
    const engine = fake.then((server) => {
      const sender = createSender({ apiToken: server.apiToken, baseURL: server.url });
      return new OTPEngine({ sender, secret, store: new MemoryStore() });
    });
    return { engine, fake };
  }

  function state(): DemoState {
    global[key] ??= start();
    return global[key];
  }

  return {
    usesEmbeddedFake,
    isOutboxEnabled,
    getFakeTingTing: () => (usesEmbeddedFake ? state().fake : undefined),
    getEngine: () => state().engine,
  };
}
