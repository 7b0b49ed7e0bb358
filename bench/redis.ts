/**
 * RedisStore benchmark against the local Redis, side by side with a bare PING from the same
 * node-redis client:
 * - Redis round trips per verify, counted two ways: `sendCommand` calls, and the server's
 *   `INFO commandstats` delta (goal: exactly 1);
 * - verifies/second (wrong code on a pending challenge: the full script path) next to PINGs/second,
 *   sequential and with 32 in flight, with the ratio.
 *
 * Verifies and PINGs alternate in ROUNDS rounds; each rate is the median of its rounds, each ratio
 * the median of the per-round ratios.
 *
 * Run: pnpm --filter bench bench:redis   (node --import tsx redis.ts)
 * Options (env): REDIS_URL (default redis://127.0.0.1:6379), OPS=20000 (per round), ROUNDS=5.
 */
import { randomUUID } from 'node:crypto';
import { RedisStore } from '@tingting-auth/redis';
import { createClient } from 'redis';
import { type Figure, median, writeResult } from './result.ts';

const URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const OPS = Number(process.env.OPS ?? 20_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const T0 = 1_700_000_000_000;
const POLICY = {
  maxAttemptsPerCode: Number.MAX_SAFE_INTEGER,
  lockAfterFailures: Number.MAX_SAFE_INTEGER,
  lockBaseInMilliseconds: 1_000,
  lockMaxInMilliseconds: 4_000,
  failureWindowInMilliseconds: 60_000,
};

const client = createClient({ url: URL });
await client.connect();
const serverVersion = /redis_version:(\S+)/.exec(
  String(await client.sendCommand(['INFO', 'server'])),
)?.[1];
const prefix = `tt-bench-${randomUUID().slice(0, 8)}`;
let calls = 0;
const store = new RedisStore({
  prefix,
  sendCommand: (args) => {
    calls += 1;
    return client.sendCommand(args);
  },
});
const subject = { phone: '+9779800000999', purpose: 'sign-in' };
await store.issue(
  subject,
  { id: 'bench', codeHash: 'right', expiresAt: T0 + 600_000, channel: 'text' },
  { cooldownInMilliseconds: 0, maxSendsPerWindow: 1_000, sendWindowInMilliseconds: 1_000 },
  T0,
);

/** Client-issued commands as the server counts them: EVALSHA/EVAL/PING/... but not the script's inner calls. */
async function commandCalls(): Promise<number> {
  const info = String(await client.sendCommand(['INFO', 'commandstats']));
  let total = 0;
  for (const match of info.matchAll(
    /^cmdstat_(eval|evalsha|evalsha_ro|eval_ro|info):calls=(\d+)/gm,
  )) {
    total += Number(match[2]);
  }
  return total;
}

// Round trips per verify (the INFO call itself counts once on the server: subtract it).
const VERIFY_COUNT = 100;
await store.verify(subject, 'wrong', POLICY, T0 + 1); // warm the script cache
const before = await commandCalls();
calls = 0;
for (let i = 0; i < VERIFY_COUNT; i++) await store.verify(subject, 'wrong', POLICY, T0 + 1);
const after = await commandCalls();
const clientTrips = calls / VERIFY_COUNT;
const serverCommands = (after - before - 1) / VERIFY_COUNT;

async function rate(op: () => Promise<unknown>, inFlight: number): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < OPS) {
        next += 1;
        await op();
      }
    }),
  );
  return OPS / (Number(process.hrtime.bigint() - started) / 1e9);
}

const verify = (): Promise<unknown> => store.verify(subject, 'wrong', POLICY, T0 + 1);
const ping = (): Promise<unknown> => client.sendCommand(['PING']);

const rows: [string, number, number, number][] = [];
for (const inFlight of [1, 32]) {
  // Interleave and repeat so background load on the shared machine hits both alike.
  const verifies: number[] = [];
  const pings: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    pings.push(await rate(ping, inFlight));
    verifies.push(await rate(verify, inFlight));
  }
  rows.push([
    inFlight === 1 ? 'sequential' : `${inFlight} in flight`,
    median(verifies),
    median(pings),
    median(verifies.map((v, i) => v / pings[i]!)),
  ]);
}

console.log(
  `Redis round trips per verify: ${clientTrips} sendCommand call(s), ${serverCommands} EVAL/EVALSHA on the server, from INFO commandstats (goal: 1)`,
);
console.log('');
console.log('| load | verify/s | PING/s | verify / PING |');
console.log('| --- | ---: | ---: | ---: |');
for (const [label, v, p, ratio] of rows) {
  console.log(`| ${label} | ${Math.round(v)} | ${Math.round(p)} | ${ratio.toFixed(2)} |`);
}

const figures: Figure[] = [
  {
    name: 'Redis round trips per verify, counted by the client',
    value: clientTrips,
    unit: 'round trips',
    digits: 2,
    goal: { on: 'value', op: '==', target: 1 },
    note: `sendCommand calls over ${VERIFY_COUNT} verifies`,
  },
  {
    name: 'Redis commands per verify, counted by the server',
    value: serverCommands,
    unit: 'commands',
    digits: 2,
    goal: { on: 'value', op: '==', target: 1 },
    note: `EVAL/EVALSHA calls in INFO commandstats over ${VERIFY_COUNT} verifies`,
  },
  ...rows.map(
    ([label, v, p, ratio]): Figure => ({
      name: `verifies/s against local Redis, ${label}`,
      value: v,
      unit: 'verifies/s',
      baseline: { name: `bare PING, same node-redis client, ${label}`, value: p },
      ratio,
      note: 'wrong code on a pending challenge: the full Lua script path',
    }),
  ),
];
writeResult({
  bench: 'redis',
  params: {
    rounds: ROUNDS,
    'operations per round': OPS,
    server: `${URL.replace(/\/\/[^@]*@/, '//')} (Redis ${serverVersion ?? '?'})`,
  },
  figures,
});

await client.del([`{${prefix}:${subject.phone}}`, `{${prefix}:${subject.phone}}:c:sign-in`]);
client.destroy();
