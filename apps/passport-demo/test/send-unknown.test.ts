/**
 * "We may have sent you a code": TingTing did the work but its answer was lost (a garbled 200 from
 * the embedded fake). The demo answers 202 with `delivery: 'unknown'` and an honest message, not
 * an outage, and the code that did arrive signs in. Over HTTP, against the demo's embedded fake.
 */

import { createServer, type Server } from 'node:http';
import { DELIVERY_UNKNOWN_MESSAGE } from '@tingting-auth/core';
import { closeServer, listen } from 'test-support/browser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ACTIONS, createDemo } from '../src/app.js';

const PHONE = '9841300001';

let demo: Awaited<ReturnType<typeof createDemo>>;
let server: Server;
let origin: string;

beforeAll(async () => {
  demo = await createDemo({ env: {}, log: () => {} });
  server = createServer(demo.app);
  origin = `http://127.0.0.1:${await listen(server)}`;
});

afterAll(async () => {
  await closeServer(server);
  await demo?.close();
});

function post(path: string, body: object): Promise<Response> {
  return fetch(origin + path, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

it('a lost TingTing answer is a 202 that says so, and the code that arrived signs in', async () => {
  const fake = demo.fake;
  if (fake === undefined) throw new Error('the demo runs its embedded fake without a token');
  fake.inject('sendOTP', { kind: 'malformed-json', afterWork: true });

  const sent = await post(ACTIONS.send, { phone: PHONE });

  expect(sent.status).toBe(202);
  expect(await sent.json()).toMatchObject({
    phone: `+977${PHONE}`,
    delivery: 'unknown',
    message: DELIVERY_UNKNOWN_MESSAGE,
  });
  const code = fake.outbox.last(PHONE)?.otp;
  expect(code).toMatch(/^\d{6}$/);
  const verified = await post(ACTIONS.verify, { phone: PHONE, code });
  expect(verified.status).toBe(200);
});
