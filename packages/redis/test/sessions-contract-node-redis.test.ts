import { createClient } from 'redis';
import { describeSessionStoreContract } from '../../core/test/sessions-store-contract.js';
import { RedisSessionStore } from '../src/index.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './helpers.js';

const client = createClient({ url: REDIS_URL });
const prefix = uniquePrefix('sessions-node-redis');

describeSessionStoreContract(
  'RedisSessionStore (node-redis)',
  async () => {
    await client.connect();
    return new RedisSessionStore({ sendCommand: (args) => client.sendCommand(args), prefix });
  },
  {
    cleanup: async () => {
      await deletePrefix((args) => client.sendCommand(args), prefix);
      client.destroy();
    },
  },
);
