import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, setup } from '../../core/test/sessions/helpers.js';
import { RedisSessionStore } from '../src/index.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './helpers.js';

const client = createClient({ url: REDIS_URL });
const prefix = uniquePrefix('sessions-at-rest');
const send = (args: string[]): Promise<unknown> => client.sendCommand(args);

beforeAll(async () => {
  await client.connect();
});
afterAll(async () => {
  await deletePrefix(send, prefix);
  client.destroy();
});

/** Every key under the prefix and every field and value in it. */
async function dump(): Promise<string> {
  const lines: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = (await send([
      'SCAN',
      cursor,
      'MATCH',
      `{${prefix}:*`,
      'COUNT',
      '1000',
    ])) as [string, string[]];
    cursor = String(next);
    for (const key of keys) {
      const type = String(await send(['TYPE', key]));
      const value =
        type === 'hash'
          ? await send(['HGETALL', key])
          : type === 'zset'
            ? await send(['ZRANGE', key, '0', '-1', 'WITHSCORES'])
            : await send(['GET', key]);
      lines.push(`${key} ${JSON.stringify(value)}`);
    }
  } while (cursor !== '0');
  return lines.join('\n');
}

describe('RedisSessionStore holds nothing usable in clear', () => {
  it('no token, password, session id, identifier, user agent or IP in any key or value', async () => {
    const h = await setup({
      sessions: { store: new RedisSessionStore({ prefix, sendCommand: send }) },
    });
    try {
      for (let i = 0; i < 3; i++) {
        await h.sessions.signIn({
          identifier: 'asha',
          password: 'wrong-pass-xyz',
          ip: '203.0.113.77',
        });
      }
      const result = await h.sessions.signIn({
        identifier: 'asha',
        password: PASSWORD,
        ip: '203.0.113.77',
        userAgent: 'UA-marker-123',
      });
      if (!result.ok) throw new Error('sign-in failed');
      const tokens = await h.sessions.getTokens(result.sid);
      const text = await dump();
      expect(text.split('\n').length).toBeGreaterThanOrEqual(3);
      for (const secret of [
        PASSWORD,
        'wrong-pass-xyz',
        result.sid,
        result.sid.split('.')[1]!,
        tokens.accessToken,
        tokens.refreshToken!,
        'asha',
        'UA-marker-123',
        '203.0.113.77',
      ]) {
        expect(text).not.toContain(secret);
      }
    } finally {
      await h.close();
    }
  });
});
