/**
 * Upstream sessions (`UpstreamSessions`, `@tingting-auth/core/upstream`) against the fake notes,
 * Timbr and TingTing servers over real HTTP and the local Redis:
 * - single flight: 100 parallel `getAccessToken` on one expired session → upstream refresh calls,
 *   in one process (memory store, Redis store) and from 4 processes × 25 on one Redis (goal: 1);
 *   the waiters' p99 latency next to one bare upstream refresh;
 * - a fresh token: store round trips per `getAccessToken` (`sendCommand` calls; goal: 1), and
 *   `getAccessToken`/s next to a bare `store.get` of the same record from the same client,
 *   sequential and 32 in flight, in interleaved rounds (goal: ratio ≥ 0.9);
 * - the sealed record in Redis: bytes of fields and values of one session hash, per provider
 *   (goal: ≤ 1 KB), with Redis's `MEMORY USAGE` in the notes.
 *
 * Run: pnpm --filter bench bench:sessions   (node --import tsx sessions.ts)
 * Options (env): REDIS_URL (default redis://127.0.0.1:6379), OPS=20000 (per round), ROUNDS=5.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  type LoginThrottleStore,
  MemorySessionStore,
  notesProvider,
  sessionKeyOf,
  timbrProvider,
  tingtingAccountsProvider,
  type UpstreamProvider,
  type UpstreamSessionStore,
  UpstreamSessions,
} from '@tingting-auth/core/upstream';
import { RedisSessionStore } from '@tingting-auth/redis';
import { startFakeNotes, startFakeTimbr, startFakeTingTing } from '@tingting-auth/testing';
import { createClient } from 'redis';
import { type Figure, median, writeResult } from './result.ts';

const URL_ = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const OPS = Number(process.env.OPS ?? 20_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SECRET = 'bench-sessions-secret-0123456789-abcdefghij';
const WORKER = fileURLToPath(new URL('./sessions-worker.mjs', import.meta.url));
const run = promisify(execFile);

const client = createClient({ url: URL_ });
await client.connect();
const prefix = `tt-bench-sessions-${randomUUID().slice(0, 8)}`;
let commands = 0;
const send = (args: string[]): Promise<unknown> => {
  commands += 1;
  return client.sendCommand(args);
};
const redisStore = (): RedisSessionStore => new RedisSessionStore({ prefix, sendCommand: send });

let now = Date.UTC(2026, 0, 1, 12);
const clock = (): number => now;
const notes = await startFakeNotes({
  accounts: [{ username: 'asha', password: 'right-password-123' }],
  rotation: 'rotate-detect-reuse',
  now: clock,
});

function manager(
  store: UpstreamSessionStore & LoginThrottleStore,
  provider: UpstreamProvider,
): UpstreamSessions {
  return new UpstreamSessions({
    store,
    secret: SECRET,
    provider,
    clock,
    throttle: false,
  });
}

async function signIn(sessions: UpstreamSessions, identifier: string, password: string) {
  const result = await sessions.signIn({ identifier, password });
  if (!result.ok) throw new Error(`sign-in failed: ${result.reason}`);
  return result.sid;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

// --- single flight -------------------------------------------------------------------------------

const notesProviderInstance = notesProvider({ baseURL: notes.url });

/** 100 parallel calls on an expired token in this process: refresh calls and waiter latencies. */
async function oneProcess(store: UpstreamSessionStore & LoginThrottleStore) {
  const sessions = manager(store, notesProviderInstance);
  const sid = await signIn(sessions, 'asha', 'right-password-123');
  now = (await sessions.getTokens(sid)).accessExpiresAt + 1;
  notes.resetStats();
  const burst = async (): Promise<number> => {
    const latencies: number[] = [];
    await Promise.all(
      Array.from({ length: 100 }, async () => {
        const t0 = performance.now();
        await sessions.getAccessToken(sid);
        latencies.push(performance.now() - t0);
      }),
    );
    return percentile(latencies, 99);
  };
  const p99 = await burst();
  const refreshes = notes.stats.refreshCalls;
  // The same burst once the token is fresh again: what 100 parallel requests cost without a refresh.
  const freshP99 = await burst();
  return { refreshes, p99, freshP99 };
}

/** One bare refresh call to the fake, for the latency the waiters are compared with. */
async function bareRefreshLatency(): Promise<number> {
  const samples: number[] = [];
  const { tokens } = await notesProviderInstance.login(
    { identifier: 'asha', password: 'right-password-123' },
    { signal: AbortSignal.timeout(10_000), now: clock },
  );
  let current = tokens;
  for (let i = 0; i < 21; i++) {
    const t0 = performance.now();
    current = await notesProviderInstance.refresh(current, {
      signal: AbortSignal.timeout(10_000),
      now: clock,
    });
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

async function fourProcesses(): Promise<number> {
  const sessions = manager(redisStore(), notesProviderInstance);
  const sid = await signIn(sessions, 'asha', 'right-password-123');
  now = (await sessions.getTokens(sid)).accessExpiresAt + 1;
  notes.resetStats();
  const startAt = Date.now() + 2_000;
  const outputs = await Promise.all(
    Array.from({ length: 4 }, () =>
      run(process.execPath, [
        WORKER,
        URL_,
        prefix,
        notes.url,
        SECRET,
        sid,
        '25',
        String(startAt),
        String(now),
      ]),
    ),
  );
  const tokens = new Set(outputs.flatMap(({ stdout }) => JSON.parse(stdout) as string[]));
  if (tokens.size !== 1) throw new Error(`4 processes got ${tokens.size} different tokens`);
  return notes.stats.refreshCalls;
}

// A first round of each warms the code paths (the bare refresh below is warm too).
await oneProcess(new MemorySessionStore());
const memoryFlight = await oneProcess(new MemorySessionStore());
await oneProcess(redisStore());
const redisFlight = await oneProcess(redisStore());
const processesFlight = await fourProcesses();
const refreshLatency = await bareRefreshLatency();

// --- fresh token: round trips and throughput --------------------------------------------------------

const fresh = manager(redisStore(), notesProviderInstance);
const freshSid = await signIn(fresh, 'asha', 'right-password-123');
const freshKey = sessionKeyOf(freshSid)!;
const bareStore = redisStore();
await fresh.getAccessToken(freshSid); // warm the script cache
const TRIPS = 100;
commands = 0;
for (let i = 0; i < TRIPS; i++) await fresh.getAccessToken(freshSid);
const tripsPerCall = commands / TRIPS;

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

const getToken = (): Promise<unknown> => fresh.getAccessToken(freshSid);
const bareGet = (): Promise<unknown> => bareStore.get(freshKey, now, 60_000);
const rows: [string, number, number, number][] = [];
for (const inFlight of [1, 32]) {
  const tokensPerSecond: number[] = [];
  const readsPerSecond: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    readsPerSecond.push(await rate(bareGet, inFlight));
    tokensPerSecond.push(await rate(getToken, inFlight));
  }
  rows.push([
    inFlight === 1 ? 'sequential' : `${inFlight} in flight`,
    median(tokensPerSecond),
    median(readsPerSecond),
    median(tokensPerSecond.map((v, i) => v / readsPerSecond[i]!)),
  ]);
}

// --- sealed record size -----------------------------------------------------------------------------

async function recordBytes(sid: string): Promise<{ bytes: number; memory: number }> {
  const key = sessionKeyOf(sid)!;
  const redisKey = `{${prefix}:u:${key.subject}}:s:${key.id}`;
  const fields = (await client.sendCommand(['HGETALL', redisKey])) as string[];
  const bytes = fields.reduce((sum, field) => sum + Buffer.byteLength(String(field)), 0);
  const memory = Number(await client.sendCommand(['MEMORY', 'USAGE', redisKey]));
  return { bytes, memory };
}

const timbr = await startFakeTimbr({ now: clock });
const tingting = await startFakeTingTing({ now: clock });
const sizes: [string, { bytes: number; memory: number }][] = [
  ['notes', await recordBytes(freshSid)],
  [
    'Timbr (JWT pair)',
    await recordBytes(
      await signIn(
        manager(redisStore(), timbrProvider({ baseURL: timbr.url })),
        timbr.account.username,
        timbr.account.password,
      ),
    ),
  ],
  [
    'TingTing accounts (cookie jar)',
    await recordBytes(
      await signIn(
        manager(redisStore(), tingtingAccountsProvider({ baseURL: tingting.url })),
        tingting.account.email,
        tingting.account.password,
      ),
    ),
  ],
];

// --- sign-in failures: the same time whatever the reason, and the limiter's round trips ----------

const ENUM_SAMPLES = Number(process.env.SAMPLES ?? 200);
notes.addAccount({ username: 'bina', password: 'bina-password-1', active: false });
const limited = new UpstreamSessions({
  store: redisStore(),
  secret: SECRET,
  provider: notesProviderInstance,
  clock,
  throttle: { maxFailuresPerIdentifierPerDay: 1_000_000, maxFailuresPerIPPerDay: 1_000_000 },
});
const branches = {
  'unknown user': { identifier: 'nobody', password: 'whatever-1' },
  'wrong password': { identifier: 'asha', password: 'not-the-password' },
  'inactive account': { identifier: 'bina', password: 'bina-password-1' },
} as const;
const names = Object.keys(branches) as (keyof typeof branches)[];
const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<string, number[]>;
const bare = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<string, number[]>;
const added = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<string, number[]>;
let ipCounter = 0;
const nextIP = (): string =>
  `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter++ & 255}`;
for (let i = 0; i < ENUM_SAMPLES; i++) {
  // Interleaved, each from a fresh IP (so no pair block), in rotating order.
  for (let j = 0; j < names.length; j++) {
    const name = names[(i + j) % names.length]!;
    const t0 = performance.now();
    const result = await limited.signIn({ ...branches[name], ip: nextIP() });
    const took = performance.now() - t0;
    times[name]!.push(took);
    if (result.ok || result.reason !== 'invalid_credentials')
      throw new Error(`${name}: ${JSON.stringify(result)}`);
    // The same login straight to the provider: the upstream's own time for this branch.
    const t1 = performance.now();
    await notesProviderInstance
      .login(branches[name], { signal: AbortSignal.timeout(10_000), now: clock })
      .catch(() => undefined);
    const bareTook = performance.now() - t1;
    bare[name]!.push(bareTook);
    // Paired: this sample's time minus the bare call right after it (slow drifts of the machine cancel).
    added[name]!.push(took - bareTook);
  }
}
// What our layer adds per branch: the median of the paired differences.
const branchMedians = Object.entries(added).map(
  ([name, values]) => [name, median(values)] as const,
);
const fastest = Math.min(...branchMedians.map(([, m]) => m));
const spread = Math.max(...branchMedians.map(([, m]) => m)) - fastest;
commands = 0;
await limited.signIn({ identifier: 'asha', password: 'not-the-password', ip: nextIP() });
const commandsPerFailedSignIn = commands;

// --- report -------------------------------------------------------------------------------------------

console.log(
  `Upstream refresh calls for 100 parallel requests on an expired token: ${memoryFlight.refreshes} (memory), ${redisFlight.refreshes} (Redis), ${processesFlight} (4 processes × 25, Redis); goal 1`,
);
console.log(
  `p99 of 100 parallel on an expired token: ${memoryFlight.p99.toFixed(1)} ms (memory), ${redisFlight.p99.toFixed(1)} ms (Redis); on a fresh token: ${memoryFlight.freshP99.toFixed(1)} / ${redisFlight.freshP99.toFixed(1)} ms; one bare refresh: ${refreshLatency.toFixed(1)} ms`,
);
console.log(`Store round trips per fresh getAccessToken: ${tripsPerCall} (goal 1)`);
console.log(
  `Failed sign-in, time added by UpstreamSessions (median of signIn − the bare provider call after it, ${ENUM_SAMPLES} each): ${branchMedians.map(([n, m]) => `${n} ${m.toFixed(2)} ms`).join(', ')}; spread ${spread.toFixed(2)} ms`,
);
console.log(`Redis commands per failed sign-in (limiter): ${commandsPerFailedSignIn}`);
console.log('');
console.log('| load | getAccessToken/s | store.get/s | ratio |');
console.log('| --- | ---: | ---: | ---: |');
for (const [label, t, r, ratio] of rows) {
  console.log(`| ${label} | ${Math.round(t)} | ${Math.round(r)} | ${ratio.toFixed(2)} |`);
}
console.log('');
for (const [name, size] of sizes) {
  console.log(`Sealed session record, ${name}: ${size.bytes} bytes (MEMORY USAGE ${size.memory})`);
}

const figures: Figure[] = [
  {
    name: 'upstream refreshes for 100 parallel requests on an expired token, 1 process (MemorySessionStore)',
    value: memoryFlight.refreshes,
    unit: 'refreshes',
    goal: { on: 'value', op: '==', target: 1 },
  },
  {
    name: 'upstream refreshes for 100 parallel requests on an expired token, 1 process (RedisSessionStore)',
    value: redisFlight.refreshes,
    unit: 'refreshes',
    goal: { on: 'value', op: '==', target: 1 },
  },
  {
    name: 'upstream refreshes for 4 processes × 25 parallel requests on an expired token (one Redis)',
    value: processesFlight,
    unit: 'refreshes',
    goal: { on: 'value', op: '==', target: 1 },
    note: 'every process got the same new token',
  },
  {
    name: 'p99 latency of 100 parallel requests on an expired token, 1 process (RedisSessionStore)',
    value: redisFlight.p99,
    unit: 'ms',
    digits: 1,
    baseline: {
      name: 'the same 100 parallel requests on a fresh token',
      value: redisFlight.freshP99,
    },
    note: `added by the one refresh: ${(redisFlight.p99 - redisFlight.freshP99).toFixed(1)} ms; one bare upstream refresh takes ${refreshLatency.toFixed(1)} ms (median of 21); design goal: added ≤ one refresh + one 50 ms poll`,
  },
  {
    name: 'Redis round trips per getAccessToken, fresh token',
    value: tripsPerCall,
    unit: 'round trips',
    digits: 2,
    goal: { on: 'value', op: '==', target: 1 },
    note: `sendCommand calls over ${TRIPS} calls`,
  },
  ...rows.map(
    ([label, t, r, ratio]): Figure => ({
      name: `getAccessToken/s, fresh token, local Redis, ${label}`,
      value: t,
      unit: 'calls/s',
      baseline: { name: `bare store.get of the same record, same client, ${label}`, value: r },
      ratio,
      goal: { on: 'ratio', op: '>=', target: 0.9 },
      note: 'adds opening the sealed token set (AES-256-GCM) and the expiry check',
    }),
  ),
  {
    name: 'time signIn adds to a failed login: spread over unknown user / wrong password / inactive account',
    value: spread,
    unit: 'ms',
    digits: 2,
    baseline: { name: 'time added on the fastest branch (median)', value: fastest },
    goal: { on: 'value', op: '<=', target: 1 },
    note: `${ENUM_SAMPLES} each, interleaved with the bare provider call; added = median over samples of (signIn − the provider.login right after it) per branch`,
  },
  {
    name: 'Redis commands per failed sign-in',
    value: commandsPerFailedSignIn,
    unit: 'commands',
    note: 'the limiter: one script for the identifier and (identifier, IP) counters, one for the IP, sent at once (one round trip of latency)',
  },
  ...sizes.map(
    ([name, size]): Figure => ({
      name: `sealed session record in Redis, ${name}`,
      value: size.bytes,
      unit: 'bytes',
      goal: { on: 'value', op: '<=', target: 1024 },
      note: `fields + values of the hash; Redis MEMORY USAGE ${size.memory} bytes`,
    }),
  ),
];
writeResult({
  bench: 'sessions',
  params: {
    rounds: ROUNDS,
    'operations per round': OPS,
    server: `${URL_.replace(/\/\/[^@]*@/, '//')}`,
  },
  figures,
});

await Promise.all([notes.close(), timbr.close(), tingting.close()]);
let cursor = '0';
do {
  const [next, keys] = (await client.sendCommand([
    'SCAN',
    cursor,
    'MATCH',
    `{${prefix}:*`,
    'COUNT',
    '1000',
  ])) as [string, string[]];
  cursor = String(next);
  if (keys.length > 0) await client.sendCommand(['DEL', ...keys]);
} while (cursor !== '0');
client.destroy();
