import { createServer } from 'node:net';
import { type FakeTingTing, startFakeTingTing } from '@tingting-auth/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ErrorCode,
  TingTingAPIError,
  TingTingClient,
  TingTingRateLimitError,
  TingTingTimeoutError,
  TingTingTransportError,
  TingTingUnexpectedBodyError,
  TingTingUnexpectedStatusError,
  TingTingUnknownOutcomeError,
} from '../../src/index.js';
import { countingFetch, hits, passwordClient, rejectionOf, SEND, tokenClient } from './helpers.js';

let fake: FakeTingTing;
beforeEach(async () => {
  fake = await startFakeTingTing();
});
afterEach(() => fake.close());

const SEND_PERSONNEL = { ...SEND, otp: '482913' };

describe('status faults', () => {
  it('a 503 with a JSON body: a GET is retried to success', async () => {
    fake.inject('userProfile', { status: 503, times: 2 });
    const profile = await tokenClient(fake).getUserProfile();
    expect(profile.id).toBeTypeOf('number');
    expect(hits(fake, 'userProfile')).toBe(3);
  });

  it('a 500 on send OTP is reported, never retried', async () => {
    fake.inject('sendOTP', { status: 500, body: { detail: 'A server error occurred.' } });
    const error = await rejectionOf(tokenClient(fake).sendOTP(SEND_PERSONNEL));
    expect(error).toBeInstanceOf(TingTingAPIError);
    expect(error).toMatchObject({ status: 500, detail: 'A server error occurred.' });
    expect(hits(fake, 'sendOTP')).toBe(1);
  });

  it('GET retries stop after maxRetries with the last error', async () => {
    fake.inject('listSentOTPs', { status: 502, body: { detail: 'Bad gateway' }, times: Infinity });
    const error = await rejectionOf(tokenClient(fake, { maxRetries: 3 }).listSentOTPs());
    expect(error).toMatchObject({ code: ErrorCode.API, status: 502 });
    expect(hits(fake, 'listSentOTPs')).toBe(4);
  });

  it('a 4xx other than 408/429 is not retried', async () => {
    fake.inject('getAPIToken', { status: 400, body: { detail: 'Bad request' } });
    await rejectionOf(passwordClient(fake).getAPIToken());
    expect(hits(fake, 'getAPIToken')).toBe(1);
  });

  it('an error status without a TingTing error body is UNEXPECTED_STATUS', async () => {
    fake.inject('userProfile', { kind: 'html', status: 502, times: Infinity });
    const error = await rejectionOf(tokenClient(fake, { maxRetries: 0 }).getUserProfile());
    expect(error).toBeInstanceOf(TingTingUnexpectedStatusError);
    expect(error).toMatchObject({ code: ErrorCode.UNEXPECTED_STATUS, status: 502 });
  });
});

describe('429 and Retry-After', () => {
  it('a GET waits Retry-After (within the cap), then succeeds', async () => {
    fake.inject('userProfile', { status: 429, headers: { 'retry-after': '1' } });
    const started = Date.now();
    await tokenClient(fake).getUserProfile();
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(hits(fake, 'userProfile')).toBe(2);
  });

  it('a Retry-After beyond the cap is not waited for: TingTingRateLimitError', async () => {
    fake.inject('userProfile', { status: 429, headers: { 'retry-after': '60' } });
    const error = await rejectionOf(tokenClient(fake).getUserProfile());
    expect(error).toBeInstanceOf(TingTingRateLimitError);
    expect(error).toMatchObject({
      code: ErrorCode.TINGTING_RATE_LIMITED,
      status: 429,
      retryAfterInSeconds: 60,
    });
    expect(hits(fake, 'userProfile')).toBe(1);
  });

  it('send OTP: a 429 is reported with retryAfterInSeconds, not retried', async () => {
    fake.inject('sendOTP', { status: 429, headers: { 'retry-after': '1' } });
    const error = await rejectionOf(tokenClient(fake).sendOTP(SEND_PERSONNEL));
    expect(error).toMatchObject({ code: ErrorCode.TINGTING_RATE_LIMITED, retryAfterInSeconds: 1 });
    expect(hits(fake, 'sendOTP')).toBe(1);
  });

  it('a 503 with Retry-After on a GET is honoured', async () => {
    fake.inject('listSentOTPs', { status: 503, headers: { 'retry-after': '1' } });
    const started = Date.now();
    await tokenClient(fake).listSentOTPs();
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });
});

describe('timeouts', () => {
  it('send OTP slower than the timeout: UNKNOWN_OUTCOME, not retried', async () => {
    fake.inject('sendOTP', { delayInMilliseconds: 1_000 });
    const { fetch, calls } = countingFetch();
    const client = tokenClient(fake, { connectTimeoutInMilliseconds: 200, fetch });
    const error = await rejectionOf(client.sendOTP(SEND_PERSONNEL));
    expect(error).toBeInstanceOf(TingTingUnknownOutcomeError);
    expect(error).toMatchObject({ code: ErrorCode.UNKNOWN_OUTCOME, endpoint: 'sendOTP' });
    expect(calls).toEqual(['POST /api/v1/auths/send/otp/']);
    // The fake delivers once its delay is over: the outcome really was unknown to the client.
    await fake.outbox.waitFor('9812345678');
  });

  it('a GET slower than the connect timeout is retried to success', async () => {
    fake.inject('userProfile', { delayInMilliseconds: 1_000 });
    const { fetch, calls } = countingFetch();
    const client = tokenClient(fake, { connectTimeoutInMilliseconds: 200, fetch });
    expect((await client.getUserProfile()).id).toBeTypeOf('number');
    expect(calls).toHaveLength(2);
  });

  it('a GET that never answers in time: TingTingTimeoutError within the total timeout', async () => {
    fake.inject('userProfile', { delayInMilliseconds: 3_000, times: Infinity });
    const client = tokenClient(fake, {
      connectTimeoutInMilliseconds: 200,
      timeoutInMilliseconds: 700,
      maxRetries: 60,
    });
    const started = Date.now();
    const error = await rejectionOf(client.getUserProfile());
    // A liveness bound with a wide margin: 60 retries of 200 ms each would take over 12 s
    // without the 700 ms total timeout, so 6 s tells them apart even on a loaded machine.
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(error).toBeInstanceOf(TingTingTimeoutError);
    expect(error).toMatchObject({ code: ErrorCode.TIMEOUT });
  });

  it('login slower than the timeout is a TingTingTimeoutError (a POST, not retried)', async () => {
    fake.inject('login', { delayInMilliseconds: 1_000 });
    const { fetch, calls } = countingFetch();
    const client = passwordClient(fake, { connectTimeoutInMilliseconds: 200, fetch });
    const error = await rejectionOf(client.login());
    expect(error).toBeInstanceOf(TingTingTimeoutError);
    expect(error).toMatchObject({
      code: ErrorCode.TIMEOUT,
      phase: 'connect',
      timeoutInMilliseconds: 200,
    });
    expect(calls).toHaveLength(1);
  });
});

describe('bodies', () => {
  it('a 200 with HTML is UNEXPECTED_BODY (not-json) on a GET', async () => {
    fake.inject('userProfile', { kind: 'html' });
    const error = await rejectionOf(tokenClient(fake).getUserProfile());
    expect(error).toBeInstanceOf(TingTingUnexpectedBodyError);
    expect(error).toMatchObject({
      code: ErrorCode.UNEXPECTED_BODY,
      status: 200,
      reason: 'not-json',
    });
    expect(hits(fake, 'userProfile')).toBe(1);
  });

  it('a 200 with HTML on send OTP is UNKNOWN_OUTCOME, the not-json error as its cause', async () => {
    fake.inject('sendOTP', { kind: 'html' });
    const error = await rejectionOf(tokenClient(fake).sendOTP(SEND_PERSONNEL));
    expect(error).toBeInstanceOf(TingTingUnknownOutcomeError);
    expect(error).toMatchObject({ code: ErrorCode.UNKNOWN_OUTCOME, endpoint: 'sendOTP' });
    expect(error.cause).toBeInstanceOf(TingTingUnexpectedBodyError);
    expect(error.cause).toMatchObject({ status: 200, reason: 'not-json' });
    expect(hits(fake, 'sendOTP')).toBe(1);
  });

  it('a 200 with truncated JSON is UNEXPECTED_BODY', async () => {
    fake.inject('getAPIToken', { kind: 'malformed-json' });
    const error = await rejectionOf(passwordClient(fake).getAPIToken());
    expect(error).toMatchObject({ code: ErrorCode.UNEXPECTED_BODY, reason: 'not-json' });
  });

  it('a 200 of the wrong shape names the path, not the value', async () => {
    fake.inject('userProfile', { status: 200, body: { id: 'abc', user: {} } });
    const error = await rejectionOf(tokenClient(fake).getUserProfile());
    expect(error).toMatchObject({ code: ErrorCode.UNEXPECTED_BODY, reason: 'wrong-shape' });
    expect(error.message).toContain('id: expected number');
    expect(error.message).not.toContain('abc');
  });

  it('a send answer without the credits is the wrong shape: UNKNOWN_OUTCOME (TingTing said 200)', async () => {
    fake.inject('sendOTP', {
      status: 200,
      body: { status: 200, success: true, message: 'OTP Sent Successfully.', errors: [], data: {} },
    });
    const error = await rejectionOf(tokenClient(fake).sendOTP(SEND_PERSONNEL));
    expect(error).toMatchObject({ code: ErrorCode.UNKNOWN_OUTCOME, endpoint: 'sendOTP' });
    expect(error.cause).toMatchObject({
      code: ErrorCode.UNEXPECTED_BODY,
      status: 200,
      reason: 'wrong-shape',
    });
    expect(error.message).toContain('data.details');
  });

  it('an oversized body is capped (never read whole)', async () => {
    fake.inject('listSentOTPs', { kind: 'oversized' });
    const error = await rejectionOf(tokenClient(fake).listSentOTPs());
    expect(error).toMatchObject({ code: ErrorCode.UNEXPECTED_BODY, reason: 'too-large' });
    expect(error.message).toContain('1048576');
  });

  it('the cap also holds without a Content-Length (streamed count)', async () => {
    fake.inject('userProfile', { kind: 'oversized', sizeInBytes: 50_000 });
    const error = await rejectionOf(
      tokenClient(fake, { maxResponseSizeInBytes: 10_000 }).getUserProfile(),
    );
    expect(error).toMatchObject({ code: ErrorCode.UNEXPECTED_BODY, reason: 'too-large' });
  });
});

describe('connection resets', () => {
  it('send OTP: reset after the request was read is UNKNOWN_OUTCOME (and the OTP did go out)', async () => {
    fake.inject('sendOTP', { kind: 'reset' });
    const error = await rejectionOf(tokenClient(fake).sendOTP(SEND_PERSONNEL));
    expect(error).toBeInstanceOf(TingTingUnknownOutcomeError);
    expect(hits(fake, 'sendOTP')).toBe(1);
    expect(fake.outbox.messages).toHaveLength(1); // why it must never be retried
  });

  it('a GET reset is retried to success', async () => {
    fake.inject('listSentOTPs', { kind: 'reset' });
    const page = await tokenClient(fake).listSentOTPs();
    expect(page.count).toBe(0);
    expect(hits(fake, 'listSentOTPs')).toBe(2);
  });

  it('connection refused before sending: a plain transport error, not sent', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const client = new TingTingClient({
      apiToken: 'a'.repeat(64),
      baseURL: `http://127.0.0.1:${port}`,
    });
    const error = await rejectionOf(client.sendOTP(SEND_PERSONNEL));
    expect(error).toBeInstanceOf(TingTingTransportError);
    expect(error).toMatchObject({ code: ErrorCode.TRANSPORT, mayHaveReachedTingTing: false });
    expect(error.message).toContain('ECONNREFUSED');
  });
});

describe('redirects', () => {
  it.each([
    ['userProfile', (client: TingTingClient) => client.getUserProfile()],
    ['sendOTP', (client: TingTingClient) => client.sendOTP(SEND_PERSONNEL)],
    ['listSentOTPs', (client: TingTingClient) => client.listSentOTPs()],
  ] as const)(
    '%s: a cross-origin redirect is not followed; nothing reaches the other origin',
    async (endpoint, call) => {
      // Definite for send OTP too: a redirect answers instead of sending (see http.ts).
      fake.inject(endpoint, { kind: 'redirect' });
      const { fetch, calls } = countingFetch();
      const error = await rejectionOf(call(tokenClient(fake, { fetch })));
      expect(error).toBeInstanceOf(TingTingUnexpectedStatusError);
      expect(error).toMatchObject({ code: ErrorCode.UNEXPECTED_STATUS, status: 302 });
      expect(fake.redirectedRequests).toHaveLength(0);
      expect(calls).toHaveLength(1);
    },
  );

  it('session calls (cookie jar) do not follow a redirect either', async () => {
    fake.inject('getAPIToken', { kind: 'redirect' });
    const error = await rejectionOf(passwordClient(fake).getAPIToken());
    expect(error).toMatchObject({ code: ErrorCode.UNEXPECTED_STATUS, status: 302 });
    fake.inject('login', { kind: 'redirect' });
    await rejectionOf(passwordClient(fake).login());
    expect(fake.redirectedRequests).toHaveLength(0);
  });
});
