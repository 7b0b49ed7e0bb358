import { afterEach, describe, expect, it } from 'vitest';
import {
  MemorySessionStore,
  type SessionKey,
  type StoredSession,
  UpstreamSessions,
} from '../../src/upstream/index.js';
import { sessionKeyOf } from '../../src/upstream/sessions-seal.js';
import { SECRET, type SessionsHarness, setup } from './helpers.js';

/** A memory store whose records a test can read and tamper with. */
class OpenStore extends MemorySessionStore {
  records = new Map<string, StoredSession>();
  override create(key: SessionKey, session: StoredSession, now: number): Promise<void> {
    this.records.set(key.id, session);
    return super.create(key, session, now);
  }
}

// Tokens at rest are sealed (AES-256-GCM): the store alone, or the secret alone, opens nothing.
describe('sessions are sealed at rest', () => {
  let h: SessionsHarness;
  afterEach(() => h.close());

  it('a tampered record reads as ended (unreadable), never as someone else’s tokens', async () => {
    const store = new OpenStore();
    h = await setup({ sessions: { store } });
    const sid = await h.signIn();
    const key = sessionKeyOf(sid)!;
    const record = store.records.get(key.id)!;
    const flipped = Buffer.from(record.tokens!, 'base64url');
    flipped[20] = flipped[20]! ^ 1;
    await store.create(key, { ...record, tokens: flipped.toString('base64url') }, h.clock());
    await expect(h.sessions.getAccessToken(sid)).rejects.toMatchObject({
      code: 'SESSION_EXPIRED',
      reason: 'unreadable',
    });
    expect(await h.sessions.status(sid)).toEqual({ active: false, reason: 'unreadable' });
  });

  it('a sealed token set moved to another session does not open there', async () => {
    const store = new OpenStore();
    h = await setup({ sessions: { store } });
    const a = await h.signIn('203.0.113.1');
    const b = await h.signIn('203.0.113.2');
    const from = store.records.get(sessionKeyOf(a)!.id)!;
    const to = sessionKeyOf(b)!;
    await store.create(to, { ...store.records.get(to.id)!, tokens: from.tokens! }, h.clock());
    await expect(h.sessions.getAccessToken(b)).rejects.toMatchObject({ reason: 'unreadable' });
    expect((await h.sessions.getTokens(a)).accessToken).toBeTypeOf('string');
  });

  it('another app secret opens nothing: status and tokens read as unreadable', async () => {
    const store = new MemorySessionStore();
    h = await setup({ sessions: { store } });
    const sid = await h.signIn();
    const other = new UpstreamSessions({
      store,
      secret: `${SECRET}-rotated`,
      provider: h.provider,
      clock: h.clock,
    });
    expect(await other.status(sid)).toEqual({ active: false, reason: 'unreadable' });
    await expect(other.getAccessToken(sid)).rejects.toMatchObject({ reason: 'unreadable' });
  });

  it('the secret is checked at construction', () => {
    expect(
      () => new UpstreamSessions({ store: new MemorySessionStore(), secret: 'too-short' }),
    ).toThrow(/at least 32 bytes/);
  });
});
