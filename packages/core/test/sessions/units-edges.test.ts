/**
 * Edges of UpstreamSessions found by mutation testing: what the store is (not) asked, exact shapes
 * of what a caller gets, a manager without a provider.
 */
import { expect, it } from 'vitest';
import { MemorySessionStore, UpstreamSessions } from '../../src/upstream/index.js';
import { makeTokens, SpyStore, T0, UNIT_SECRET, unitSetup } from './units-helpers.js';

it('concurrent due reads in one process take the refresh lock once', async () => {
  const h = unitSetup();
  const tokens = makeTokens(h.clock);
  const sid = await h.session(tokens);
  h.clock.set(tokens.accessExpiresAt);
  await Promise.all([
    h.sessions.getTokens(sid),
    h.sessions.getTokens(sid),
    h.sessions.getAccessToken(sid),
  ]);
  expect(h.store.count('lock')).toBe(1);
  expect(h.provider.refreshCalls).toHaveLength(1);
});

it('getTokens with null options behaves as with none', async () => {
  const h = unitSetup();
  const sid = await h.session();
  await expect(h.sessions.getTokens(sid, null as never)).resolves.toMatchObject({ generation: 0 });
});

it('end without a provider logout reads nothing before ending', async () => {
  const h = unitSetup();
  const sid = await h.session();
  h.store.calls.length = 0;
  expect(await h.sessions.end(sid)).toBe(true);
  expect(h.store.calls.map((c) => c.method)).toEqual(['end']);
});

it('a manager without a provider creates, reads and ends sessions', async () => {
  const store = new SpyStore();
  const sessions = new UpstreamSessions({
    store,
    secret: UNIT_SECRET,
    clock: () => T0,
    throttle: false,
  });
  const created = await sessions.create({ subject: '+15550001', device: 'd' });
  expect(created.session.provider).toBe('session');
  expect(await sessions.status(created.sid)).toMatchObject({ active: true, subject: '+15550001' });
  expect(await sessions.end(created.sid)).toBe(true);
  expect(store.calls.map((c) => c.method)).toEqual(['create', 'get', 'end']);
  expect(await sessions.status(created.sid)).toEqual({ active: false, reason: 'signed_out' });
});

it('session info has exactly the keys it has data for', async () => {
  const h = unitSetup();
  const bare = await h.sessions.create({ subject: 'u' });
  expect(Object.keys(bare.session)).toEqual([
    'id',
    'provider',
    'subject',
    'createdAt',
    'lastSeenAt',
    'expiresAt',
    'hasUpstreamTokens',
  ]);
  const status = await h.sessions.status(bare.sid);
  expect(Object.keys(status)).toEqual(['active', ...Object.keys(bare.session)]);
  const full = await h.sessions.create({
    subject: 'u',
    userAgent: 'UA',
    ip: '192.0.2.1',
    device: 'd',
  });
  expect(Object.keys(full.session)).toEqual([
    'id',
    'provider',
    'subject',
    'createdAt',
    'lastSeenAt',
    'expiresAt',
    'userAgent',
    'ip',
    'device',
    'hasUpstreamTokens',
  ]);
  expect(Object.keys((await h.sessions.list('u'))[0]!)).toEqual(Object.keys(bare.session));
});

it('a sign-in result has exactly ok, subject, session (and profile when given)', async () => {
  const h = unitSetup();
  const result = await h.sessions.signIn({ identifier: 'a', password: 'pw' });
  expect(Object.keys(result)).toEqual(['ok', 'subject', 'session']);
  const failed = await h.sessions.signIn({ identifier: '', password: 'pw' });
  expect(Object.keys(failed)).toEqual(['ok', 'reason', 'field']);
});

it('a store without the throttle methods is fine with throttle: false', () => {
  const store = new MemorySessionStore() as unknown as Record<string, unknown>;
  const sessionsOnly = Object.fromEntries(
    ['create', 'get', 'replace', 'end', 'list', 'endAll', 'lock', 'unlock'].map((m) => [
      m,
      (store[m] as (...a: unknown[]) => unknown).bind(store),
    ]),
  );
  expect(
    () =>
      new UpstreamSessions({ store: sessionsOnly as never, secret: UNIT_SECRET, throttle: false }),
  ).not.toThrow();
});
