import { inspect } from 'node:util';
import { type FakeTingTing, startFakeTingTing } from '@tingting-auth/testing';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { TingTingClient, type TingTingClientError } from '../../src/index.js';
import { closedPort, passwordClient, rejectionOf, SEND, tokenClient } from './helpers.js';

const API_TOKEN = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const PASSWORD = 'correct-horse-battery-staple';
const CODE = '482913';

let fake: FakeTingTing;
beforeEach(async () => {
  fake = await startFakeTingTing({
    apiToken: API_TOKEN,
    account: { email: 'dev@example.com', password: PASSWORD },
  });
});
afterEach(() => fake.close());

/** Every way an object is commonly turned into text. */
function renderings(value: unknown, showHidden = true): string[] {
  const error = value as Error;
  return [
    inspect(value, { depth: 10 }),
    ...(showHidden ? [inspect(value, { depth: 10, showHidden: true })] : []),
    JSON.stringify(value) ?? '',
    String(value),
    error?.message ?? '',
    error?.stack ?? '',
  ];
}

function expectNoSecret(value: unknown, secrets: readonly string[], showHidden = true): void {
  for (const text of renderings(value, showHidden)) {
    for (const secret of secrets) expect(text).not.toContain(secret);
  }
}

/** The cookie values the fake set (the access and refresh JWTs). */
async function cookieValues(client: TingTingClient): Promise<string[]> {
  const values: string[] = [];
  await client.login();
  // Read them back the way TingTing sends them, through a second login over real HTTP.
  const response = await fetch(`${fake.url}/api/v1/auths/login/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'dev@example.com', password: PASSWORD }),
  });
  for (const cookie of response.headers.getSetCookie()) {
    values.push(cookie.split(';')[0]!.split('=')[1]!);
  }
  return values;
}

it('the client: inspect and JSON show no token, password or cookie', async () => {
  const client = new TingTingClient({
    apiToken: API_TOKEN,
    email: 'dev@example.com',
    password: PASSWORD,
    baseURL: fake.url,
  });
  await client.login();
  await client.getAPIToken();
  expectNoSecret(client, [API_TOKEN, PASSWORD, 'access=', 'refresh=', 'eyJ']);
  expect(inspect(client)).toContain('TingTingClient');
  expect(JSON.parse(JSON.stringify(client))).toEqual({
    baseURL: `${fake.url}/`,
    authentication: 'apiToken+password',
  });
});

it('the send result keeps the code out of JSON and inspect (but readable)', async () => {
  const result = await tokenClient(fake).sendOTP({ ...SEND, otp: CODE });
  expect(result.otp).toBe(CODE);
  // Non-enumerable: `inspect(…, { showHidden: true })` would show it, as it shows any such property.
  expectNoSecret(result, [CODE], false);
});

it('errors of every kind carry no token, password, cookie or code', async () => {
  const jwtClient = passwordClient(fake, { password: PASSWORD });
  const cookies = await cookieValues(jwtClient);
  const secrets = [API_TOKEN, PASSWORD, CODE, ...cookies];
  // Only the two timeout cases use a short timeout: under a loaded machine a 200 ms limit on every
  // call made the other faults time out now and then (a flaky run), so they get a generous one.
  const client = tokenClient(fake, { connectTimeoutInMilliseconds: 30_000, maxRetries: 0 });
  const hasty = tokenClient(fake, { connectTimeoutInMilliseconds: 200, maxRetries: 0 });
  const send = () => client.sendOTP({ ...SEND, otp: CODE });
  const errors: Error[] = [];

  // TingTing echoing secrets back in error bodies must not carry them into messages.
  fake.inject('sendOTP', {
    status: 400,
    body: {
      status: 400,
      success: false,
      message: `otp: "${CODE}" rejected for token ${API_TOKEN}`,
      errors: [{ field: 'otp', message: `"${CODE}" is not allowed` }],
      data: null,
    },
  });
  errors.push(await rejectionOf(send()));
  fake.inject('sendOTP', { status: 401, body: { detail: `Invalid token ${API_TOKEN}` } });
  errors.push(await rejectionOf(send()));
  fake.inject('sendOTP', { status: 402 });
  errors.push(await rejectionOf(send()));
  fake.inject('sendOTP', { status: 429, headers: { 'retry-after': '9' } });
  errors.push(await rejectionOf(send()));
  fake.inject('sendOTP', { kind: 'reset' });
  errors.push(await rejectionOf(send()));
  fake.inject('sendOTP', { delayInMilliseconds: 600 });
  errors.push(await rejectionOf(hasty.sendOTP({ ...SEND, otp: CODE })));
  fake.inject('sendOTP', { kind: 'redirect' });
  errors.push(await rejectionOf(send()));
  fake.inject('sendOTP', { kind: 'html' });
  errors.push(await rejectionOf(send()));
  // The malformed JSON echoes the token: the parse error (which quotes the body) is not kept.
  fake.inject('userProfile', { status: 200, body: { id: API_TOKEN } });
  errors.push(await rejectionOf(client.getUserProfile()));
  fake.inject('userProfile', { kind: 'oversized', sizeInBytes: 2_000_000 });
  errors.push(await rejectionOf(client.getUserProfile()));
  fake.inject('userProfile', { delayInMilliseconds: 600 });
  errors.push(await rejectionOf(hasty.getUserProfile()));
  errors.push(await rejectionOf(passwordClient(fake, { password: `${PASSWORD}x` }).login()));
  fake.inject('refresh', { status: 401, body: { message: 'Failed To Refresh The Session' } });
  errors.push(await rejectionOf(jwtClient.refreshSession()));
  const closed = new TingTingClient({
    apiToken: API_TOKEN,
    baseURL: `http://127.0.0.1:${await closedPort()}`,
  });
  errors.push(await rejectionOf(closed.sendOTP({ ...SEND, otp: CODE })));

  const codes = new Set(errors.map((error) => (error as TingTingClientError).code));
  expect([...codes].sort()).toEqual([
    'API_ERROR',
    'AUTHENTICATION_ERROR',
    'INSUFFICIENT_CREDITS',
    'TIMEOUT',
    'TINGTING_RATE_LIMITED',
    'TRANSPORT_ERROR',
    'UNEXPECTED_BODY',
    'UNEXPECTED_STATUS',
    'UNKNOWN_OUTCOME',
  ]);
  for (const error of errors) {
    expectNoSecret(error, secrets);
    const json = JSON.parse(JSON.stringify(error));
    expect(Object.keys(json).sort()).toEqual(
      'status' in json
        ? ['code', 'endpoint', 'message', 'name', 'status']
        : ['code', 'endpoint', 'message', 'name'],
    );
  }
  // The scrubbed text still says what went wrong.
  expect(errors[0]!.message).toContain('[redacted]');
});
