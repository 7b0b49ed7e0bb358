import type { FakeEndpoint, FakeTingTing } from '@tingting-auth/testing';
import { type FetchLike, TingTingClient, type TingTingClientOptions } from '../../src/index.js';

/** A client on the fake with its API token and fast retries; override anything. */
export function tokenClient(
  fake: FakeTingTing,
  overrides: Partial<TingTingClientOptions> = {},
): TingTingClient {
  return new TingTingClient({
    apiToken: fake.apiToken,
    baseURL: fake.url,
    retryBaseDelayInMilliseconds: 5,
    retryMaxDelayInMilliseconds: 2_000,
    ...overrides,
  });
}

/** A client on the fake with email and password only. */
export function passwordClient(
  fake: FakeTingTing,
  overrides: Partial<TingTingClientOptions> = {},
): TingTingClient {
  return new TingTingClient({
    email: fake.account.email,
    password: fake.account.password,
    baseURL: fake.url,
    retryBaseDelayInMilliseconds: 5,
    retryMaxDelayInMilliseconds: 2_000,
    ...overrides,
  });
}

/** The real fetch, counting calls (not a mock: every call goes over HTTP). */
export function countingFetch(): { fetch: FetchLike; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fetch: (input, init) => {
      calls.push(`${init.method ?? 'GET'} ${new URL(input).pathname}`);
      return fetch(input, init);
    },
  };
}

/** Requests the fake saw for one endpoint. */
export function hits(fake: FakeTingTing, endpoint: FakeEndpoint): number {
  return fake.requests.filter((request) => request.endpoint === endpoint).length;
}

/** The rejection of `promise` (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, got a value');
}

/** A valid send input. */
export const SEND = {
  number: '9812345678',
  message: 'Your sign-in code is {otp}',
  channel: 'text',
} as const;

/** A loopback port that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
