import { StoreUnavailableError } from '@tingting-auth/core';
import type { SessionKey, ThrottleEntry } from '@tingting-auth/core/upstream';
import { describe, expect, it } from 'vitest';
import { RedisSessionStore, type SendCommand } from '../src/index.js';
import { script } from '../src/script-runner.js';
import { THROTTLE_CONSUME } from '../src/session-scripts.js';

// How RedisSessionStore reads what a client hands back, with a fake client: every reply shape the
// scripts return (strings or Buffers, integers as numbers or strings), and replies outside those
// shapes (wrong types, missing fields, an older script's layout), which must fail closed with the
// store's generic message, never pass as a session, a lock or an allowed attempt.
const T0 = 1_700_000_000_000;
const KEY: SessionKey = { subject: 'subject-A', id: 'id-1' };
const MESSAGE = 'The Redis session store is unavailable';
const consumeSha = script(THROTTLE_CONSUME).sha;

/** A store whose client answers every command with `reply` (a function: per command). */
function storeAnswering(reply: unknown | ((args: string[]) => unknown)) {
  const commands: string[][] = [];
  const sendCommand: SendCommand = async (args) => {
    commands.push(args);
    return typeof reply === 'function' ? (reply as (args: string[]) => unknown)(args) : reply;
  };
  return { store: new RedisSessionStore({ sendCommand, prefix: 'p' }), commands };
}

/** The rejection of `promise`, which must be the store's generic `StoreUnavailableError`. */
async function unavailable(promise: Promise<unknown>): Promise<StoreUnavailableError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreUnavailableError);
  expect((error as Error).message).toBe(MESSAGE);
  return error as StoreUnavailableError;
}

async function unexpectedReply(promise: Promise<unknown>): Promise<void> {
  const error = await unavailable(promise);
  expect(error.cause).toMatchObject({
    name: 'UnexpectedReplyError',
    message: 'Unexpected reply from Redis',
  });
}

const ACTIVE = ['active', 'notes', '3', '100', '200', '300', 'sealed-info', 'sealed-tokens'];

describe('RedisSessionStore get: replies', () => {
  it('reads an active session, numbers from strings', async () => {
    const { store } = storeAnswering(ACTIVE);
    expect(await store.get(KEY, T0)).toEqual({
      state: 'active',
      session: {
        provider: 'notes',
        generation: 3,
        createdAt: 100,
        lastSeenAt: 200,
        expiresAt: 300,
        info: 'sealed-info',
        tokens: 'sealed-tokens',
      },
    });
  });

  it('reads Buffers and integers, and an empty token field as no tokens', async () => {
    const { store } = storeAnswering([
      Buffer.from('active'),
      Buffer.from('timbr'),
      0,
      1,
      2,
      3,
      new Uint8Array(Buffer.from('info')),
      Buffer.from(''),
    ]);
    const lookup = await store.get(KEY, T0);
    expect(lookup).toEqual({
      state: 'active',
      session: {
        provider: 'timbr',
        generation: 0,
        createdAt: 1,
        lastSeenAt: 2,
        expiresAt: 3,
        info: 'info',
      },
    });
    // No `tokens: undefined` either: a session without tokens has no such property.
    expect(Object.keys((lookup as { session: object }).session)).not.toContain('tokens');
  });

  it('reads none, and every end reason', async () => {
    expect(await storeAnswering(['none']).store.get(KEY, T0)).toEqual({ state: 'none' });
    for (const reason of [
      'signed_out',
      'ended_everywhere',
      'ended_by_app',
      'refresh_rejected',
      'refresh_lost',
      'unreadable',
    ]) {
      expect(await storeAnswering(['ended', reason]).store.get(KEY, T0)).toEqual({
        state: 'ended',
        reason,
      });
      expect(
        await storeAnswering([Buffer.from('ended'), Buffer.from(reason)]).store.get(KEY, T0),
      ).toEqual({ state: 'ended', reason });
    }
  });

  it.each([
    ['a number', 1],
    ['null', null],
    ['a string', 'active'],
    ['an object', { state: 'none' }],
    ['an empty array', []],
    ['an unknown state', ['maybe']],
    ['an unknown state with a session', ['revoked', ...ACTIVE.slice(1)]],
    ['an ended state with a session', ['ended', ...ACTIVE.slice(1)]],
    ['a state that is not text', [1]],
    ['an unknown end reason', ['ended', 'expired']],
    ['an end reason that is not text', ['ended', 1]],
    ['an ended reply without its reason', ['ended']],
    ['an older script without the token field', ACTIVE.slice(0, 7)],
    ['a generation that is not a number', ['active', 'notes', 'x', '1', '2', '3', 'i', '']],
    ['a createdAt that is not a number', ['active', 'notes', '1', 'x', '2', '3', 'i', '']],
    ['a lastSeenAt that is not a number', ['active', 'notes', '1', '1', 'x', '3', 'i', '']],
    ['an expiresAt that is infinite', ['active', 'notes', '1', '1', '2', 'inf', 'i', '']],
    ['a provider that is not text', ['active', 7, '1', '1', '2', '3', 'i', '']],
    ['info that is not text', ['active', 'notes', '1', '1', '2', '3', null, '']],
    ['tokens that are not text', ['active', 'notes', '1', '1', '2', '3', 'i', 5]],
  ])('%s fails closed', async (_, reply) => {
    await unexpectedReply(storeAnswering(reply).store.get(KEY, T0));
  });
});

describe('RedisSessionStore replace: replies', () => {
  it.each(['ok', 'conflict', 'missing'])('reads %s, as text or a Buffer', async (outcome) => {
    expect(await storeAnswering(outcome).store.replace(KEY, 0, next, T0)).toBe(outcome);
    expect(await storeAnswering(Buffer.from(outcome)).store.replace(KEY, 0, next, T0)).toBe(
      outcome,
    );
  });

  it.each([['OK'], [''], [1], [null], [['ok']]])('%j fails closed', async (reply) => {
    await unexpectedReply(storeAnswering(reply).store.replace(KEY, 0, next, T0));
  });
});

const next = { generation: 1, tokens: 'sealed-2', expiresAt: T0 + 1_000 };

describe('RedisSessionStore end, endAll, lock, unlock, create: replies', () => {
  it('end and lock answer true only for 1 (a number or its text)', async () => {
    for (const [reply, answer] of [
      [1, true],
      ['1', true],
      [0, false],
      ['0', false],
      [2, false],
    ] as const) {
      expect(await storeAnswering(reply).store.end(KEY, 'signed_out', T0, T0 + 1)).toBe(answer);
      expect(await storeAnswering(reply).store.lock(KEY, 'token', 1_000)).toBe(answer);
    }
  });

  it('endAll answers the count', async () => {
    expect(await storeAnswering(3).store.endAll('subject-A', 'ended_everywhere', T0, T0)).toBe(3);
    expect(await storeAnswering('4').store.endAll('subject-A', 'ended_everywhere', T0, T0)).toBe(4);
  });

  it.each([
    ['text', 'yes'],
    ['null', null],
    ['undefined', undefined],
    ['infinity', Number.POSITIVE_INFINITY],
    ['NaN', Number.NaN],
  ])('a count that is %s fails closed', async (_, reply) => {
    const { store } = storeAnswering(reply);
    await unexpectedReply(store.end(KEY, 'signed_out', T0, T0 + 1));
    await unexpectedReply(store.endAll('subject-A', 'ended_everywhere', T0, T0));
    await unexpectedReply(store.lock(KEY, 'token', 1_000));
  });

  it('create and unlock ignore the reply, whatever it is', async () => {
    const session = {
      provider: 'notes',
      generation: 0,
      createdAt: T0,
      lastSeenAt: T0,
      expiresAt: T0 + 1,
      info: 'i',
    };
    for (const reply of ['weird', null, [1, 2]]) {
      const { store } = storeAnswering(reply);
      await expect(store.create(KEY, session, T0)).resolves.toBeUndefined();
      await expect(store.unlock(KEY, 'token')).resolves.toBeUndefined();
    }
  });
});

describe('RedisSessionStore list: replies', () => {
  const row = (id: string, createdAt: number, tokens = 't') => [
    id,
    'notes',
    '0',
    String(createdAt),
    String(createdAt),
    String(createdAt + 1_000),
    `info-${id}`,
    tokens,
  ];

  it('reads every session, oldest first whatever the order of the reply', async () => {
    const { store } = storeAnswering([
      ...row('c', 300),
      ...row('a', 100, ''),
      ...row('d', 400),
      ...row('b', 200),
    ]);
    const listed = await store.list('subject-A', T0);
    expect(listed.map((l) => l.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(listed[0]).toEqual({
      id: 'a',
      session: {
        provider: 'notes',
        generation: 0,
        createdAt: 100,
        lastSeenAt: 100,
        expiresAt: 1_100,
        info: 'info-a',
      },
    });
    expect(listed[1]!.session).toMatchObject({ createdAt: 200, info: 'info-b', tokens: 't' });
  });

  it('reads an empty list', async () => {
    expect(await storeAnswering([]).store.list('subject-A', T0)).toEqual([]);
  });

  it.each([
    ['not an array', 'a'],
    ['null', null],
    ['one field short', row('a', 100).slice(0, 7)],
    ['one field over', [...row('a', 100), 'x']],
    ['a second session cut short', [...row('a', 100), ...row('b', 200).slice(0, 7)]],
    ['an id that is not text', [1, ...row('a', 100).slice(1)]],
    ['a createdAt that is not a number', ['a', 'notes', '0', 'x', '1', '2', 'i', 't']],
  ])('a reply %s fails closed', async (_, reply) => {
    await unexpectedReply(storeAnswering(reply).store.list('subject-A', T0));
  });
});

describe('RedisSessionStore consume: replies', () => {
  const rule = { kind: 'window', limit: 3, windowInMilliseconds: 1_000 } as const;
  const one: ThrottleEntry[] = [{ group: 'g1', key: 'k', rule }];

  it('reads {1} as allowed and {0, wait} as the wait, numbers or text', async () => {
    expect(await storeAnswering([1]).store.consume(one, T0)).toEqual({ ok: true });
    expect(await storeAnswering(['1']).store.consume(one, T0)).toEqual({ ok: true });
    expect(await storeAnswering([0, '250']).store.consume(one, T0)).toEqual({
      ok: false,
      retryAfterInMilliseconds: 250,
    });
    expect(await storeAnswering(['0', 7]).store.consume(one, T0)).toEqual({
      ok: false,
      retryAfterInMilliseconds: 7,
    });
  });

  it.each([
    ['not an array', 1],
    ['null', null],
    ['an empty array', []],
    ['a refusal without its wait', [0]],
    ['a wait that is not a number', [0, 'soon']],
    ['an allowed flag that is not a number', ['yes']],
  ])('a reply %s fails closed', async (_, reply) => {
    await unexpectedReply(storeAnswering(reply).store.consume(one, T0));
  });

  // A refusal always carries a positive wait: one without (blank, zero, negative) must not pass
  // as an allowed attempt, or the password throttle would open on a bad reply.
  it.each([
    ['an empty wait', [0, '']],
    ['a blank wait', [0, ' ']],
    ['an empty array as wait', [0, []]],
    ['a zero wait', [0, '0']],
    ['a negative wait', [0, -5]],
  ])('a refusal with %s fails closed', async (_, reply) => {
    await unexpectedReply(storeAnswering(reply).store.consume(one, T0));
  });

  it('refund and reset ignore the reply', async () => {
    const { store } = storeAnswering('whatever');
    await expect(store.refund(one, T0)).resolves.toBeUndefined();
    await expect(store.reset(one, T0)).resolves.toBeUndefined();
  });
});

describe('RedisSessionStore consume over several groups', () => {
  const rule = { kind: 'window', limit: 3, windowInMilliseconds: 1_000 } as const;
  const entries: ThrottleEntry[] = [
    { group: 'g1', key: 'a', rule },
    { group: 'g2', key: 'b', rule },
    { group: 'g3', key: 'c', rule },
  ];
  /** Answers each group's consume with the reply given for its group; refunds with 1. */
  const answering = (replies: Record<string, unknown>) =>
    storeAnswering((args: string[]) => {
      const group = /\{p:t:(g\d)\}/.exec(args[3]!)![1]!;
      return args[1] === consumeSha ? replies[group] : 1;
    });

  it('sends each group once, in parallel, and refunds nothing when all allow', async () => {
    const { store, commands } = answering({ g1: [1], g2: [1], g3: [1] });
    expect(await store.consume(entries, T0)).toEqual({ ok: true });
    expect(commands.map((c) => c[3])).toEqual(['{p:t:g1}:a', '{p:t:g2}:b', '{p:t:g3}:c']);
    expect(commands.every((c) => c[1] === consumeSha)).toBe(true);
  });

  it('answers the longest wait and refunds exactly the groups that counted', async () => {
    const { store, commands } = answering({ g1: [1], g2: [0, '50'], g3: [0, '900'] });
    expect(await store.consume(entries, T0)).toEqual({ ok: false, retryAfterInMilliseconds: 900 });
    const refunds = commands.slice(3);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]![1]).not.toBe(consumeSha);
    expect(refunds[0]![3]).toBe('{p:t:g1}:a');
    // The refund gets the same rule arguments as the consume it takes back.
    expect(refunds[0]!.slice(2)).toEqual(commands[0]!.slice(2));

    const second = answering({ g1: [0, '10'], g2: [1], g3: [1] });
    expect(await second.store.consume(entries, T0)).toEqual({
      ok: false,
      retryAfterInMilliseconds: 10,
    });
    expect(second.commands.slice(3).map((c) => c[3])).toEqual(['{p:t:g2}:b', '{p:t:g3}:c']);
  });

  it('a refund that fails makes the consume fail closed', async () => {
    const { store } = storeAnswering((args: string[]) => {
      if (args[1] !== consumeSha) throw new Error('ERR refund lost');
      return args[3]!.includes('g1') ? [1] : [0, '5'];
    });
    await unavailable(store.consume(entries, T0));
  });
});
