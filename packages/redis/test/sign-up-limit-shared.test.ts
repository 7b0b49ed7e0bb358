/**
 * The password protocol's per-IP sign-up limit across processes: two apps (their own Redis
 * connection, `UpstreamSessions` and protocol each) over one `RedisSessionStore` prefix share one
 * count, and parallel attempts over both never pass more than the limit (one Lua script).
 */
import {
  createPasswordProtocol,
  type PasswordProtocol,
  type ProtocolRequest,
  resolveRequestOptions,
} from '@tingting-auth/core/protocol';
import { notesProvider, UpstreamSessions } from '@tingting-auth/core/upstream';
import { type FakeNotes, startFakeNotes } from '@tingting-auth/testing';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../src/index.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './helpers.js';

const SECRET = 'redis-sign-up-limit-secret-0123456789abcdef';
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const prefix = uniquePrefix('sign-up-limit');
const clients = [createClient({ url: REDIS_URL }), createClient({ url: REDIS_URL })];
let fake: FakeNotes;
let now = T0;

beforeAll(async () => {
  await Promise.all(clients.map((client) => client.connect()));
  fake = await startFakeNotes({ now: () => now });
});
afterAll(async () => {
  await deletePrefix((args) => clients[0]!.sendCommand(args), prefix);
  for (const client of clients) client.destroy();
  await fake.close();
});

/** One app: its own connection, sessions manager and protocol, over the shared prefix. */
function app(client: (typeof clients)[number]): PasswordProtocol {
  const provider = notesProvider({ baseURL: fake.url });
  const sessions = new UpstreamSessions({
    store: new RedisSessionStore({ prefix, sendCommand: (args) => client.sendCommand(args) }),
    secret: SECRET,
    provider,
    clock: () => now,
  });
  return createPasswordProtocol(resolveRequestOptions('test', {}), {
    sessions,
    provider,
    signUpLimit: { maxPerIP: 5, windowInMilliseconds: 3_600_000 },
  });
}

let serial = 0;
function post(clientIP: string): ProtocolRequest {
  serial += 1;
  const fields = {
    username: `user${serial}`,
    email: `user${serial}@example.com`,
    password: 'long-password-1',
  };
  return { method: 'POST', headers: {}, fields, clientIP };
}

describe('the sign-up limit on Redis', () => {
  it('two apps sharing a store share the count, atomically; another IP and the next window are free', async () => {
    const [one, two] = clients.map(app) as [PasswordProtocol, PasswordProtocol];
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? one : two).signUp!(post('203.0.113.9'))),
    );
    const statuses = results.map((result) => result.answer.status);
    expect(statuses.filter((status) => status === 202)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(11);
    expect(fake.requests.filter((r) => r.endpoint === 'signup')).toHaveLength(5);
    const refused = results.find((result) => result.answer.status === 429)!;
    expect(refused.answer.headers['retry-after']).toBe('3600');
    expect((await two.signUp!(post('198.51.100.7'))).answer.status).toBe(202);
    now = T0 + 3_600_000;
    expect((await one.signUp!(post('203.0.113.9'))).answer.status).toBe(202);
  });
});
