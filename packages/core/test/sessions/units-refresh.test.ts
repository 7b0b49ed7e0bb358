/**
 * Refresh outcomes of UpstreamSessions against a scripted provider: when a refresh happens, what
 * each provider failure does to the session, the events, and what the store is asked.
 */
import { describe, expect, it } from 'vitest';
import { UNAVAILABLE_RETRY_AFTER_IN_SECONDS } from '../../src/public-errors.js';
import {
  SessionExpiredError,
  SessionUnavailableError,
  sessionKeyOf,
  UpstreamSessions,
} from '../../src/upstream/index.js';
import { refreshAheadOf, refreshAtOf } from '../../src/upstream/sessions.js';
import { codeError, DAY, HOUR, makeTokens, T0, UNIT_SECRET, unitSetup } from './units-helpers.js';

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('refreshAheadOf / refreshAtOf', () => {
  it('10% of the lifetime, at least 30 s, at most 5 min, never more than half the lifetime', () => {
    expect(refreshAheadOf(HOUR)).toBe(300_000);
    expect(refreshAheadOf(1_000_000)).toBe(100_000);
    expect(refreshAheadOf(100_000)).toBe(30_000);
    expect(refreshAheadOf(20_000)).toBe(10_000);
    expect(refreshAheadOf(10 * HOUR)).toBe(300_000);
    expect(refreshAheadOf(-5_000)).toBe(0);
    expect(refreshAheadOf(0)).toBe(0);
  });

  it('refreshAt is accessExpiresAt less the lead of its own lifetime', () => {
    const clock = () => T0;
    const tokens = makeTokens(clock, 0, { accessExpiresAt: T0 + 1_000_000 });
    expect(refreshAtOf(tokens)).toBe(T0 + 900_000);
  });
});

describe('when a refresh happens', () => {
  it('fresh tokens: one store read with the touch interval, no refresh, the same tokens', async () => {
    const h = unitSetup();
    const tokens = makeTokens(h.clock);
    const sid = await h.session(tokens);
    h.store.calls.length = 0;
    const got = await h.sessions.getTokens(sid);
    expect(got.accessToken).toBe(tokens.accessToken);
    expect(got.generation).toBe(0);
    expect(h.store.of('get')).toEqual([[sessionKeyOf(sid), T0, 60_000]]);
    expect(await h.sessions.getAccessToken(sid)).toBe(tokens.accessToken);
    expect(h.provider.refreshCalls).toHaveLength(0);
  });

  it('one millisecond before refreshAt: none; at refreshAt: one', async () => {
    const h = unitSetup();
    const tokens = makeTokens(h.clock);
    const sid = await h.session(tokens);
    h.clock.set(refreshAtOf(tokens) - 1);
    expect(await h.sessions.getAccessToken(sid)).toBe(tokens.accessToken);
    expect(h.provider.refreshCalls).toHaveLength(0);
    h.clock.set(refreshAtOf(tokens));
    const next = await h.sessions.getAccessToken(sid);
    expect(next).not.toBe(tokens.accessToken);
    expect(h.provider.refreshCalls).toHaveLength(1);
    expect(h.provider.refreshCalls[0]!.tokens.refreshToken).toBe(tokens.refreshToken);
  });

  it('rejected tokens of the current generation are refreshed at once; of an older one, not', async () => {
    const h = unitSetup();
    const tokens = makeTokens(h.clock);
    const sid = await h.session(tokens);
    const next = await h.sessions.getTokens(sid, { rejected: tokens });
    expect(next.generation).toBe(1);
    expect(h.provider.refreshCalls).toHaveLength(1);
    // The generation-0 tokens were replaced since: the newer ones, no second refresh.
    const again = await h.sessions.getTokens(sid, { rejected: tokens });
    expect(again.generation).toBe(1);
    expect(again.accessToken).toBe(next.accessToken);
    expect(h.provider.refreshCalls).toHaveLength(1);
    // Rejecting the current ones refreshes once more.
    const third = await h.sessions.getTokens(sid, { rejected: again });
    expect(third.generation).toBe(2);
    expect(h.provider.refreshCalls).toHaveLength(2);
  });

  it('getTokens with no options and with empty options refreshes nothing while fresh', async () => {
    const h = unitSetup();
    const sid = await h.session();
    await h.sessions.getTokens(sid, {});
    await h.sessions.getTokens(sid, undefined);
    expect(h.provider.refreshCalls).toHaveLength(0);
  });

  it('concurrent callers join one refresh; a later due read refreshes again', async () => {
    const h = unitSetup();
    const tokens = makeTokens(h.clock);
    const sid = await h.session(tokens);
    h.clock.set(tokens.accessExpiresAt);
    const results = await Promise.all([
      h.sessions.getAccessToken(sid),
      h.sessions.getTokens(sid),
      h.sessions.getAccessToken(sid),
    ]);
    expect(h.provider.refreshCalls).toHaveLength(1);
    expect(results[0]).toBe(results[2]);
    expect(typeof results[0]).toBe('string');
    expect((results[1] as { accessToken: string }).accessToken).toBe(results[0]);
    const second = await h.sessions.getTokens(sid);
    h.clock.set(second.accessExpiresAt);
    const third = await h.sessions.getTokens(sid);
    expect(third.generation).toBe(2);
    expect(h.provider.refreshCalls).toHaveLength(2);
  });

  it('the refresh call gets the refresh timeout signal and the clock', async () => {
    const h = unitSetup();
    const tokens = makeTokens(h.clock);
    const sid = await h.session(tokens);
    h.clock.set(tokens.accessExpiresAt);
    await h.sessions.getTokens(sid);
    const ctx = h.provider.refreshCalls[0]!.ctx;
    expect(ctx.now).toBe(h.clock);
    expect(ctx.signal.aborted).toBe(false);
  });
});

describe('a successful refresh', () => {
  it('stores the next generation (sealed), emits refresh, returns generation + 1', async () => {
    const h = unitSetup();
    const tokens = makeTokens(h.clock);
    const sid = await h.session(tokens);
    const key = sessionKeyOf(sid)!;
    h.clock.set(tokens.accessExpiresAt + 5);
    // The provider answers a wrong generation: the manager counts its own.
    h.provider.refreshSteps.push(async () => makeTokens(h.clock, 7));
    const next = await h.sessions.getTokens(sid);
    expect(next.generation).toBe(1);
    expect(next.accessToken).toBe(`access-7-${tokens.accessExpiresAt + 5}`);
    const [replaceKey, expected, update, now] = h.store.of('replace')[0]!;
    expect(replaceKey).toEqual(key);
    expect(expected).toBe(0);
    expect(now).toBe(tokens.accessExpiresAt + 5);
    expect((update as { generation: number }).generation).toBe(1);
    expect((update as { tokens: string }).tokens).not.toContain('access-7');
    // No refresh expiry: the session cap (created + 30 days) stays its expiry.
    expect((update as { expiresAt: number }).expiresAt).toBe(T0 + 30 * DAY);
    expect(h.events.filter((e) => e.type === 'refresh')).toEqual([
      {
        type: 'refresh',
        provider: 'stub',
        session: key.id,
        generation: 1,
        at: new Date(tokens.accessExpiresAt + 5),
      },
    ]);
    // What was stored reads back as generation 1 with the new token.
    const read = await h.sessions.getTokens(sid);
    expect(read.generation).toBe(1);
    expect(read.accessToken).toBe(next.accessToken);
    // The lock was taken for 2 * refresh timeout + 2 s and released with the same token.
    const [lockKey, token, ttl] = h.store.of('lock')[0]!;
    expect(lockKey).toEqual(key);
    expect(ttl).toBe(22_000);
    expect(h.store.of('unlock')).toEqual([[key, token]]);
    expect(typeof token).toBe('string');
    expect((token as string).length).toBeGreaterThanOrEqual(22);
  });

  it('the stored expiry follows the new refresh token, capped by the session age', async () => {
    const h = unitSetup({ maxSessionAgeInMilliseconds: 10 * DAY });
    const tokens = makeTokens(h.clock, 0, { refreshExpiresAt: T0 + DAY });
    const sid = await h.session(tokens);
    h.clock.set(tokens.accessExpiresAt);
    h.provider.refreshSteps.push(async () =>
      makeTokens(h.clock, 1, { refreshExpiresAt: T0 + 2 * DAY }),
    );
    await h.sessions.getTokens(sid);
    h.provider.refreshSteps.push(async () =>
      makeTokens(h.clock, 2, { refreshExpiresAt: T0 + 20 * DAY }),
    );
    h.clock.set(tokens.accessExpiresAt + HOUR);
    await h.sessions.getTokens(sid);
    const updates = h.store
      .of('replace')
      .map((args) => (args[2] as { expiresAt: number }).expiresAt);
    expect(updates).toEqual([T0 + 2 * DAY, T0 + 10 * DAY]);
    expect((await h.sessions.status(sid)).active).toBe(true);
  });

  it('a refresh expiry before the access expiry: the access expiry counts', async () => {
    const h = unitSetup();
    const tokens = makeTokens(h.clock);
    const sid = await h.session(tokens);
    h.clock.set(tokens.accessExpiresAt);
    h.provider.refreshSteps.push(async () =>
      makeTokens(h.clock, 1, { refreshExpiresAt: tokens.accessExpiresAt + 1 }),
    );
    await h.sessions.getTokens(sid);
    const update = h.store.of('replace')[0]![2] as { expiresAt: number };
    expect(update.expiresAt).toBe(tokens.accessExpiresAt + HOUR);
  });
});

describe('a refused refresh', () => {
  it('ends the session as refresh_rejected, with the event saying the tokens age', async () => {
    const h = unitSetup();
    const tokens = makeTokens(h.clock);
    const sid = await h.session(tokens);
    const key = sessionKeyOf(sid)!;
    h.clock.set(tokens.accessExpiresAt + 1_234);
    h.provider.refreshSteps.push(async () => {
      throw codeError('REFRESH_REJECTED');
    });
    const error = await failure(h.sessions.getAccessToken(sid));
    expect(error).toBeInstanceOf(SessionExpiredError);
    expect((error as SessionExpiredError).reason).toBe('refresh_rejected');
    const at = new Date(tokens.accessExpiresAt + 1_234);
    expect(h.events.filter((e) => e.type !== 'sign-in')).toEqual([
      {
        type: 'refresh.rejected',
        provider: 'stub',
        session: key.id,
        reason: 'rejected',
        generation: 0,
        ageMs: HOUR + 1_234,
        at,
      },
      {
        type: 'ended',
        provider: 'stub',
        session: key.id,
        reason: 'refresh_rejected',
        count: 1,
        at,
      },
    ]);
    expect(await h.sessions.status(sid)).toEqual({ active: false, reason: 'refresh_rejected' });
    expect(h.provider.refreshCalls).toHaveLength(1);
    expect(h.store.count('unlock')).toBe(1);
  });
});

describe('an upstream outage during a refresh', () => {
  for (const [code, reason] of [
    ['UPSTREAM_UNAVAILABLE', 'unavailable'],
    ['UPSTREAM_MALFORMED', 'malformed'],
  ] as const) {
    it(`${code}: the access token is served while it lasts, then a 503; the session is kept`, async () => {
      const h = unitSetup();
      const tokens = makeTokens(h.clock);
      const sid = await h.session(tokens);
      const key = sessionKeyOf(sid)!;
      const cause = codeError(code, { retryAfterInSeconds: 2.2 });
      h.provider.refreshSteps.push(async () => {
        throw cause;
      });
      h.clock.set(tokens.accessExpiresAt - 1);
      expect(await h.sessions.getAccessToken(sid)).toBe(tokens.accessToken);
      expect(h.events.filter((e) => e.type === 'refresh.failed')).toEqual([
        {
          type: 'refresh.failed',
          provider: 'stub',
          session: key.id,
          reason,
          generation: 0,
          at: new Date(tokens.accessExpiresAt - 1),
        },
      ]);
      h.provider.refreshSteps.push(async () => {
        throw cause;
      });
      h.clock.set(tokens.accessExpiresAt);
      const error = await failure(h.sessions.getAccessToken(sid));
      expect(error).toBeInstanceOf(SessionUnavailableError);
      expect((error as SessionUnavailableError).retryAfterInSeconds).toBe(3);
      expect((error as SessionUnavailableError).provider).toBe('stub');
      expect((error as Error).cause).toBe(cause);
      expect((await h.sessions.status(sid)).active).toBe(true);
      expect(h.events.some((e) => e.type === 'ended' || e.type === 'refresh.rejected')).toBe(false);
    });
  }

  it('no usable Retry-After in the error: the default', async () => {
    for (const retryAfterInSeconds of [undefined, 0, -3, Number.POSITIVE_INFINITY, '9', null]) {
      const h = unitSetup();
      const tokens = makeTokens(h.clock);
      const sid = await h.session(tokens);
      h.provider.refreshSteps.push(async () => {
        throw codeError('UPSTREAM_UNAVAILABLE', { retryAfterInSeconds });
      });
      h.clock.set(tokens.accessExpiresAt);
      const error = await failure(h.sessions.getAccessToken(sid));
      expect((error as SessionUnavailableError).retryAfterInSeconds).toBe(
        UNAVAILABLE_RETRY_AFTER_IN_SECONDS,
      );
    }
  });

  for (const name of ['TimeoutError', 'AbortError']) {
    it(`a ${name}: refresh.failed timeout, the session kept`, async () => {
      const h = unitSetup();
      const tokens = makeTokens(h.clock);
      const sid = await h.session(tokens);
      h.provider.refreshSteps.push(async () => {
        throw new DOMException('gone', name);
      });
      h.clock.set(tokens.accessExpiresAt - 1);
      expect(await h.sessions.getAccessToken(sid)).toBe(tokens.accessToken);
      expect(
        h.events
          .filter((e) => e.type === 'refresh.failed')
          .map((e) => (e as { reason: string }).reason),
      ).toEqual(['timeout']);
      h.provider.refreshSteps.push(async () => {
        throw new DOMException('gone', name);
      });
      h.clock.set(tokens.accessExpiresAt);
      const error = await failure(h.sessions.getAccessToken(sid));
      expect(error).toBeInstanceOf(SessionUnavailableError);
      expect((error as SessionUnavailableError).retryAfterInSeconds).toBe(
        UNAVAILABLE_RETRY_AFTER_IN_SECONDS,
      );
    });
  }

  it('a hung upstream is aborted after refreshTimeoutInMilliseconds', async () => {
    const h = unitSetup({ refreshTimeoutInMilliseconds: 30 });
    const tokens = makeTokens(h.clock);
    const sid = await h.session(tokens);
    h.provider.refreshSteps.push(
      (_tokens, ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
        }),
    );
    h.clock.set(tokens.accessExpiresAt - 1);
    const started = Date.now();
    expect(await h.sessions.getAccessToken(sid)).toBe(tokens.accessToken);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(h.events.filter((e) => e.type === 'refresh.failed')).toMatchObject([
      { reason: 'timeout' },
    ]);
    // 2 * 30 + 2,000 ms
    expect(h.store.of('lock')[0]![2]).toBe(2_060);
  });

  it('any other failure is passed on as it is, the session kept', async () => {
    const h = unitSetup();
    const tokens = makeTokens(h.clock);
    const sid = await h.session(tokens);
    const odd = new RangeError('provider bug');
    h.provider.refreshSteps.push(async () => {
      throw odd;
    });
    h.clock.set(tokens.accessExpiresAt - 1);
    expect(await failure(h.sessions.getAccessToken(sid))).toBe(odd);
    expect(h.events.filter((e) => e.type !== 'sign-in')).toEqual([]);
    expect((await h.sessions.status(sid)).active).toBe(true);
    expect(h.store.count('unlock')).toBe(1);
  });
});

describe('a lost refresh answer (REFRESH_UNKNOWN_OUTCOME)', () => {
  it('the retry succeeds: one unknown_outcome event, then refresh; the session goes on', async () => {
    const h = unitSetup();
    const tokens = makeTokens(h.clock);
    const sid = await h.session(tokens);
    const key = sessionKeyOf(sid)!;
    h.clock.set(tokens.accessExpiresAt);
    h.provider.refreshSteps.push(async () => {
      throw codeError('REFRESH_UNKNOWN_OUTCOME');
    });
    const next = await h.sessions.getTokens(sid);
    expect(next.generation).toBe(1);
    expect(h.provider.refreshCalls).toHaveLength(2);
    expect(h.provider.refreshCalls[1]!.tokens.refreshToken).toBe(tokens.refreshToken);
    expect(h.events.filter((e) => e.type !== 'sign-in')).toEqual([
      {
        type: 'refresh.failed',
        provider: 'stub',
        session: key.id,
        reason: 'unknown_outcome',
        generation: 0,
        at: new Date(tokens.accessExpiresAt),
      },
      {
        type: 'refresh',
        provider: 'stub',
        session: key.id,
        generation: 1,
        at: new Date(tokens.accessExpiresAt),
      },
    ]);
  });

  for (const second of ['REFRESH_UNKNOWN_OUTCOME', 'REFRESH_REJECTED']) {
    it(`then ${second}: the session ends as refresh_lost after two calls`, async () => {
      const h = unitSetup();
      const tokens = makeTokens(h.clock);
      const sid = await h.session(tokens);
      const key = sessionKeyOf(sid)!;
      h.clock.set(tokens.accessExpiresAt + 10);
      h.provider.refreshSteps.push(
        async () => {
          throw codeError('REFRESH_UNKNOWN_OUTCOME');
        },
        async () => {
          throw codeError(second);
        },
      );
      const error = await failure(h.sessions.getTokens(sid));
      expect(error).toBeInstanceOf(SessionExpiredError);
      expect((error as SessionExpiredError).reason).toBe('refresh_lost');
      expect(h.provider.refreshCalls).toHaveLength(2);
      const at = new Date(tokens.accessExpiresAt + 10);
      expect(h.events.filter((e) => e.type !== 'sign-in' && e.type !== 'refresh.failed')).toEqual([
        {
          type: 'refresh.rejected',
          provider: 'stub',
          session: key.id,
          reason: 'lost',
          generation: 0,
          ageMs: HOUR + 10,
          at,
        },
        { type: 'ended', provider: 'stub', session: key.id, reason: 'refresh_lost', count: 1, at },
      ]);
      expect(await h.sessions.status(sid)).toEqual({ active: false, reason: 'refresh_lost' });
    });
  }

  it('then an outage: the session is kept (unknown_outcome, then unavailable)', async () => {
    const h = unitSetup();
    const tokens = makeTokens(h.clock);
    const sid = await h.session(tokens);
    h.clock.set(tokens.accessExpiresAt);
    const down = codeError('UPSTREAM_UNAVAILABLE', { retryAfterInSeconds: 4 });
    h.provider.refreshSteps.push(
      async () => {
        throw codeError('REFRESH_UNKNOWN_OUTCOME');
      },
      async () => {
        throw down;
      },
    );
    const error = await failure(h.sessions.getTokens(sid));
    expect(error).toBeInstanceOf(SessionUnavailableError);
    expect((error as SessionUnavailableError).retryAfterInSeconds).toBe(4);
    expect((error as Error).cause).toBe(down);
    expect(
      h.events
        .filter((e) => e.type === 'refresh.failed')
        .map((e) => (e as { reason: string }).reason),
    ).toEqual(['unknown_outcome', 'unavailable']);
    expect((await h.sessions.status(sid)).active).toBe(true);
  });

  it('a first failure that is not a lost answer is never retried', async () => {
    const h = unitSetup();
    const tokens = makeTokens(h.clock);
    const sid = await h.session(tokens);
    h.clock.set(tokens.accessExpiresAt - 1);
    h.provider.refreshSteps.push(async () => {
      throw codeError('UPSTREAM_UNAVAILABLE');
    });
    await h.sessions.getTokens(sid);
    expect(h.provider.refreshCalls).toHaveLength(1);
  });
});

describe('the store answers otherwise during a refresh', () => {
  it('replace says missing: SESSION_EXPIRED with the reason the store keeps', async () => {
    const h = unitSetup();
    const tokens = makeTokens(h.clock);
    const sid = await h.session(tokens);
    h.clock.set(tokens.accessExpiresAt);
    h.provider.refreshSteps.push(async (t) => {
      await h.sessions.end(sid, 'ended_by_app');
      return makeTokens(h.clock, t.generation + 1);
    });
    const error = await failure(h.sessions.getTokens(sid));
    expect(error).toBeInstanceOf(SessionExpiredError);
    expect((error as SessionExpiredError).reason).toBe('ended_by_app');
    // The read after `missing` is plain (no touch).
    expect(h.store.of('get').at(-1)).toEqual([
      sessionKeyOf(sid),
      tokens.accessExpiresAt,
      undefined,
    ]);
    expect(h.events.some((e) => e.type === 'refresh')).toBe(false);
  });

  it('replace says missing and the store forgot it: reason unknown', async () => {
    const h = unitSetup();
    const tokens = makeTokens(h.clock);
    const sid = await h.session(tokens);
    h.clock.set(tokens.accessExpiresAt);
    h.store.answer.replace = async () => {
      h.store.answer.get = () => Promise.resolve({ state: 'none' });
      return 'missing';
    };
    const error = await failure(h.sessions.getTokens(sid));
    expect(error).toBeInstanceOf(SessionExpiredError);
    expect((error as SessionExpiredError).reason).toBe('unknown');
  });

  it('replace says conflict: a warning, and the tokens the store holds', async () => {
    const h = unitSetup();
    const tokens = makeTokens(h.clock);
    const sid = await h.session(tokens);
    h.clock.set(tokens.accessExpiresAt);
    h.store.answer.replace = async () => 'conflict';
    const got = await h.sessions.getTokens(sid);
    expect(got.accessToken).toBe(tokens.accessToken);
    expect(got.generation).toBe(0);
    expect(h.warnings).toEqual([
      'tingting-auth: a session was rotated twice at once (lock expired mid-refresh)',
    ]);
    expect(h.events.some((e) => e.type === 'refresh')).toBe(false);
  });

  it('unlock fails: a warning, and the refreshed tokens all the same', async () => {
    const h = unitSetup();
    const tokens = makeTokens(h.clock);
    const sid = await h.session(tokens);
    h.clock.set(tokens.accessExpiresAt);
    h.store.answer.unlock = async () => {
      throw new Error('store down');
    };
    const got = await h.sessions.getTokens(sid);
    expect(got.generation).toBe(1);
    expect(h.warnings).toEqual([
      'tingting-auth: a session refresh lock could not be released; it expires on its own',
    ]);
  });

  it('another process rotated between our read and our lock: its tokens, no second refresh', async () => {
    const h = unitSetup();
    const other = new UpstreamSessions({
      store: h.store,
      secret: UNIT_SECRET,
      provider: h.provider,
      clock: h.clock,
      throttle: false,
    });
    const tokens = makeTokens(h.clock);
    const sid = await h.session(tokens);
    h.clock.set(tokens.accessExpiresAt);
    let theirs: string | undefined;
    h.store.answer.lock = (key, token, ttl) => {
      h.store.answer.lock = undefined;
      return other.getAccessToken(sid).then((access) => {
        theirs = access;
        return h.store.lock(key, token, ttl);
      });
    };
    const got = await h.sessions.getTokens(sid);
    expect(got.accessToken).toBe(theirs);
    expect(got.generation).toBe(1);
    expect(h.provider.refreshCalls).toHaveLength(1);
  });
});
