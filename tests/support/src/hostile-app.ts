/**
 * The Node HTTP app side of the hostile-input tests for Express and Passport: the fake TingTing
 * and the client a test file shares, the engine under test (it records what was delivered and
 * what was spent), the app's own body parsers and last error handler, and the pending challenge
 * every run must leave alone. How the adapter is mounted is for each test file.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createTingTingSender,
  MemoryStore,
  type OTPDelivery,
  OTPEngine,
  TingTingClient,
} from '@tingting-auth/core';
import { type FakeTingTing, startFakeTingTing } from '@tingting-auth/testing';
import { afterAll, beforeAll, expect } from 'vitest';
import { MAX_ATTEMPTS_PER_CODE } from './hostile.js';
import { type Answer, type HTTPClient, httpClient } from './hostile-requests.js';

/** The number with the pending challenge, and its E.164 form. */
export const KNOWN = '9812345678';
export const KNOWN_E164 = '+9779812345678';
/** With two more digits, valid mobiles other than {@link KNOWN} (`fieldValues`' `poolPrefix`). */
export const POOL_PREFIX = '98412345';
/** The engine's HMAC secret and the app's session secret: neither may show in an answer. */
const ENGINE_SECRET = 'hostile-input-hmac-secret-0123456789abcdef';
export const SESSION_SECRET = 'hostile-input-session-secret-2fa9c0';

/** What {@link hostileHarness} returns. */
export interface HostileHarness {
  /** The one client of the test file. */
  client: HTTPClient;
  /** The fake TingTing (from `beforeAll` on). */
  readonly fake: FakeTingTing;
  /**
   * Serves `app` on a free port of 127.0.0.1 and makes the pending challenge every run must leave
   * alone: a code sent to {@link KNOWN} through `POST /auth/send` (a 202), as the phone got it
   * (the last of `deliveries`).
   */
  serve(app: http.RequestListener, deliveries: readonly OTPDelivery[]): Promise<ServedApp>;
}

/** An app {@link HostileHarness.serve} serves, with its pending challenge. */
export interface ServedApp {
  port: number;
  close: () => Promise<void>;
  /** The pending code. */
  rightCode: string;
  /**
   * What no answer may show: the pending code, the fake's API token, the engine's and the
   * session's secrets.
   */
  secrets: string[];
}

/**
 * Starts the fake TingTing before the test file's tests and closes it and the client after. Call
 * it at the top of the file.
 */
export function hostileHarness(): HostileHarness {
  const client = httpClient();
  let fake: FakeTingTing | undefined;
  beforeAll(async () => {
    // Enough credits for every accepted random send of every run: an empty account would be an
    // infrastructure fault (502), not the input's doing.
    fake = await startFakeTingTing({ credits: { sms: 1_000_000, phone: 1_000_000 } });
  });
  afterAll(async () => {
    client.close();
    await fake?.close();
  });
  const started = (): FakeTingTing => {
    if (fake === undefined) throw new Error('the fake TingTing starts in beforeAll');
    return fake;
  };
  return {
    client,
    get fake() {
      return started();
    },
    async serve(app, deliveries) {
      const { port, close } = await listen(app);
      const sent: Answer = await client.postJSON(port, '/auth/send', { phone: KNOWN });
      expect(sent.status).toBe(202);
      const rightCode = deliveries.at(-1)?.code ?? '';
      expect(rightCode).toMatch(/^[0-9]{6}$/);
      const secrets = [rightCode, started().apiToken, ENGINE_SECRET, SESSION_SECRET];
      return { port, close, rightCode, secrets };
    },
  };
}

/**
 * A real engine that sends through the TingTing client to `fake`, and records every delivery and
 * every attempt spent on {@link KNOWN}. Its limits are generous where accepted random sends would
 * otherwise starve later runs; the resend cooldown stays, so a random send to the known number
 * cannot replace its pending code.
 */
export function hostileEngine(fake: FakeTingTing): {
  engine: OTPEngine;
  deliveries: OTPDelivery[];
  spent: string[];
} {
  const deliveries: OTPDelivery[] = [];
  const deliver = createTingTingSender(
    new TingTingClient({ apiToken: fake.apiToken, baseURL: fake.url }),
  );
  const engine = new OTPEngine({
    secret: ENGINE_SECRET,
    store: new MemoryStore(),
    sender: async (delivery) => {
      deliveries.push(delivery);
      return deliver(delivery);
    },
    policy: {
      maxSendsPerIP: Number.POSITIVE_INFINITY,
      sendBudget: Number.POSITIVE_INFINITY,
      maxAttemptsPerCode: MAX_ATTEMPTS_PER_CODE,
    },
  });
  const spent: string[] = [];
  engine.on('failed', (event) => {
    if (event.phone === KNOWN_E164) spent.push(event.detail);
  });
  return { engine, deliveries, spent };
}

type Next = (error?: unknown) => void;

/**
 * One of the app's own body parsers (`express.json()`, `express.urlencoded()`), its refusals
 * marked so that {@link appErrorHandler} can tell them from anything of the adapter's.
 */
export function appParser<Req, Res>(
  parser: (req: Req, res: Res, next: Next) => void,
): (req: Req, res: Res, next: Next) => void {
  return (req, res, next) => {
    parser(req, res, (error?: unknown) => {
      if (error !== undefined && error !== null) Object.assign(error, { fromAppParser: true });
      next(error);
    });
  };
}

/**
 * The app's own last error handler: its body parsers' refusals keep their 4xx; anything else
 * that reaches it (an error the adapter should have answered, a throw) is a 500, which fails the
 * property.
 */
export function appErrorHandler(
  error: { status?: unknown; fromAppParser?: unknown; name?: unknown },
  _req: unknown,
  res: { status(n: number): { json(b: unknown): void } },
  _next: unknown,
): void {
  const status = Number(error?.status);
  if (error?.fromAppParser === true && status >= 400 && status < 500) {
    res.status(status).json({ appParser: status });
    return;
  }
  res.status(500).json({ unexpected: String(error?.name) });
}

/**
 * Property 5 for one answer: none of `secrets` in it, headers included. A secret counts anywhere,
 * even inside a longer run of digits.
 */
export function expectNoSecret(what: string, answer: Answer, secrets: readonly string[]): void {
  for (const secret of secrets) {
    expect(
      answer.text.includes(secret) || answer.head.includes(secret),
      `${what}: a secret leaked`,
    ).toBe(false);
  }
}

/** Serves `app` on a free port of 127.0.0.1. */
async function listen(
  app: http.RequestListener,
): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
