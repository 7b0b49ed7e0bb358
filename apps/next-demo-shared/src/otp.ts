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

/**
 * Credits the embedded fake starts with, and tops each kind back up to when a delivery leaves
 * fewer than {@link DEMO_CREDITS_FLOOR}: trying the demo for a while never runs it dry (the fake's
 * own default, 100, ran out after 100 texts and every send failed until a restart).
 */
export const DEMO_CREDITS = 10_000;
/** Below this many credits of a kind, the embedded fake is topped up to {@link DEMO_CREDITS}. */
export const DEMO_CREDITS_FLOOR = 1_000;

/** Top `fake`'s credits up to {@link DEMO_CREDITS} whenever a delivery leaves fewer than the floor. */
export function keepCreditsTopped(fake: FakeTingTing): void {
  fake.outbox.subscribe(() => {
    const { sms, phone } = fake.credits;
    if (sms < DEMO_CREDITS_FLOOR) fake.setCredits({ sms: DEMO_CREDITS });
    if (phone < DEMO_CREDITS_FLOOR) fake.setCredits({ phone: DEMO_CREDITS });
  });
}

/**
 * The demo's own origin, for the engine's `webOTPOrigin` (one-tap code entry: texts end with
 * `@host #<code>`): `PUBLIC_URL`, else next-auth's `AUTH_URL` / `NEXTAUTH_URL`, else
 * `http://localhost:<PORT>` (`next start`'s default 3000). The line names the host only.
 */
export function demoOrigin(env: NodeJS.ProcessEnv = process.env): string {
  const url =
    env.PUBLIC_URL || env.AUTH_URL || env.NEXTAUTH_URL || `http://localhost:${env.PORT ?? 3000}`;
  // AUTH_URL may carry next-auth's base path (`…/api/auth`): the origin alone is bound.
  return URL.canParse(url) ? new URL(url).origin : url;
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
        engine: Promise.resolve(
          new OTPEngine({ sender, secret, store: new MemoryStore(), webOTPOrigin: demoOrigin() }),
        ),
      };
    }
    const fake = startFakeTingTing({
      credits: { sms: DEMO_CREDITS, phone: DEMO_CREDITS },
    }).then((server) => {
      keepCreditsTopped(server);
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
      // Browser tests sign one number in from several devices in a row (the session list).
      const cooldown = Number(process.env.TINGTING_DEMO_RESEND_COOLDOWN_IN_SECONDS);
      return new OTPEngine({
        sender,
        secret,
        store: new MemoryStore(),
        ...(Number.isSafeInteger(cooldown) && cooldown >= 0
          ? { policy: { resendCooldownInSeconds: cooldown } }
          : {}),
        // One-tap code entry: texts end with `@<host> #<code>` for this demo's origin.
        webOTPOrigin: demoOrigin(),
      });
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
