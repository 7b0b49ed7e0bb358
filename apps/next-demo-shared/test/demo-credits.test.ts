/**
 * The Next demos' embedded fake never runs them dry: it starts with DEMO_CREDITS and tops up, so
 * the 101st text goes out like the first (the fake's default, 100 credits, made every send after
 * the 100th fail until a restart); the dev outbox route reports the credits left.
 */

import { afterAll, describe, expect, it } from 'vitest';
import { outboxResponse } from '../src/dev-outbox.js';
import { createDemoOTP, DEMO_CREDITS, DEMO_CREDITS_FLOOR } from '../src/otp.js';

delete process.env.TINGTING_API_TOKEN;
const demo = createDemoOTP('next-demo-credits-test');

afterAll(async () => {
  await (await demo.getFakeTingTing())?.close();
});

async function fake() {
  const server = await demo.getFakeTingTing();
  if (server === undefined) throw new Error('the demo should run on the embedded fake');
  return server;
}

describe('the embedded fake’s credits', () => {
  it(`start at ${DEMO_CREDITS}: 150 texts to 150 numbers all go out`, async () => {
    // Fixed valid numbers (9841000000 + i), never from the clock.
    for (let i = 0; i < 150; i++) {
      const result = await (await demo.getEngine()).send({
        phone: `98410${String(i).padStart(5, '0')}`,
      });
      expect(result.ok).toBe(true);
    }
    expect((await fake()).credits).toEqual({ sms: DEMO_CREDITS - 150, phone: DEMO_CREDITS });
  }, 60_000);

  it(`are topped up to ${DEMO_CREDITS} when a delivery leaves fewer than ${DEMO_CREDITS_FLOOR}`, async () => {
    (await fake()).setCredits({ sms: DEMO_CREDITS_FLOOR });
    expect(await (await demo.getEngine()).send({ phone: '9801000001' })).toMatchObject({
      ok: true,
    });
    expect((await fake()).credits.sms).toBe(DEMO_CREDITS);
  });

  it('are in the dev outbox route’s answer', async () => {
    const response = await outboxResponse(demo, new Request('http://localhost/api/dev/outbox'));
    const body = (await response.json()) as { credits: unknown; messages: unknown[] };
    expect(body.credits).toEqual((await fake()).credits);
    expect(body.messages).toHaveLength(151);
  });
});
