import { Redis } from 'ioredis';
import { describeSessionStoreContract } from '../../core/test/sessions-store-contract.js';
import { RedisSessionStore } from '../src/index.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './helpers.js';

const client = new Redis(REDIS_URL, { lazyConnect: true });
const prefix = uniquePrefix('sessions-ioredis');
const send = (args: string[]): Promise<unknown> => client.call(args[0] as string, ...args.slice(1));

describeSessionStoreContract(
  'RedisSessionStore (ioredis)',
  async () => {
    await client.connect();
    return new RedisSessionStore({ sendCommand: send, prefix });
  },
  {
    cleanup: async () => {
      await deletePrefix(send, prefix);
      client.disconnect();
    },
  },
);
