/**
 * One guess sprayed across many pending numbers: each number sees a single wrong code, far below
 * its own lockout, so only a per-IP limit on verify stops it. The demo allows 60 verifies per IP
 * per 15 minutes (as `@tingting-auth/express` does), then answers 429 `RATE_LIMITED` with
 * `Retry-After`, while other IPs still sign in. Over HTTP, against the demo's embedded fake.
 */

import { createServer, type Server } from 'node:http';
import { closeServer, listen, wrongCode } from 'test-support/browser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ACTIONS, createDemo, VERIFY_LIMIT } from '../src/app.js';

const NUMBERS = Array.from({ length: VERIFY_LIMIT.limit + 1 }, (_, i) => `9841${100_000 + i}`);
const ATTACKER = '203.0.113.7';

let demo: Awaited<ReturnType<typeof createDemo>>;
let server: Server;
let origin: string;

beforeAll(async () => {
  // TRUST_PROXY: the requests say which client they come from (X-Forwarded-For).
  demo = await createDemo({ env: { TRUST_PROXY: '1' }, log: () => {} });
  server = createServer(demo.app);
  origin = `http://127.0.0.1:${await listen(server)}`;
});

afterAll(async () => {
  await closeServer(server);
  await demo?.close();
});

function post(path: string, ip: string, body: object): Promise<Response> {
  return fetch(origin + path, {
    method: 'POST',
    headers: {
      accept: 'application/json',
      'content-type': 'application/json',
      'x-forwarded-for': ip,
    },
    body: JSON.stringify(body),
  });
}

function codeOf(national: string): string {
  const code = demo.fake?.outbox.last(national)?.otp;
  if (code === undefined) throw new Error(`no code for ${national}`);
  return code;
}

it('stops a guess sprayed across many pending numbers from one IP, not other IPs', async () => {
  // Many people wait for a code, each from their own address.
  for (const [i, phone] of NUMBERS.entries()) {
    const sent = await post(ACTIONS.send, `10.0.${i >> 8}.${i & 255}`, { phone });
    expect(sent.status).toBe(202);
  }

  // Cross-site posts are refused before the limit counts them: another site cannot spend a
  // visitor's allowance.
  for (let i = 0; i < 5; i += 1) {
    const forged = await fetch(origin + ACTIONS.verify, {
      method: 'POST',
      headers: { 'x-forwarded-for': ATTACKER, 'sec-fetch-site': 'cross-site' },
    });
    expect(forged.status).toBe(403);
  }

  // One wrong guess per number, all from one address: no number ever gets near its lockout.
  const answers: number[] = [];
  for (const phone of NUMBERS) {
    const answer = await post(ACTIONS.verify, ATTACKER, { phone, code: wrongCode(codeOf(phone)) });
    answers.push(answer.status);
    if (answer.status === 429) {
      expect(await answer.json()).toEqual({
        error: { code: 'RATE_LIMITED', message: 'Too many requests. Please wait and try again.' },
      });
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  }
  expect(answers.slice(0, VERIFY_LIMIT.limit)).toEqual(Array(VERIFY_LIMIT.limit).fill(401));
  expect(answers.at(-1)).toBe(429);

  // The limit is the attacker's alone: the owner of the last number signs in from their address.
  const phone = NUMBERS.at(-1) as string;
  const owner = await post(ACTIONS.verify, '198.51.100.9', { phone, code: codeOf(phone) });
  expect(owner.status).toBe(200);
  expect(await owner.json()).toMatchObject({ user: { phone: `+977${phone}` } });
});
