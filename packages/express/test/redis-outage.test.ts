/**
 * Redis stopped in the middle of a run, seen through the Express router: a real express() app
 * (Express 5, express-session) with the OTP engine on a RedisStore over node-redis, configured as
 * the redis package's README ("When Redis goes down") recommends, and the real TingTing client
 * against the fake server. A private `redis-server` is killed (SIGKILL) and started again on the
 * same port while the app keeps running.
 *
 * Sign-in works; during the outage send and verify answer 503 `SERVICE_UNAVAILABLE` with the
 * generic body, failed by the client itself (not by the store's timeout), with nothing sent to
 * TingTing and no number, code or secret in the answers or in what the app logs; once Redis is
 * back the same app signs in again.
 */

import { format } from 'node:util';
import { OTPEngine, StoreUnavailableError } from '@tingting-auth/core';
import { RedisStore } from '@tingting-auth/redis';
import { type FakeTingTing, startFakeTingTing } from '@tingting-auth/testing';
import express from 'express';
import session from 'express-session';
import { ClientOfflineError, createClient, SocketClosedUnexpectedlyError } from 'redis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RedisServerProcess } from '../../redis/test/redis-server.js';
import { createTingTingAuth } from '../src/index.js';
import { fakeSender } from './helpers.js';

const SECRET = 'express-redis-outage-secret-0123456789abcdef';
const SESSION_SECRET = 'express-redis-outage-session-secret';
const PREFIX = `express-outage-${Math.random().toString(36).slice(2, 10)}`;

let fake: FakeTingTing | undefined;
let redis: RedisServerProcess | undefined;
let client: ReturnType<typeof createClient> | undefined;
/** What the app would log from node-redis's 'error' event. */
const redisErrors: string[] = [];

beforeAll(async () => {
  fake = await startFakeTingTing();
  redis = await RedisServerProcess.start();
  // The README's node-redis options: no offline queue, a command timeout, reconnect forever.
  client = createClient({
    url: redis.url,
    disableOfflineQueue: true,
    commandOptions: { timeout: 2_000 },
    socket: {
      connectTimeout: 2_000,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000),
    },
  });
  // Without a listener, the 'error' event on the lost connection would crash the process.
  client.on('error', (error: unknown) => redisErrors.push(format(error)));
  await client.connect();
});
// Separate hooks: each runs even when another, or a test, fails.
afterAll(() => client?.destroy());
afterAll(() => redis?.stop());
afterAll(() => fake?.close());

function setup(fake: FakeTingTing, client: ReturnType<typeof createClient>) {
  const engine = new OTPEngine({
    sender: fakeSender(fake),
    secret: SECRET,
    // The store's default timeout (5 s): a client that queued commands would still end in a 503,
    // only late; the test tells the two apart by the cause.
    store: new RedisStore({ sendCommand: (args) => client.sendCommand(args), prefix: PREFIX }),
  });
  const tingting = createTingTingAuth(engine);
  const app = express();
  app.use(session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }));
  app.use('/auth', tingting.router);
  app.get('/me', tingting.requireVerified, (req, res) => {
    res.json((req as unknown as { tingting: unknown }).tingting);
  });
  const errors: Error[] = [];
  // What apps do: log the error with its cause chain, then let the renderer answer.
  app.use((error: Error, _req: unknown, _res: unknown, next: (error?: unknown) => void): void => {
    errors.push(error);
    next(error);
  });
  app.use(tingting.errorHandler);
  return { agent: request.agent(app), errors };
}

/** Sends a code through the router and reads it from the fake's outbox, as the phone would. */
async function sendCode(
  fake: FakeTingTing,
  agent: ReturnType<typeof request.agent>,
  phone: string,
): Promise<string> {
  const response = await agent.post('/auth/send').send({ phone });
  expect(response.status).toBe(202);
  const delivery = fake.outbox.last(phone);
  if (delivery === undefined) throw new Error(`nothing delivered to ${phone}`);
  return delivery.otp;
}

async function expectSignIn(
  agent: ReturnType<typeof request.agent>,
  phone: string,
  code: string,
): Promise<void> {
  const response = await agent.post('/auth/verify').send({ phone, code });
  expect(response.status).toBe(200);
  expect(response.body).toEqual({ phone: `+977${phone}`, verifiedAt: expect.any(String) });
  const me = await agent.get('/me');
  expect(me.status).toBe(200);
  expect(me.body).toMatchObject({ phone: `+977${phone}` });
}

function expectUnavailable(response: request.Response): void {
  expect(response.status).toBe(503);
  expect(response.body).toEqual({
    error: { code: 'SERVICE_UNAVAILABLE', message: expect.any(String) },
  });
}

/** The chain of causes under an error, outermost first. */
function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current = (error as { cause?: unknown }).cause;
  while (current !== undefined) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

describe('Express 5 on a RedisStore (node-redis, README options): Redis killed and restarted mid-run', () => {
  it('answers 503 SERVICE_UNAVAILABLE at once during the outage, and signs in again once Redis is back', async () => {
    const app = setup(fake!, client!);

    // Before: a normal sign-in, and a second code left pending.
    await expectSignIn(app.agent, '9812345678', await sendCode(fake!, app.agent, '9812345678'));
    const pending = await sendCode(fake!, app.agent, '9812345679');
    const delivered = fake!.outbox.messages.length;
    const sendRequests = fake!.requests.filter((entry) => entry.endpoint === 'sendOTP').length;

    await redis!.stop();

    // During: every send and verify is refused with the generic 503.
    const answers: request.Response[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const send = await app.agent.post('/auth/send').send({ phone: `98411111${10 + attempt}` });
      expectUnavailable(send);
      const verify = await app.agent
        .post('/auth/verify')
        .send({ phone: '9812345679', code: pending });
      expectUnavailable(verify);
      answers.push(send, verify);
    }
    // Each 503 is the store failing because node-redis refused the command at once, knowing the
    // connection is down: not a timeout (the store's 5 s, or the client's 2 s on a queued command).
    expect(app.errors).toHaveLength(answers.length);
    for (const error of app.errors) {
      expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
      const chain = causeChain(error);
      expect(chain[0]).toBeInstanceOf(StoreUnavailableError);
      expect(chain.at(-1)).toBeOneOf([
        expect.any(ClientOfflineError),
        expect.any(SocketClosedUnexpectedlyError),
      ]);
    }
    // Fail closed: nothing reached TingTing while limits and codes could not be stored.
    expect(fake!.outbox.messages.length).toBe(delivered);
    expect(fake!.requests.filter((entry) => entry.endpoint === 'sendOTP').length).toBe(
      sendRequests,
    );
    // No number, code, key or secret in the answers, in what the app logs, or in node-redis's errors.
    expect(redisErrors.length).toBeGreaterThan(0);
    const texts = [
      ...answers.map((response) => `${response.text} ${JSON.stringify(response.headers)}`),
      ...app.errors.map((error) => format(error)),
      ...redisErrors,
    ];
    for (const text of texts) {
      expect(text).not.toMatch(/98411111|9812345679|\+977/);
      expect(text).not.toMatch(new RegExp(`(?<![0-9])${pending}(?![0-9])`));
      for (const secret of [SECRET, SESSION_SECRET, fake!.apiToken, PREFIX]) {
        expect(text).not.toContain(secret);
      }
    }

    // After: the same port, the same app, engine, store and client object.
    await redis!.restart();
    await vi.waitFor(() => expect(client!.isReady).toBe(true), { timeout: 10_000, interval: 50 });
    await expectSignIn(app.agent, '9841234567', await sendCode(fake!, app.agent, '9841234567'));
    // The restarted Redis kept nothing (no persistence): the code pending during the outage is
    // refused, never accepted; a new one signs in.
    const stale = await app.agent.post('/auth/verify').send({ phone: '9812345679', code: pending });
    expect(stale.status).toBe(401);
    expect(stale.body).toEqual({ error: { code: 'INVALID_CODE', message: expect.any(String) } });
    await expectSignIn(app.agent, '9812345679', await sendCode(fake!, app.agent, '9812345679'));
  });
});
