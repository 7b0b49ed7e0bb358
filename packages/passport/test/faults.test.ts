/**
 * TingTing failing in every way the fake can fail, seen through the Passport strategy: the real
 * TingTingClient (short timeouts) under a real OTPEngine, on real express() apps (4 and 5) with
 * express-session and passport 0.7, over HTTP.
 *
 * The strategy hands an engine failure to Passport's `error(err)` with the typed core error; the
 * app's error handler (the README's: 502 for `DELIVERY_FAILED`, else 503) answers. For each fault:
 * that error and answer, exactly one send-OTP request at the fake (never a retried send), a code
 * delivered before the fault still signs in while TingTing is failing (verify never calls
 * TingTing), and no secret (API token, password, cookies, codes, the engine secret) in any
 * response or anything logged or warned.
 */

import { format } from 'node:util';
import {
  type FakeEndpoint,
  type FakeTingTing,
  type Fault,
  startFakeTingTing,
} from '@tingting-auth/testing';
import express5, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import express4 from 'express4';
import passport from 'passport';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createTingTingSender,
  isTingTingAuthError,
  MemoryStore,
  OTPEngine,
  Strategy,
  TingTingClient,
  type TingTingClientOptions,
} from '../src/index.js';
import { SECRET } from './helpers.js';

const SESSION_SECRET = 'passport-faults-session-secret';
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

const logs: string[] = [];
const onWarning = (warning: Error): void => {
  logs.push(format(warning));
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

interface User {
  id: string;
  phone: string;
}

interface Harness {
  /** Errors the app's error handler got. */
  errors: Error[];
  post(path: string, body: Record<string, string>): Promise<request.Response>;
  secrets(): string[];
  expectNoSecrets(): void;
}

/** @param handleErrors `false`: no error handler, Express's default answers. */
function setup(express: Express, auth: 'apiToken' | 'password', handleErrors = true): Harness {
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
  const users = new Map<string, User>();
  const authenticator = new passport.Passport();
  authenticator.use(
    new Strategy({ engine }, async (phone): Promise<User> => {
      const user = users.get(phone) ?? { id: phone, phone };
      users.set(phone, user);
      return user;
    }),
  );
  authenticator.serializeUser((user, done) => done(null, (user as User).id));
  authenticator.deserializeUser((id: string, done) => done(null, users.get(id) ?? false));

  const app = express();
  app.use(express.json());
  app.use(session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }));
  app.use(authenticator.session());
  app.post(
    '/auth/send',
    authenticator.authenticate('tingting', { tingtingAction: 'send' }),
    (req, res) => {
      res.status(202).json(req.tingtingSent);
    },
  );
  app.post('/auth/verify', authenticator.authenticate('tingting'), (req, res) => {
    res.json({ user: req.user });
  });
  const errors: Error[] = [];
  if (handleErrors) {
    // The README's handler: log the typed error, answer its code.
    app.use((error: Error, _req: Request, res: Response, next: NextFunction) => {
      errors.push(error);
      if (!isTingTingAuthError(error)) return next(error);
      console.error(error);
      res
        .status(error.code === 'DELIVERY_FAILED' ? 502 : 503)
        .json({ error: { code: error.code } });
    });
  }
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
  expect(response.body).toEqual({ user: { id: `+977${phone}`, phone: `+977${phone}` } });
}

/** The error the strategy gave Passport, and the client error behind a DELIVERY_FAILED. */
function causes(error: Error | undefined): { engine: unknown; client: unknown } {
  const engine = error as { code?: unknown; cause?: { code?: unknown } } | undefined;
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
  clientCode: string;
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
])('%s + passport, TingTing failing', (_name, express) => {
  describe.each(FAULTS)('send-OTP fault: $name', ({ fault, clientCode, bodyReason, outcome }) => {
    it(`error(${outcome === 'definite' ? 'DeliveryFailedError' : 'UNKNOWN_OUTCOME'}), sent once; a delivered code still signs in`, async () => {
      const h = setup(express, 'apiToken');
      const codeA = await sendAndRead(h, A);
      const sendsBefore = hits('sendOTP');

      fake.inject('sendOTP', { ...fault, times: Number.POSITIVE_INFINITY });
      const delivered = outcome === 'unknown' ? fake.outbox.waitFor(B) : undefined;
      const failed = await h.post('/auth/send', { phone: B });
      const code = outcome === 'definite' ? 'DELIVERY_FAILED' : 'UNKNOWN_OUTCOME';
      expect(failed.status).toBe(outcome === 'definite' ? 502 : 503);
      expect(failed.body).toEqual({ error: { code } });
      expect(h.errors).toHaveLength(1);
      expect(causes(h.errors[0])).toEqual({ engine: code, client: clientCode });
      expect(bodyReasonOf(h.errors[0])).toBe(bodyReason);
      // The fake logs a request once it has answered (a delayed one, later): wait for it.
      await vi.waitFor(() => expect(hits('sendOTP')).toBe(sendsBefore + 1));
      expect(fake.redirectedRequests).toEqual([]);

      const requestsBefore = fake.requests.length;
      await expectSignIn(h, A, codeA);
      expect(fake.requests.length).toBe(requestsBefore);

      fake.clearFaults();
      if (outcome === 'definite') {
        expect(deliveriesTo(B)).toBe(0);
        const codeB = await sendAndRead(h, B);
        await expectSignIn(h, B, codeB);
      } else {
        const codeB = (await delivered!).otp;
        const again = await h.post('/auth/send', { phone: B });
        // The cooldown holds (no second SMS sent blindly): fail(RATE_LIMITED, 429) with Retry-After.
        expect(again.status).toBe(429);
        expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
        await expectSignIn(h, B, codeB);
      }
      expect(hits('sendOTP')).toBe(sendsBefore + (outcome === 'definite' ? 2 : 1));
      expect(deliveriesTo(B)).toBe(1);
      h.expectNoSecrets();
    });
  });

  it('TingTing unreachable (connection refused): error(DeliveryFailedError); delivered codes still sign in', async () => {
    const h = setup(express, 'apiToken');
    const codeA = await sendAndRead(h, A);
    await fake.close();
    const failed = await h.post('/auth/send', { phone: B });
    expect(failed.status).toBe(502);
    expect(causes(h.errors[0])).toEqual({ engine: 'DELIVERY_FAILED', client: 'TRANSPORT_ERROR' });
    await expectSignIn(h, A, codeA);
    h.expectNoSecrets();
  });

  it("without an app error handler, Express's default page carries no secret", async () => {
    const h = setup(express, 'apiToken', false);
    await sendAndRead(h, A);
    fake.inject('sendOTP', { status: 500 });
    const failed = await h.post('/auth/send', { phone: B });
    // Passport's error(err) is next(err): with no handler Express answers 500 (err has no status).
    expect(failed.status).toBe(500);
    h.expectNoSecrets();
  });

  describe('email + password client: the session expires between calls', () => {
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
        'sendOTP 401',
        'getAPIToken 401',
        'refresh 200',
        'getAPIToken 200',
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
      for (const phone of [B, C, D]) {
        expect(deliveriesTo(phone)).toBe(1);
        await expectSignIn(h, phone, fake.outbox.last(phone)!.otp);
      }
      h.expectNoSecrets();
    });

    it('the refresh fails (500): error(DeliveryFailedError), no SMS, nothing retried; A still signs in', async () => {
      const h = setup(express, 'password');
      const codeA = await sendAndRead(h, A);
      fake.expireAccessTokens();
      fake.revokeAPIToken();
      fake.inject('refresh', { status: 500, times: Number.POSITIVE_INFINITY });
      const failed = await h.post('/auth/send', { phone: B });
      expect(failed.status).toBe(502);
      expect(causes(h.errors[0])).toEqual({ engine: 'DELIVERY_FAILED', client: 'API_ERROR' });
      expect(hits('refresh')).toBe(1);
      expect(hits('sendOTP')).toBe(2);
      expect(deliveriesTo(B)).toBe(0);
      await expectSignIn(h, A, codeA);
      h.expectNoSecrets();
    });
  });
});
