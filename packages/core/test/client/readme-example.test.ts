/** The README's client examples, as written, against the fake (baseURL is the only addition). */
import { type FakeTingTing, startFakeTingTing } from '@tingting-auth/testing';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type SentOTP, TingTingClient } from '../../src/index.js';

let fake: FakeTingTing;
beforeEach(async () => {
  fake = await startFakeTingTing();
});
afterEach(() => fake.close());

it('API token example', async () => {
  process.env.TINGTING_API_TOKEN = fake.apiToken;
  const client = new TingTingClient({
    apiToken: process.env.TINGTING_API_TOKEN,
    baseURL: fake.url,
  });

  const sent = await client.sendOTP({
    number: '+977 981-234-5678',
    message: 'Your sign-in code is {otp}',
    channel: 'text',
    otp: '482913',
  });
  expect(sent.remainingCredits).toEqual({ text: 99, voice: 100 });
  expect(sent.creditsUsed).toBe(1);

  const page = await client.listSentOTPs({ page: 1, pageSize: 20 });
  expect(page.items).toHaveLength(1);
  const all: SentOTP[] = [];
  for await (const otp of client.sentOTPs()) all.push(otp);
  expect(all[0]?.number).toBe('9812345678');
  const profile = await client.getUserProfile();
  expect(profile.user.email).toBe(fake.account.email);
  delete process.env.TINGTING_API_TOKEN;
});

it('email and password example', async () => {
  process.env.TINGTING_EMAIL = fake.account.email;
  process.env.TINGTING_PASSWORD = fake.account.password;
  const client = new TingTingClient({
    email: process.env.TINGTING_EMAIL,
    password: process.env.TINGTING_PASSWORD,
    baseURL: fake.url,
  });
  await client.sendOTP({
    number: '9812345678',
    message: 'Code: {otp}',
    channel: 'text',
    otp: '604218',
  });
  expect(fake.outbox.last()?.message).toBe('Code: 604218');

  const old = await client.getAPIToken();
  expect(old?.token).toBe(fake.apiToken);
  const { token } = await client.generateAPIToken();
  expect(token).not.toBe(old?.token);
  await client.sendOTP({
    number: '9812345678',
    message: 'Code: {otp}',
    channel: 'text',
    otp: '604219',
  });
  expect(fake.requests.at(-1)).toMatchObject({ endpoint: 'sendOTP', status: 200 });
  delete process.env.TINGTING_EMAIL;
  delete process.env.TINGTING_PASSWORD;
});
