/**
 * TingTing failing in every way the fake can fail, seen through the NextAuth pieces: the Web
 * send handler and the credentials provider's `authorize`, on a real OTPEngine with the real
 * TingTingClient (short timeouts).
 *
 * For each fault: the answer's status and stable code, exactly one send-OTP request at the fake
 * (never a retried send), a code delivered before the fault still signs in through `authorize`
 * while TingTing is failing (verify never calls TingTing), and no secret (API token, password,
 * cookies, codes, the engine secret) in any response or anything logged or warned.
 */

import { format } from 'node:util';
import {
  createTingTingSender,
  TingTingClient,
  type TingTingClientOptions,
} from '@tingting-auth/core';
import {
  type FakeEndpoint,
  type FakeTingTing,
  type Fault,
  startFakeTingTing,
} from '@tingting-auth/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSendHandler, TingTing, TingTingSignInError } from '../src/index.js';
import { makeEngine, SECRET } from './helpers.js';

const ORIGIN = 'http://localhost:3000';
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

interface Harness {
  /** Errors the send handler reported through `onError` (what an app would log). */
  errors: unknown[];
  send(phone: string): Promise<Response>;
  authorize(phone: string, code: string): Promise<unknown>;
  secrets(): string[];
  expectNoSecrets(): void;
}

/**
 * @param logErrors `true`: an `onError` that records and logs the whole error (with its cause
 *   chain), as an app with an error tracker does; `false`: the handler's default logger.
 */
function setup(auth: 'apiToken' | 'password', logErrors = true): Harness {
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
  const { engine } = makeEngine({ sender: createTingTingSender(client) });
  const errors: unknown[] = [];
  const handler = createSendHandler(
    engine,
    logErrors
      ? {
          onError: (error) => {
            errors.push(error);
            console.error(error);
          },
        }
      : {},
  );
  const provider = TingTing({ engine });
  const answers: string[] = [];

  const secrets = (): string[] => {
    tokens.add(fake.apiToken);
    return [
      SECRET,
      fake.account.password,
      ...[...tokens].filter((token) => token !== ''),
      ...cookies,
      ...fake.outbox.messages.map((delivery) => delivery.otp),
    ];
  };
  return {
    errors,
    async send(phone) {
      const response = await handler(
        new Request(`${ORIGIN}/api/auth/otp/send`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
          body: JSON.stringify({ phone }),
        }),
      );
      const text = await response.clone().text();
      answers.push(text, JSON.stringify([...response.headers]));
      return response;
    },
    async authorize(phone, code) {
      try {
        const user = await provider.authorize({ phone, code });
        answers.push(JSON.stringify(user));
        return user;
      } catch (error) {
        answers.push(format(error));
        throw error;
      }
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
  const response = await h.send(phone);
  expect(response.status).toBe(202);
  const delivery = fake.outbox.last(phone);
  if (delivery === undefined) throw new Error(`nothing delivered to ${phone}`);
  return delivery.otp;
}

async function expectSignIn(h: Harness, phone: string, code: string): Promise<void> {
  expect(await h.authorize(phone, code)).toEqual({ id: `+977${phone}`, phone: `+977${phone}` });
}

async function expectError(response: Response, status: number, code: string): Promise<void> {
  expect(response.status).toBe(status);
  expect(await response.json()).toEqual({ error: { code, message: expect.any(String) } });
}

/** The engine error's code, and the client error's behind a DELIVERY_FAILED. */
function causes(error: unknown): { engine: unknown; client: unknown } {
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

describe.each(FAULTS)(
  'send handler, send-OTP fault: $name',
  ({ fault, clientCode, bodyReason, outcome }) => {
    it(`answers ${outcome === 'definite' ? '502 DELIVERY_FAILED' : '503 SERVICE_UNAVAILABLE'}, sends once; authorize still signs in a delivered code`, async () => {
      const h = setup('apiToken');
      const codeA = await sendAndRead(h, A);
      const sendsBefore = hits('sendOTP');

      fake.inject('sendOTP', { ...fault, times: Number.POSITIVE_INFINITY });
      const delivered = outcome === 'unknown' ? fake.outbox.waitFor(B) : undefined;
      const failed = await h.send(B);
      if (outcome === 'definite') {
        await expectError(failed, 502, 'DELIVERY_FAILED');
      } else {
        await expectError(failed, 503, 'SERVICE_UNAVAILABLE');
        expect(failed.headers.get('retry-after')).toBe('30');
      }
      expect(causes(h.errors.at(-1))).toEqual({
        engine: outcome === 'definite' ? 'DELIVERY_FAILED' : 'UNKNOWN_OUTCOME',
        client: clientCode,
      });
      expect(bodyReasonOf(h.errors.at(-1))).toBe(bodyReason);
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
        const again = await h.send(B);
        await expectError(again, 429, 'RATE_LIMITED');
        expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
        await expectSignIn(h, B, codeB);
      }
      expect(hits('sendOTP')).toBe(sendsBefore + (outcome === 'definite' ? 2 : 1));
      expect(deliveriesTo(B)).toBe(1);
      h.expectNoSecrets();
    });
  },
);

describe('send handler and authorize, TingTing down', () => {
  it('TingTing unreachable: 502 DELIVERY_FAILED with the default logger; authorize still signs in', async () => {
    const h = setup('apiToken', false);
    const codeA = await sendAndRead(h, A);
    await fake.close();
    const failed = await h.send(B);
    await expectError(failed, 502, 'DELIVERY_FAILED');
    expect(logs).toEqual(['[tingting-auth] send failed: DeliveryFailedError DELIVERY_FAILED']);
    await expectSignIn(h, A, codeA);
    h.expectNoSecrets();
  });

  it('authorize refuses a wrong code with INVALID_CODE while TingTing is down, no secret in the error', async () => {
    const h = setup('apiToken');
    const codeA = await sendAndRead(h, A);
    await fake.close();
    const wrong = codeA === '000000' ? '111111' : '000000';
    const error = await h.authorize(A, wrong).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TingTingSignInError);
    expect(error).toMatchObject({ code: 'INVALID_CODE', message: 'INVALID_CODE' });
    await expectSignIn(h, A, codeA);
    h.expectNoSecrets();
  });
});

describe('email + password client: the session expires between calls', () => {
  it('access cookie expired and API token revoked: one refresh, a new token, one delivery', async () => {
    const h = setup('password');
    const codeA = await sendAndRead(h, A);
    const start = fake.requests.length;
    fake.expireAccessTokens();
    fake.revokeAPIToken();
    const codeB = await sendAndRead(h, B);
    expect(fake.requests.slice(start).map((entry) => `${entry.endpoint} ${entry.status}`)).toEqual([
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
    const h = setup('password');
    await sendAndRead(h, A);
    fake.expireAccessTokens();
    fake.revokeAPIToken();
    const answers = await Promise.all([B, C, D].map((phone) => h.send(phone)));
    expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202]);
    expect(hits('refresh')).toBe(1);
    expect(hits('generateAPIToken')).toBe(1);
    for (const phone of [B, C, D]) {
      expect(deliveriesTo(phone)).toBe(1);
      await expectSignIn(h, phone, fake.outbox.last(phone)!.otp);
    }
    h.expectNoSecrets();
  });

  it('the refresh fails (500): 502 DELIVERY_FAILED, no SMS, nothing retried; A still signs in', async () => {
    const h = setup('password');
    const codeA = await sendAndRead(h, A);
    fake.expireAccessTokens();
    fake.revokeAPIToken();
    fake.inject('refresh', { status: 500, times: Number.POSITIVE_INFINITY });
    const failed = await h.send(B);
    await expectError(failed, 502, 'DELIVERY_FAILED');
    expect(causes(h.errors.at(-1))).toEqual({ engine: 'DELIVERY_FAILED', client: 'API_ERROR' });
    expect(hits('refresh')).toBe(1);
    expect(hits('sendOTP')).toBe(2);
    expect(deliveriesTo(B)).toBe(0);
    await expectSignIn(h, A, codeA);
    h.expectNoSecrets();
  });
});
