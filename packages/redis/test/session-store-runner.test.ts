import { createHash } from 'node:crypto';
import { StoreUnavailableError } from '@tingting-auth/core';
import type { SessionKey, ThrottleEntry } from '@tingting-auth/core/upstream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RedisSessionStore, type SendCommand } from '../src/index.js';
import {
  asArray,
  ScriptRunner,
  script,
  toNumber,
  toText,
  UnexpectedReplyError,
} from '../src/script-runner.js';

// The script runner both Redis stores share (EVALSHA, the EVAL fallback on NOSCRIPT only, the
// timeout, the generic error), RedisSessionStore's options and key checks, and that no error the
// store raises carries a key, a session id, a lock token or a phone number. Fake clients only.
const T0 = 1_700_000_000_000;
const SOURCE = "return 'x'";
const SHA = createHash('sha1').update(SOURCE).digest('hex');
const never = () => new Promise<never>(() => {});

afterEach(() => {
  vi.useRealTimers();
});

/** The rejection of `promise` (which must reject). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error,
  );
}

describe('script', () => {
  it('keeps the source and its SHA-1 in hex', () => {
    expect(script(SOURCE)).toEqual({ source: SOURCE, sha: SHA });
  });
});

describe('reply readers', () => {
  it('toNumber reads numbers and their text, and refuses anything not finite', () => {
    expect(toNumber(5)).toBe(5);
    expect(toNumber('17')).toBe(17);
    expect(toNumber(Buffer.from('3'))).toBe(3);
    expect(toNumber(-2.5)).toBe(-2.5);
    // A number is taken as it is, not through its text (which would turn -0 into 0).
    expect(Object.is(toNumber(-0), -0)).toBe(true);
    for (const bad of [
      'x',
      Number.NaN,
      Number.POSITIVE_INFINITY,
      '-inf',
      undefined,
      null,
      {},
      // Blank or list replies: Number() reads each of these as 0 or 5.
      '',
      ' ',
      Buffer.from(''),
      [],
      [5],
      true,
    ]) {
      expect(() => toNumber(bad)).toThrow(UnexpectedReplyError);
    }
  });

  it('toText reads strings and bytes as UTF-8, nothing else', () => {
    expect(toText('ok')).toBe('ok');
    expect(toText(Buffer.from('नमस्ते'))).toBe('नमस्ते');
    expect(toText(new Uint8Array([0x68, 0x69]))).toBe('hi');
    for (const bad of [1, null, undefined, ['ok'], { ok: 1 }]) {
      expect(() => toText(bad)).toThrow(UnexpectedReplyError);
    }
  });

  it('asArray passes arrays only', () => {
    const a = [1, 'x'];
    expect(asArray(a)).toBe(a);
    for (const bad of ['[]', null, { length: 0 }, Buffer.from('')]) {
      expect(() => asArray(bad)).toThrow(UnexpectedReplyError);
    }
  });

  it('UnexpectedReplyError has its own name and a message without the reply', () => {
    const error = new UnexpectedReplyError();
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('UnexpectedReplyError');
    expect(error.message).toBe('Unexpected reply from Redis');
  });
});

describe('ScriptRunner', () => {
  const s = script(SOURCE);

  it('sends EVALSHA with the key count, the keys and the arguments as text, and parses the reply', async () => {
    const seen: string[][] = [];
    const runner = new ScriptRunner(
      async (args) => {
        seen.push(args);
        return ['r'];
      },
      1_000,
      'down',
    );
    const parsed = await runner.run(s, ['k1', 'k2'], ['a', 7, 0], (reply) => ({ reply }));
    expect(parsed).toEqual({ reply: ['r'] });
    expect(seen).toEqual([['EVALSHA', SHA, '2', 'k1', 'k2', 'a', '7', '0']]);
  });

  it('falls back to EVAL of the source, with the same keys and arguments, only on NOSCRIPT', async () => {
    const seen: string[][] = [];
    const runner = new ScriptRunner(
      async (args) => {
        seen.push(args);
        if (args[0] === 'EVALSHA') throw new Error('NOSCRIPT No matching script. Use EVAL.');
        return 'from-eval';
      },
      1_000,
      'down',
    );
    expect(await runner.run(s, ['k'], [1], toText)).toBe('from-eval');
    expect(seen).toEqual([
      ['EVALSHA', SHA, '1', 'k', '1'],
      ['EVAL', SOURCE, '1', 'k', '1'],
    ]);
  });

  it.each([
    ['another error', new Error('ERR max memory')],
    ['NOSCRIPT later in the message', new Error('ERR NOSCRIPT')],
    ['a lowercase noscript', new Error('noscript')],
    ['a thrown string', 'NOSCRIPT No matching script'],
    ['a thrown object', { message: 'NOSCRIPT' }],
  ])('%s: no EVAL, StoreUnavailableError with the failure as cause', async (_, failure) => {
    const seen: string[] = [];
    const runner = new ScriptRunner(
      async (args) => {
        seen.push(args[0]!);
        throw failure;
      },
      1_000,
      'The store is down',
    );
    const error = await rejection(runner.run(s, ['k'], [], toText));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toBe('The store is down');
    expect(error.cause).toBe(failure);
    expect(seen).toEqual(['EVALSHA']);
  });

  it('an EVAL that fails after NOSCRIPT: StoreUnavailableError with the EVAL failure as cause', async () => {
    const failure = new Error('ERR Error compiling script');
    const runner = new ScriptRunner(
      async (args) => {
        if (args[0] === 'EVALSHA') throw new Error('NOSCRIPT');
        throw failure;
      },
      1_000,
      'down',
    );
    const error = await rejection(runner.run(s, [], [], toText));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.cause).toBe(failure);
  });

  it('a reply the parser refuses: StoreUnavailableError with the parser error as cause', async () => {
    const runner = new ScriptRunner(async () => 5, 1_000, 'down');
    const error = await rejection(runner.run(s, [], [], toText));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toBe('down');
    expect(error.cause).toBeInstanceOf(UnexpectedReplyError);
  });

  it('times out after exactly its time, and leaves no timer behind', async () => {
    vi.useFakeTimers();
    const runner = new ScriptRunner(never, 250, 'down');
    let settled: Error | undefined;
    void runner.run(s, [], [], toText).catch((e: Error) => {
      settled = e;
    });
    await vi.advanceTimersByTimeAsync(249);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toBeInstanceOf(StoreUnavailableError);
    expect(settled!.message).toBe('down');
    expect(settled!.cause).toEqual(new Error('Redis command timed out'));
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clears its timer when the reply comes, or the command fails', async () => {
    vi.useFakeTimers();
    const ok = new ScriptRunner(async () => 'x', 60_000, 'down');
    expect(await ok.run(s, [], [], toText)).toBe('x');
    expect(vi.getTimerCount()).toBe(0);
    const failing = new ScriptRunner(
      async () => {
        throw new Error('ERR');
      },
      60_000,
      'down',
    );
    await rejection(failing.run(s, [], [], toText));
    expect(vi.getTimerCount()).toBe(0);
  });

  it('gives the EVAL after NOSCRIPT its own full time', async () => {
    vi.useFakeTimers();
    const runner = new ScriptRunner(
      (args) =>
        new Promise((resolve, reject) => {
          setTimeout(
            () => (args[0] === 'EVALSHA' ? reject(new Error('NOSCRIPT')) : resolve('late')),
            80,
          );
        }),
      100,
      'down',
    );
    const result = runner.run(s, [], [], toText);
    await vi.advanceTimersByTimeAsync(160);
    expect(await result).toBe('late');
  });
});

describe('RedisSessionStore options', () => {
  const sendCommand: SendCommand = async () => 1;

  it.each([
    [undefined, 'RedisSessionStore: options.sendCommand must be a function (args) => Promise'],
    [{}, 'RedisSessionStore: options.sendCommand must be a function (args) => Promise'],
    [
      { sendCommand: 'send' },
      'RedisSessionStore: options.sendCommand must be a function (args) => Promise',
    ],
    [
      { sendCommand, prefix: '' },
      'RedisSessionStore: options.prefix must be a non-empty string without { or }',
    ],
    [
      { sendCommand, prefix: 5 },
      'RedisSessionStore: options.prefix must be a non-empty string without { or }',
    ],
    [
      { sendCommand, prefix: 'a{b' },
      'RedisSessionStore: options.prefix must be a non-empty string without { or }',
    ],
    [
      { sendCommand, prefix: 'a}b' },
      'RedisSessionStore: options.prefix must be a non-empty string without { or }',
    ],
    [
      { sendCommand, timeoutInMilliseconds: 0 },
      'RedisSessionStore: options.timeoutInMilliseconds must be a positive number',
    ],
    [
      { sendCommand, timeoutInMilliseconds: -1 },
      'RedisSessionStore: options.timeoutInMilliseconds must be a positive number',
    ],
    [
      { sendCommand, timeoutInMilliseconds: Number.NaN },
      'RedisSessionStore: options.timeoutInMilliseconds must be a positive number',
    ],
    [
      { sendCommand, timeoutInMilliseconds: Number.POSITIVE_INFINITY },
      'RedisSessionStore: options.timeoutInMilliseconds must be a positive number',
    ],
    [
      { sendCommand, timeoutInMilliseconds: '100' },
      'RedisSessionStore: options.timeoutInMilliseconds must be a positive number',
    ],
  ])('%j: %s', (options, message) => {
    expect(() => new RedisSessionStore(options as never)).toThrow(new TypeError(message));
  });

  it('accepts a prefix with colons and any positive time', async () => {
    const seen: string[][] = [];
    const store = new RedisSessionStore({
      prefix: 'app:prod',
      timeoutInMilliseconds: 0.5,
      sendCommand: async (args) => {
        seen.push(args);
        return 1;
      },
    });
    expect(await store.lock({ subject: 's', id: 'i' }, 't', 1)).toBe(true);
    expect(seen[0]![3]).toBe('{app:prod:u:s}:l:i');
  });

  it('times out after 5 s by default', async () => {
    vi.useFakeTimers();
    const store = new RedisSessionStore({ sendCommand: never });
    let settled: Error | undefined;
    void store.unlock({ subject: 's', id: 'i' }, 't').catch((e: Error) => {
      settled = e;
    });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toBeInstanceOf(StoreUnavailableError);
    expect(settled!.message).toBe('The Redis session store is unavailable');
  });

  it('times out after the time given', async () => {
    vi.useFakeTimers();
    const store = new RedisSessionStore({ sendCommand: never, timeoutInMilliseconds: 40 });
    let settled: Error | undefined;
    void store.list('s', T0).catch((e: Error) => {
      settled = e;
    });
    await vi.advanceTimersByTimeAsync(39);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toBeInstanceOf(StoreUnavailableError);
    expect(settled!.cause).toEqual(new Error('Redis command timed out'));
  });
});

describe('RedisSessionStore refuses malformed key parts before sending anything', () => {
  const rule = { kind: 'window', limit: 1, windowInMilliseconds: 1_000 } as const;
  const MALFORMED = [
    '',
    'a}b',
    '{a',
    'a:b',
    'a b',
    'a.b',
    'a/b',
    'é',
    '+9779800000001',
    'x'.repeat(65),
    'ok\n',
  ];

  it.each(MALFORMED)('%j as subject, id or throttle group', async (bad) => {
    const seen: string[][] = [];
    const store = new RedisSessionStore({
      sendCommand: async (args) => {
        seen.push(args);
        return 1;
      },
    });
    const good = 'Ab-_09';
    const calls: (() => Promise<unknown>)[] = [
      () => store.get({ subject: bad, id: good }, T0),
      () => store.get({ subject: good, id: bad }, T0),
      () => store.lock({ subject: good, id: bad }, 't', 1),
      () => store.end({ subject: bad, id: good }, 'signed_out', T0, T0),
      () => store.list(bad, T0),
      () => store.endAll(bad, 'signed_out', T0, T0),
      () => store.consume([{ group: bad, key: 'k', rule }], T0),
      () => store.reset([{ group: bad, key: 'k', rule }], T0),
    ];
    for (const call of calls) {
      const error = await rejection(call());
      expect(error).toEqual(new TypeError('RedisSessionStore: malformed session key'));
    }
    expect(seen).toEqual([]);
  });

  it('takes base64url parts of 1 to 64 characters', async () => {
    const seen: string[][] = [];
    const store = new RedisSessionStore({
      prefix: 'p',
      sendCommand: async (args) => {
        seen.push(args);
        return 1;
      },
    });
    const long = `${'A'.repeat(30)}z9-_${'0'.repeat(30)}`;
    expect(long).toHaveLength(64);
    await store.lock({ subject: long, id: 'a' }, 't', 1);
    await store.lock({ subject: 'Z', id: '_' }, 't', 1);
    await store.lock({ subject: 'a', id: '9' }, 't', 1);
    await store.reset([{ group: '-', key: 'k', rule }], T0);
    expect(seen.map((c) => c[3])).toEqual([
      `{p:u:${long}}:l:a`,
      '{p:u:Z}:l:_',
      '{p:u:a}:l:9',
      '{p:t:-}:k',
    ]);
  });
});

describe('RedisSessionStore errors carry no key, session id, lock token or phone number', () => {
  const key: SessionKey = { subject: 'SUBJECTmarker01', id: 'IDmarker02' };
  const entries: ThrottleEntry[] = [
    {
      group: 'GROUPmarker03',
      key: 'KEYmarker04-9779800000005',
      rule: { kind: 'window', limit: 1, windowInMilliseconds: 1_000 },
    },
  ];
  const markers = ['marker', '9779800000005', 'TOKENmarker'];
  const session = {
    provider: 'notes',
    generation: 0,
    createdAt: T0,
    lastSeenAt: T0,
    expiresAt: T0 + 1,
    info: 'INFOmarker',
    tokens: 'TOKENmarker',
  };

  /** Every message and name in an error and its causes. */
  function text(error: unknown): string {
    const parts: string[] = [];
    let e: unknown = error;
    while (e instanceof Error) {
      parts.push(e.name, e.message, String(e));
      e = e.cause;
    }
    return parts.join('\n');
  }

  // create, unlock, refund and reset do not read the reply: only a timeout fails them here.
  it.each([
    ['a timeout', never, true],
    ['a malformed reply', async () => ({ odd: true }), false],
    [
      'a NOSCRIPT then a malformed reply',
      async (args: string[]) => {
        if (args[0] === 'EVALSHA') throw new Error('NOSCRIPT');
        return { odd: true };
      },
      false,
    ],
  ])('%s', async (_, sendCommand, all) => {
    const store = new RedisSessionStore({ sendCommand, timeoutInMilliseconds: 20 });
    const writes: (() => Promise<unknown>)[] = [
      () => store.create(key, session, T0),
      () => store.unlock(key, 'TOKENmarker'),
      () => store.refund(entries, T0),
      () => store.reset(entries, T0),
    ];
    const calls: (() => Promise<unknown>)[] = [
      ...(all ? writes : []),
      () => store.get(key, T0, 1),
      () => store.replace(key, 0, { generation: 1, tokens: 'TOKENmarker', expiresAt: T0 }, T0),
      () => store.end(key, 'signed_out', T0, T0),
      () => store.list(key.subject, T0),
      () => store.endAll(key.subject, 'signed_out', T0, T0, key.id),
      () => store.lock(key, 'TOKENmarker', 1),
      () => store.consume(entries, T0),
    ];
    for (const call of calls) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(error.message).toBe('The Redis session store is unavailable');
      const said = text(error);
      for (const marker of markers) expect(said).not.toContain(marker);
    }
  });
});
