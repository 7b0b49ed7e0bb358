import { afterEach, describe, expect, it } from 'vitest';
import {
  MemorySessionStore,
  SessionExpiredError,
  type SessionKey,
  type SessionLookup,
  UpstreamSessions,
} from '../../src/upstream/index.js';
import { manualClock, T0 } from '../helpers.js';
import { SECRET, type SessionsHarness, setup } from './helpers.js';

/** Counts every store call. */
class CountingStore extends MemorySessionStore {
  calls: string[] = [];
  override get(key: SessionKey, now: number, touch?: number): Promise<SessionLookup> {
    this.calls.push('get');
    return super.get(key, now, touch);
  }
}

const HOUR = 3_600_000;

// Sessions an app can list and end: one, one by its public id, or all of a subject's at once
// (also sessions without upstream tokens, e.g. a phone sign-in kept for NextAuth revocation).
describe('revocable sessions', () => {
  let h: SessionsHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  function phoneSessions(store = new MemorySessionStore(), clock = manualClock(T0)) {
    return new UpstreamSessions({
      store,
      secret: SECRET,
      providerId: 'phone',
      clock,
      throttle: false,
    });
  }

  it('a session without upstream tokens: created, with metadata, status in one store round trip', async () => {
    const store = new CountingStore();
    const clock = manualClock(T0);
    const sessions = phoneSessions(store, clock);
    const created = await sessions.create({
      subject: '+9779841000001',
      userAgent: 'Mozilla/5.0 (Android)',
      ip: '203.0.113.8',
      device: 'phone',
    });
    expect(Object.keys(created)).toEqual(['session']);
    expect(created.sid).toMatch(/^[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}$/);
    clock.advance(61_000);
    store.calls = [];
    const status = await sessions.status(created.sid);
    expect(store.calls).toEqual(['get']);
    expect(status).toEqual({
      active: true,
      id: created.session.id,
      provider: 'phone',
      subject: '+9779841000001',
      createdAt: T0,
      lastSeenAt: T0 + 61_000,
      expiresAt: T0 + 30 * 24 * HOUR,
      userAgent: 'Mozilla/5.0 (Android)',
      ip: '203.0.113.8',
      device: 'phone',
      hasUpstreamTokens: false,
    });
    await expect(sessions.getAccessToken(created.sid)).rejects.toThrow(TypeError);
  });

  it('unknown and malformed ids are inactive, never an error', async () => {
    const sessions = phoneSessions();
    for (const sid of ['', 'x', 'a'.repeat(16) + '.' + 'b'.repeat(22), '../../etc', 42, null]) {
      expect(await sessions.status(sid as string)).toEqual({ active: false, reason: 'unknown' });
      await expect(sessions.getAccessToken(sid as string)).rejects.toBeInstanceOf(
        SessionExpiredError,
      );
      expect(await sessions.end(sid as string)).toBe(false);
    }
  });

  it('end (sign out), then status says why; the other sessions stay', async () => {
    const sessions = phoneSessions();
    const a = await sessions.create({ subject: '+9779841000002' });
    const b = await sessions.create({ subject: '+9779841000002' });
    expect(await sessions.end(a.sid)).toBe(true);
    expect(await sessions.end(a.sid)).toBe(false);
    expect(await sessions.status(a.sid)).toEqual({ active: false, reason: 'signed_out' });
    expect((await sessions.status(b.sid)).active).toBe(true);
    expect((await sessions.list('+9779841000002')).map((s) => s.id)).toEqual([b.session.id]);
  });

  it('list and endById: a device list ends one session by its public id', async () => {
    const clock = manualClock(T0);
    const sessions = phoneSessions(new MemorySessionStore(), clock);
    const a = await sessions.create({ subject: '+9779841000003', device: 'laptop' });
    clock.advance(1_000);
    const b = await sessions.create({ subject: '+9779841000003', device: 'phone' });
    const listed = await sessions.list('+9779841000003');
    expect(listed.map((s) => s.device)).toEqual(['laptop', 'phone']);
    expect(JSON.stringify(listed)).not.toContain(a.sid);
    expect(await sessions.endById('+9779841000003', listed[0]!.id)).toBe(true);
    expect(await sessions.status(a.sid)).toEqual({ active: false, reason: 'ended_by_app' });
    expect((await sessions.status(b.sid)).active).toBe(true);
    // A public id of another subject ends nothing.
    expect(await sessions.endById('+9779841000004', b.session.id)).toBe(false);
    expect((await sessions.status(b.sid)).active).toBe(true);
  });

  it('endAll ("sign out everywhere") ends every session of the subject in every manager sharing the store, but the one kept', async () => {
    const store = new MemorySessionStore();
    const clock = manualClock(T0);
    const one = phoneSessions(store, clock);
    const two = phoneSessions(store, clock);
    const kept = await one.create({ subject: '+9779841000005' });
    const others = [
      await one.create({ subject: '+9779841000005' }),
      await two.create({ subject: '+9779841000005' }),
    ];
    const stranger = await two.create({ subject: '+9779841000006' });
    expect(await two.endAll('+9779841000005', { except: kept.sid })).toBe(2);
    for (const other of others) {
      expect(await one.status(other.sid)).toEqual({ active: false, reason: 'ended_everywhere' });
    }
    expect((await one.status(kept.sid)).active).toBe(true);
    expect((await one.status(stranger.sid)).active).toBe(true);
    expect(await one.endAll('+9779841000005')).toBe(1);
    expect(await one.status(kept.sid)).toEqual({ active: false, reason: 'ended_everywhere' });
  });

  it('subjects are filed per provider: endAll of the phone manager never ends a notes session of the same subject', async () => {
    const store = new MemorySessionStore();
    h = await setup({ sessions: { store } });
    const notesSid = await h.signIn();
    const phone = phoneSessions(store, h.clock);
    await phone.create({ subject: 'asha' });
    expect(await phone.endAll('asha')).toBe(1);
    expect((await h.sessions.status(notesSid)).active).toBe(true);
    expect(await h.sessions.endAll('asha')).toBe(1);
    await expect(h.sessions.getAccessToken(notesSid)).rejects.toMatchObject({
      reason: 'ended_everywhere',
    });
  });

  it('the absolute maximum age ends a session', async () => {
    const clock = manualClock(T0);
    const sessions = new UpstreamSessions({
      store: new MemorySessionStore(),
      secret: SECRET,
      providerId: 'phone',
      clock,
      throttle: false,
      maxSessionAgeInMilliseconds: HOUR,
    });
    const a = await sessions.create({ subject: '+9779841000007' });
    const b = await sessions.create({ subject: '+9779841000007', maxAgeInMilliseconds: 60_000 });
    clock.advance(60_000);
    expect((await sessions.status(b.sid)).active).toBe(false);
    clock.advance(HOUR - 60_001);
    expect((await sessions.status(a.sid)).active).toBe(true);
    clock.advance(1);
    expect(await sessions.status(a.sid)).toEqual({ active: false, reason: 'unknown' });
  });

  it('end signs out a password session too; its tokens are gone', async () => {
    h = await setup();
    const sid = await h.signIn();
    expect(await h.sessions.end(sid)).toBe(true);
    await expect(h.sessions.getAccessToken(sid)).rejects.toMatchObject({ reason: 'signed_out' });
    expect(h.events.at(-1)).toMatchObject({ type: 'ended', reason: 'signed_out', count: 1 });
  });
});
