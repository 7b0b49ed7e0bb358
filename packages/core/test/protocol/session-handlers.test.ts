/**
 * createSessionsProtocol: the device list, "sign out this one" and "sign out everywhere" over
 * UpstreamSessions on the memory store: answers from the table, ids scoped to the subject, the
 * session id never in an answer.
 */
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/errors.js';
import {
  createSessionsProtocol,
  type ProtocolRequest,
  resolveRequestOptions,
} from '../../src/protocol/index.js';
import { MemorySessionStore, UpstreamSessions } from '../../src/upstream/index.js';
import { manualClock } from '../helpers.js';

const SECRET = 'sessions-protocol-test-secret-0123456789abcdef';
const HOST = 'app.example.com';
const UA = 'Mozilla/5.0 (X11; Linux x86_64) Test/1.0';

function post(headers: Record<string, string> = {}): ProtocolRequest {
  return { method: 'POST', headers: { host: HOST, 'user-agent': UA, ...headers } };
}

function setup(signedOut?: 'NOT_VERIFIED') {
  const clock = manualClock();
  const store = new MemorySessionStore();
  const sessions = new UpstreamSessions({
    store,
    secret: SECRET,
    providerId: 'phone',
    throttle: false,
    clock,
  });
  const protocol = createSessionsProtocol(resolveRequestOptions('test', {}), {
    sessions,
    ...(signedOut === undefined ? {} : { signedOut }),
  });
  return { sessions, protocol, store, clock };
}

describe('createSessionsProtocol', () => {
  it('start: a session with the request user agent and client IP; current(sid) is one status read', async () => {
    const { protocol, sessions } = setup();
    const created = await protocol.start({ ...post(), clientIP: '203.0.113.7' }, '+9779812345678');
    const listed = await sessions.list('+9779812345678');
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ userAgent: UA, ip: '203.0.113.7', id: created.session.id });
    const live = await protocol.current(created.sid);
    expect(live.ok && live.value).toEqual({ subject: '+9779812345678', id: created.session.id });
  });

  it('list: 200 { sessions } oldest first, the current one flagged, public fields only', async () => {
    const { protocol, clock } = setup();
    const a = await protocol.start({ ...post(), clientIP: '203.0.113.7' }, '+9779812345678');
    clock.advance(60_000);
    const b = await protocol.start(post({ 'user-agent': 'Other/2.0' }), '+9779812345678');
    await protocol.start(post(), '+9779800000000');
    const result = await protocol.list(b.sid);
    expect(result.ok).toBe(true);
    expect(result.answer.status).toBe(200);
    expect(result.answer.body).toEqual({
      sessions: [
        {
          id: a.session.id,
          device: UA,
          ip: '203.0.113.7',
          createdAt: new Date(a.session.createdAt).toISOString(),
          lastSeenAt: new Date(a.session.lastSeenAt).toISOString(),
          current: false,
        },
        {
          id: b.session.id,
          device: 'Other/2.0',
          createdAt: new Date(b.session.createdAt).toISOString(),
          lastSeenAt: new Date(b.session.lastSeenAt).toISOString(),
          current: true,
        },
      ],
    });
    const text = JSON.stringify(result.answer);
    for (const sid of [a.sid, b.sid]) expect(text).not.toContain(sid);
  });

  it('endOne: 204 for own sessions (value: whether it was the current one); the ended one is signed out', async () => {
    const { protocol } = setup();
    const a = await protocol.start(post(), '+9779812345678');
    const b = await protocol.start(post(), '+9779812345678');
    const other = await protocol.endOne(post(), a.sid, b.session.id);
    expect(other.ok && other.value).toBe(false);
    expect(other.answer.status).toBe(204);
    expect((await protocol.current(b.sid)).ok).toBe(false);
    expect((await protocol.current(a.sid)).ok).toBe(true);
    const self = await protocol.endOne(post(), a.sid, a.session.id);
    expect(self.ok && self.value).toBe(true);
    expect((await protocol.current(a.sid)).ok).toBe(false);
  });

  it("endOne: another subject's id, an ended id and a malformed id are 404 SESSION_NOT_FOUND; nothing ends", async () => {
    const { protocol } = setup();
    const mine = await protocol.start(post(), '+9779812345678');
    const theirs = await protocol.start(post(), '+9779800000000');
    for (const id of [theirs.session.id, 'x'.repeat(22), '../../etc', 42, undefined, theirs.sid]) {
      const result = await protocol.endOne(post(), mine.sid, id);
      expect(result.ok).toBe(false);
      expect(result.answer.status).toBe(404);
      expect((result.answer.body as { error: { code: string } }).error.code).toBe(
        'SESSION_NOT_FOUND',
      );
    }
    expect((await protocol.current(theirs.sid)).ok).toBe(true);
    expect((await protocol.current(mine.sid)).ok).toBe(true);
  });

  it('endAll: 204, every session of the subject ends, another subject keeps theirs', async () => {
    const { protocol } = setup();
    const a = await protocol.start(post(), '+9779812345678');
    const b = await protocol.start(post(), '+9779812345678');
    const theirs = await protocol.start(post(), '+9779800000000');
    const result = await protocol.endAll(post(), a.sid);
    expect(result.ok && result.value).toBe(2);
    expect(result.answer.status).toBe(204);
    for (const sid of [a.sid, b.sid]) expect((await protocol.current(sid)).ok).toBe(false);
    expect((await protocol.current(theirs.sid)).ok).toBe(true);
  });

  it('cross-site and non-POST requests are refused before anything ends', async () => {
    const { protocol } = setup();
    const a = await protocol.start(post(), '+9779812345678');
    const b = await protocol.start(post(), '+9779812345678');
    const cross = post({ origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    const all = await protocol.endAll(cross, a.sid);
    expect(all.answer.status).toBe(403);
    const one = await protocol.endOne(cross, a.sid, b.session.id);
    expect(one.answer.status).toBe(403);
    const get = await protocol.endAll({ ...post(), method: 'GET' }, a.sid);
    expect(get.answer.status).toBe(405);
    for (const sid of [a.sid, b.sid]) expect((await protocol.current(sid)).ok).toBe(true);
  });

  it('a signed-out or ended session gets the configured signed-out code', async () => {
    const { protocol, sessions } = setup('NOT_VERIFIED');
    const a = await protocol.start(post(), '+9779812345678');
    await sessions.end(a.sid);
    for (const sid of [a.sid, undefined, '', 'not-a-session-id']) {
      for (const result of [
        await protocol.list(sid),
        await protocol.endAll(post(), sid),
        await protocol.endOne(post(), sid, a.session.id),
      ]) {
        expect(result.answer.status).toBe(401);
        expect((result.answer.body as { error: { code: string } }).error.code).toBe('NOT_VERIFIED');
      }
    }
  });

  it('a store failure is a 503 with Retry-After and the error as cause', async () => {
    const { protocol, store } = setup();
    const a = await protocol.start(post(), '+9779812345678');
    store.get = () => Promise.reject(new StoreUnavailableError('down'));
    const result = await protocol.list(a.sid);
    expect(result.answer.status).toBe(503);
    expect(result.answer.headers['retry-after']).toBe('30');
    expect(!result.ok && result.error.cause).toBeInstanceOf(StoreUnavailableError);
  });

  it('refuses a sessions object without the methods it needs', () => {
    expect(() =>
      createSessionsProtocol(resolveRequestOptions('test', {}), { sessions: {} as never }),
    ).toThrow(/UpstreamSessions/);
  });
});
