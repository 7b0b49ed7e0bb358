import { createClient } from 'redis';
import { afterAll, beforeAll } from 'vitest';
import { describeAtomicThrottle } from '../../core/test/sessions/sign-in-throttle-atomic.js';
import { RedisSessionStore } from '../src/index.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './helpers.js';

const client = createClient({ url: REDIS_URL });
const prefix = uniquePrefix('sessions-throttle');

beforeAll(async () => {
  await client.connect();
});
afterAll(async () => {
  await deletePrefix((args) => client.sendCommand(args), prefix);
  client.destroy();
});

describeAtomicThrottle(
  'RedisSessionStore (node-redis)',
  async () => new RedisSessionStore({ prefix, sendCommand: (args) => client.sendCommand(args) }),
);
