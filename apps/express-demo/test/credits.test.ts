/**
 * The embedded fake never runs the demo dry: it starts with DEMO_CREDITS and tops up, so a person
 * trying the demo for a while keeps getting texts (the fake's default, 100 credits, made every
 * send after the 100th answer 502 until a restart). The dev outbox shows the credits left.
 */

import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemo } from '../src/app.js';
import { DEMO_CREDITS, DEMO_CREDITS_FLOOR } from '../src/dev-tingting.js';

type Demo = Awaited<ReturnType<typeof createDemo>>;
let demo: Demo;
let server: Server;
let origin: string;

beforeAll(async () => {
  demo = await createDemo({ env: { NODE_ENV: 'test' }, log: () => {} });
  server = await new Promise<Server>((resolve) => {
    const s = demo.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  origin = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await demo.close();
});

/** One text through the demo's fake TingTing, as any sender would (its own HTTP API). */
async function textThroughFake(number: string): Promise<number> {
  const fake = demo.fake;
  if (fake === undefined) throw new Error('the demo should run on the embedded fake');
  const response = await fetch(`${fake.url}/api/v1/auths/send/otp/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${fake.apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      number,
      message: 'Your code is {otp}',
      sms_send_options: 'text',
      otp_options: 'personnel',
      otp: '604218',
    }),
  });
  await response.body?.cancel();
  return response.status;
}

describe('the embedded fake’s credits', () => {
  it(`start at ${DEMO_CREDITS}: the demo still texts after far more than 100 codes`, async () => {
    expect(demo.fake?.credits).toEqual({ sms: DEMO_CREDITS, phone: DEMO_CREDITS });
    const statuses = new Set<number>();
    // Fixed valid numbers (9841000000 + i): a national number per text, never from the clock.
    for (let i = 0; i < 150; i++) {
      statuses.add(await textThroughFake(`98410${String(i).padStart(5, '0')}`));
    }
    expect([...statuses]).toEqual([200]);
    expect(demo.fake?.credits.sms).toBe(DEMO_CREDITS - 150);
  }, 60_000);

  it(`are topped up to ${DEMO_CREDITS} when a delivery leaves fewer than ${DEMO_CREDITS_FLOOR}`, async () => {
    // As after some 9,000 texts.
    demo.fake?.setCredits({ sms: DEMO_CREDITS_FLOOR, phone: DEMO_CREDITS_FLOOR });
    expect(await textThroughFake('9841100000')).toBe(200);
    expect(demo.fake?.credits).toEqual({ sms: DEMO_CREDITS, phone: DEMO_CREDITS_FLOOR });
    const sent = await fetch(`${origin}/auth/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', origin },
      body: JSON.stringify({ phone: '9801000001', channel: 'voice' }),
    });
    expect(sent.status).toBe(202);
    expect(demo.fake?.credits).toEqual({ sms: DEMO_CREDITS, phone: DEMO_CREDITS });
  });

  it('are shown on the dev outbox', async () => {
    const credits = demo.fake?.credits;
    const html = await (await fetch(`${origin}/dev/outbox`)).text();
    expect(html).toContain(
      `<strong data-credits-sms>${credits?.sms.toLocaleString('en-US')}</strong> SMS`,
    );
    expect(html).toContain(
      `<strong data-credits-phone>${credits?.phone.toLocaleString('en-US')}</strong> voice calls`,
    );
  });
});
