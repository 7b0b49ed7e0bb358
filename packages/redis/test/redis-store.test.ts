import { createServer, type Server } from 'node:net';
import { StoreUnavailableError } from '@tingting-auth/core';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './helpers.js';

const T0 = 1_700_000_000_000;
const LIMITS = {
  cooldownInMilliseconds: 1_000,
  maxSendsPerWindow: 3,
  sendWindowInMilliseconds: 10_000,
};
const POLICY = {
  maxAttemptsPerCode: 3,
  lockAfterFailures: 100,
  lockBaseInMilliseconds: 1_000,
  lockMaxInMilliseconds: 4_000,
  failureWindowInMilliseconds: 60_000,
};
const challenge = {
  id: 'id-1',
  codeHash: 'hash-right',
  expiresAt: T0 + 300_000,
  channel: 'text' as const,
};

const client = createClient({ url: REDIS_URL });
const prefix = uniquePrefix('store');
const send = (args: string[]): Promise<unknown> => client.sendCommand(args);

beforeAll(async () => {
  await client.connect();
});
afterAll(async () => {
  await deletePrefix(send, prefix);
  client.destroy();
});

describe('RedisStore', () => {
  it('verifies in exactly one round trip', async () => {
    const calls: string[][] = [];
    const store = new RedisStore({
      prefix,
      sendCommand: (args) => {
        calls.push(args);
        return send(args);
      },
    });
    // Warm up: on a fresh server the first verify loads its script (EVALSHA, NOSCRIPT, EVAL).
    const warm = { phone: '+9779800000100', purpose: 'sign-in' };
    await store.issue(warm, challenge, LIMITS, T0);
    await store.verify(warm, 'hash-right', POLICY, T0 + 1);
    const subject = { phone: '+9779800000101', purpose: 'sign-in' };
    await store.issue(subject, challenge, LIMITS, T0);
    calls.length = 0;
    expect(await store.verify(subject, 'hash-right', POLICY, T0 + 1)).toEqual({ ok: true });
    expect(calls.map((c) => c[0])).toEqual(['EVALSHA']);
  });

  it('falls back to EVAL after SCRIPT FLUSH (NOSCRIPT)', async () => {
    const calls: string[] = [];
    const store = new RedisStore({
      prefix,
      sendCommand: (args) => {
        calls.push(args[0] as string);
        return send(args);
      },
    });
    const subject = { phone: '+9779800000102', purpose: 'sign-in' };
    await store.issue(subject, challenge, LIMITS, T0);
    await send(['SCRIPT', 'FLUSH']);
    calls.length = 0;
    expect(await store.verify(subject, 'hash-right', POLICY, T0 + 1)).toEqual({ ok: true });
    expect(calls).toEqual(['EVALSHA', 'EVAL']);
    // EVAL cached the script again: the next call is one EVALSHA.
    calls.length = 0;
    await store.hit('after-flush', 1_000, T0);
    await store.hit('after-flush', 1_000, T0);
    expect(calls).toEqual(['EVALSHA', 'EVAL', 'EVALSHA']);
  });

  it('sets key TTLs from the policy', async () => {
    const store = new RedisStore({ prefix, sendCommand: send });
    const subject = { phone: '+9779800000103', purpose: 'sign-in' };
    await store.issue(subject, { ...challenge, expiresAt: T0 + 120_000 }, LIMITS, T0);
    const numberKey = `{${prefix}:+9779800000103}`;
    const challengeKey = `${numberKey}:c:sign-in`;
    const challengeTTL = Number(await send(['PTTL', challengeKey]));
    // expiresAt - now (120 s) + 60 s margin, never less than the policy needs.
    expect(challengeTTL).toBeGreaterThan(170_000);
    expect(challengeTTL).toBeLessThanOrEqual(180_000);
    const numberTTL = Number(await send(['PTTL', numberKey]));
    expect(numberTTL).toBeGreaterThan(60_000);
    expect(numberTTL).toBeLessThanOrEqual(70_000);
  });

  it('rejects with StoreUnavailableError on an unexpected reply, without key or hash in the message', async () => {
    const store = new RedisStore({ prefix, sendCommand: async () => 'garbage' });
    const error = await store
      .verify({ phone: '+9779800000104', purpose: 'sign-in' }, 'secret-hash', POLICY, T0)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).code).toBe('STORE_UNAVAILABLE');
    expect((error as Error).message).not.toMatch(/9800000104|secret-hash/);
  });

  it('fails closed fast when Redis is unreachable (ioredis, closed port)', async () => {
    const dead = new Redis({
      port: 1,
      host: '127.0.0.1',
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    dead.on('error', () => {});
    const store = new RedisStore({
      prefix,
      sendCommand: (args) => dead.call(args[0] as string, ...args.slice(1)),
    });
    const started = Date.now();
    const error = await store.hit('x', 1_000, T0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).cause).toBeInstanceOf(Error);
    // A liveness bound, not a speed figure: without fail-fast the command waits for ever.
    expect(Date.now() - started).toBeLessThan(10_000);
    dead.disconnect();
  });

  it('fails closed fast when the client connection is killed (node-redis, no reconnect)', async () => {
    const victim = createClient({ url: REDIS_URL, socket: { reconnectStrategy: false } });
    victim.on('error', () => {});
    await victim.connect();
    const store = new RedisStore({ prefix, sendCommand: (args) => victim.sendCommand(args) });
    expect(await store.hit('killed', 1_000, T0)).toEqual({ count: 1, resetAt: T0 + 1_000 });
    const id = String(await victim.sendCommand(['CLIENT', 'ID']));
    await send(['CLIENT', 'KILL', 'ID', id]);
    for (let i = 0; i < 50 && victim.isOpen; i++) await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    const error = await store.hit('killed', 1_000, T0 + 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(10_000); // liveness: it hangs without fail-fast
    expect(victim.isOpen).toBe(false);
  });

  it('fails closed fast when the server never answers (timeout)', async () => {
    const sockets: import('node:net').Socket[] = [];
    const silent: Server = createServer((socket) => {
      sockets.push(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const hanging = createClient({ url: `redis://127.0.0.1:${port}`, disableClientInfo: true });
    hanging.on('error', () => {});
    const connecting = hanging.connect().catch(() => undefined);
    const store = new RedisStore({
      prefix,
      timeoutInMilliseconds: 200,
      sendCommand: (args) => hanging.sendCommand(args),
    });
    const started = Date.now();
    const error = await store
      .verify({ phone: '+9779800000105', purpose: 'sign-in' }, 'h', POLICY, T0)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(10_000); // liveness: it hangs without fail-fast
    hanging.destroy();
    await connecting;
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('refuses bad options with a TypeError', () => {
    expect(() => new RedisStore({} as never)).toThrow(TypeError);
    expect(() => new RedisStore({ sendCommand: send, prefix: 'a{b' })).toThrow(TypeError);
    expect(() => new RedisStore({ sendCommand: send, timeoutInMilliseconds: 0 })).toThrow(
      TypeError,
    );
  });
});
