/**
 * TingTing failing in every way the fake can fail, seen through the Express router: the real
 * TingTingClient (short timeouts) under a real OTPEngine, on real express() apps (4 and 5).
 *
 * For each fault: the answer's status and stable code, the engine error behind it, exactly one
 * send-OTP request at the fake (never a retried send), a code delivered before the fault still
 * signs in while TingTing is failing (verify never calls TingTing), and no secret (API token,
 * password, cookies, codes, the engine secret) in any response or in anything logged or warned.
 */

import { format } from 'node:util';
import {
  createTingTingSender,
  MemoryStore,
  OTPEngine,
  TingTingClient,
  type TingTingClientOptions,
} from '@tingting-auth/core';
import {
  type FakeEndpoint,
  type FakeTingTing,
  type Fault,
  startFakeTingTing,
} from '@tingting-auth/testing';
import express5 from 'express';
import session from 'express-session';
import express4 from 'express4';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTingTingAuth } from '../src/index.js';

const SECRET = 'express-faults-test-secret-0123456789abcdef';
const SESSION_SECRET = 'express-faults-session-secret';
const A = '9812345678';
const B = '9812345679';
const C = '9841234567';
const D = '9851234567';

/** Short limits: a fault must end the request in well under a second, never hang it. */
const CLIENT_OPTIONS: Partial<TingTingClientOptions> = {
  connectTimeoutInMilliseconds: 300,
  timeoutInMilliseconds: 800,
  maxRetries: 1,
  retryBaseDelayInMilliseconds: 5,
  retryMaxDelayInMilliseconds: 50,
};

// --- capture of everything the app says: console, process warnings, responses -----------------

const logs: string[] = [];
const onWarning = (warning: Error): void => {
  logs.push(format(warning), String((warning as { code?: unknown }).code ?? ''));
};
beforeEach(() => {
  logs.length = 0;
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logs.push(format(...args));
    });
  }
  process.on('warning', onWarning);
});
afterEach(() => {
  process.off('warning', onWarning);
  vi.restoreAllMocks();
});

let fake: FakeTingTing;
beforeEach(async () => {
  fake = await startFakeTingTing();
});
afterEach(() => fake.close());

type Express = typeof express5;

interface Harness {
  agent: ReturnType<typeof request.agent>;
  /** Errors the app's error-logging middleware saw (what an app would log). */
  errors: Error[];
  post(path: string, body: Record<string, string>): Promise<request.Response>;
  /** Every secret this run has touched. */
  secrets(): string[];
  /** Fails when any secret shows in a response, a log line or a warning. */
  expectNoSecrets(): void;
}

function setup(express: Express, auth: 'apiToken' | 'password'): Harness {
  const cookies = new Set<string>();
  const tokens = new Set<string>([fake.apiToken]);
  // The real fetch, watched for the session cookies TingTing sets (so the test knows them).
  const watchingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    for (const cookie of response.headers.getSetCookie()) {
      const value = cookie.split(';')[0]!.split('=').slice(1).join('=');
      if (value !== '') cookies.add(value);
    }
    return response;
  };
  const client = new TingTingClient({
    ...(auth === 'apiToken'
      ? { apiToken: fake.apiToken }
      : { email: fake.account.email, password: fake.account.password }),
    baseURL: fake.url,
    fetch: watchingFetch,
    ...CLIENT_OPTIONS,
  });
  const engine = new OTPEngine({
    sender: createTingTingSender(client),
    secret: SECRET,
    store: new MemoryStore(),
  });
  const tingting = createTingTingAuth(engine);
  const app = express();
  app.use(session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }));
  app.use('/auth', tingting.router);
  const errors: Error[] = [];
  // What apps do: log the error with its cause chain, then let the renderer answer.
  app.use((error: Error, _req: unknown, _res: unknown, next: (error?: unknown) => void): void => {
    errors.push(error);
    console.error(error);
    next(error);
  });
  app.use(tingting.errorHandler);
  const agent = request.agent(app);
  const answers: string[] = [];

  const secrets = (): string[] => {
    tokens.add(fake.apiToken);
    return [
      SECRET,
      SESSION_SECRET,
      fake.account.password,
      ...[...tokens].filter((token) => token !== ''),
      ...cookies,
      ...fake.outbox.messages.map((delivery) => delivery.otp),
    ];
  };
  return {
    agent,
    errors,
    async post(path, body) {
      const response = await agent.post(path).send(body);
      const { 'set-cookie': _sessionCookie, ...headers } = response.headers;
      answers.push(response.text, JSON.stringify(headers));
      return response;
    },
    secrets,
    expectNoSecrets() {
      const texts = [...answers, ...logs, ...errors.map((error) => format(error))];
      expect(texts.length).toBeGreaterThan(0);
      for (const secret of secrets()) {
        // Codes are digits: match them whole, not inside a longer number.
        const pattern = new RegExp(`(?<![0-9])${secret.replace(/[^\w]/g, '\\$&')}(?![0-9])`);
        for (const text of texts) expect(text).not.toMatch(pattern);
      }
    },
  };
}

function hits(endpoint: FakeEndpoint): number {
  return fake.requests.filter((entry) => entry.endpoint === endpoint).length;
}

function deliveriesTo(number: string): number {
  return fake.outbox.messages.filter((delivery) => delivery.number === number).length;
}

/** Sends a code through the router and reads it from the fake's outbox, as the phone would. */
async function sendAndRead(h: Harness, phone: string): Promise<string> {
  const response = await h.post('/auth/send', { phone });
  expect(response.status).toBe(202);
  const delivery = fake.outbox.last(phone);
  if (delivery === undefined) throw new Error(`nothing delivered to ${phone}`);
  return delivery.otp;
}

async function expectSignIn(h: Harness, phone: string, code: string): Promise<void> {
  const response = await h.post('/auth/verify', { phone, code });
  expect(response.status).toBe(200);
  expect(response.body).toEqual({ phone: `+977${phone}`, verifiedAt: expect.any(String) });
}

function expectError(response: request.Response, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.body).toEqual({ error: { code, message: expect.any(String) } });
}

/** The engine error behind the HTTP answer, and the client error behind that. */
function causes(error: Error | undefined): { engine: unknown; client: unknown } {
  const engine = (error as { cause?: { code?: unknown; cause?: { code?: unknown } } } | undefined)
    ?.cause;
  return {
    engine: engine?.code,
    client: engine?.code === 'DELIVERY_FAILED' ? engine.cause?.code : engine?.code,
  };
}

/** The `reason` of the body error behind an unknown outcome (a garbled 2xx), else undefined. */
function bodyReasonOf(engine: unknown): unknown {
  const error = engine as { code?: unknown; cause?: { reason?: unknown } } | undefined;
  return error?.code === 'UNKNOWN_OUTCOME' ? error.cause?.reason : undefined;
}

interface FaultCase {
  name: string;
  fault: Fault;
  /** Code of the TingTing client's error. */
  clientCode: string;
  /** `definite`: nothing was sent, the send is undone. `unknown`: the SMS may have gone out. */
  /** For a garbled 2xx: the `reason` of the body error behind the unknown outcome. */
  bodyReason?: string;
  outcome: 'definite' | 'unknown';
}

const FAULTS: FaultCase[] = [
  {
    name: '500 with a JSON error body',
    fault: { status: 500, body: { detail: 'A server error occurred.' } },
    clientCode: 'API_ERROR',
    outcome: 'definite',
  },
  {
    name: '502 with a proxy HTML page',
    fault: { kind: 'html', status: 502 },
    clientCode: 'UNEXPECTED_STATUS',
    outcome: 'definite',
  },
  {
    name: '429 with Retry-After',
    fault: {
      status: 429,
      body: { detail: 'Request was throttled.' },
      headers: { 'retry-after': '7' },
    },
    clientCode: 'RATE_LIMITED',
    outcome: 'definite',
  },
  // A 2xx means TingTing accepted the send (the fake does the work first): however garbled the
  // body, the SMS most likely went out, so these are unknown outcomes, not definite failures.
  {
    name: 'garbage 200 (truncated JSON) after the SMS went out',
    fault: { kind: 'malformed-json', afterWork: true },
    clientCode: 'UNKNOWN_OUTCOME',
    bodyReason: 'not-json',
    outcome: 'unknown',
  },
  {
    name: 'HTML 200 after the SMS went out',
    fault: { kind: 'html', afterWork: true },
    clientCode: 'UNKNOWN_OUTCOME',
    bodyReason: 'not-json',
    outcome: 'unknown',
  },
  {
    name: '200 of the wrong shape after the SMS went out',
    fault: {
      status: 200,
      body: { status: 200, success: true, message: 'OTP Sent Successfully.', data: {} },
      afterWork: true,
    },
    clientCode: 'UNKNOWN_OUTCOME',
    bodyReason: 'wrong-shape',
    outcome: 'unknown',
  },
  {
    name: 'oversized 200 body (10 MiB) after the SMS went out',
    fault: { kind: 'oversized', afterWork: true },
    clientCode: 'UNKNOWN_OUTCOME',
    bodyReason: 'too-large',
    outcome: 'unknown',
  },
  {
    name: 'cross-origin redirect',
    fault: { kind: 'redirect' },
    clientCode: 'UNEXPECTED_STATUS',
    outcome: 'definite',
  },
  {
    name: 'no answer within the timeout',
    fault: { delayInMilliseconds: 1_200 },
    clientCode: 'UNKNOWN_OUTCOME',
    outcome: 'unknown',
  },
  {
    name: 'connection reset after the request was read',
    fault: { kind: 'reset' },
    clientCode: 'UNKNOWN_OUTCOME',
    outcome: 'unknown',
  },
];

describe.each([
  ['Express 5', express5],
  ['Express 4', express4 as unknown as Express],
])('%s router, TingTing failing', (_name, express) => {
  describe.each(FAULTS)('send-OTP fault: $name', ({ fault, clientCode, bodyReason, outcome }) => {
    it(`answers ${outcome === 'definite' ? '502 DELIVERY_FAILED' : '503 SERVICE_UNAVAILABLE'}, sends once, and a code already delivered still signs in`, async () => {
      const h = setup(express, 'apiToken');
      const codeA = await sendAndRead(h, A);
      const sendsBefore = hits('sendOTP');

      // TingTing stays broken until clearFaults(): every send-OTP call meets the fault.
      fake.inject('sendOTP', { ...fault, times: Number.POSITIVE_INFINITY });
      const delivered = outcome === 'unknown' ? fake.outbox.waitFor(B) : undefined;
      const failed = await h.post('/auth/send', { phone: B });
      if (outcome === 'definite') expectError(failed, 502, 'DELIVERY_FAILED');
      else expectError(failed, 503, 'SERVICE_UNAVAILABLE');
      expect(causes(h.errors.at(-1))).toEqual({
        engine: outcome === 'definite' ? 'DELIVERY_FAILED' : 'UNKNOWN_OUTCOME',
        client: clientCode,
      });
      expect(bodyReasonOf(h.errors.at(-1)?.cause)).toBe(bodyReason);
      // The fake logs a request once it has answered (a delayed one, later): wait for it.
      await vi.waitFor(() => expect(hits('sendOTP')).toBe(sendsBefore + 1));
      expect(fake.redirectedRequests).toEqual([]);

      // Verify needs no TingTing: A's code signs in while every send still fails.
      const requestsBefore = fake.requests.length;
      await expectSignIn(h, A, codeA);
      expect(fake.requests.length).toBe(requestsBefore);

      fake.clearFaults();
      if (outcome === 'definite') {
        // Nothing went out and the send was undone: the user may ask again at once.
        expect(deliveriesTo(B)).toBe(0);
        const codeB = await sendAndRead(h, B);
        await expectSignIn(h, B, codeB);
      } else {
        // The SMS did go out (the fake did the work): its code works, and the cooldown holds,
        // so no second SMS is sent blindly.
        const codeB = (await delivered!).otp;
        const again = await h.post('/auth/send', { phone: B });
        expectError(again, 429, 'RATE_LIMITED');
        expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
        await expectSignIn(h, B, codeB);
      }
      expect(hits('sendOTP')).toBe(sendsBefore + (outcome === 'definite' ? 2 : 1));
      expect(deliveriesTo(B)).toBe(1);
      h.expectNoSecrets();
    });
  });

  it('TingTing unreachable (connection refused): 502 DELIVERY_FAILED, and delivered codes still sign in', async () => {
    const h = setup(express, 'apiToken');
    const codeA = await sendAndRead(h, A);
    const secrets = h.secrets();
    await fake.close();
    const failed = await h.post('/auth/send', { phone: B });
    expectError(failed, 502, 'DELIVERY_FAILED');
    expect(causes(h.errors.at(-1))).toEqual({
      engine: 'DELIVERY_FAILED',
      client: 'TRANSPORT_ERROR',
    });
    await expectSignIn(h, A, codeA);
    for (const secret of secrets) expect(logs.join('\n')).not.toContain(secret);
    h.expectNoSecrets();
  });

  it('a revoked API token (token-only client): 502 DELIVERY_FAILED, one request, nothing retried', async () => {
    const h = setup(express, 'apiToken');
    const codeA = await sendAndRead(h, A);
    const revoked = fake.apiToken;
    fake.revokeAPIToken();
    const failed = await h.post('/auth/send', { phone: B });
    expectError(failed, 502, 'DELIVERY_FAILED');
    expect(causes(h.errors.at(-1))).toEqual({
      engine: 'DELIVERY_FAILED',
      client: 'AUTHENTICATION_ERROR',
    });
    expect(hits('sendOTP')).toBe(2);
    await expectSignIn(h, A, codeA);
    expect(h.secrets()).not.toContain(fake.apiToken); // no token now
    expect(format(h.errors.at(-1))).not.toContain(revoked);
    h.expectNoSecrets();
  });

  describe('email + password client: the session expires between calls', () => {
    it('access cookie expired, API token still valid: no refresh needed, one send', async () => {
      const h = setup(express, 'password');
      await sendAndRead(h, A);
      fake.expireAccessTokens();
      const codeB = await sendAndRead(h, B);
      await expectSignIn(h, B, codeB);
      expect(hits('refresh')).toBe(0);
      expect(hits('login')).toBe(1);
      expect(hits('sendOTP')).toBe(2);
      h.expectNoSecrets();
    });

    it('access cookie expired and API token revoked: one refresh, a new token, one delivery', async () => {
      const h = setup(express, 'password');
      const codeA = await sendAndRead(h, A);
      const start = fake.requests.length;
      fake.expireAccessTokens();
      fake.revokeAPIToken();
      const codeB = await sendAndRead(h, B);
      expect(
        fake.requests.slice(start).map((entry) => `${entry.endpoint} ${entry.status}`),
      ).toEqual([
        'sendOTP 401', // the revoked token: TingTing did nothing
        'getAPIToken 401', // the expired access cookie
        'refresh 200',
        'getAPIToken 200', // "No API token found"
        'generateAPIToken 200',
        'sendOTP 200',
      ]);
      expect(deliveriesTo(B)).toBe(1);
      expect(hits('login')).toBe(1);
      await expectSignIn(h, A, codeA);
      await expectSignIn(h, B, codeB);
      h.expectNoSecrets();
    });

    it('three concurrent sends meet the expiry: one refresh, one new token, one SMS each', async () => {
      const h = setup(express, 'password');
      await sendAndRead(h, A);
      fake.expireAccessTokens();
      fake.revokeAPIToken();
      const answers = await Promise.all([B, C, D].map((phone) => h.post('/auth/send', { phone })));
      expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202]);
      expect(hits('refresh')).toBe(1);
      expect(hits('generateAPIToken')).toBe(1);
      expect(hits('login')).toBe(1);
      for (const phone of [B, C, D]) {
        expect(deliveriesTo(phone)).toBe(1);
        await expectSignIn(h, phone, fake.outbox.last(phone)!.otp);
      }
      h.expectNoSecrets();
    });

    it('the refresh itself fails (500): 502 DELIVERY_FAILED, no SMS, nothing retried; A still signs in', async () => {
      const h = setup(express, 'password');
      const codeA = await sendAndRead(h, A);
      fake.expireAccessTokens();
      fake.revokeAPIToken();
      fake.inject('refresh', { status: 500, times: Number.POSITIVE_INFINITY });
      const failed = await h.post('/auth/send', { phone: B });
      expectError(failed, 502, 'DELIVERY_FAILED');
      expect(causes(h.errors.at(-1))).toEqual({ engine: 'DELIVERY_FAILED', client: 'API_ERROR' });
      expect(hits('refresh')).toBe(1);
      expect(hits('sendOTP')).toBe(2); // A's, and B's refused with the revoked token
      expect(deliveriesTo(B)).toBe(0);
      await expectSignIn(h, A, codeA);
      fake.clearFaults();
      const codeB = await sendAndRead(h, B);
      await expectSignIn(h, B, codeB);
      expect(deliveriesTo(B)).toBe(1);
      h.expectNoSecrets();
    });

    it('the refresh hangs: 502 DELIVERY_FAILED once the client times out, never a hang', async () => {
      const h = setup(express, 'password');
      const codeA = await sendAndRead(h, A);
      fake.expireAccessTokens();
      fake.revokeAPIToken();
      fake.inject('refresh', { delayInMilliseconds: 5_000 });
      const failed = await h.post('/auth/send', { phone: B });
      // A refresh is not a send: its timeout is a definite failure of this send (nothing sent).
      expectError(failed, 502, 'DELIVERY_FAILED');
      expect(causes(h.errors.at(-1))).toEqual({ engine: 'DELIVERY_FAILED', client: 'TIMEOUT' });
      expect(deliveriesTo(B)).toBe(0);
      await expectSignIn(h, A, codeA);
      h.expectNoSecrets();
    });
  });
});
