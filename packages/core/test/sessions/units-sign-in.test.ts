/**
 * signIn against a scripted provider: input checks, each provider outcome as a result and an event
 * (the user sees only invalid credentials / rate limited / unavailable), the login timer, and the
 * session it creates.
 */
import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UNAVAILABLE_RETRY_AFTER_IN_SECONDS } from '../../src/public-errors.js';
import { MemorySessionStore, sessionKeyOf, UpstreamSessions } from '../../src/upstream/index.js';
import { deriveSessionKeys, keyedHash } from '../../src/upstream/sessions-seal.js';
import {
  codeError,
  makeTokens,
  scriptedProvider,
  T0,
  UNIT_SECRET,
  unitSetup,
} from './units-helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

const identifierHash = (identifier: string) =>
  keyedHash(deriveSessionKeys(UNIT_SECRET, 't').identifier, `identifier\n${identifier}`, 16);

describe('input', () => {
  it('needs a provider', async () => {
    const sessions = new UpstreamSessions({
      store: new MemorySessionStore(),
      secret: UNIT_SECRET,
      throttle: false,
    });
    await expect(sessions.signIn({ identifier: 'a', password: 'b' })).rejects.toThrow(
      new TypeError('UpstreamSessions.signIn needs a provider (options.provider)'),
    );
  });

  it('identifier: a non-blank string of at most 320 characters', async () => {
    const h = unitSetup();
    const refused = { ok: false, reason: 'invalid_request', field: 'identifier' };
    for (const identifier of [undefined, 5, '', '   ', '\t\n', 'x'.repeat(321)]) {
      expect(await h.sessions.signIn({ identifier, password: 'pw' })).toEqual(refused);
    }
    for (const input of [undefined, null, 'x']) {
      expect(await h.sessions.signIn(input as never)).toEqual(refused);
    }
    expect(h.provider.loginCalls).toHaveLength(0);
    expect((await h.sessions.signIn({ identifier: 'x'.repeat(320), password: 'pw' })).ok).toBe(
      true,
    );
    expect((await h.sessions.signIn({ identifier: ' a ', password: 'pw' })).ok).toBe(true);
    expect(h.provider.loginCalls.map((c) => c.credentials)).toEqual([
      { identifier: 'x'.repeat(320), password: 'pw' },
      { identifier: ' a ', password: 'pw' },
    ]);
  });

  it('password: a non-empty string of at most 4,096 characters', async () => {
    const h = unitSetup();
    const refused = { ok: false, reason: 'invalid_request', field: 'password' };
    for (const password of [undefined, 5, '', 'p'.repeat(4_097)]) {
      expect(await h.sessions.signIn({ identifier: 'a', password })).toEqual(refused);
    }
    expect(h.provider.loginCalls).toHaveLength(0);
    expect((await h.sessions.signIn({ identifier: 'a', password: 'p'.repeat(4_096) })).ok).toBe(
      true,
    );
    expect((await h.sessions.signIn({ identifier: 'a', password: ' ' })).ok).toBe(true);
  });
});

describe('provider outcomes', () => {
  const cases = [
    [
      'UPSTREAM_INVALID_CREDENTIALS',
      'invalid_credentials',
      { ok: false, reason: 'invalid_credentials' },
    ],
    ['UPSTREAM_ACCOUNT_INACTIVE', 'account_inactive', { ok: false, reason: 'invalid_credentials' }],
    ['UPSTREAM_BAD_REQUEST', 'bad_request', { ok: false, reason: 'invalid_credentials' }],
    [
      'UPSTREAM_MALFORMED',
      'malformed',
      {
        ok: false,
        reason: 'unavailable',
        retryAfterInMilliseconds: UNAVAILABLE_RETRY_AFTER_IN_SECONDS * 1000,
      },
    ],
    [
      'UPSTREAM_UNAVAILABLE',
      'unavailable',
      { ok: false, reason: 'unavailable', retryAfterInMilliseconds: 5_000 },
    ],
  ] as const;
  for (const [code, reason, result] of cases) {
    it(`${code}: ${JSON.stringify(result)}, event ${reason}`, async () => {
      const h = unitSetup();
      h.provider.loginStep = async () => {
        h.clock.advance(250);
        throw codeError(code, { retryAfterInSeconds: 4.01 });
      };
      expect(
        await h.sessions.signIn({ identifier: 'Asha', password: 'pw', ip: '192.0.2.9' }),
      ).toEqual(result);
      expect(h.events).toEqual([
        {
          type: 'sign-in.failed',
          provider: 'stub',
          identifierHash: identifierHash('asha'),
          ip: '192.0.2.9',
          reason,
          at: new Date(T0 + 250),
        },
      ]);
      expect(h.store.count('create')).toBe(0);
    });
  }

  it('UPSTREAM_UNAVAILABLE without a usable Retry-After: the default', async () => {
    const h = unitSetup();
    h.provider.loginStep = async () => {
      throw codeError('UPSTREAM_UNAVAILABLE');
    };
    expect(await h.sessions.signIn({ identifier: 'a', password: 'pw' })).toEqual({
      ok: false,
      reason: 'unavailable',
      retryAfterInMilliseconds: UNAVAILABLE_RETRY_AFTER_IN_SECONDS * 1000,
    });
  });

  it('an empty ip is left out of the event', async () => {
    const h = unitSetup();
    h.provider.loginStep = async () => {
      throw codeError('UPSTREAM_INVALID_CREDENTIALS');
    };
    await h.sessions.signIn({ identifier: 'a', password: 'pw', ip: '' });
    await h.sessions.signIn({ identifier: 'a', password: 'pw', ip: 7 as never });
    expect(h.events.map((e) => 'ip' in e)).toEqual([false, false]);
  });

  it('VALIDATION_ERROR: invalid_request naming the field the provider names, no event', async () => {
    const h = unitSetup();
    for (const [field, expected] of [
      ['password', 'password'],
      ['identifier', 'identifier'],
      [undefined, 'identifier'],
    ] as const) {
      h.provider.loginStep = async () => {
        throw codeError('VALIDATION_ERROR', { field });
      };
      expect(await h.sessions.signIn({ identifier: 'a', password: 'pw' })).toEqual({
        ok: false,
        reason: 'invalid_request',
        field: expected,
      });
    }
    expect(h.events).toEqual([]);
  });

  it('anything else is thrown as it is', async () => {
    const h = unitSetup();
    const odd = codeError('SOMETHING_ELSE');
    h.provider.loginStep = async () => {
      throw odd;
    };
    await expect(h.sessions.signIn({ identifier: 'a', password: 'pw' })).rejects.toBe(odd);
    h.provider.loginStep = () => Promise.reject(null);
    await expect(h.sessions.signIn({ identifier: 'a', password: 'pw' })).rejects.toBeNull();
    expect(h.events).toEqual([]);
  });
});

describe('with the throttle', () => {
  function throttled() {
    const store = new MemorySessionStore();
    const provider = scriptedProvider(() => T0);
    const calls: string[] = [];
    const sessions = new UpstreamSessions({
      store,
      secret: UNIT_SECRET,
      provider,
      clock: () => T0,
    });
    const throttle = sessions.throttle!;
    for (const method of ['attempt', 'refund', 'succeeded'] as const) {
      const original = throttle[method].bind(throttle) as (...args: unknown[]) => unknown;
      vi.spyOn(throttle, method).mockImplementation(((...args: unknown[]) => {
        calls.push(method);
        return original(...args);
      }) as never);
    }
    const events: unknown[] = [];
    sessions.on('sign-in.failed', (e) => events.push(e));
    return { sessions, provider, calls, events };
  }

  it('an outage refunds the attempt; a success resets; a wrong password counts', async () => {
    const t = throttled();
    t.provider.loginStep = async () => {
      throw codeError('UPSTREAM_UNAVAILABLE');
    };
    await t.sessions.signIn({ identifier: 'a', password: 'pw', ip: '192.0.2.1' });
    expect(t.calls).toEqual(['attempt', 'refund']);
    t.calls.length = 0;
    t.provider.loginStep = async () => {
      throw codeError('UPSTREAM_INVALID_CREDENTIALS');
    };
    await t.sessions.signIn({ identifier: 'a', password: 'pw', ip: '192.0.2.1' });
    expect(t.calls).toEqual(['attempt']);
    t.calls.length = 0;
    t.provider.loginStep = undefined;
    expect((await t.sessions.signIn({ identifier: 'a', password: 'pw', ip: '192.0.2.1' })).ok).toBe(
      true,
    );
    expect(t.calls).toEqual(['attempt', 'succeeded']);
  });

  it('the event carries the throttle identifier hash; a refusal says rate_limited', async () => {
    const t = throttled();
    t.provider.loginStep = async () => {
      throw codeError('UPSTREAM_INVALID_CREDENTIALS');
    };
    for (let i = 0; i < 10; i++) {
      await t.sessions.signIn({ identifier: 'Bob', password: 'pw', ip: '192.0.2.1' });
    }
    const refused = await t.sessions.signIn({ identifier: 'Bob', password: 'pw', ip: '192.0.2.1' });
    expect(refused).toMatchObject({ ok: false, reason: 'rate_limited' });
    expect(
      (refused as { retryAfterInMilliseconds: number }).retryAfterInMilliseconds,
    ).toBeGreaterThan(0);
    expect(t.events.at(-1)).toEqual({
      type: 'sign-in.failed',
      provider: 'stub',
      identifierHash: identifierHash('bob'),
      ip: '192.0.2.1',
      reason: 'rate_limited',
      at: new Date(T0),
    });
    expect((t.events[0] as { identifierHash: string }).identifierHash).toBe(identifierHash('bob'));
    expect(t.provider.loginCalls).toHaveLength(10);
  });
});

describe('a successful sign-in', () => {
  it('creates the session, answers its sid (hidden), subject, profile and info', async () => {
    const h = unitSetup();
    const profile = { subject: 'u-9', email: 'u9@example.com' };
    h.provider.loginStep = async () => ({ subject: 'u-9', tokens: makeTokens(h.clock), profile });
    const result = await h.sessions.signIn({
      identifier: 'u9',
      password: 'pw',
      ip: '192.0.2.4',
      userAgent: 'UA/1',
      device: 'laptop',
    });
    if (!result.ok) throw new Error('expected ok');
    const key = sessionKeyOf(result.sid)!;
    expect(result).toEqual({
      ok: true,
      subject: 'u-9',
      profile,
      session: {
        id: key.id,
        provider: 'stub',
        subject: 'u-9',
        createdAt: T0,
        lastSeenAt: T0,
        expiresAt: T0 + 30 * 86_400_000,
        userAgent: 'UA/1',
        ip: '192.0.2.4',
        device: 'laptop',
        hasUpstreamTokens: true,
      },
    });
    expect(Object.keys(result)).not.toContain('sid');
    expect(JSON.stringify(result)).not.toContain(result.sid);
    expect(inspect(result)).toContain("sid: '[redacted]'");
    expect(inspect(result)).not.toContain(result.sid);
    expect(h.events).toEqual([
      { type: 'sign-in', provider: 'stub', subject: 'u-9', session: key.id, at: new Date(T0) },
    ]);
    expect(await h.sessions.getAccessToken(result.sid)).toMatch(/^access-0-/);
  });

  it('no profile from the provider: no profile key', async () => {
    const h = unitSetup();
    const result = await h.sessions.signIn({ identifier: 'a', password: 'pw' });
    expect(result.ok).toBe(true);
    expect('profile' in result).toBe(false);
  });

  it('the login gets the credentials, the clock and a signal that aborts after loginTimeoutInMilliseconds', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const h = unitSetup({ loginTimeoutInMilliseconds: 5_000 });
    let signal: AbortSignal | undefined;
    h.provider.loginStep = (_credentials, ctx) => {
      signal = ctx.signal;
      expect(ctx.now).toBe(h.clock);
      return new Promise((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
      });
    };
    const pending = h.sessions.signIn({ identifier: 'a', password: 'pw' }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(signal?.aborted).toBe(true);
    const error = (await pending) as DOMException;
    expect(error.name).toBe('TimeoutError');
    expect(error.message).toBe('The operation timed out.');
  });

  it('the default login timeout is 10 s; the timer is cleared once the login settles', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const h = unitSetup();
    let signal: AbortSignal | undefined;
    h.provider.loginStep = (_credentials, ctx) => {
      signal = ctx.signal;
      return new Promise((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
      });
    };
    const pending = h.sessions.signIn({ identifier: 'a', password: 'pw' }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(((await pending) as Error).name).toBe('TimeoutError');
    // A login that answers: no timer left behind.
    h.provider.loginStep = undefined;
    expect((await h.sessions.signIn({ identifier: 'a', password: 'pw' })).ok).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});
