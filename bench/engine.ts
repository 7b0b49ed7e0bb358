/**
 * OTP engine micro-benchmark, measured side by side in one process:
 * - verifies/second through OTPEngine + MemoryStore (wrong codes, right codes) next to the floor
 *   (one keyed hash + one constant-time compare + one Map lookup), with the ratio (goal >= 0.7);
 * - sends/second with a sender that does nothing;
 * - heap bytes per pending challenge at 1,000,000 pending challenges (goal <= 256).
 *
 * Run: pnpm --filter bench bench:engine   (node --expose-gc --import tsx engine.ts)
 * Options: PENDING=1000000 VERIFIES=200000 (environment).
 */
import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';
import { MemoryStore, OTPEngine, type OTPSender } from '@tingting-auth/core';

const PENDING = Number(process.env.PENDING ?? 1_000_000);
const VERIFIES = Number(process.env.VERIFIES ?? 200_000);
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

async function main(): Promise<void> {
  const numbers = 20_000;
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
    policy: OTPPolicyFor(),
  });
  for (let i = 0; i < 5_000; i++) await sendEngine.send({ phone: phoneOf(50_000_000 + i) });
  const started = process.hrtime.bigint();
  const sends = 100_000;
  for (let i = 0; i < sends; i++) await sendEngine.send({ phone: phoneOf(i) });
  const sendsPerSecond = perSecond(sends, started);

  const wrong = (phone: string): string => {
    const code = codes.get(`+977${phone}`)!;
    return code === '000000' ? '000001' : '000000';
  };
  /** Wrong guesses round-robin over `count` pending challenges (under 100 each: nothing locks). */
  async function wrongGuesses(first: number, count: number): Promise<number> {
    const engine = new OTPEngine({ sender: recording, secret: SECRET, policy: OTPPolicyFor() });
    for (let i = 0; i < count; i++) await engine.send({ phone: phoneOf(first + i) });
    const guesses = Array.from({ length: count }, (_, i) => ({
      phone: phoneOf(first + i),
      code: wrong(phoneOf(first + i)),
    }));
    for (let i = 0; i < Math.min(count, 2_000); i++) await engine.verify(guesses[i]!);
    const started = process.hrtime.bigint();
    for (let i = 0; i < VERIFIES; i++) {
      const result = await engine.verify(guesses[i % count]!);
      if (result.ok) throw new Error('a wrong code verified');
    }
    return perSecond(VERIFIES, started);
  }
  // Few enough numbers for the engine's phone-parse cache (10,000), at most 50 guesses each.
  const wrongPerSecond = await wrongGuesses(1_000_000, Math.max(1_000, Math.ceil(VERIFIES / 50)));
  // 20,000 numbers round-robin: every verify parses its number again (libphonenumber, ~10 µs).
  const coldPerSecond = await wrongGuesses(2_000_000, 20_000);

  // Verifies: the right code on fresh challenges, each verified right after its send (timed alone).
  const fresh = new OTPEngine({
    sender: recording,
    secret: SECRET,
    store: new MemoryStore({ maxEntries: 1_000_000 }),
    policy: OTPPolicyFor(),
  });
  const rightCount = Math.min(VERIFIES, 100_000);
  let verifyTime = 0n;
  for (let i = 0; i < rightCount; i++) {
    const phone = phoneOf(10_000_000 + i);
    await fresh.send({ phone });
    const input = { phone, code: codes.get(`+977${phone}`)! };
    const started = process.hrtime.bigint();
    const result = await fresh.verify(input);
    verifyTime += process.hrtime.bigint() - started;
    if (!result.ok) throw new Error('a right code failed');
  }
  const rightPerSecond = rightCount / (Number(verifyTime) / 1e9);

  // The floor: one keyed hash, one constant-time compare, one map lookup.
  const key = createSecretKey(SECRET);
  const stored = new Map<string, Buffer>();
  for (let i = 0; i < numbers; i++) {
    const phone = `+977${phoneOf(i)}`;
    stored.set(phone, createHmac('sha256', key).update(`${phone}\nsign-in\n123456`).digest());
  }
  const floorInputs = Array.from({ length: numbers }, (_, i) => `+977${phoneOf(i)}`);
  let matches = 0;
  const floorStarted = process.hrtime.bigint();
  for (let i = 0; i < VERIFIES; i++) {
    const phone = floorInputs[i % numbers]!;
    const hash = createHmac('sha256', key).update(`${phone}\nsign-in\n000000`).digest();
    const expected = stored.get(phone)!;
    if (expected.length === hash.length && timingSafeEqual(expected, hash)) matches++;
  }
  const floorPerSecond = perSecond(VERIFIES, floorStarted);
  if (matches !== 0) throw new Error('floor matched');

  // Heap bytes per pending challenge at PENDING pending challenges, through the engine.
  codes.clear();
  const heapEngineSender: OTPSender = async () => undefined;
  gc!();
  gc!();
  const before = process.memoryUsage();
  const store = new MemoryStore({ maxEntries: PENDING });
  const heapEngine = new OTPEngine({
    sender: heapEngineSender,
    secret: SECRET,
    store,
    policy: OTPPolicyFor(),
  });
  for (let i = 0; i < PENDING; i++) {
    await heapEngine.send({ phone: phoneOf(20_000_000 + i) });
  }
  gc!();
  gc!();
  const after = process.memoryUsage();
  if (store.size !== PENDING) throw new Error(`expected ${PENDING} pending, got ${store.size}`);
  const heapPer = (after.heapUsed - before.heapUsed) / PENDING;
  const buffersPer = (after.arrayBuffers - before.arrayBuffers) / PENDING;

  const row = (name: string, value: string, reference: string, ratio: string, goal: string) =>
    `| ${name.padEnd(44)} | ${value.padStart(12)} | ${reference.padStart(12)} | ${ratio.padStart(6)} | ${goal.padEnd(8)} |`;
  const n = (value: number) => Math.round(value).toLocaleString('en-US');
  console.log(
    `OTP engine benchmark, Node ${process.version}, ${VERIFIES.toLocaleString('en-US')} verifies, ${PENDING.toLocaleString('en-US')} pending`,
  );
  console.log(row('measure', 'engine', 'floor', 'ratio', 'goal'));
  console.log(row('-'.repeat(44), '-'.repeat(12), '-'.repeat(12), '-'.repeat(6), '-'.repeat(8)));
  console.log(
    row(
      'verifies/s, wrong code (MemoryStore)',
      n(wrongPerSecond),
      n(floorPerSecond),
      (wrongPerSecond / floorPerSecond).toFixed(2),
      '>= 0.7',
    ),
  );
  console.log(
    row(
      'verifies/s, wrong code, parse uncached',
      n(coldPerSecond),
      n(floorPerSecond),
      (coldPerSecond / floorPerSecond).toFixed(2),
      '',
    ),
  );
  console.log(
    row(
      'verifies/s, right code, fresh challenges',
      n(rightPerSecond),
      n(floorPerSecond),
      (rightPerSecond / floorPerSecond).toFixed(2),
      '>= 0.7',
    ),
  );
  console.log(row('sends/s, no-op sender (MemoryStore)', n(sendsPerSecond), '', '', ''));
  console.log(
    row(
      'JS heap bytes per pending challenge',
      heapPer.toFixed(1),
      '256',
      (heapPer / 256).toFixed(2),
      '<= 256',
    ),
  );
  console.log(row('+ typed-array bytes per pending challenge', buffersPer.toFixed(1), '', '', ''));
  console.log(
    row(
      '= total bytes per pending challenge',
      (heapPer + buffersPer).toFixed(1),
      '256',
      ((heapPer + buffersPer) / 256).toFixed(2),
      '',
    ),
  );
}

function OTPPolicyFor(): typeof OPEN_POLICY {
  return { ...OPEN_POLICY };
}

await main();
