// The README's example, kept runnable so it cannot drift from the package.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type FakeTingTing, startFakeTingTing } from '../src/index.js';

let fake: FakeTingTing;
beforeEach(async () => {
  fake = await startFakeTingTing();
});
afterEach(() => fake.close());

it('sends the code by SMS', async () => {
  const delivered = fake.outbox.waitFor('+9779812345678');
  const response = await fetch(`${fake.url}/api/v1/auths/send/otp/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${fake.apiToken}` },
    body: JSON.stringify({
      number: '9812345678',
      message: 'Your sign-in code is {otp}',
      sms_send_options: 'text',
      otp_options: 'personnel',
      otp: '482913',
    }),
  });
  expect(response.status).toBe(200);

  const delivery = await delivered;
  expect(delivery.message).toBe('Your sign-in code is 482913');
  expect(fake.outbox.last('9812345678')).toBe(delivery);
  expect(fake.credits.sms).toBe(99);
});
