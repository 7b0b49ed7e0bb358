import { describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../src/upstream/sessions-memory-store.js';
import { describeSessionStoreContract } from './sessions-store-contract.js';

describeSessionStoreContract('MemorySessionStore', () => new MemorySessionStore());

const T0 = 1_700_000_000_000;
const session = (expiresAt: number) => ({
  provider: 'p',
  generation: 0,
  createdAt: T0,
  lastSeenAt: T0,
  expiresAt,
  info: 'i',
});

describe('MemorySessionStore bounds', () => {
  it('keeps at most maxEntries sessions, dropping expired ones first, then the oldest', async () => {
    const store = new MemorySessionStore({ maxEntries: 3 });
    await store.create({ subject: 's', id: 'a' }, session(T0 + 10), T0);
    await store.create({ subject: 's', id: 'b' }, session(T0 + 1_000), T0);
    await store.create({ subject: 's', id: 'c' }, session(T0 + 1_000), T0);
    await store.create({ subject: 's', id: 'd' }, session(T0 + 1_000), T0 + 20);
    expect(store.size).toBe(3);
    expect((await store.get({ subject: 's', id: 'a' }, T0 + 5)).state).toBe('none');
    expect((await store.get({ subject: 's', id: 'b' }, T0 + 20)).state).toBe('active');
    await store.create({ subject: 's', id: 'e' }, session(T0 + 1_000), T0 + 20);
    expect((await store.get({ subject: 's', id: 'b' }, T0 + 20)).state).toBe('none');
    expect((await store.list('s', T0 + 20)).map((l) => l.id)).toEqual(['c', 'd', 'e']);
  });

  it('refuses a bad maxEntries', () => {
    expect(() => new MemorySessionStore({ maxEntries: 0 })).toThrow(TypeError);
  });
});
