import { createClient } from 'redis';
import { describeStoreContract } from '../../core/test/store-contract.js';
import { RedisStore } from '../src/index.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './helpers.js';

const client = createClient({ url: REDIS_URL });
const prefix = uniquePrefix('node-redis');

describeStoreContract(
  'RedisStore (node-redis)',
  async () => {
    await client.connect();
    return new RedisStore({ sendCommand: (args) => client.sendCommand(args), prefix });
  },
  {
    cleanup: async () => {
      await deletePrefix((args) => client.sendCommand(args), prefix);
      client.destroy();
    },
  },
);
