import { StoreUnavailableError } from '@tingting-auth/core';
import { createClient, RESP_TYPES } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore, type SendCommand } from '../src/index.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './helpers.js';

// How RedisStore reads what a client hands back. Clients differ (strings or Buffers for bulk
// strings, numbers or strings for integers), and a proxy or a bug may hand back anything: a
// reply outside the scripts' shapes must fail closed with a generic message, never pass.
const T0 = 1_700_000_000_000;
const LIMITS = {
  cooldownInMilliseconds: 1_000,
  maxSendsPerWindow: 3,
  sendWindowInMilliseconds: 10_000,
};
const POLICY = {
  maxAttemptsPerCode: 3,
  lockAfterFailures: 2,
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
const send = (args: string[]): Promise<unknown> => client.sendCommand(args);
const prefix = uniquePrefix('replies');

beforeAll(async () => {
  await client.connect();
});
afterAll(async () => {
  await deletePrefix(send, prefix);
  await deletePrefix(send, 'tingting-auth');
  client.destroy();
});

describe('RedisStore with a client that answers Buffers and integers as strings', () => {
  it('reads every outcome the same', async () => {
    const sendCommand: SendCommand = (args) =>
      client.sendCommand(args, {
        typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer, [RESP_TYPES.NUMBER]: String },
      });
    expect(await sendCommand(['EVAL', "return {'ok', 5}", '0'])).toEqual([Buffer.from('ok'), '5']);
    const store = new RedisStore({ prefix, sendCommand });
    const subject = { phone: '+9779800000201', purpose: 'sign-in' };
    expect(await store.issue(subject, challenge, LIMITS, T0)).toEqual({
      ok: true,
      sendsInWindow: 1,
    });
    expect(await store.issue(subject, challenge, LIMITS, T0 + 10)).toEqual({
      ok: false,
      detail: 'cooldown',
      retryAfterInMilliseconds: 990,
    });
    expect(await store.verify(subject, 'hash-wrong', POLICY, T0 + 20)).toEqual({
      ok: false,
      detail: 'wrong_code',
      failures: 1,
      attemptsLeft: 2,
    });
    expect(await store.verify(subject, 'hash-wrong', POLICY, T0 + 30)).toEqual({
      ok: false,
      detail: 'locked',
      retryAfterInMilliseconds: 1_000,
      lockedNow: true,
      failures: 2,
    });
    expect(await store.verify(subject, 'hash-right', POLICY, T0 + 40)).toEqual({
      ok: false,
      detail: 'locked',
      retryAfterInMilliseconds: 990,
      lockedNow: false,
      failures: 2,
    });
    expect(await store.verify(subject, 'hash-right', POLICY, T0 + 1_030)).toEqual({ ok: true });
    expect(await store.verify(subject, 'hash-right', POLICY, T0 + 1_040)).toEqual({
      ok: false,
      detail: 'no_challenge',
    });
    expect(await store.hit('buffers', 5_000, T0)).toEqual({ count: 1, resetAt: T0 + 5_000 });
  });
});

describe('RedisStore with replies outside the scripts’ shapes', () => {
  const subject = { phone: '+9779800000202', purpose: 'sign-in' };

  it.each([
    ['a number', 5, 5],
    ['null', null, null],
    ['an empty array', [], []],
    ['an unknown tag', ['maybe'], ['maybe']],
    ['a tag that is not text', [1], [1]],
    ['a count that is not a number', ['ok', 'many'], ['wrong_code', 'many', 1]],
    ['an infinite count', ['cooldown', Number.POSITIVE_INFINITY], ['locked', 1, 1, Number.NaN]],
    ['an object', { ok: true }, { ok: true }],
  ])('%s fails closed, the cause an UnexpectedReplyError', async (_, issueReply, verifyReply) => {
    const issuing = new RedisStore({ prefix, sendCommand: async () => issueReply });
    const verifying = new RedisStore({ prefix, sendCommand: async () => verifyReply });
    for (const operation of [
      () => issuing.issue(subject, challenge, LIMITS, T0),
      () => verifying.verify(subject, 'hash-right', POLICY, T0),
    ]) {
      const error = await operation().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toBe('The Redis OTP store is unavailable');
      expect((error as Error).cause).toMatchObject({
        name: 'UnexpectedReplyError',
        message: 'Unexpected reply from Redis',
      });
    }
  });

  it('a hit reply with a count that is not a number fails closed', async () => {
    const store = new RedisStore({ prefix, sendCommand: async () => ['x', T0] });
    const error = await store.hit('k', 1_000, T0).catch((e: unknown) => e);
    expect((error as Error).cause).toMatchObject({ name: 'UnexpectedReplyError' });
  });
});

describe('RedisStore script loading', () => {
  /** A client that answers EVALSHA with `failure` and records every command name. */
  function failingEvalsha(failure: unknown) {
    const commands: string[] = [];
    const sendCommand: SendCommand = async (args) => {
      commands.push(args[0]!);
      if (args[0] === 'EVALSHA') throw failure;
      return client.sendCommand(args);
    };
    return { commands, store: new RedisStore({ prefix, sendCommand }) };
  }

  it('falls back to EVAL only on NOSCRIPT', async () => {
    const noScript = failingEvalsha(new Error('NOSCRIPT No matching script.'));
    expect(await noScript.store.hit('loading', 1_000, T0)).toMatchObject({ count: 1 });
    expect(noScript.commands).toEqual(['EVALSHA', 'EVAL']);

    for (const failure of [new Error('ERR max memory'), new Error('LOADING'), 'NOSCRIPT']) {
      const other = failingEvalsha(failure);
      const error = await other.store.hit('loading', 1_000, T0).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).cause).toBe(failure);
      expect(other.commands).toEqual(['EVALSHA']);
    }
  });

  it('sends EVALSHA with the SHA-1 of the script, which Redis knows once loaded', async () => {
    const seen: string[][] = [];
    const store = new RedisStore({
      prefix,
      sendCommand: (args) => {
        seen.push(args);
        return client.sendCommand(args);
      },
    });
    await store.hit('sha', 1_000, T0);
    await store.hit('sha', 1_000, T0);
    const sha = seen.at(-1)![1]!;
    expect(seen.at(-1)![0]).toBe('EVALSHA');
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await client.sendCommand(['SCRIPT', 'EXISTS', sha])).toEqual([1]);
  });
});

describe('RedisStore options', () => {
  const sendCommand: SendCommand = async () => undefined;

  it.each([
    [undefined, 'RedisStore: options.sendCommand must be a function (args) => Promise'],
    [{}, 'RedisStore: options.sendCommand must be a function (args) => Promise'],
    [
      { sendCommand, prefix: '' },
      'RedisStore: options.prefix must be a non-empty string without { or }',
    ],
    [
      { sendCommand, prefix: 5 },
      'RedisStore: options.prefix must be a non-empty string without { or }',
    ],
    [
      { sendCommand, prefix: 'a{b' },
      'RedisStore: options.prefix must be a non-empty string without { or }',
    ],
    [
      { sendCommand, prefix: 'a}b' },
      'RedisStore: options.prefix must be a non-empty string without { or }',
    ],
    [
      { sendCommand, timeoutInMilliseconds: 0 },
      'RedisStore: options.timeoutInMilliseconds must be a positive number',
    ],
    [
      { sendCommand, timeoutInMilliseconds: Number.POSITIVE_INFINITY },
      'RedisStore: options.timeoutInMilliseconds must be a positive number',
    ],
    [
      { sendCommand, timeoutInMilliseconds: '100' },
      'RedisStore: options.timeoutInMilliseconds must be a positive number',
    ],
  ])('%j: %s', (options, message) => {
    expect(() => new RedisStore(options as never)).toThrow(new TypeError(message));
  });

  it('keeps its keys under tingting-auth by default, one hash slot per number', async () => {
    const store = new RedisStore({ sendCommand: send });
    const subject = { phone: '+9779800000203', purpose: 'sign-in' };
    await store.issue(subject, challenge, LIMITS, T0);
    expect(await client.exists('{tingting-auth:+9779800000203}')).toBe(1);
    expect(await client.exists('{tingting-auth:+9779800000203}:c:sign-in')).toBe(1);
    await store.hit('default-prefix', 1_000, T0);
    expect(await client.exists('{tingting-auth:hit:default-prefix}')).toBe(1);
    await client.del([
      '{tingting-auth:+9779800000203}',
      '{tingting-auth:+9779800000203}:c:sign-in',
      '{tingting-auth:hit:default-prefix}',
    ]);
  });
});
