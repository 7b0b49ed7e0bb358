import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup } from '../../core/test/sessions/helpers.js';
import { RedisSessionStore } from '../src/index.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './helpers.js';

const client = createClient({ url: REDIS_URL });
const prefix = uniquePrefix('sessions-trips');
let commands: string[][] = [];
const send = (args: string[]): Promise<unknown> => {
  commands.push(args);
  return client.sendCommand(args);
};

beforeAll(async () => {
  await client.connect();
});
afterAll(async () => {
  await deletePrefix((args) => client.sendCommand(args), prefix);
  client.destroy();
});

// What NextAuth's jwt callback and every guarded request pay: one Redis round trip.
describe('RedisSessionStore round trips', () => {
  it('status(sid) and a fresh getAccessToken(sid) are one command each', async () => {
    const h = await setup({
      sessions: { store: new RedisSessionStore({ prefix, sendCommand: send }) },
    });
    try {
      const sid = await h.signIn();
      await h.sessions.getAccessToken(sid); // scripts cached, token set opened once
      commands = [];
      expect((await h.sessions.status(sid)).active).toBe(true);
      expect(commands).toHaveLength(1);
      commands = [];
      h.clock.advance(120_000); // also touches lastSeenAt, in the same command
      await h.sessions.getAccessToken(sid);
      expect(commands).toHaveLength(1);
      expect(commands[0]![0]).toBe('EVALSHA');
    } finally {
      await h.close();
    }
  });
});
