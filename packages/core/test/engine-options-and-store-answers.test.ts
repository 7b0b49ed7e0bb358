import { afterEach, describe, expect, it, vi } from 'vitest';
import { OTPEngine } from '../src/engine/otp-engine.js';
import { StoreUnavailableError } from '../src/errors.js';
import type { OTPStore } from '../src/store.js';
import { MemoryStore } from '../src/stores/memory-store.js';
import { makeEngine, phoneNumber, recordingSender, SECRET } from './helpers.js';

// The exact words of each construction error: they are the documentation a developer reads when
// a deployment refuses to start, and each names the option and how to fix it.
describe('engine options: the exact errors', () => {
  const sender = recordingSender();
  const quiet = { warn: () => {} };

  it.each([
    [undefined, 'OTPEngine: options are required: { sender, secret, store?, policy? }'],
    [null, 'OTPEngine: options are required: { sender, secret, store?, policy? }'],
    ['options', 'OTPEngine: options are required: { sender, secret, store?, policy? }'],
    [{ sender, secret: SECRET, logger: {} }, 'OTPEngine: logger must have a warn(message) method'],
    [
      { sender, secret: SECRET, logger: null },
      'OTPEngine: logger must have a warn(message) method',
    ],
    [
      { sender: 'tingting', secret: SECRET, logger: quiet },
      'OTPEngine: `sender` is required: a TingTingClient, or a function (delivery) => Promise<receipt>',
    ],
    [
      { sender: null, secret: SECRET, logger: quiet },
      'OTPEngine: `sender` is required: a TingTingClient, or a function (delivery) => Promise<receipt>',
    ],
    [
      { sender: { sendOTP: 'no' }, secret: SECRET, logger: quiet },
      'OTPEngine: `sender` is required: a TingTingClient, or a function (delivery) => Promise<receipt>',
    ],
    [
      { sender, secret: SECRET, clock: 'now', logger: quiet },
      'OTPEngine: clock must be a function returning epoch milliseconds',
    ],
    [
      { sender, secret: SECRET, defaultLocale: 'fr', logger: quiet },
      "OTPEngine: defaultLocale must be 'en' or 'ne'",
    ],
  ])('%j: %s', (options, message) => {
    expect(() => new OTPEngine(options as never)).toThrow(new TypeError(message));
  });

  it('names each store method that is missing', () => {
    const full = new MemoryStore({ logger: quiet });
    for (const method of ['issue', 'abandon', 'verify', 'cancel', 'hit']) {
      const store = {
        issue: full.issue.bind(full),
        abandon: full.abandon.bind(full),
        verify: full.verify.bind(full),
        cancel: full.cancel.bind(full),
        hit: full.hit.bind(full),
        [method]: 'not a function',
      };
      expect(() => new OTPEngine({ sender, secret: SECRET, store, logger: quiet })).toThrow(
        new TypeError(`OTPEngine: store must implement OTPStore (missing ${method}())`),
      );
    }
  });

  it('lists the voices when the default voice is unknown', () => {
    expect(
      () =>
        new OTPEngine({ sender, secret: SECRET, defaultVoice: 'robot' as never, logger: quiet }),
    ).toThrow(/^OTPEngine: defaultVoice must be one of np_rija, /);
  });

  it('takes a TingTing client (anything with sendOTP) as its sender', async () => {
    const sent: unknown[] = [];
    const client = {
      sendOTP: async (...args: unknown[]) => {
        sent.push(args);
        return { message: 'ok' };
      },
    };
    const { engine } = makeEngine({ sender: client as never });
    expect(await engine.send({ phone: phoneNumber() })).toMatchObject({ ok: true });
    expect(sent).toHaveLength(1);
  });
});

describe('engine warnings', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('without a logger, warns through process.emitWarning with the code TINGTING_OTP', async () => {
    const emitted = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const engine = new OTPEngine({
      sender: recordingSender(),
      secret: SECRET,
      store: new MemoryStore({ logger: { warn: () => {} } }),
    });
    engine.on('sent', () => {
      throw new RangeError('listener bug');
    });
    await engine.send({ phone: phoneNumber() });
    expect(emitted.mock.calls).toEqual([
      [
        'tingting-auth: a "sent" event listener threw (RangeError); the operation went on',
        { code: 'TINGTING_OTP' },
      ],
    ]);
  });

  it('names the type of a thrown value that is not an Error, and never its content', async () => {
    const warnings: string[] = [];
    const { engine, sender } = makeEngine({
      logger: { warn: (message) => warnings.push(message) },
    });
    engine.on('sent', () => {
      throw 'a string with a secret';
    });
    engine.on('verified', async () => {
      throw 42;
    });
    const phone = phoneNumber();
    await engine.send({ phone });
    await engine.verify({ phone, code: sender.last().code });
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toEqual([
      'tingting-auth: a "sent" event listener threw (string); the operation went on',
      'tingting-auth: a "verified" event listener threw (number); the operation went on',
    ]);
  });

  it('refuses a listener that is not a function', () => {
    const { engine } = makeEngine();
    expect(() => engine.on('sent', 'log' as never)).toThrow(
      new TypeError('OTPEngine.on: the listener must be a function'),
    );
  });

  it('one function subscribed twice is called twice, and each unsubscribe removes one', async () => {
    const { engine } = makeEngine();
    const seen: string[] = [];
    const listener = (event: { phone: string }): void => {
      seen.push(event.phone);
    };
    const offFirst = engine.on('sent', listener);
    engine.on('sent', listener);
    await engine.send({ phone: '9812345672' });
    offFirst();
    await engine.send({ phone: '9812345673' });
    expect(seen).toEqual(['+9779812345672', '+9779812345672', '+9779812345673']);
  });
});

describe('engine: store answers that are not outcomes fail closed, with the reason', () => {
  function storeWith(overrides: Partial<OTPStore>): OTPStore {
    const inner = new MemoryStore({ logger: { warn: () => {} } });
    return {
      issue: (...args) => inner.issue(...args),
      abandon: (...args) => inner.abandon(...args),
      cancel: (...args) => inner.cancel(...args),
      verify: (...args) => inner.verify(...args),
      hit: (...args) => inner.hit(...args),
      ...overrides,
    };
  }

  it.each([
    ['issue answers a string', { issue: async () => 'ok' as never }, 'send'],
    ['issue answers null', { issue: async () => null as never }, 'send'],
    ['issue answers nothing', { issue: async () => undefined as never }, 'send'],
    ['verify answers a number', { verify: async () => 1 as never }, 'verify'],
    ['verify answers null', { verify: async () => null as never }, 'verify'],
    ['verify answers nothing', { verify: async () => undefined as never }, 'verify'],
    ['hit answers a string', { hit: async () => 'ok' as never }, 'send'],
  ] as const)('%s', async (_, overrides, operation) => {
    const { engine, sender } = makeEngine({ store: storeWith(overrides) });
    const phone = phoneNumber();
    const result =
      operation === 'send'
        ? engine.send({ phone, ip: '203.0.113.9' })
        : engine.verify({ phone, code: '123456' });
    await expect(result).rejects.toThrow(
      new StoreUnavailableError('The OTP store answered something that is not an outcome'),
    );
    expect(sender.deliveries).toHaveLength(0);
  });

  it.each([
    ['a NaN count', { count: Number.NaN, resetAt: 0 }],
    ['an infinite count', { count: Number.POSITIVE_INFINITY, resetAt: 0 }],
    ['a count given as a string', { count: '1', resetAt: 0 }],
    ['a NaN reset time', { count: 1, resetAt: Number.NaN }],
  ])('a hit with %s', async (_, hit) => {
    const { engine, sender } = makeEngine({
      store: storeWith({ hit: async () => hit as never }),
    });
    await expect(engine.send({ phone: phoneNumber(), ip: '203.0.113.9' })).rejects.toThrow(
      new StoreUnavailableError('The OTP store answered a hit count that is not a number'),
    );
    expect(sender.deliveries).toHaveLength(0);
  });

  it('a store error is wrapped once, with the original as cause; a StoreUnavailableError passes as is', async () => {
    const cause = new Error('ECONNRESET');
    const { engine } = makeEngine({
      store: storeWith({
        verify: async () => {
          throw cause;
        },
      }),
    });
    const error = await engine.verify({ phone: phoneNumber(), code: '123456' }).catch((e) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toBe('The OTP store failed');
    expect(error.cause).toBe(cause);
    const own = new StoreUnavailableError('Redis is down');
    const passing = makeEngine({
      store: storeWith({
        verify: async () => {
          throw own;
        },
      }),
    });
    await expect(passing.engine.verify({ phone: phoneNumber(), code: '123456' })).rejects.toBe(own);
  });

  it('cancel accepts a store that answers nothing, and ignores input it cannot parse', async () => {
    const cancelled: unknown[] = [];
    const { engine } = makeEngine({
      store: storeWith({
        cancel: async (subject) => {
          cancelled.push(subject);
        },
      }),
    });
    await engine.cancel({ phone: '9812345674' });
    await engine.cancel({ phone: '9812345674', purpose: 'phone-change' });
    await engine.cancel({ phone: 'not a number' });
    await engine.cancel({ phone: '9812345674', purpose: 'bad purpose!' });
    await engine.cancel({ phone: '9812345674', purpose: 5 as never });
    await engine.cancel(undefined as never);
    expect(cancelled).toEqual([
      { phone: '+9779812345674', purpose: 'sign-in' },
      { phone: '+9779812345674', purpose: 'phone-change' },
    ]);
  });
});
