import { type FakeTingTing, startFakeTingTing } from '@tingting-auth/testing';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ErrorCode, TingTingAuthenticationError } from '../../src/index.js';
import { hits, passwordClient, rejectionOf } from './helpers.js';

let fake: FakeTingTing;
beforeEach(async () => {
  fake = await startFakeTingTing();
});
afterEach(() => fake.close());

it('20 concurrent calls after the access JWT expired make exactly one refresh request', async () => {
  const client = passwordClient(fake);
  await client.login();
  fake.expireAccessTokens();
  const results = await Promise.all(Array.from({ length: 20 }, () => client.getAPIToken()));
  expect(results.every((result) => result?.token === fake.apiToken)).toBe(true);
  expect(hits(fake, 'refresh')).toBe(1);
  expect(fake.requests.filter((r) => r.endpoint === 'refresh' && r.status === 200)).toHaveLength(1);
  expect(hits(fake, 'login')).toBe(1);
  // 20 answered 401, then 20 succeeded with the refreshed JWT.
  const statuses = fake.requests.filter((r) => r.endpoint === 'getAPIToken').map((r) => r.status);
  expect(statuses.filter((status) => status === 401)).toHaveLength(20);
  expect(statuses.filter((status) => status === 200)).toHaveLength(20);
});

it('20 concurrent first calls make one login', async () => {
  const client = passwordClient(fake);
  await Promise.all(Array.from({ length: 20 }, () => client.getAPIToken()));
  expect(hits(fake, 'login')).toBe(1);
});

it('a later expiry makes a second refresh (the single flight is per expiry, not forever)', async () => {
  const client = passwordClient(fake);
  await client.login();
  fake.expireAccessTokens();
  await Promise.all([client.getAPIToken(), client.getAPIToken()]);
  fake.expireAccessTokens();
  await Promise.all([client.getAPIToken(), client.getAPIToken()]);
  expect(hits(fake, 'refresh')).toBe(2);
});

it('when the refresh is refused, the client logs in again once', async () => {
  const client = passwordClient(fake);
  await client.login();
  fake.expireAccessTokens();
  fake.inject('refresh', { status: 401, body: { message: 'Failed To Refresh The Session' } });
  const results = await Promise.all(Array.from({ length: 5 }, () => client.getAPIToken()));
  expect(results.every((result) => result?.token === fake.apiToken)).toBe(true);
  expect(hits(fake, 'refresh')).toBe(1);
  expect(hits(fake, 'login')).toBe(2);
});

it('a deactivated account: every waiting call gets TingTingAuthenticationError, one refresh', async () => {
  const client = passwordClient(fake);
  await client.login();
  fake.expireAccessTokens();
  fake.setAccountActive(false);
  const errors = await Promise.all(
    Array.from({ length: 5 }, () => rejectionOf(client.getAPIToken())),
  );
  for (const error of errors) {
    expect(error).toBeInstanceOf(TingTingAuthenticationError);
    expect((error as TingTingAuthenticationError).code).toBe(ErrorCode.AUTHENTICATION);
  }
  expect(hits(fake, 'refresh')).toBe(1);
});
