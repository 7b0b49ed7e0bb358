/**
 * OTP engine micro-benchmark, measured side by side in one process:
 * - verifies/second through OTPEngine + MemoryStore (wrong codes, right codes) next to the floor
 *   (one keyed hash + one constant-time compare + one Map lookup), with the ratio (goal >= 0.7);
 * - sends/second with a sender that does nothing;
 * - heap bytes per pending challenge at 1,000,000 pending challenges (goal <= 256).
 *
 * The verify loops and the floor run in ROUNDS interleaved rounds, so background load on a
 * shared machine hits them alike; each rate is its total operations over its total time, each
 * ratio the median over rounds of the loop's rate over the floor's rate in the same round.
 *
 * Run: pnpm --filter bench bench:engine   (node --expose-gc --import tsx engine.ts)
 * Options (env): PENDING=1000000 VERIFIES=200000 (per loop, over all rounds) ROUNDS=10.
 */
import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';
import { MemoryStore, OTPEngine, type OTPSender } from '@tingting-auth/core';
import { type Figure, median, writeResult } from './result.ts';

const PENDING = Number(process.env.PENDING ?? 1_000_000);
const VERIFIES = Number(process.env.VERIFIES ?? 200_000);
const ROUNDS = Number(process.env.ROUNDS ?? 10);
const SECRET = randomBytes(32);

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error('Run with node --expose-gc (pnpm --filter bench bench:engine)');
  process.exit(1);
}

/** Lifts every send limit that is not under test, so the loops measure the engine itself. */
const OPEN_POLICY = {
  maxSendsPerIP: Number.POSITIVE_INFINITY,
  sendBudget: Number.POSITIVE_INFINITY,
  maxAttemptsPerCode: 100,
  lockAfterFailures: 100,
  ttlInSeconds: 600,
};

const phoneOf = (i: number): string => `98${String(i % 100_000_000).padStart(8, '0')}`;

function perSecond(count: number, started: bigint): number {
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** A loop measured in rounds: `run(ops)` does `ops` operations and returns the nanoseconds timed. */
interface Loop {
  run: (ops: number) => Promise<bigint>;
  ops: number;
  ns: bigint;
  /** Operations per second of each round. */
  rounds: number[];
}

const loop = (run: Loop['run']): Loop => ({ run, ops: 0, ns: 0n, rounds: [] });
const rate = (l: Loop): number => l.ops / (Number(l.ns) / 1e9);
/** The median over rounds of this loop's rate over the floor's rate in the same round. */
const ratioTo = (l: Loop, floor: Loop): number =>
  median(l.rounds.map((r, i) => r / floor.rounds[i]!));

async function main(): Promise<void> {
  const codes = new Map<string, string>();
  const recording: OTPSender = async (delivery) => {
    codes.set(delivery.phone, delivery.code);
    return undefined;
  };

  // Sends/second with a sender that does nothing.
  const noop: OTPSender = async () => undefined;
  const sendEngine = new OTPEngine({
    sender: noop,
    secret: SECRET,
    store: new MemoryStore({ maxEntries: 1_000_000 }),
    policy: { ...OPEN_POLICY },
  });
  for (let i = 0; i < 5_000; i++) await sendEngine.send({ phone: phoneOf(50_000_000 + i) });
  const sendStarted = process.hrtime.bigint();
  const sends = 100_000;
  for (let i = 0; i < sends; i++) await sendEngine.send({ phone: phoneOf(i) });
  const sendsPerSecond = perSecond(sends, sendStarted);

  const wrong = (phone: string): string => {
    const code = codes.get(`+977${phone}`)!;
    return code === '000000' ? '000001' : '000000';
  };
  /** Wrong guesses round-robin over `count` pending challenges (under 100 each: nothing locks). */
  async function wrongGuesses(first: number, count: number): Promise<Loop> {
    const engine = new OTPEngine({ sender: recording, secret: SECRET, policy: { ...OPEN_POLICY } });
    for (let i = 0; i < count; i++) await engine.send({ phone: phoneOf(first + i) });
    const guesses = Array.from({ length: count }, (_, i) => ({
      phone: phoneOf(first + i),
      code: wrong(phoneOf(first + i)),
    }));
    for (let i = 0; i < Math.min(count, 2_000); i++) await engine.verify(guesses[i]!);
    let next = 0;
    return loop(async (ops) => {
      const started = process.hrtime.bigint();
      for (let i = 0; i < ops; i++) {
        const result = await engine.verify(guesses[next++ % count]!);
        if (result.ok) throw new Error('a wrong code verified');
      }
      return process.hrtime.bigint() - started;
    });
  }
  // Few enough numbers for the engine's phone-parse cache (10,000), at most 50 guesses each.
  const wrongCached = await wrongGuesses(1_000_000, Math.max(1_000, Math.ceil(VERIFIES / 50)));
  // 20,000 numbers round-robin: every verify parses its number again (libphonenumber, ~10 µs).
  const wrongUncached = await wrongGuesses(2_000_000, 20_000);

  // The right code on fresh challenges: sends of a batch (not timed), then its verifies (timed),
  // so a verify follows its send as in real use (the number's parse is still cached).
  const fresh = new OTPEngine({
    sender: recording,
    secret: SECRET,
    store: new MemoryStore({ maxEntries: 1_000_000 }),
    policy: { ...OPEN_POLICY },
  });
  let freshNext = 10_000_000;
  const right = loop(async (ops) => {
    let ns = 0n;
    for (let done = 0; done < ops; ) {
      const batch = Math.min(1_000, ops - done);
      const inputs: { phone: string; code: string }[] = [];
      for (let i = 0; i < batch; i++) {
        const phone = phoneOf(freshNext++);
        await fresh.send({ phone });
        inputs.push({ phone, code: codes.get(`+977${phone}`)! });
      }
      codes.clear();
      const started = process.hrtime.bigint();
      for (const input of inputs) {
        const result = await fresh.verify(input);
        if (!result.ok) throw new Error('a right code failed');
      }
      ns += process.hrtime.bigint() - started;
      done += batch;
    }
    return ns;
  });
  const rightTotal = Math.min(VERIFIES, 100_000);

  // The floor: one keyed hash, one constant-time compare, one map lookup.
  const key = createSecretKey(SECRET);
  const numbers = 20_000;
  const stored = new Map<string, Buffer>();
  for (let i = 0; i < numbers; i++) {
    const phone = `+977${phoneOf(i)}`;
    stored.set(phone, createHmac('sha256', key).update(`${phone}\nsign-in\n123456`).digest());
  }
  const floorInputs = Array.from({ length: numbers }, (_, i) => `+977${phoneOf(i)}`);
  let floorNext = 0;
  const floor = loop(async (ops) => {
    let matches = 0;
    const started = process.hrtime.bigint();
    for (let i = 0; i < ops; i++) {
      const phone = floorInputs[floorNext++ % numbers]!;
      const hash = createHmac('sha256', key).update(`${phone}\nsign-in\n000000`).digest();
      const expected = stored.get(phone)!;
      if (expected.length === hash.length && timingSafeEqual(expected, hash)) matches++;
    }
    const ns = process.hrtime.bigint() - started;
    if (matches !== 0) throw new Error('floor matched');
    return ns;
  });

  const plan: [Loop, number][] = [
    [floor, VERIFIES],
    [wrongCached, VERIFIES],
    [wrongUncached, VERIFIES],
    [right, rightTotal],
  ];
  for (let r = 0; r < ROUNDS; r++) {
    for (const [l, total] of plan) {
      const ops = Math.floor(total / ROUNDS) + (r < total % ROUNDS ? 1 : 0);
      // Each loop starts on a collected heap: no loop pays for the garbage of the one before.
      gc!();
      const ns = await l.run(ops);
      l.ns += ns;
      l.ops += ops;
      l.rounds.push(ops / (Number(ns) / 1e9));
    }
  }

  // Heap bytes per pending challenge at PENDING pending challenges, through the engine.
  codes.clear();
  gc!();
  gc!();
  const before = process.memoryUsage();
  const store = new MemoryStore({ maxEntries: PENDING });
  const heapEngine = new OTPEngine({ sender: noop, secret: SECRET, store, policy: OPEN_POLICY });
  for (let i = 0; i < PENDING; i++) {
    await heapEngine.send({ phone: phoneOf(20_000_000 + i) });
  }
  gc!();
  gc!();
  const after = process.memoryUsage();
  if (store.size !== PENDING) throw new Error(`expected ${PENDING} pending, got ${store.size}`);
  const heapPer = (after.heapUsed - before.heapUsed) / PENDING;
  const buffersPer = (after.arrayBuffers - before.arrayBuffers) / PENDING;

  if (process.env.DEBUG_ROUNDS) {
    for (const [l] of plan) console.log(l.rounds.map((r) => Math.round(r / 1000)).join(' '));
  }
  const floorRate = rate(floor);
  const row = (name: string, value: string, reference: string, ratio: string, goal: string) =>
    `| ${name.padEnd(44)} | ${value.padStart(12)} | ${reference.padStart(12)} | ${ratio.padStart(6)} | ${goal.padEnd(8)} |`;
  const n = (value: number) => Math.round(value).toLocaleString('en-US');
  console.log(
    `OTP engine benchmark, Node ${process.version}, ${VERIFIES.toLocaleString('en-US')} verifies per loop in ${ROUNDS} interleaved rounds, ${PENDING.toLocaleString('en-US')} pending`,
  );
  console.log(row('measure', 'engine', 'floor', 'ratio', 'goal'));
  console.log(row('-'.repeat(44), '-'.repeat(12), '-'.repeat(12), '-'.repeat(6), '-'.repeat(8)));
  const verifyRows: [string, Loop, string][] = [
    ['verifies/s, wrong code (MemoryStore)', wrongCached, '>= 0.7'],
    ['verifies/s, right code, fresh challenges', right, '>= 0.7'],
    ['verifies/s, wrong code, parse uncached', wrongUncached, ''],
  ];
  for (const [name, l, goal] of verifyRows) {
    console.log(row(name, n(rate(l)), n(floorRate), ratioTo(l, floor).toFixed(2), goal));
  }
  console.log(row('sends/s, no-op sender (MemoryStore)', n(sendsPerSecond), '', '', ''));
  console.log(row('JS heap bytes per pending challenge', heapPer.toFixed(1), '', '', ''));
  console.log(row('+ typed-array bytes per pending challenge', buffersPer.toFixed(1), '', '', ''));
  console.log(
    row('= total bytes per pending challenge', (heapPer + buffersPer).toFixed(1), '', '', '<= 256'),
  );

  const floorBaseline = {
    name: 'floor: HMAC-SHA-256 + timingSafeEqual + Map.get, same process',
    value: floorRate,
  };
  const figures: Figure[] = [
    {
      name: 'verifies/s, wrong code, MemoryStore',
      value: rate(wrongCached),
      unit: 'verifies/s',
      baseline: floorBaseline,
      ratio: ratioTo(wrongCached, floor),
      goal: { on: 'ratio', op: '>=', target: 0.7 },
      note: `${wrongCached.ops.toLocaleString('en-US')} verifies over ${Math.max(1_000, Math.ceil(VERIFIES / 50)).toLocaleString('en-US')} pending numbers`,
    },
    {
      name: 'verifies/s, right code on fresh challenges, MemoryStore',
      value: rate(right),
      unit: 'verifies/s',
      baseline: floorBaseline,
      ratio: ratioTo(right, floor),
      goal: { on: 'ratio', op: '>=', target: 0.7 },
      note: `${right.ops.toLocaleString('en-US')} verifies, each in a batch of 1,000 right after its send`,
    },
    {
      name: 'verifies/s, wrong code, phone parse not cached',
      value: rate(wrongUncached),
      unit: 'verifies/s',
      baseline: floorBaseline,
      ratio: ratioTo(wrongUncached, floor),
      note: '20,000 numbers round-robin, more than the 10,000-entry parse cache: libphonenumber on every verify',
    },
    {
      name: 'sends/s, no-op sender, MemoryStore',
      value: sendsPerSecond,
      unit: 'sends/s',
      note: `${sends.toLocaleString('en-US')} sends, one pass`,
    },
    {
      name: 'bytes per pending challenge (JS heap + typed arrays)',
      value: heapPer + buffersPer,
      unit: 'bytes',
      digits: 1,
      goal: { on: 'value', op: '<=', target: 256 },
      note: `at ${PENDING.toLocaleString('en-US')} pending, through the engine: JS heap ${heapPer.toFixed(1)} + typed arrays ${buffersPer.toFixed(1)}`,
    },
  ];
  writeResult({
    bench: 'engine',
    params: {
      rounds: ROUNDS,
      'verifies per loop': VERIFIES,
      'right-code verifies': rightTotal,
      pending: PENDING,
    },
    figures,
  });
}

await main();
