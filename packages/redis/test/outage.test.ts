/**
 * Redis stopped in the middle of a run, under a real OTPEngine: a private `redis-server` on a free
 * loopback port is killed and started again on the same port, while the app (engine, store and
 * client object) keeps running.
 *
 * Sign-in works; during the outage send and verify fail closed with `StoreUnavailableError`
 * (`STORE_UNAVAILABLE`, which every adapter answers 503 `SERVICE_UNAVAILABLE`) at once, from the
 * client, not after a timeout, and nothing is sent; once Redis is back the same app signs in
 * again. The client options used are the ones the README recommends.
 */

import {
  ErrorCode,
  type OTPDelivery,
  OTPEngine,
  StoreUnavailableError,
  type VerifyResult,
} from '@tingting-auth/core';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RedisStore, type SendCommand } from '../src/index.js';
import { RedisServerProcess } from './redis-server.js';

const SECRET = 'redis-outage-test-secret-0123456789abcdef';
const IP = '203.0.113.7';
/** The store's own limit. Far above the test's: only the client failing fast can pass. */
const STORE_TIMEOUT = 60_000;
/** How RedisStore says its own timeout elapsed (see redis-store.ts). */
const STORE_TIMEOUT_MESSAGE = 'Redis command timed out';
/**
 * Any timeout, the store's or the client's: node-redis's `TimeoutError` (no message) and ioredis's
 * "Command timed out" also end a queued command, only after their 2 s.
 */
const ANY_TIMEOUT = /time(d)?\s*out/i;

let redis: RedisServerProcess;
beforeAll(async () => {
  redis = await RedisServerProcess.start();
});
afterAll(() => redis?.stop());

/** A Redis client as the README recommends, and how to ask whether it is connected. */
interface Connection {
  send: SendCommand;
  isReady(): boolean;
  close(): void;
}

/** node-redis 5 with the README's options: no offline queue, a command timeout, reconnect forever. */
async function nodeRedis(options: { recommended: boolean }): Promise<Connection> {
  const client = createClient({
    url: redis.url,
    ...(options.recommended
      ? {
          disableOfflineQueue: true,
          commandOptions: { timeout: 2_000 },
          socket: {
            connectTimeout: 2_000,
            reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000),
          },
        }
      : {}),
  });
  // Without a listener, node-redis's 'error' event on a lost connection would crash the process.
  client.on('error', () => {});
  await client.connect();
  return {
    send: (args) => client.sendCommand(args),
    isReady: () => client.isReady,
    close: () => client.destroy(),
  };
}

/** ioredis 5 with the README's options. */
async function ioredis(): Promise<Connection> {
  const client = new Redis({
    host: '127.0.0.1',
    port: redis.port,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
    retryStrategy: (times) => Math.min(50 * 2 ** times, 1_000),
  });
  client.on('error', () => {});
  await client.connect();
  return {
    send: (args) => client.call(args[0] as string, ...args.slice(1)),
    isReady: () => client.status === 'ready',
    close: () => client.disconnect(),
  };
}

function setup(connection: Connection, storeTimeout = STORE_TIMEOUT) {
  const deliveries: OTPDelivery[] = [];
  const store = new RedisStore({
    sendCommand: connection.send,
    prefix: `outage-${Math.random().toString(36).slice(2, 10)}`,
    timeoutInMilliseconds: storeTimeout,
  });
  const engine = new OTPEngine({
    secret: SECRET,
    store,
    sender: async (delivery) => {
      deliveries.push(delivery);
      return undefined;
    },
    logger: { warn: () => {} },
  });
  const send = (phone: string) => engine.send({ phone, ip: IP });
  const verify = (phone: string, code: string): Promise<VerifyResult> =>
    engine.verify({ phone, code, ip: IP });
  const codeFor = (phone: string): string => {
    const delivery = deliveries.findLast((entry) => entry.nationalNumber === phone);
    if (delivery === undefined) throw new Error(`nothing delivered to ${phone}`);
    return delivery.code;
  };
  return { engine, deliveries, send, verify, codeFor };
}

/** The engine's rejection; fails the test if the call succeeded. */
async function failure(promise: Promise<unknown>): Promise<StoreUnavailableError> {
  const error = await promise.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(StoreUnavailableError);
  expect(error).toMatchObject({ code: ErrorCode.STORE_UNAVAILABLE });
  return error as StoreUnavailableError;
}

/** The innermost cause, as `<class>: <message>`. */
function rootCause(error: unknown): string {
  let current = error as { cause?: unknown; message?: unknown };
  while (current.cause !== undefined) current = current.cause as typeof current;
  return `${current.constructor.name}: ${String(current.message)}`;
}

describe.each([
  ['node-redis', () => nodeRedis({ recommended: true })],
  ['ioredis', ioredis],
])('%s with the recommended options: Redis killed and restarted mid-run', (_name, connect) => {
  it('fails closed at once during the outage, and signs in again once Redis is back', async () => {
    const connection = await connect();
    try {
      const app = setup(connection);

      // Before: a normal sign-in, and a second code left pending.
      expect(await app.send('9812345678')).toMatchObject({ ok: true });
      expect(await app.verify('9812345678', app.codeFor('9812345678'))).toMatchObject({
        ok: true,
        phone: '+9779812345678',
      });
      expect(await app.send('9812345679')).toMatchObject({ ok: true });
      const pending = app.codeFor('9812345679');
      const sent = app.deliveries.length;

      await redis.stop();

      // During: every send and verify rejects, from the client, not after a timeout.
      for (let attempt = 0; attempt < 5; attempt++) {
        const sendError = await failure(app.send(`98411111${10 + attempt}`));
        expect(rootCause(sendError)).not.toMatch(ANY_TIMEOUT);
        const verifyError = await failure(app.verify('9812345679', pending));
        expect(rootCause(verifyError)).not.toMatch(ANY_TIMEOUT);
        // Nothing about the number or the code in what the app would log.
        for (const error of [sendError, verifyError]) {
          expect(error.message).not.toMatch(/98411111|9812345679|\+977/);
          expect(error.message).not.toContain(pending);
        }
      }
      // Fail closed: no SMS goes out while limits and codes cannot be stored.
      expect(app.deliveries.length).toBe(sent);

      // After: the same port, the same app and client object.
      await redis.restart();
      await vi.waitFor(() => expect(connection.isReady()).toBe(true), {
        timeout: 10_000,
        interval: 50,
      });
      expect(await app.send('9841234567')).toMatchObject({ ok: true });
      expect(await app.verify('9841234567', app.codeFor('9841234567'))).toMatchObject({
        ok: true,
        phone: '+9779841234567',
      });
      // The restarted Redis kept nothing (no persistence): the old pending code is gone, and
      // failing closed means it is refused, not accepted.
      expect(await app.verify('9812345679', pending)).toEqual({
        ok: false,
        reason: 'invalid_code',
      });
      expect(await app.send('9812345679')).toMatchObject({ ok: true });
    } finally {
      connection.close();
      await redis.restart();
    }
  });
});

describe('why the options matter', () => {
  it('node-redis defaults queue commands while offline: only the store timeout fails them', async () => {
    const connection = await nodeRedis({ recommended: false });
    try {
      // A short store timeout: with the default 5 s every request would wait that long.
      const app = setup(connection, 300);
      expect(await app.send('9812345678')).toMatchObject({ ok: true });
      await redis.stop();
      await vi.waitFor(() => expect(connection.isReady()).toBe(false), {
        timeout: 10_000,
        interval: 20,
      });
      const error = await failure(app.send('9812345679'));
      expect(rootCause(error)).toBe(`Error: ${STORE_TIMEOUT_MESSAGE}`);
      await redis.restart();
      await vi.waitFor(() => expect(connection.isReady()).toBe(true), {
        timeout: 10_000,
        interval: 50,
      });
      expect(await app.send('9841234567')).toMatchObject({ ok: true });
    } finally {
      connection.close();
      await redis.restart();
    }
  });
});
