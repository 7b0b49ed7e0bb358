/**
 * With REDIS_URL, two demo processes share sessions and OTP challenges: a code sent through one
 * verifies on the other, and the session cookie it sets is honoured by both. (Two apps in one
 * test process stand in for two processes: they share nothing but Redis and the secrets.)
 */

import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemo } from '../src/app.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const env = {
  NODE_ENV: 'test',
  REDIS_URL,
  OTP_SECRET: randomBytes(32).toString('base64url'),
  SESSION_SECRET: randomBytes(32).toString('base64url'),
  // The revocable sessions of a phone sign-in are sealed under it: every process needs the same.
  UPSTREAM_SESSION_SECRET: randomBytes(32).toString('base64url'),
};

/**
 * A fixed, valid mobile number (9841…: NTC). Redis outlives a test run, so the number's state from
 * an earlier run (cooldown, send window) is deleted first, rather than picking a fresh number from
 * the clock: `98` + the clock made 983…, 987… and 989…, which are not mobile ranges.
 */
const NATIONAL = '9841000071';
/** The demo's keys for that number (`RedisStore`, prefix `express-demo:otp`). */
const NUMBER_KEY = `{express-demo:otp:+977${NATIONAL}}`;

type Demo = Awaited<ReturnType<typeof createDemo>>;
const running: Array<{ demo: Demo; server: Server; origin: string }> = [];
const lines: string[] = [];

async function start(): Promise<{ demo: Demo; server: Server; origin: string }> {
  const demo = await createDemo({ env, log: (line) => lines.push(line) });
  const server = await new Promise<Server>((resolve) => {
    const s = demo.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const entry = { demo, server, origin: `http://127.0.0.1:${address.port}` };
  running.push(entry);
  return entry;
}

beforeAll(async () => {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  await client.del([NUMBER_KEY, `${NUMBER_KEY}:c:sign-in`]);
  await client.quit();
  await start();
  await start();
});

afterAll(async () => {
  for (const { demo, server } of running) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await demo.close();
  }
});

function post(origin: string, path: string, body: unknown, cookie?: string): Promise<Response> {
  return fetch(`${origin}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      origin,
      ...(cookie === undefined ? {} : { cookie }),
    },
    body: JSON.stringify(body),
    redirect: 'manual',
  });
}

describe('express-demo with REDIS_URL', () => {
  it('says where it keeps state', () => {
    expect(lines.some((line) => line.includes('OTP challenges in Redis'))).toBe(true);
  });

  it('verifies on one process a code sent through the other, and both honour the session', async () => {
    const [a, b] = running;
    if (a === undefined || b === undefined) throw new Error('two demos expected');
    const national = NATIONAL;

    const sent = await post(a.origin, '/auth/send', { phone: national, channel: 'text' });
    expect(sent.status).toBe(202);
    const delivery = a.demo.fake?.outbox.last(national);
    if (delivery?.otp === undefined) throw new Error('the fake delivered no code');

    // The second process has no challenge of its own: only Redis can make this work.
    const wrong = await post(b.origin, '/auth/verify', {
      phone: national,
      code: delivery.otp === '000000' ? '111111' : '000000',
    });
    expect(wrong.status).toBe(401);
    const verified = await post(b.origin, '/auth/verify', { phone: national, code: delivery.otp });
    expect(verified.status).toBe(200);
    expect(await verified.json()).toMatchObject({ phone: `+977${national}` });
    const cookie = verified.headers.get('set-cookie')?.split(';')[0];
    expect(cookie).toMatch(/^demo\.sid=/);

    for (const { origin } of running) {
      const account = await fetch(`${origin}/account`, {
        headers: { cookie: cookie ?? '', accept: 'text/html' },
        redirect: 'manual',
      });
      expect(account.status).toBe(200);
      expect(await account.text()).toContain(national.slice(-4));
    }

    // Used once, through either process.
    const again = await post(a.origin, '/auth/verify', { phone: national, code: delivery.otp });
    expect(again.status).toBe(401);
  });
});
