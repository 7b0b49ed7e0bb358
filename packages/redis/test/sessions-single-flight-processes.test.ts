import { createClient } from 'redis';
import { afterAll, beforeAll, describe } from 'vitest';
import { RedisSessionStore } from '../src/index.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './helpers.js';
import { itRefreshesOnceAcrossProcesses } from './sessions-single-flight.js';

const client = createClient({ url: REDIS_URL });
const prefix = uniquePrefix('sessions-procs');

beforeAll(async () => {
  await client.connect();
});
afterAll(async () => {
  await deletePrefix((args) => client.sendCommand(args), prefix);
  client.destroy();
});

describe('single flight across processes on one Redis', () => {
  itRefreshesOnceAcrossProcesses(
    REDIS_URL,
    prefix,
    () => new RedisSessionStore({ prefix, sendCommand: (args) => client.sendCommand(args) }),
  );
});
