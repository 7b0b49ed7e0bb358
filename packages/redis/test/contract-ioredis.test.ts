import { Redis } from 'ioredis';
import { describeStoreContract } from '../../core/test/store-contract.js';
import { RedisStore } from '../src/index.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './helpers.js';

const client = new Redis(REDIS_URL, { lazyConnect: true });
const prefix = uniquePrefix('ioredis');
const send = (args: string[]): Promise<unknown> => client.call(args[0] as string, ...args.slice(1));

describeStoreContract(
  'RedisStore (ioredis)',
  async () => {
    await client.connect();
    return new RedisStore({ sendCommand: send, prefix });
  },
  {
    cleanup: async () => {
      await deletePrefix(send, prefix);
      client.disconnect();
    },
  },
);
