/**
 * UpstreamSessions' options: every check and its message (a misconfigured app fails at start-up
 * with a message that says what to fix), and each default as the store or provider sees it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemorySessionStore, UpstreamSessions } from '../../src/upstream/index.js';
import {
  DAY,
  makeTokens,
  SpyStore,
  scriptedProvider,
  T0,
  UNIT_SECRET,
  unitSetup,
} from './units-helpers.js';

const store = () => new MemorySessionStore();
const make = (options: Record<string, unknown>) =>
  new UpstreamSessions({ store: store(), secret: UNIT_SECRET, ...options } as never);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('required options', () => {
  it('no options object', () => {
    for (const options of [undefined, null, 'x', 42]) {
      expect(() => new UpstreamSessions(options as never)).toThrow(
        new TypeError('UpstreamSessions: options are required: { store, secret, provider? }'),
      );
    }
  });

  it('a store missing any method is named', () => {
    for (const method of ['create', 'get', 'replace', 'end', 'list', 'endAll', 'lock', 'unlock']) {
      const full = store() as unknown as Record<string, unknown>;
      const partial = new Proxy(full, {
        get: (target, name) => (name === method ? undefined : Reflect.get(target, name)),
      });
      expect(() => make({ store: partial, throttle: false })).toThrow(
        new TypeError(`UpstreamSessions: store must implement UpstreamSessionStore (${method})`),
      );
    }
    expect(() => make({ store: undefined })).toThrow(
      new TypeError('UpstreamSessions: store must implement UpstreamSessionStore (create)'),
    );
    expect(() => make({ store: { ...Object.fromEntries([]), create: 1 } })).toThrow(
      /UpstreamSessionStore \(create\)/,
    );
  });

  it('a store without the throttle methods needs throttle: false', () => {
    const sessionsOnly = {
      create: vi.fn(),
      get: vi.fn(),
      replace: vi.fn(),
      end: vi.fn(),
      list: vi.fn(),
      endAll: vi.fn(),
      lock: vi.fn(),
      unlock: vi.fn(),
    };
    expect(() => make({ store: sessionsOnly })).toThrow(
      new TypeError(
        'UpstreamSessions: store must implement LoginThrottleStore (consume, refund, reset) for the sign-in limits, or pass throttle: false',
      ),
    );
    const sessions = make({ store: sessionsOnly, throttle: false });
    expect(sessions.throttle).toBeUndefined();
  });

  it('the secret is checked (the seal derives its keys from it)', () => {
    expect(() => make({ secret: undefined })).toThrow(
      /^UpstreamSessions: `secret` is required: a string or Uint8Array of at least 32 bytes/,
    );
    expect(() => make({ secret: 'x'.repeat(31) })).toThrow(
      /^UpstreamSessions: `secret` must be at least 32 bytes, got 31/,
    );
  });
});

describe('provider and providerId', () => {
  const login = async () => ({ subject: 's', tokens: makeTokens(() => T0) });
  const refresh = async () => makeTokens(() => T0);

  it('a provider must have a non-empty string id, login and refresh', () => {
    const message = new TypeError(
      'UpstreamSessions: provider must implement UpstreamProvider (id, login, refresh)',
    );
    for (const provider of [
      null,
      'notes',
      { login, refresh },
      { id: 5, login, refresh },
      { id: '', login, refresh },
      { id: 'p', refresh },
      { id: 'p', login: 'x', refresh },
      { id: 'p', login },
      { id: 'p', login, refresh: {} },
    ]) {
      expect(() => make({ provider })).toThrow(message);
    }
    expect(make({ provider: { id: 'p', login, refresh } }).providerId).toBe('p');
  });

  it('providerId: the option, else the provider id, else "session"', () => {
    expect(make({}).providerId).toBe('session');
    expect(make({ provider: { id: 'prov', login, refresh } }).providerId).toBe('prov');
    expect(make({ provider: { id: 'prov', login, refresh }, providerId: 'phone' }).providerId).toBe(
      'phone',
    );
  });

  it('providerId: 1 to 64 of A-Z a-z 0-9 . _ -, nothing else', () => {
    const message = new TypeError(
      'UpstreamSessions: providerId must be 1-64 characters of A-Z a-z 0-9 . _ -',
    );
    for (const providerId of [
      '',
      'x'.repeat(65),
      'has space',
      ' lead',
      'trail ',
      'a/b',
      'a\nb',
      'ü',
      5,
    ]) {
      expect(() => make({ providerId })).toThrow(message);
    }
    for (const providerId of ['a', 'x'.repeat(64), 'A-z_0.9']) {
      expect(make({ providerId }).providerId).toBe(providerId);
    }
  });
});

describe('numbers', () => {
  for (const name of [
    'maxSessionAgeInMilliseconds',
    'refreshTimeoutInMilliseconds',
    'loginTimeoutInMilliseconds',
    'touchIntervalInMilliseconds',
    'endedReasonInMilliseconds',
  ]) {
    it(`${name}: a positive safe integer`, () => {
      for (const value of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '10', null]) {
        expect(() => make({ [name]: value })).toThrow(
          new TypeError(
            `UpstreamSessions: ${name} must be a positive integer, got ${String(value)}`,
          ),
        );
      }
      expect(() => make({ [name]: 1 })).not.toThrow();
    });
  }

  it('the defaults as the store sees them: 30 days, touch 60 s, reasons kept a day, lock 22 s', async () => {
    const h = unitSetup();
    const tokens = makeTokens(h.clock);
    const sid = await h.session(tokens);
    const created = h.store.of('create')[0]![1] as { expiresAt: number; createdAt: number };
    expect(created.createdAt).toBe(T0);
    expect(created.expiresAt).toBe(T0 + 30 * DAY);
    await h.sessions.status(sid);
    expect(h.store.of('get')[0]![2]).toBe(60_000);
    h.clock.set(tokens.accessExpiresAt);
    await h.sessions.getTokens(sid);
    expect(h.store.of('lock')[0]![2]).toBe(22_000);
    await h.sessions.end(sid);
    expect(h.store.of('end')[0]!.slice(1)).toEqual([
      'signed_out',
      tokens.accessExpiresAt,
      tokens.accessExpiresAt + DAY,
    ]);
  });

  it('the numbers given are the ones used', async () => {
    const h = unitSetup({
      maxSessionAgeInMilliseconds: 5 * DAY,
      touchIntervalInMilliseconds: 7,
      endedReasonInMilliseconds: 99,
      refreshTimeoutInMilliseconds: 1_000,
    });
    const tokens = makeTokens(h.clock);
    const sid = await h.session(tokens);
    expect((h.store.of('create')[0]![1] as { expiresAt: number }).expiresAt).toBe(T0 + 5 * DAY);
    await h.sessions.status(sid);
    expect(h.store.of('get')[0]![2]).toBe(7);
    h.clock.set(tokens.accessExpiresAt);
    await h.sessions.getTokens(sid);
    expect(h.store.of('lock')[0]![2]).toBe(4_000);
    await h.sessions.end(sid);
    expect(h.store.of('end')[0]![3]).toBe(tokens.accessExpiresAt + 99);
  });
});

describe('clock, logger, throttle', () => {
  it('a clock that is not a function is refused; the default is Date.now', async () => {
    expect(() => make({ clock: 5 })).toThrow(
      new TypeError('UpstreamSessions: clock must be a function returning epoch milliseconds'),
    );
    const spy = new SpyStore();
    const sessions = new UpstreamSessions({ store: spy, secret: UNIT_SECRET, throttle: false });
    const before = Date.now();
    await sessions.create({ subject: 'u' });
    const createdAt = (spy.of('create')[0]![1] as { createdAt: number }).createdAt;
    expect(createdAt).toBeGreaterThanOrEqual(before);
    expect(createdAt).toBeLessThanOrEqual(Date.now());
  });

  it('a logger needs warn(); without one, warnings go to process.emitWarning', () => {
    for (const logger of [null, {}, { warn: 'x' }]) {
      expect(() => make({ logger })).toThrow(
        new TypeError('UpstreamSessions: logger must have a warn(message) method'),
      );
    }
    const emit = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const sessions = make({ throttle: false });
    sessions.on('sign-in', () => {
      throw new Error('listener bug');
    });
    return sessions.create({ subject: 'u' }).then(() => {
      expect(emit).toHaveBeenCalledWith(
        'tingting-auth: an "sign-in" event listener threw (Error); the operation went on',
        { code: 'TINGTING_UPSTREAM_SESSIONS' },
      );
    });
  });

  it('a listener that throws something not an Error: its type in the warning', async () => {
    const h = unitSetup();
    h.sessions.on('sign-in', () => {
      throw 'a string';
    });
    h.sessions.on('ended', () => {
      throw new RangeError('x');
    });
    const sid = await h.session();
    await h.sessions.end(sid);
    expect(h.warnings).toEqual([
      'tingting-auth: an "sign-in" event listener threw (string); the operation went on',
      'tingting-auth: an "ended" event listener threw (RangeError); the operation went on',
    ]);
  });

  it('throttle limits given are used; the default throttle counts in the store', async () => {
    const store = new MemorySessionStore();
    const provider = scriptedProvider(() => T0);
    const sessions = new UpstreamSessions({
      store,
      secret: UNIT_SECRET,
      provider,
      clock: () => T0,
      throttle: { maxConsecutiveFailuresPerIdentifierAndIP: 1 },
    });
    expect(sessions.throttle).toBeDefined();
    provider.loginStep = async () => {
      throw Object.assign(new Error('no'), { code: 'UPSTREAM_INVALID_CREDENTIALS' });
    };
    const input = { identifier: 'a', password: 'b', ip: '192.0.2.1' };
    expect(await sessions.signIn(input)).toEqual({ ok: false, reason: 'invalid_credentials' });
    expect(await sessions.signIn(input)).toMatchObject({ ok: false, reason: 'rate_limited' });
    expect(provider.loginCalls).toHaveLength(1);
    const defaults = new UpstreamSessions({
      store: new MemorySessionStore(),
      secret: UNIT_SECRET,
      provider,
    });
    expect(defaults.throttle).toBeDefined();
  });
});
