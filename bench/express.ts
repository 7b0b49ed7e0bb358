/**
 * `POST /verify` through @tingting-auth/express next to a bare Express 5 JSON `POST` handler:
 * requests/second and p99 latency, same machine, same load generator (autocannon), same run.
 *
 * - bare: `express.json()` + a handler answering JSON (the floor).
 * - wrong code: the router (cross-site check, express-rate-limit, body parsing, engine verify with
 *   MemoryStore) on pre-issued challenges, a wrong code each time; the policy allows 100 attempts
 *   per code and failures are spread over many numbers, so nothing is consumed or locked (401s).
 * - the same without the per-IP limiter (express-rate-limit), to show what it costs.
 * - right code: the same, the right code on a fresh pre-issued challenge each time (200s).
 *
 * Each server runs in its own child process, so the load generator does not share its CPU time;
 * the scenarios run in short interleaved rounds (ROUNDS) so background load hits them alike.
 * `onVerified` answers instead of express-session, so no session store is measured.
 *
 * Run: pnpm --filter bench bench:express    Options (env): DURATION=10 (per scenario) ROUNDS=5 CONNECTIONS=20
 * RIGHT_CHALLENGES=200000 ONLY=wrong,right (bare always runs); PROF=1 writes CPU profiles of the servers to $TMPDIR/tingting-bench-profiles.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createTingTingAuth, MemoryStore, OTPEngine, type OTPSender } from '@tingting-auth/express';
import autocannon from 'autocannon';
import express from 'express';

type Mode = 'bare' | 'wrong' | 'wrong-no-ip-limit' | 'right';
interface Ready {
  port: number;
  bodies: string[];
}

const DURATION = Number(process.env.DURATION ?? 10);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 20);
const WRONG_NUMBERS = 5_000;
const RIGHT_CHALLENGES = Number(process.env.RIGHT_CHALLENGES ?? 200_000);
const PATH = '/auth/verify';

const phoneOf = (i: number): string => `98${String(i).padStart(8, '0')}`;

async function serve(mode: Mode): Promise<void> {
  const app = express();
  let bodies: string[] = [];
  if (mode === 'bare') {
    app.post(PATH, express.json({ limit: '4kb' }), (req, res) => {
      res
        .status(200)
        .json({ phone: String(req.body?.phone), verifiedAt: new Date().toISOString() });
    });
    for (let i = 0; i < WRONG_NUMBERS; i++) {
      bodies.push(JSON.stringify({ phone: phoneOf(i), code: '123456' }));
    }
  } else {
    const codes = new Map<string, string>();
    const sender: OTPSender = async (delivery) => {
      codes.set(delivery.nationalNumber, delivery.code);
      return undefined;
    };
    const count = mode === 'right' ? RIGHT_CHALLENGES : WRONG_NUMBERS;
    const engine = new OTPEngine({
      sender,
      secret: 'bench-secret-0123456789abcdef0123456789abcdef',
      store: new MemoryStore({ maxEntries: count * 2 }),
      policy: {
        maxAttemptsPerCode: 100,
        lockAfterFailures: 100,
        ttlInSeconds: 600,
        maxSendsPerIP: Number.POSITIVE_INFINITY,
        sendBudget: Number.POSITIVE_INFINITY,
      },
    });
    for (let i = 0; i < count; i++) {
      const result = await engine.send({ phone: phoneOf(i) });
      if (!result.ok) throw new Error(`pre-issue failed: ${result.reason}`);
      const code = codes.get(phoneOf(i)) ?? '';
      const sent = mode === 'right' ? code : code === '000000' ? '111111' : '000000';
      bodies.push(JSON.stringify({ phone: phoneOf(i), code: sent }));
    }
    const tingting = createTingTingAuth(engine, {
      // The limiter runs (its cost is measured) but never refuses.
      rateLimit: mode === 'wrong-no-ip-limit' ? false : { verify: { limit: 1e12 } },
      onVerified: () => {},
    });
    app.use('/auth', tingting.router);
    app.use(tingting.errorHandler);
  }
  const server = app.listen(0, '127.0.0.1', () => {
    const ready: Ready = { port: (server.address() as AddressInfo).port, bodies };
    process.send?.(ready);
    bodies = [];
  });
  process.on('disconnect', () => process.exit(0));
}

function start(mode: Mode): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${tmpdir()}/tingting-bench-profiles`]
        : []),
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      '--serve',
      mode,
    ],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  return new Promise((resolve, reject) => {
    child.once('message', (ready) => resolve({ child, ready: ready as Ready }));
    child.once('exit', (code) => reject(new Error(`${mode} server exited (${code})`)));
  });
}

interface Row {
  name: string;
  rps: number;
  p99: number;
  statuses: string;
}

interface Scenario {
  mode: Mode;
  name: string;
  child: ChildProcess;
  port: number;
  bodies: string[];
  next: number;
  requests: number;
  seconds: number;
  p99s: number[];
  statuses: Map<string, number>;
}

async function round(scenario: Scenario, seconds: number): Promise<void> {
  const { bodies, mode } = scenario;
  const result = await autocannon({
    url: `http://127.0.0.1:${scenario.port}`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: PATH,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        setupRequest: (request) => {
          // Right codes: each challenge once; wrong codes and bare: cycle.
          const i = scenario.next++;
          const body = mode === 'right' ? bodies[i] : bodies[i % bodies.length];
          return { ...request, body: body ?? '{"phone":"9800000000","code":"000000"}' };
        },
      },
    ],
  });
  scenario.requests += result.requests.total;
  scenario.seconds += result.duration;
  scenario.p99s.push(result.latency.p99);
  const stats = (result as unknown as { statusCodeStats?: Record<string, { count: number }> })
    .statusCodeStats;
  for (const [code, { count }] of Object.entries(stats ?? {})) {
    scenario.statuses.set(code, (scenario.statuses.get(code) ?? 0) + count);
  }
}

async function stop(child: ChildProcess): Promise<void> {
  // The child exits when the IPC channel closes (writing its CPU profile under PROF=1).
  child.disconnect();
  await new Promise((resolve) => {
    const timer = setTimeout(() => child.kill(), 5_000);
    child.once('exit', () => resolve(clearTimeout(timer)));
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function main(): Promise<void> {
  console.log(
    `POST ${PATH}, ${CONNECTIONS} connections, ${DURATION} s per scenario in ${ROUNDS} interleaved rounds, node ${process.version}\n`,
  );
  const only = process.env.ONLY?.split(',');
  const wanted: [Mode, string][] = [
    ['bare', 'bare Express 5 JSON POST'],
    ['wrong', 'tingting verify, wrong code (401)'],
    ['wrong-no-ip-limit', '  same, per-IP limiter off'],
    ['right', 'tingting verify, right code (200)'],
  ];
  const scenarios: Scenario[] = [];
  for (const [mode, name] of wanted) {
    if (only !== undefined && mode !== 'bare' && !only.includes(mode)) continue;
    const { child, ready } = await start(mode);
    scenarios.push({
      mode,
      name,
      child,
      port: ready.port,
      bodies: ready.bodies,
      next: 0,
      requests: 0,
      seconds: 0,
      p99s: [],
      statuses: new Map(),
    });
  }
  // The machine may be shared: short interleaved rounds spread any background load over every
  // scenario instead of penalising whichever ran during it.
  for (let r = 0; r < ROUNDS; r++) {
    for (const scenario of scenarios) await round(scenario, DURATION / ROUNDS);
  }
  await Promise.all(scenarios.map((scenario) => stop(scenario.child)));
  const rows: Row[] = scenarios.map((s) => ({
    name: s.name,
    rps: s.requests / s.seconds,
    p99: median(s.p99s),
    statuses: [...s.statuses].map(([code, count]) => `${code}×${count}`).join(' '),
  }));
  const floor = rows[0]?.rps ?? 1;
  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(
    `${pad('scenario', 36)}${pad('req/s', 10)}${pad('p99 ms', 9)}${pad('ratio', 8)}statuses`,
  );
  for (const row of rows) {
    console.log(
      `${pad(row.name, 36)}${pad(row.rps.toFixed(0), 10)}${pad(String(row.p99), 9)}${pad(
        (row.rps / floor).toFixed(2),
        8,
      )}${row.statuses}`,
    );
  }
  console.log('\np99: median of the rounds. ratio: req/s over bare Express.');
  if (rows.at(-1)?.name.includes('right') && rows.at(-1)?.statuses.includes('401')) {
    console.log(
      'Note: the right-code run used up its pre-issued challenges (401s); raise RIGHT_CHALLENGES.',
    );
  }
}

const serveIndex = process.argv.indexOf('--serve');
if (serveIndex !== -1) await serve(process.argv[serveIndex + 1] as Mode);
else await main();
