import { createHash } from 'node:crypto';
import type { SessionKey, StoredSession, ThrottleEntry } from '@tingting-auth/core/upstream';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../src/index.js';
import {
  SESSION_CREATE,
  SESSION_END,
  SESSION_END_ALL,
  SESSION_GET,
  SESSION_LIST,
  SESSION_LOCK,
  SESSION_REPLACE,
  SESSION_UNLOCK,
  THROTTLE_CONSUME,
  THROTTLE_REFUND,
  THROTTLE_RESET,
} from '../src/session-scripts.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './helpers.js';

// What RedisSessionStore sends and leaves in Redis: the exact commands (script, keys, arguments),
// the key layout (every key of one subject, and of one throttle group, under one `{…}` hash tag,
// so one Redis Cluster slot), and the time to live of every key it writes.
const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;
const MARGIN = 60_000;

const client = createClient({ url: REDIS_URL });
const prefix = uniquePrefix('session-keys');
const send = (args: string[]): Promise<unknown> => client.sendCommand(args);

const SOURCES = [
  SESSION_CREATE,
  SESSION_END,
  SESSION_END_ALL,
  SESSION_GET,
  SESSION_LIST,
  SESSION_LOCK,
  SESSION_REPLACE,
  SESSION_UNLOCK,
  THROTTLE_CONSUME,
  THROTTLE_REFUND,
  THROTTLE_RESET,
];

beforeAll(async () => {
  await client.connect();
  // Loaded, so each EVALSHA below is answered (no NOSCRIPT fallback to EVAL in the records).
  for (const source of SOURCES) {
    expect(await send(['SCRIPT', 'LOAD', source])).toBe(sha(source));
  }
});
afterAll(async () => {
  await deletePrefix(send, prefix);
  client.destroy();
});

const sha = (source: string): string => createHash('sha1').update(source).digest('hex');

/** A store on the test server that records every command it sends. */
function recording() {
  const commands: string[][] = [];
  const store = new RedisSessionStore({
    prefix,
    sendCommand: (args) => {
      commands.push(args);
      return client.sendCommand(args);
    },
  });
  return { store, commands };
}

let counter = 0;
/** A fresh subject and id (base64url-like, as the manager makes them). */
function freshKey(): SessionKey {
  counter += 1;
  return { subject: `subj_${counter}-${Date.now()}`, id: `id_${counter}-x` };
}

function session(overrides: Partial<StoredSession> = {}): StoredSession {
  return {
    provider: 'notes',
    generation: 0,
    createdAt: T0,
    lastSeenAt: T0,
    expiresAt: T0 + HOUR,
    info: 'sealed-info',
    tokens: 'sealed-tokens',
    ...overrides,
  };
}

/** The hash tag Redis Cluster hashes: from the first `{` to the next `}`, when not empty. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = key.indexOf('}', open + 1);
  if (open === -1 || close <= open + 1) return key;
  return key.slice(open + 1, close);
}

/** The milliseconds a key has left; within `slack` below `expected` (the test's own run time). */
async function expectTtl(key: string, expected: number, slack = 5_000): Promise<void> {
  const ttl = Number(await send(['PTTL', key]));
  expect(ttl).toBeLessThanOrEqual(expected);
  expect(ttl).toBeGreaterThan(expected - slack);
}

describe('RedisSessionStore commands and key layout', () => {
  it('create: one EVALSHA of the create script over the session and index keys', async () => {
    const { store, commands } = recording();
    const key = freshKey();
    const tag = `{${prefix}:u:${key.subject}}`;
    await store.create(key, session({ generation: 2, lastSeenAt: T0 + 5 }), T0 + 7);
    await store.create(key, session({ tokens: undefined }), T0 + 8);
    expect(commands).toEqual([
      [
        'EVALSHA',
        sha(SESSION_CREATE),
        '2',
        `${tag}:s:${key.id}`,
        `${tag}:idx`,
        key.id,
        'notes',
        '2',
        String(T0),
        String(T0 + 5),
        String(T0 + HOUR),
        'sealed-info',
        'sealed-tokens',
        String(T0 + 7),
        String(MARGIN),
      ],
      [
        'EVALSHA',
        sha(SESSION_CREATE),
        '2',
        `${tag}:s:${key.id}`,
        `${tag}:idx`,
        key.id,
        'notes',
        '0',
        String(T0),
        String(T0),
        String(T0 + HOUR),
        'sealed-info',
        '',
        String(T0 + 8),
        String(MARGIN),
      ],
    ]);
    expect(await client.sendCommand(['SCRIPT', 'EXISTS', sha(SESSION_CREATE)])).toEqual([1]);
  });

  it('get, replace, end, lock, unlock: the session, index and lock keys of one subject', async () => {
    const { store, commands } = recording();
    const key = freshKey();
    const tag = `{${prefix}:u:${key.subject}}`;
    await store.create(key, session(), T0);
    commands.length = 0;
    await store.get(key, T0 + 1);
    await store.get(key, T0 + 2, 60_000);
    await store.replace(
      key,
      0,
      { generation: 1, tokens: 'sealed-2', expiresAt: T0 + 2 * HOUR },
      T0 + 3,
    );
    await store.lock(key, 'lock-token', 1_500);
    await store.unlock(key, 'lock-token');
    await store.end(key, 'signed_out', T0 + 4, T0 + 5_000);
    expect(commands).toEqual([
      ['EVALSHA', sha(SESSION_GET), '1', `${tag}:s:${key.id}`, String(T0 + 1), ''],
      ['EVALSHA', sha(SESSION_GET), '1', `${tag}:s:${key.id}`, String(T0 + 2), '60000'],
      [
        'EVALSHA',
        sha(SESSION_REPLACE),
        '2',
        `${tag}:s:${key.id}`,
        `${tag}:idx`,
        key.id,
        '0',
        '1',
        'sealed-2',
        String(T0 + 2 * HOUR),
        String(T0 + 3),
        String(MARGIN),
      ],
      ['EVALSHA', sha(SESSION_LOCK), '1', `${tag}:l:${key.id}`, 'lock-token', '1500'],
      ['EVALSHA', sha(SESSION_UNLOCK), '1', `${tag}:l:${key.id}`, 'lock-token'],
      [
        'EVALSHA',
        sha(SESSION_END),
        '3',
        `${tag}:s:${key.id}`,
        `${tag}:idx`,
        `${tag}:l:${key.id}`,
        key.id,
        'signed_out',
        String(T0 + 4),
        String(T0 + 5_000),
      ],
    ]);
  });

  it('list and endAll: the index key, and the session and lock key prefixes of the subject', async () => {
    const { store, commands } = recording();
    const key = freshKey();
    const tag = `{${prefix}:u:${key.subject}}`;
    await store.list(key.subject, T0);
    await store.endAll(key.subject, 'ended_everywhere', T0 + 1, T0 + 2);
    await store.endAll(key.subject, 'ended_by_app', T0 + 3, T0 + 4, 'keep-me');
    expect(commands).toEqual([
      ['EVALSHA', sha(SESSION_LIST), '1', `${tag}:idx`, String(T0), `${tag}:s:`],
      [
        'EVALSHA',
        sha(SESSION_END_ALL),
        '1',
        `${tag}:idx`,
        'ended_everywhere',
        String(T0 + 1),
        String(T0 + 2),
        '',
        `${tag}:s:`,
        `${tag}:l:`,
      ],
      [
        'EVALSHA',
        sha(SESSION_END_ALL),
        '1',
        `${tag}:idx`,
        'ended_by_app',
        String(T0 + 3),
        String(T0 + 4),
        'keep-me',
        `${tag}:s:`,
        `${tag}:l:`,
      ],
    ]);
  });

  it('every key a subject has in Redis shares its hash tag', async () => {
    const { store } = recording();
    const key = freshKey();
    const other = { subject: key.subject, id: `${key.id}-2` };
    await store.create(key, session(), T0);
    await store.create(other, session(), T0);
    await store.lock(key, 't', 60_000);
    await store.end(other, 'signed_out', T0, T0 + HOUR);
    const keys = (await send(['KEYS', `{${prefix}:u:${key.subject}}*`])) as string[];
    expect(keys.sort()).toEqual(
      [
        `{${prefix}:u:${key.subject}}:idx`,
        `{${prefix}:u:${key.subject}}:l:${key.id}`,
        `{${prefix}:u:${key.subject}}:s:${key.id}`,
        `{${prefix}:u:${key.subject}}:s:${other.id}`,
      ].sort(),
    );
    for (const k of keys) expect(hashTag(k)).toBe(`${prefix}:u:${key.subject}`);
  });

  it('lock: the time to live in whole milliseconds, at least 1', async () => {
    const { store, commands } = recording();
    const key = freshKey();
    for (const ttl of [1_000.2, 0.4, 0, -5]) {
      await store.lock(key, `t${ttl}`, ttl);
      await store.unlock(key, `t${ttl}`);
    }
    expect(commands.filter((c) => c[1] === sha(SESSION_LOCK)).map((c) => c[5])).toEqual([
      '1001',
      '1',
      '1',
      '1',
    ]);
  });

  it('keeps its keys under tingting-auth by default', async () => {
    const commands: string[][] = [];
    const store = new RedisSessionStore({
      sendCommand: async (args) => {
        commands.push(args);
        return 1;
      },
    });
    await store.lock({ subject: 's', id: 'i' }, 't', 10);
    await store.reset(
      [{ group: 'g', key: 'k', rule: { kind: 'window', limit: 1, windowInMilliseconds: 1 } }],
      T0,
    );
    expect(commands.map((c) => c[3])).toEqual(['{tingting-auth:u:s}:l:i', '{tingting-auth:t:g}:k']);
  });
});

describe('RedisSessionStore throttle commands', () => {
  const consecutive = {
    kind: 'consecutive',
    limit: 3,
    blockInMilliseconds: 1_000,
    keepInMilliseconds: 10_000,
  } as const;
  const window = { kind: 'window', limit: 4, windowInMilliseconds: 20_000 } as const;
  const delay = {
    kind: 'delay',
    free: 2,
    windowInMilliseconds: 30_000,
    baseDelayInMilliseconds: 100,
    maxDelayInMilliseconds: 400,
  } as const;

  it('one script per group: its keys, now, five arguments per rule, then the margin', async () => {
    const { store, commands } = recording();
    const g1 = `g1_${Date.now()}`;
    const g2 = `g2_${Date.now()}`;
    const entries: ThrottleEntry[] = [
      { group: g1, key: 'id', rule: consecutive },
      { group: g2, key: 'ip', rule: window },
      { group: g1, key: 'slow', rule: delay },
    ];
    expect(await store.consume(entries, T0)).toEqual({ ok: true });
    await store.refund(entries, T0 + 1);
    await store.reset(entries, T0 + 2);
    const t1 = `{${prefix}:t:${g1}}`;
    const t2 = `{${prefix}:t:${g2}}`;
    const args1 = [
      ...[String(T0), 'consecutive', '3', '1000', '10000', '0'],
      ...['delay', '2', '30000', '100', '400', String(MARGIN)],
    ];
    const args2 = [String(T0), 'window', '4', '20000', '0', '0', String(MARGIN)];
    expect(commands).toEqual([
      ['EVALSHA', sha(THROTTLE_CONSUME), '2', `${t1}:id`, `${t1}:slow`, ...args1],
      ['EVALSHA', sha(THROTTLE_CONSUME), '1', `${t2}:ip`, ...args2],
      [
        'EVALSHA',
        sha(THROTTLE_REFUND),
        '2',
        `${t1}:id`,
        `${t1}:slow`,
        ...args1.map((a) => (a === String(T0) ? String(T0 + 1) : a)),
      ],
      ['EVALSHA', sha(THROTTLE_REFUND), '1', `${t2}:ip`, String(T0 + 1), ...args2.slice(1)],
      ['EVALSHA', sha(THROTTLE_RESET), '2', `${t1}:id`, `${t1}:slow`],
      ['EVALSHA', sha(THROTTLE_RESET), '1', `${t2}:ip`],
    ]);
  });

  it('counters live until their window ends plus the margin', async () => {
    const { store } = recording();
    const group = `ttl_${Date.now()}`;
    const tag = `{${prefix}:t:${group}}`;
    const entries: ThrottleEntry[] = [
      { group, key: 'c', rule: consecutive },
      { group, key: 'w', rule: window },
      { group, key: 'd', rule: delay },
    ];
    await store.consume(entries, T0);
    await expectTtl(`${tag}:c`, 10_000 + MARGIN);
    await expectTtl(`${tag}:w`, 20_000 + MARGIN);
    await expectTtl(`${tag}:d`, 30_000 + MARGIN);
    // Later attempts keep the window's start: the time to live shrinks with it.
    await store.consume(entries, T0 + 4_000);
    await expectTtl(`${tag}:w`, 16_000 + MARGIN);
    expect(await send(['HMGET', `${tag}:w`, 'c', 's', 'l'])).toEqual([
      '2',
      String(T0),
      String(T0 + 4_000),
    ]);
  });
});

describe('RedisSessionStore time to live of session keys', () => {
  it('a session and its index live until it expires plus the margin', async () => {
    const { store } = recording();
    const key = freshKey();
    const tag = `{${prefix}:u:${key.subject}}`;
    await store.create(key, session({ expiresAt: T0 + HOUR }), T0 + 1_000);
    await expectTtl(`${tag}:s:${key.id}`, HOUR - 1_000 + MARGIN);
    await expectTtl(`${tag}:idx`, HOUR - 1_000 + MARGIN);
    // The index lives as long as its longest session.
    await store.create({ ...key, id: `${key.id}-b` }, session({ expiresAt: T0 + 2 * HOUR }), T0);
    await expectTtl(`${tag}:idx`, 2 * HOUR + MARGIN);
    expect(
      await store.replace(key, 0, { generation: 1, tokens: 't2', expiresAt: T0 + 3 * HOUR }, T0),
    ).toBe('ok');
    await expectTtl(`${tag}:s:${key.id}`, 3 * HOUR + MARGIN);
    await expectTtl(`${tag}:idx`, 3 * HOUR + MARGIN);
  });

  it('an ended session keeps only its reason, until keepReasonUntil plus the margin', async () => {
    const { store } = recording();
    const key = freshKey();
    const tag = `{${prefix}:u:${key.subject}}`;
    await store.create(key, session(), T0);
    expect(await store.end(key, 'ended_by_app', T0 + 10, T0 + 10 + 120_000)).toBe(true);
    const fields = (await send(['HKEYS', `${tag}:s:${key.id}`])) as string[];
    expect(fields.sort()).toEqual(['e', 'eu']);
    await expectTtl(`${tag}:s:${key.id}`, 120_000 + MARGIN);
  });

  it('a lock lives for its own time to live', async () => {
    const { store } = recording();
    const key = freshKey();
    expect(await store.lock(key, 'tok', 30_000)).toBe(true);
    await expectTtl(`{${prefix}:u:${key.subject}}:l:${key.id}`, 30_000);
  });
});
