import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { afterAll, beforeAll, describe } from 'vitest';
import { describeSessionStoreContract } from '../../core/test/sessions-store-contract.js';
import { describeStoreContract } from '../../core/test/store-contract.js';
import { RedisSessionStore, RedisStore } from '../src/index.js';
import { deletePrefix, uniquePrefix } from './helpers.js';
import { itRefreshesOnceAcrossProcesses } from './sessions-single-flight.js';

// A real three-primary Redis Cluster (scripts/redis-cluster.sh). A script whose keys were in
// different slots would answer CROSSSLOT, and the contract suite would fail.
const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../../scripts/redis-cluster.sh', import.meta.url));
const PORTS = (process.env.REDIS_CLUSTER_PORTS ?? '7001,7002,7003').split(',').map(Number);
const ROOT_NODES = PORTS.map((port) => ({ host: '127.0.0.1', port }));
let startedHere = false;

beforeAll(async () => {
  const { stdout } = await run('bash', [SCRIPT, 'start']);
  startedHere = stdout.includes('started');
}, 60_000);

afterAll(async () => {
  if (startedHere) await run('bash', [SCRIPT, 'stop']);
}, 60_000);

const nodeRedis = createCluster({
  rootNodes: ROOT_NODES.map(({ host, port }) => ({ url: `redis://${host}:${port}` })),
});
const nodeRedisPrefix = uniquePrefix('cluster-node-redis');

describeStoreContract(
  'RedisStore on Redis Cluster (node-redis createCluster)',
  async () => {
    await nodeRedis.connect();
    return new RedisStore({
      prefix: nodeRedisPrefix,
      // args are [EVALSHA|EVAL, sha|source, numkeys, firstKey, ...]: route by the first key.
      sendCommand: (args) => nodeRedis.sendCommand(args[3], false, args),
    });
  },
  { cleanup: () => cleanup(nodeRedisPrefix).then(() => nodeRedis.destroy()) },
);

const ioredis = new Cluster(ROOT_NODES, { lazyConnect: true });
const ioredisPrefix = uniquePrefix('cluster-ioredis');

describeStoreContract(
  'RedisStore on Redis Cluster (ioredis Cluster)',
  async () => {
    await ioredis.connect();
    return new RedisStore({
      prefix: ioredisPrefix,
      sendCommand: (args) => ioredis.call(args[0] as string, ...args.slice(1)),
    });
  },
  {
    cleanup: async () => {
      await cleanup(ioredisPrefix);
      ioredis.disconnect();
    },
  },
);

// The session store on the same cluster: a subject's sessions, index and locks share one slot,
// a throttle group's counters another; any cross-slot script would fail with CROSSSLOT.
const sessionsNodeRedis = createCluster({
  rootNodes: ROOT_NODES.map(({ host, port }) => ({ url: `redis://${host}:${port}` })),
});
const sessionsNodeRedisPrefix = uniquePrefix('cluster-sessions-node-redis');

describeSessionStoreContract(
  'RedisSessionStore on Redis Cluster (node-redis createCluster)',
  async () => {
    await sessionsNodeRedis.connect();
    return new RedisSessionStore({
      prefix: sessionsNodeRedisPrefix,
      sendCommand: (args) => sessionsNodeRedis.sendCommand(args[3], false, args),
    });
  },
  {
    cleanup: () => cleanup(sessionsNodeRedisPrefix).then(() => sessionsNodeRedis.destroy()),
  },
);

const sessionsIoredis = new Cluster(ROOT_NODES, { lazyConnect: true });
const sessionsIoredisPrefix = uniquePrefix('cluster-sessions-ioredis');

describeSessionStoreContract(
  'RedisSessionStore on Redis Cluster (ioredis Cluster)',
  async () => {
    await sessionsIoredis.connect();
    return new RedisSessionStore({
      prefix: sessionsIoredisPrefix,
      sendCommand: (args) => sessionsIoredis.call(args[0] as string, ...args.slice(1)),
    });
  },
  {
    cleanup: async () => {
      await cleanup(sessionsIoredisPrefix);
      sessionsIoredis.disconnect();
    },
  },
);

// T2 on the cluster: 4 child processes share the session through the cluster.
const flightClient = createCluster({
  rootNodes: ROOT_NODES.map(({ host, port }) => ({ url: `redis://${host}:${port}` })),
});
const flightPrefix = uniquePrefix('cluster-sessions-procs');

describe('single flight across processes on Redis Cluster', () => {
  beforeAll(async () => {
    await flightClient.connect();
  });
  afterAll(async () => {
    await cleanup(flightPrefix);
    flightClient.destroy();
  });
  itRefreshesOnceAcrossProcesses(
    `cluster:${PORTS.join(',')}`,
    flightPrefix,
    () =>
      new RedisSessionStore({
        prefix: flightPrefix,
        sendCommand: (args) => flightClient.sendCommand(args[3], false, args),
      }),
  );
});

/** Delete a prefix's keys on every primary. */
async function cleanup(prefix: string): Promise<void> {
  const admin = new Cluster(ROOT_NODES);
  try {
    await Promise.all(
      admin
        .nodes('master')
        .map((node) =>
          deletePrefix((args) => node.call(args[0] as string, ...args.slice(1)), prefix),
        ),
    );
  } finally {
    admin.disconnect();
  }
}
