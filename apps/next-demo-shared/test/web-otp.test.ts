/**
 * The Next demos turn one-tap code entry on: texts end with `@<host> #<code>` for the demo's own
 * origin, and the dev outbox route gives the message exactly as it arrives.
 */

import { afterAll, describe, expect, it } from 'vitest';
import { outboxResponse } from '../src/dev-outbox.js';
import { createDemoOTP, demoOrigin } from '../src/otp.js';

delete process.env.TINGTING_API_TOKEN;
const demo = createDemoOTP('next-demo-web-otp-test');

afterAll(async () => {
  await (await demo.getFakeTingTing())?.close();
});

describe('one-tap code entry in the Next demos', () => {
  it('the SMS ends with the origin-bound line; the outbox route shows it as it arrives', async () => {
    expect(await (await demo.getEngine()).send({ phone: '9841000301' })).toMatchObject({
      ok: true,
    });
    const sms = (await demo.getFakeTingTing())?.outbox.last('9841000301');
    expect(sms?.message.split('\n').at(-1)).toBe(`@localhost #${sms?.otp}`);
    const response = await outboxResponse(
      demo,
      new Request('http://localhost/api/dev/outbox?phone=9841000301'),
    );
    const body = (await response.json()) as { messages: { message: string }[] };
    expect(body.messages[0]?.message).toBe(sms?.message);
  });

  it('takes the origin from the demo’s own URL', () => {
    expect(demoOrigin({})).toBe('http://localhost:3000');
    expect(demoOrigin({ PORT: '3002' })).toBe('http://localhost:3002');
    expect(demoOrigin({ NEXTAUTH_URL: 'http://127.0.0.1:4000' })).toBe('http://127.0.0.1:4000');
    expect(demoOrigin({ AUTH_URL: 'https://demo.example.com/api/auth' })).toBe(
      'https://demo.example.com',
    );
    expect(demoOrigin({ PUBLIC_URL: 'https://a.example.com', AUTH_URL: 'https://b.example' })).toBe(
      'https://a.example.com',
    );
  });
});
