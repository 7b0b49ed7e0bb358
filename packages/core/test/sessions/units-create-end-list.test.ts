/**
 * create, status, end, endById, endAll and list: input checks, what is sealed and shown, the
 * store calls and the events; a session of another subject is never listed or ended.
 */
import { describe, expect, it, vi } from 'vitest';
import {
  SessionExpiredError,
  sessionKeyOf,
  type UpstreamProvider,
} from '../../src/upstream/index.js';
import {
  deriveSessionKeys,
  seal,
  subjectKeyOf,
  tokenKeyOf,
} from '../../src/upstream/sessions-seal.js';
import { DAY, HOUR, makeTokens, T0, UNIT_SECRET, unitSetup } from './units-helpers.js';

const keys = deriveSessionKeys(UNIT_SECRET, 't');

describe('create', () => {
  it('subject: a non-empty string of at most 1,024 characters', async () => {
    const h = unitSetup();
    for (const input of [
      undefined,
      null,
      {},
      { subject: 5 },
      { subject: '' },
      { subject: 'x'.repeat(1_025) },
    ]) {
      await expect(h.sessions.create(input as never)).rejects.toThrow(
        new TypeError('UpstreamSessions.create: subject must be a non-empty string'),
      );
    }
    expect(h.store.count('create')).toBe(0);
    await expect(h.sessions.create({ subject: 'x'.repeat(1_024) })).resolves.toBeDefined();
  });

  it('maxAgeInMilliseconds: a positive integer, capped by the manager maximum', async () => {
    const h = unitSetup({ maxSessionAgeInMilliseconds: 10 * DAY });
    for (const value of [0, -1, 1.5, '5']) {
      await expect(
        h.sessions.create({ subject: 'u', maxAgeInMilliseconds: value as never }),
      ).rejects.toThrow(
        new TypeError(
          `UpstreamSessions.create: maxAgeInMilliseconds must be a positive integer, got ${String(value)}`,
        ),
      );
    }
    const short = await h.sessions.create({ subject: 'u', maxAgeInMilliseconds: HOUR });
    expect(short.session.expiresAt).toBe(T0 + HOUR);
    const long = await h.sessions.create({ subject: 'u', maxAgeInMilliseconds: 20 * DAY });
    expect(long.session.expiresAt).toBe(T0 + 10 * DAY);
    const one = await h.sessions.create({ subject: 'u', maxAgeInMilliseconds: 1 });
    expect(one.session.expiresAt).toBe(T0 + 1);
  });

  it('without tokens: revocable, no upstream tokens; getTokens says so', async () => {
    const h = unitSetup();
    const created = await h.sessions.create({ subject: 'phone:+15550000' });
    expect(created.session).toEqual({
      id: sessionKeyOf(created.sid)!.id,
      provider: 'stub',
      subject: 'phone:+15550000',
      createdAt: T0,
      lastSeenAt: T0,
      expiresAt: T0 + 30 * DAY,
      hasUpstreamTokens: false,
    });
    const stored = h.store.of('create')[0]![1] as Record<string, unknown>;
    expect('tokens' in stored).toBe(false);
    expect(stored.generation).toBe(0);
    await expect(h.sessions.getTokens(created.sid)).rejects.toThrow(
      new TypeError('UpstreamSessions: this session keeps no upstream tokens'),
    );
  });

  it('with tokens: their generation, an expiry no later than the refresh token allows', async () => {
    const h = unitSetup();
    const tokens = makeTokens(h.clock, 3, { refreshExpiresAt: T0 + DAY });
    const created = await h.sessions.create({ subject: 'u', tokens });
    expect(created.session.expiresAt).toBe(T0 + DAY);
    expect(created.session.hasUpstreamTokens).toBe(true);
    const stored = h.store.of('create')[0]![1] as {
      generation: number;
      tokens: string;
      info: string;
    };
    expect(stored.generation).toBe(3);
    expect(stored.tokens).not.toContain('access');
    expect(stored.info).not.toContain('"s"');
    expect((await h.sessions.getTokens(created.sid)).generation).toBe(3);
    // A refresh expiry before the access expiry: the access expiry counts.
    const odd = makeTokens(h.clock, 0, { refreshExpiresAt: T0 + 1 });
    expect((await h.sessions.create({ subject: 'u', tokens: odd })).session.expiresAt).toBe(
      T0 + HOUR,
    );
  });

  it('device data: empty and non-string values left out, long ones cut to 512 characters', async () => {
    const h = unitSetup();
    const created = await h.sessions.create({
      subject: 'u',
      userAgent: 'a'.repeat(600),
      ip: '',
      device: 7 as never,
    });
    expect(created.session.userAgent).toBe('a'.repeat(512));
    expect('ip' in created.session).toBe(false);
    expect('device' in created.session).toBe(false);
    const full = await h.sessions.create({
      subject: 'u',
      userAgent: 'UA',
      ip: '192.0.2.1',
      device: 'd',
    });
    expect(full.session).toMatchObject({ userAgent: 'UA', ip: '192.0.2.1', device: 'd' });
    const status = await h.sessions.status(full.sid);
    expect(status).toMatchObject({ active: true, userAgent: 'UA', ip: '192.0.2.1', device: 'd' });
  });

  it('each session gets its own sid under the subject key', async () => {
    const h = unitSetup();
    const a = await h.sessions.create({ subject: 'u' });
    const b = await h.sessions.create({ subject: 'u' });
    expect(a.sid).not.toBe(b.sid);
    expect(a.sid.split('.')[0]).toBe(subjectKeyOf(keys, 'stub', 'u'));
    expect(b.sid.split('.')[0]).toBe(subjectKeyOf(keys, 'stub', 'u'));
    expect(Object.keys(a)).toEqual(['session']);
  });
});

describe('status', () => {
  it('unknown for what is not a session id or not stored; no store call for a non-id', async () => {
    const h = unitSetup();
    for (const sid of [undefined, 5, '', 'nope']) {
      expect(await h.sessions.status(sid as never)).toEqual({ active: false, reason: 'unknown' });
    }
    expect(h.store.count('get')).toBe(0);
    expect(await h.sessions.status(`${'a'.repeat(16)}.${'b'.repeat(22)}`)).toEqual({
      active: false,
      reason: 'unknown',
    });
    expect(h.store.count('get')).toBe(1);
  });

  it('active: the stored times (lastSeenAt touched after the interval) and the sealed info', async () => {
    const h = unitSetup({ touchIntervalInMilliseconds: 1_000 });
    const created = await h.sessions.create({ subject: 'u', device: 'phone' });
    h.clock.advance(999);
    expect(await h.sessions.status(created.sid)).toEqual({ active: true, ...created.session });
    h.clock.advance(1);
    expect(await h.sessions.status(created.sid)).toEqual({
      active: true,
      ...created.session,
      lastSeenAt: T0 + 1_000,
    });
    expect(h.store.of('get').map((args) => args.slice(1))).toEqual([
      [T0 + 999, 1_000],
      [T0 + 1_000, 1_000],
    ]);
  });

  it('ended: the reason; an unreadable info: unreadable', async () => {
    const h = unitSetup();
    const created = await h.sessions.create({ subject: 'u' });
    const key = sessionKeyOf(created.sid)!;
    const real = await h.store.get(key, T0);
    if (real.state !== 'active') throw new Error('expected active');
    h.store.answer.get = () =>
      Promise.resolve({ state: 'active', session: { ...real.session, info: 'garbage' } });
    expect(await h.sessions.status(created.sid)).toEqual({ active: false, reason: 'unreadable' });
    // Info that opens but is not ours (JSON without a subject, or not JSON).
    for (const text of ['{"x":1}', 'null', 'not json', '"s"']) {
      h.store.answer.get = () =>
        Promise.resolve({
          state: 'active',
          session: { ...real.session, info: seal(keys.info, text, key.id) },
        });
      expect(await h.sessions.status(created.sid)).toEqual({ active: false, reason: 'unreadable' });
    }
    // A changed info blob is opened again, not taken from the last one.
    h.store.answer.get = () =>
      Promise.resolve({
        state: 'active',
        session: { ...real.session, info: seal(keys.info, '{"s":"u","dv":"new"}', key.id) },
      });
    expect(await h.sessions.status(created.sid)).toMatchObject({ active: true, device: 'new' });
    h.store.answer.get = undefined;
    expect(await h.sessions.status(created.sid)).toMatchObject({ active: true, subject: 'u' });
    expect('device' in (await h.sessions.status(created.sid))).toBe(false);
    await h.sessions.endById('u', key.id);
    expect(await h.sessions.status(created.sid)).toEqual({ active: false, reason: 'ended_by_app' });
  });
});

describe('getTokens of a session that is not active', () => {
  it('not a session id: SESSION_EXPIRED unknown, without a store call', async () => {
    const h = unitSetup();
    for (const sid of [undefined, 'x', '']) {
      const error = await h.sessions.getAccessToken(sid as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessionExpiredError);
      expect((error as SessionExpiredError).reason).toBe('unknown');
    }
    expect(h.store.count('get')).toBe(0);
  });

  it('ended: its reason; never stored: unknown', async () => {
    const h = unitSetup();
    const sid = await h.session();
    await h.sessions.end(sid, 'ended_everywhere');
    await expect(h.sessions.getTokens(sid)).rejects.toMatchObject({ reason: 'ended_everywhere' });
    await expect(h.sessions.getTokens(`${'a'.repeat(16)}.${'b'.repeat(22)}`)).rejects.toMatchObject(
      {
        reason: 'unknown',
      },
    );
  });

  it('tokens that do not open (tampered, or not a token set): ended as unreadable', async () => {
    for (const make of [
      () => 'tampered',
      (sid: string) => seal(tokenKeyOf(keys, sid), Buffer.from([0, 0x7b, 0x7d]), sid),
      (sid: string) => seal(tokenKeyOf(keys, sid), Buffer.from([9, 0x7b, 0x7d]), sid),
    ]) {
      const h = unitSetup();
      const sid = await h.session();
      const key = sessionKeyOf(sid)!;
      const real = await h.store.get(key, T0);
      if (real.state !== 'active') throw new Error('expected active');
      h.store.answer.get = () =>
        Promise.resolve({ state: 'active', session: { ...real.session, tokens: make(sid) } });
      const error = await h.sessions.getAccessToken(sid).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessionExpiredError);
      expect((error as SessionExpiredError).reason).toBe('unreadable');
      expect(h.events.at(-1)).toEqual({
        type: 'ended',
        provider: 'stub',
        session: key.id,
        reason: 'unreadable',
        count: 1,
        at: new Date(T0),
      });
      h.store.answer.get = undefined;
      expect(await h.sessions.status(sid)).toEqual({ active: false, reason: 'unreadable' });
    }
  });
});

describe('end', () => {
  it('not a session id: false, nothing asked', async () => {
    const h = unitSetup();
    expect(await h.sessions.end('nope')).toBe(false);
    expect(await h.sessions.end(undefined as never)).toBe(false);
    expect(h.store.calls).toEqual([]);
  });

  it('signed_out by default; the ended event; a second end answers false without an event', async () => {
    const h = unitSetup();
    const sid = await h.session();
    const key = sessionKeyOf(sid)!;
    h.clock.advance(5);
    expect(await h.sessions.end(sid)).toBe(true);
    expect(h.events.at(-1)).toEqual({
      type: 'ended',
      provider: 'stub',
      session: key.id,
      reason: 'signed_out',
      count: 1,
      at: new Date(T0 + 5),
    });
    expect(await h.sessions.end(sid)).toBe(false);
    expect(h.events.filter((e) => e.type === 'ended')).toHaveLength(1);
    expect(await h.sessions.status(sid)).toEqual({ active: false, reason: 'signed_out' });
  });

  it('calls the provider logout with the tokens (best effort) before ending', async () => {
    const h = unitSetup({ refreshTimeoutInMilliseconds: 1_234 });
    const tokens = makeTokens(h.clock);
    const sid = await h.session(tokens);
    const seen: { self: unknown; accessToken: string; aborted: boolean; now: unknown }[] = [];
    (h.provider as UpstreamProvider).logout = async function (this: unknown, t, ctx) {
      seen.push({
        self: this,
        accessToken: t.accessToken,
        aborted: ctx.signal.aborted,
        now: ctx.now,
      });
      throw new Error('upstream logout failed');
    };
    expect(await h.sessions.end(sid, 'ended_by_app')).toBe(true);
    expect(seen).toEqual([
      { self: h.provider, accessToken: tokens.accessToken, aborted: false, now: h.clock },
    ]);
    expect(await h.sessions.status(sid)).toEqual({ active: false, reason: 'ended_by_app' });
    // The read before logout does not touch lastSeenAt.
    expect(h.store.of('get')[0]![2]).toBeUndefined();
  });

  it('logout of a session without tokens is skipped; the session still ends', async () => {
    const h = unitSetup();
    const logout = vi.fn(async () => {});
    (h.provider as UpstreamProvider).logout = logout;
    const created = await h.sessions.create({ subject: 'u' });
    expect(await h.sessions.end(created.sid)).toBe(true);
    expect(logout).not.toHaveBeenCalled();
  });
});

describe('endById', () => {
  it('ends one session of the subject by its public id (ended_by_app by default)', async () => {
    const h = unitSetup();
    const a = await h.sessions.create({ subject: 'u' });
    const b = await h.sessions.create({ subject: 'u' });
    h.store.calls.length = 0;
    expect(await h.sessions.endById('u', a.session.id)).toBe(true);
    expect(h.store.of('end')).toEqual([[sessionKeyOf(a.sid), 'ended_by_app', T0, T0 + DAY]]);
    expect(await h.sessions.status(b.sid)).toMatchObject({ active: true });
    expect(await h.sessions.endById('u', b.session.id, 'signed_out')).toBe(true);
    expect(await h.sessions.status(b.sid)).toEqual({ active: false, reason: 'signed_out' });
  });

  it('another subject, or not a public id: false, and nothing ended', async () => {
    const h = unitSetup();
    const a = await h.sessions.create({ subject: 'u' });
    h.store.calls.length = 0;
    expect(await h.sessions.endById('v', a.session.id)).toBe(false);
    for (const [subject, id] of [
      [5, a.session.id],
      ['u', 5],
      ['u', a.session.id.slice(1)],
      ['u', `${a.session.id}x`],
      ['u', `+${a.session.id.slice(1)}`],
      ['u', `${a.session.id.slice(1)}/`],
      ['u', `.${a.session.id}`],
      ['u', `${a.session.id}\n`],
    ]) {
      expect(await h.sessions.endById(subject as never, id as never)).toBe(false);
    }
    expect(h.store.count('end')).toBe(1);
    expect(await h.sessions.status(a.sid)).toMatchObject({ active: true });
  });
});

describe('endAll', () => {
  it('ends every session of the subject but the one named; an event with the count', async () => {
    const h = unitSetup();
    const a = await h.sessions.create({ subject: 'u' });
    const b = await h.sessions.create({ subject: 'u' });
    const c = await h.sessions.create({ subject: 'u' });
    const other = await h.sessions.create({ subject: 'v' });
    h.clock.advance(3);
    expect(await h.sessions.endAll('u', { except: b.sid })).toBe(2);
    expect(h.store.of('endAll')).toEqual([
      [subjectKeyOf(keys, 'stub', 'u'), 'ended_everywhere', T0 + 3, T0 + 3 + DAY, b.session.id],
    ]);
    expect(h.events.at(-1)).toEqual({
      type: 'ended',
      provider: 'stub',
      subject: 'u',
      reason: 'ended_everywhere',
      count: 2,
      at: new Date(T0 + 3),
    });
    for (const s of [a, c]) {
      expect(await h.sessions.status(s.sid)).toEqual({ active: false, reason: 'ended_everywhere' });
    }
    expect(await h.sessions.status(b.sid)).toMatchObject({ active: true });
    expect(await h.sessions.status(other.sid)).toMatchObject({ active: true });
  });

  it('except: a session of another subject, or no session id, spares nothing', async () => {
    const h = unitSetup();
    await h.sessions.create({ subject: 'u' });
    const other = await h.sessions.create({ subject: 'v' });
    expect(await h.sessions.endAll('u', { except: other.sid })).toBe(1);
    expect(h.store.of('endAll')[0]![4]).toBeUndefined();
    await h.sessions.create({ subject: 'u' });
    expect(await h.sessions.endAll('u', { except: 'nope' })).toBe(1);
    expect(h.store.of('endAll')[1]![4]).toBeUndefined();
    await h.sessions.create({ subject: 'u' });
    expect(await h.sessions.endAll('u')).toBe(1);
    expect(h.store.of('endAll')[2]![4]).toBeUndefined();
  });

  it('no subject: 0, nothing asked, no event', async () => {
    const h = unitSetup();
    expect(await h.sessions.endAll('')).toBe(0);
    expect(await h.sessions.endAll(5 as never)).toBe(0);
    expect(h.store.calls).toEqual([]);
    expect(h.events).toEqual([]);
  });
});

describe('list', () => {
  it('the active sessions of the subject, oldest first, with their device data', async () => {
    const h = unitSetup();
    const a = await h.sessions.create({ subject: 'u', device: 'one' });
    h.clock.advance(10);
    const b = await h.sessions.create({ subject: 'u', userAgent: 'UA' });
    await h.sessions.create({ subject: 'v' });
    h.clock.advance(10);
    expect(await h.sessions.list('u')).toEqual([a.session, b.session]);
    expect(h.store.of('list')).toEqual([[subjectKeyOf(keys, 'stub', 'u'), T0 + 20]]);
  });

  it('no subject: [] and nothing asked', async () => {
    const h = unitSetup();
    expect(await h.sessions.list('')).toEqual([]);
    expect(await h.sessions.list(undefined as never)).toEqual([]);
    expect(h.store.calls).toEqual([]);
  });

  it('leaves out what does not open, and what opens as another subject', async () => {
    const h = unitSetup();
    const a = await h.sessions.create({ subject: 'u' });
    const b = await h.sessions.create({ subject: 'u' });
    const stored = (await h.store.get(sessionKeyOf(b.sid)!, T0)) as {
      session: { info: string; provider: string };
    };
    h.store.answer.list = async () => [
      { id: a.session.id, session: { ...stored.session, info: 'garbage' } as never },
      {
        id: b.session.id,
        session: {
          ...stored.session,
          info: seal(keys.info, '{"s":"mallory"}', b.session.id),
        } as never,
      },
      { id: b.session.id, session: stored.session as never },
    ];
    expect(await h.sessions.list('u')).toEqual([b.session]);
  });
});
