/**
 * TingTing failing in every way the fake can fail, for the adapters' fault tests: the fault
 * table, the fake with a watched real TingTingClient, console capture, and the checks every
 * adapter must pass (exactly one send-OTP request per fault, never a retried send; a code
 * delivered before the fault still signs in while TingTing is down, since verify never calls
 * TingTing; no secret in anything the app answered, logged or warned).
 *
 * Each adapter's test builds its real app on {@link FaultRig.fake} and hands the checks a
 * {@link FaultApp}: how to send, how to sign in, which errors it reported, what it answers.
 */

import { format } from 'node:util';
import { TingTingClient, type TingTingClientOptions } from '@tingting-auth/core';
import {
  DELIVERY_UNKNOWN_MESSAGE,
  PUBLIC_ERROR_MESSAGES,
  type PublicErrorCode,
} from '@tingting-auth/core/public-errors';
import {
  type FakeEndpoint,
  type FakeTingTing,
  type Fault,
  startFakeTingTing,
} from '@tingting-auth/testing';
import { afterEach, beforeEach, expect, vi } from 'vitest';
import { secretsIn } from './secrets.js';

/** Four national numbers the checks send to: A signs in before the fault, B meets it. */
export const PHONES = ['9812345678', '9812345679', '9841234567', '9851234567'] as const;
const [A, B, C, D] = PHONES;

/**
 * Short limits: a fault must end the request in seconds, never hang it. Not shorter: on a loaded
 * 2-core CI machine a loopback answer can take most of a second, and a client timeout that fires
 * before a fault's answer turns one fault case into another (a flaky test).
 */
export const FAULT_CLIENT_OPTIONS: Partial<TingTingClientOptions> = {
  connectTimeoutInMilliseconds: 1_000,
  timeoutInMilliseconds: 2_000,
  maxRetries: 1,
  retryBaseDelayInMilliseconds: 5,
  retryMaxDelayInMilliseconds: 50,
};

/** One way the send-OTP endpoint fails, and what the client makes of it. */
export interface FaultCase {
  name: string;
  fault: Fault;
  /** Code of the TingTing client's error. */
  clientCode: string;
  /** For a garbled 2xx: the `reason` of the body error behind the unknown outcome. */
  bodyReason?: string;
  /** `definite`: nothing was sent, the send is undone. `unknown`: the SMS may have gone out. */
  outcome: 'definite' | 'unknown';
}

/** Every send-OTP fault the fake can produce. */
export const SEND_FAULTS: readonly FaultCase[] = [
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
    clientCode: 'TINGTING_RATE_LIMITED',
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
    fault: { delayInMilliseconds: 2_500 },
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

/** A fresh fake TingTing for each test, and everything the test's code logged or warned. */
export interface FaultRig {
  /** This test's fake (started before each test, closed after). */
  readonly fake: FakeTingTing;
  /** console.log/info/warn/error/debug lines and process warnings of this test, formatted. */
  readonly logs: string[];
}

/**
 * Registers the hooks (call at the top of a test file): before each test a new fake, console
 * captured (and silenced) and process warnings recorded; after it, all undone.
 */
export function registerFaultRig(): FaultRig {
  const logs: string[] = [];
  let fake: FakeTingTing | undefined;
  const onWarning = (warning: Error): void => {
    const { code } = warning as { code?: unknown };
    logs.push(format(warning), ...(code === undefined ? [] : [String(code)]));
  };
  beforeEach(async () => {
    logs.length = 0;
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        logs.push(format(...args));
      });
    }
    process.on('warning', onWarning);
    fake = await startFakeTingTing();
  });
  afterEach(async () => {
    process.off('warning', onWarning);
    vi.restoreAllMocks();
    await fake?.close();
    fake = undefined;
  });
  return {
    get fake(): FakeTingTing {
      if (fake === undefined) throw new Error('the fake runs only inside a test');
      return fake;
    },
    logs,
  };
}

/** A real TingTingClient on the fake, and every secret it has touched. */
export interface FaultClient {
  client: TingTingClient;
  /** The account password, every API token seen, TingTing's session cookies, delivered codes. */
  secrets(): string[];
}

/**
 * A real TingTingClient on `fake` with {@link FAULT_CLIENT_OPTIONS}, signed in by API token or by
 * email + password, over the real fetch watched for the session cookies TingTing sets (so the
 * secret checks know them).
 */
export function faultClient(fake: FakeTingTing, auth: 'apiToken' | 'password'): FaultClient {
  const cookies = new Set<string>();
  const tokens = new Set<string>([fake.apiToken]);
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
    ...FAULT_CLIENT_OPTIONS,
  });
  return {
    client,
    secrets() {
      tokens.add(fake.apiToken);
      return [
        fake.account.password,
        ...[...tokens].filter((token) => token !== ''),
        ...cookies,
        ...fake.outbox.messages.map((delivery) => delivery.otp),
      ];
    },
  };
}

/** Fails when any of `secrets` shows in any of `texts` (and when there is nothing to look at). */
export function expectNoSecretsIn(texts: readonly string[], secrets: readonly string[]): void {
  expect(texts.length).toBeGreaterThan(0);
  for (const text of texts) expect(secretsIn(text, secrets)).toEqual([]);
}

/** An app's answer to a send, whatever the framework. */
export interface Answer {
  status: number;
  body: unknown;
  retryAfter: string | null;
}

/** What an app must answer; `body` and `retryAfter` are checked only when given. */
export interface ExpectedAnswer {
  status: number;
  body?: unknown;
  retryAfter?: string;
}

/** One adapter's app, built on a {@link FaultRig}'s fake, as the shared checks drive it. */
export interface FaultApp {
  fake: FakeTingTing;
  /** What the app answers to a send that failed for good, failed with an unknown outcome, or came during the cooldown. */
  answers: { definite: ExpectedAnswer; unknown: ExpectedAnswer; cooldown: ExpectedAnswer };
  /** Ask for a code for `phone` (national form), as the app's users do. */
  send(phone: string): Promise<Answer>;
  /** Fails unless `phone` signs in with `code`. */
  expectSignIn(phone: string, code: string): Promise<void>;
  /** The engine errors the app reported (what it would log), oldest first. */
  engineErrors(): unknown[];
  /** Everything the app answered (bodies, headers but its session cookie), logged or warned. */
  texts(): string[];
  /** Every secret the run has touched: the client's ({@link FaultClient.secrets}) and the app's own. */
  secrets(): string[];
}

/** Fails when a secret shows in anything the app answered, logged or warned. */
export function expectNoSecrets(app: FaultApp): void {
  expectNoSecretsIn(app.texts(), app.secrets());
}

/** `{ error: { code, message } }` with core's public message for `code`. */
function publicError(code: PublicErrorCode): { error: { code: string; message: string } } {
  return { error: { code, message: PUBLIC_ERROR_MESSAGES[code] } };
}

/** What the Express router and the NextAuth send route answer: core's public error table. */
export const PUBLIC_ANSWERS: FaultApp['answers'] = {
  definite: { status: 502, body: publicError('DELIVERY_FAILED') },
  // The code may have arrived: a 202 that says so, and the page moves on to the code entry.
  unknown: {
    status: 202,
    body: expect.objectContaining({ delivery: 'unknown', message: DELIVERY_UNKNOWN_MESSAGE }),
  },
  cooldown: { status: 429, body: publicError('RATE_LIMITED') },
};

/** The parts of an HTTP response (supertest's, say) a {@link FaultApp} over HTTP reads. */
export interface HTTPResponse {
  status: number;
  body: unknown;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

/** An app that sends and verifies over HTTP, for {@link httpFaultApp}. */
export interface HTTPFaultAppOptions {
  rig: FaultRig;
  /** The client the app's engine sends through. */
  watched: FaultClient;
  /** The app's own secrets (engine secret, session secret). */
  appSecrets: readonly string[];
  /** POST a JSON body to the app, keeping its cookies (supertest's agent). */
  post(path: string, body: Record<string, string>): PromiseLike<HTTPResponse>;
  answers: FaultApp['answers'];
  /** The body of a successful `POST /auth/verify` for `phone` (national form). */
  signedIn(phone: string): unknown;
  /** The errors the app's error handler got (what it logged). */
  errors: readonly unknown[];
  /** The engine error behind one of `errors`. @default the error itself */
  engineErrorOf?: (error: unknown) => unknown;
}

/**
 * A {@link FaultApp} that sends with `POST /auth/send { phone }` (202 expected on success) and
 * verifies with `POST /auth/verify { phone, code }` (200 and {@link HTTPFaultAppOptions.signedIn}),
 * keeping every answer but the session cookie for the secret checks.
 */
export function httpFaultApp(options: HTTPFaultAppOptions): FaultApp {
  const { rig, watched, errors, engineErrorOf = (error: unknown) => error } = options;
  const answers: string[] = [];
  const post = async (path: string, body: Record<string, string>): Promise<HTTPResponse> => {
    const response = await options.post(path, body);
    const { 'set-cookie': _sessionCookie, ...headers } = response.headers;
    answers.push(response.text, JSON.stringify(headers));
    return response;
  };
  return {
    fake: rig.fake,
    answers: options.answers,
    async send(phone) {
      const response = await post('/auth/send', { phone });
      const retryAfter = response.headers['retry-after'];
      return {
        status: response.status,
        body: response.body,
        retryAfter: retryAfter?.toString() ?? null,
      };
    },
    async expectSignIn(phone, code) {
      const response = await post('/auth/verify', { phone, code });
      expect(response.status).toBe(200);
      expect(response.body).toEqual(options.signedIn(phone));
    },
    engineErrors: () => errors.map(engineErrorOf),
    texts: () => [...answers, ...rig.logs, ...errors.map((error) => format(error))],
    secrets: () => [...options.appSecrets, ...watched.secrets()],
  };
}

/** Requests the fake answered on `endpoint`. */
export function hits(fake: FakeTingTing, endpoint: FakeEndpoint): number {
  return fake.requests.filter((entry) => entry.endpoint === endpoint).length;
}

/** Codes the fake delivered to `number` (national form). */
export function deliveriesTo(fake: FakeTingTing, number: string): number {
  return fake.outbox.messages.filter((delivery) => delivery.number === number).length;
}

/** Sends a code through the app and reads it from the fake's outbox, as the phone would. */
export async function sendAndRead(app: FaultApp, phone: string): Promise<string> {
  const response = await app.send(phone);
  expect(response.status).toBe(202);
  const delivery = app.fake.outbox.last(phone);
  if (delivery === undefined) throw new Error(`nothing delivered to ${phone}`);
  return delivery.otp;
}

/** Fails unless `answer` is what `expected` says. */
export function expectAnswer(answer: Answer, expected: ExpectedAnswer): void {
  expect(answer.status).toBe(expected.status);
  if ('body' in expected) expect(answer.body).toEqual(expected.body);
  if (expected.retryAfter !== undefined) expect(answer.retryAfter).toBe(expected.retryAfter);
}

/** The engine error's code, and the client error's behind a DELIVERY_FAILED. */
export function causes(engineError: unknown): { engine: unknown; client: unknown } {
  const engine = engineError as { code?: unknown; cause?: { code?: unknown } } | undefined;
  return {
    engine: engine?.code,
    client: engine?.code === 'DELIVERY_FAILED' ? engine.cause?.code : engine?.code,
  };
}

/** The `reason` of the body error behind an unknown outcome (a garbled 2xx), else undefined. */
export function bodyReasonOf(engineError: unknown): unknown {
  const error = engineError as { code?: unknown; cause?: { reason?: unknown } } | undefined;
  return error?.code === 'UNKNOWN_OUTCOME' ? error.cause?.reason : undefined;
}

/** Fails unless the app reported exactly one engine error, with these codes. */
function expectOneEngineError(app: FaultApp, expected: { engine: string; client: string }): void {
  expect(app.engineErrors()).toHaveLength(1);
  expect(causes(app.engineErrors()[0])).toEqual(expected);
}

/**
 * TingTing fails every send-OTP call with `fault`, B asks for a code: the app's answer, the engine
 * and client errors behind it, one send-OTP request (never retried), A's code (delivered before)
 * still signs in without a request to TingTing. Once TingTing is back: after a definite failure
 * B may ask again at once; after an unknown outcome B's delivered code works and the cooldown
 * holds (no second SMS sent blindly). No secret anywhere.
 */
export async function expectSendFault(app: FaultApp, faultCase: FaultCase): Promise<void> {
  const { fake } = app;
  const { fault, clientCode, bodyReason, outcome } = faultCase;
  const codeA = await sendAndRead(app, A);
  const sendsBefore = hits(fake, 'sendOTP');

  // TingTing stays broken until clearFaults(): every send-OTP call meets the fault.
  fake.inject('sendOTP', { ...fault, times: Number.POSITIVE_INFINITY });
  const delivered = outcome === 'unknown' ? fake.outbox.waitFor(B) : undefined;
  const failed = await app.send(B);
  expectAnswer(failed, app.answers[outcome]);
  if (outcome === 'definite') {
    expectOneEngineError(app, { engine: 'DELIVERY_FAILED', client: clientCode });
    expect(bodyReasonOf(app.engineErrors()[0])).toBe(bodyReason);
  } else {
    // An unknown outcome is a value (`delivery: 'unknown'`), not an error: nothing to report.
    expect(app.engineErrors()).toEqual([]);
  }
  // The fake logs a request once it has answered (a delayed one, later): wait for it (vi.waitFor's
  // default 1 s is too short a margin after the client's timeout on a loaded machine).
  await vi.waitFor(() => expect(hits(fake, 'sendOTP')).toBe(sendsBefore + 1), { timeout: 10_000 });
  expect(fake.redirectedRequests).toEqual([]);

  // Verify needs no TingTing: A's code signs in while every send still fails.
  const requestsBefore = fake.requests.length;
  await app.expectSignIn(A, codeA);
  expect(fake.requests.length).toBe(requestsBefore);

  fake.clearFaults();
  if (outcome === 'definite') {
    // Nothing went out and the send was undone: the user may ask again at once.
    expect(deliveriesTo(fake, B)).toBe(0);
    const codeB = await sendAndRead(app, B);
    await app.expectSignIn(B, codeB);
  } else {
    // The SMS did go out (the fake did the work): its code works, and the cooldown holds.
    const codeB = (await delivered!).otp;
    const again = await app.send(B);
    expectAnswer(again, app.answers.cooldown);
    expect(Number(again.retryAfter)).toBeGreaterThan(0);
    await app.expectSignIn(B, codeB);
  }
  expect(hits(fake, 'sendOTP')).toBe(sendsBefore + (outcome === 'definite' ? 2 : 1));
  expect(deliveriesTo(fake, B)).toBe(1);
  expectNoSecrets(app);
}

/**
 * TingTing unreachable (connection refused): a definite failure with a transport error behind it,
 * a delivered code still signs in, and nothing carries a secret, known before or after the fake
 * went away.
 */
export async function expectUnreachable(app: FaultApp): Promise<void> {
  const codeA = await sendAndRead(app, A);
  const secrets = app.secrets();
  await app.fake.close();
  const failed = await app.send(B);
  expectAnswer(failed, app.answers.definite);
  expectOneEngineError(app, { engine: 'DELIVERY_FAILED', client: 'TRANSPORT_ERROR' });
  await app.expectSignIn(A, codeA);
  expectNoSecretsIn(app.texts(), secrets);
  expectNoSecrets(app);
}

/**
 * Email + password client, access cookie expired and API token revoked: the rejected send leads
 * to one refresh and one new token, then exactly one delivery; codes before and after sign in.
 */
export async function expectRefreshAfterExpiry(app: FaultApp): Promise<void> {
  const { fake } = app;
  const codeA = await sendAndRead(app, A);
  const start = fake.requests.length;
  fake.expireAccessTokens();
  fake.revokeAPIToken();
  const codeB = await sendAndRead(app, B);
  expect(fake.requests.slice(start).map((entry) => `${entry.endpoint} ${entry.status}`)).toEqual([
    'sendOTP 401', // the revoked token: TingTing did nothing
    'getAPIToken 401', // the expired access cookie
    'refresh 200',
    'getAPIToken 200', // "No API token found"
    'generateAPIToken 200',
    'sendOTP 200',
  ]);
  expect(deliveriesTo(fake, B)).toBe(1);
  expect(hits(fake, 'login')).toBe(1);
  await app.expectSignIn(A, codeA);
  await app.expectSignIn(B, codeB);
  expectNoSecrets(app);
}

/** Three concurrent sends meet the expiry: one refresh, one new token, one SMS each. */
export async function expectConcurrentRefresh(app: FaultApp): Promise<void> {
  const { fake } = app;
  await sendAndRead(app, A);
  fake.expireAccessTokens();
  fake.revokeAPIToken();
  const answers = await Promise.all([B, C, D].map((phone) => app.send(phone)));
  expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202]);
  expect(hits(fake, 'refresh')).toBe(1);
  expect(hits(fake, 'generateAPIToken')).toBe(1);
  expect(hits(fake, 'login')).toBe(1);
  for (const phone of [B, C, D]) {
    expect(deliveriesTo(fake, phone)).toBe(1);
    await app.expectSignIn(phone, fake.outbox.last(phone)!.otp);
  }
  expectNoSecrets(app);
}

/**
 * The refresh itself fails (500): a definite failure, no SMS, nothing retried, A still signs in;
 * once the refresh works again, B gets a code.
 */
export async function expectRefreshFailure(app: FaultApp): Promise<void> {
  const { fake } = app;
  const codeA = await sendAndRead(app, A);
  fake.expireAccessTokens();
  fake.revokeAPIToken();
  fake.inject('refresh', { status: 500, times: Number.POSITIVE_INFINITY });
  const failed = await app.send(B);
  expectAnswer(failed, app.answers.definite);
  expectOneEngineError(app, { engine: 'DELIVERY_FAILED', client: 'API_ERROR' });
  expect(hits(fake, 'refresh')).toBe(1);
  expect(hits(fake, 'sendOTP')).toBe(2); // A's, and B's refused with the revoked token
  expect(deliveriesTo(fake, B)).toBe(0);
  await app.expectSignIn(A, codeA);
  fake.clearFaults();
  const codeB = await sendAndRead(app, B);
  await app.expectSignIn(B, codeB);
  expect(deliveriesTo(fake, B)).toBe(1);
  expectNoSecrets(app);
}
