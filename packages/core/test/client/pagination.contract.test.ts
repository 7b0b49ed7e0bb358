import { type FakeTingTing, startFakeTingTing } from '@tingting-auth/testing';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ErrorCode, type SentOTP, ValidationError } from '../../src/index.js';
import { countingFetch, rejectionOf, SEND, tokenClient } from './helpers.js';

let fake: FakeTingTing;
beforeEach(async () => {
  fake = await startFakeTingTing({ pageSize: 3, credits: { sms: 1000 } });
});
afterEach(() => fake.close());

async function sendMany(count: number): Promise<void> {
  const client = tokenClient(fake);
  for (let index = 0; index < count; index++) {
    await client.sendOTP({ ...SEND, otp: String(100000 + index) });
  }
}

it('pages with page and pageSize, next/previous as TingTing gives them', async () => {
  await sendMany(7);
  const client = tokenClient(fake);
  const first = await client.listSentOTPs();
  expect(first).toMatchObject({ count: 7, totalPages: 3, previous: null });
  expect(first.next).toBe(`${fake.url}/api/v1/auths/list/send-otps/?page=2`);
  expect(first.items.map((item) => item.otp)).toEqual(['100006', '100005', '100004']);
  const last = await client.listSentOTPs({ page: 3 });
  expect(last.next).toBeNull();
  expect(last.items.map((item) => item.otp)).toEqual(['100000']);
  const big = await client.listSentOTPs({ pageSize: 5, page: 2 });
  expect(big.items.map((item) => item.otp)).toEqual(['100001', '100000']);
});

it('sentOTPs() iterates every page once, newest first', async () => {
  await sendMany(8);
  const { fetch, calls } = countingFetch();
  const seen: SentOTP[] = [];
  for await (const item of tokenClient(fake, { fetch }).sentOTPs()) seen.push(item);
  expect(seen.map((item) => item.otp)).toEqual(
    Array.from({ length: 8 }, (_, index) => String(100007 - index)),
  );
  expect(calls).toHaveLength(3);
});

it('sentOTPs() over an empty list yields nothing', async () => {
  const seen: SentOTP[] = [];
  for await (const item of tokenClient(fake).sentOTPs()) seen.push(item);
  expect(seen).toEqual([]);
});

it('a next link to another origin stops with an error; the token is not sent there', async () => {
  await sendMany(2);
  const trap = await startFakeTingTing();
  try {
    const body = {
      count: 4,
      total_pages: 2,
      next: `${trap.url}/api/v1/auths/list/send-otps/?page=2`,
      previous: null,
      results: { status: 200, success: true, errors: [], data: [] },
    };
    fake.inject('listSentOTPs', { status: 200, body });
    const { fetch, calls } = countingFetch();
    const iterator = tokenClient(fake, { fetch }).sentOTPs();
    const error = await rejectionOf(iterator.next());
    expect(error).toMatchObject({ code: ErrorCode.UNEXPECTED_BODY, reason: 'foreign-link' });
    expect(trap.requests).toHaveLength(0);
    expect(calls).toHaveLength(1);
  } finally {
    await trap.close();
  }
});

it('a next link to another path on the same origin is refused too', async () => {
  fake.inject('listSentOTPs', {
    status: 200,
    body: {
      count: 4,
      total_pages: 2,
      next: `${fake.url}/api/v1/auths/user-profile/`,
      previous: null,
      results: [],
    },
  });
  const error = await rejectionOf(tokenClient(fake).sentOTPs().next());
  expect(error).toMatchObject({ reason: 'foreign-link' });
});

it('bad page options are ValidationErrors before any request', async () => {
  const client = tokenClient(fake);
  for (const options of [{ page: 0 }, { page: 1.5 }, { pageSize: 0 }, { pageSize: 5000 }]) {
    expect(await rejectionOf(client.listSentOTPs(options))).toBeInstanceOf(ValidationError);
  }
  expect(fake.requests).toHaveLength(0);
});
