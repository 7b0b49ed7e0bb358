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
 * the scenarios run in short interleaved rounds (ROUNDS) so background load hits them alike
 * (bench/http.ts). `onVerified` answers instead of express-session, so no session store is measured.
 *
 * Run: pnpm --filter bench bench:express    Options (env): DURATION=20 (seconds per scenario,
 * over all rounds) ROUNDS=10 CONNECTIONS=20 RIGHT_CHALLENGES=DURATION*15000 ONLY=wrong,right
 * (bare always runs); PROF=1 writes CPU profiles of the servers to $TMPDIR/tingting-bench-profiles.
 */
import { fileURLToPath } from 'node:url';
import { createTingTingAuth, MemoryStore, OTPEngine, type OTPSender } from '@tingting-auth/express';
import express from 'express';
import { announce, load, print, type Scenario } from './http.ts';
import { type Figure, writeResult } from './result.ts';

type Mode = 'bare' | 'wrong' | 'wrong-no-ip-limit' | 'right';

const DURATION = Number(process.env.DURATION ?? 20);
const ROUNDS = Number(process.env.ROUNDS ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 20);
const WRONG_NUMBERS = 5_000;
/** Enough fresh challenges for the right-code scenario at up to 15,000 requests/s. */
const RIGHT_CHALLENGES = Number(
  process.env.RIGHT_CHALLENGES ?? Math.max(50_000, DURATION * 15_000),
);
const PATH = '/auth/verify';

const phoneOf = (i: number): string => `98${String(i).padStart(8, '0')}`;

async function serve(mode: Mode): Promise<void> {
  const app = express();
  const bodies: string[] = [];
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
  announce(app.listen(0, '127.0.0.1'), bodies);
}

async function main(): Promise<void> {
  console.log(
    `POST ${PATH}, ${CONNECTIONS} connections, ${DURATION} s per scenario in ${ROUNDS} interleaved rounds, node ${process.version}\n`,
  );
  const only = process.env.ONLY?.split(',');
  const wanted: Scenario[] = [
    { mode: 'bare', name: 'bare Express 5 JSON POST' },
    { mode: 'wrong', name: 'tingting verify, wrong code (401)', baseline: 'bare' },
    { mode: 'wrong-no-ip-limit', name: '  same, per-IP limiter off', baseline: 'bare' },
    { mode: 'right', name: 'tingting verify, right code (200)', baseline: 'bare', once: true },
  ];
  const rows = await load(
    wanted.filter((s) => only === undefined || s.mode === 'bare' || only.includes(s.mode)),
    {
      script: fileURLToPath(import.meta.url),
      path: PATH,
      duration: DURATION,
      rounds: ROUNDS,
      connections: CONNECTIONS,
    },
  );
  print(rows);

  const bare = rows.find((row) => row.mode === 'bare')!;
  const baseline = {
    name: 'bare Express 5: express.json() + res.json(), same run',
    value: bare.rps,
  };
  const figures: Figure[] = [];
  for (const row of rows) {
    if (row.mode === 'bare') continue;
    const what =
      row.mode === 'right'
        ? 'right code on fresh challenges (200)'
        : row.mode === 'wrong'
          ? 'wrong code (401)'
          : 'wrong code (401), per-IP limiter off';
    figures.push(
      {
        name: `POST /verify req/s, ${what}`,
        value: row.rps,
        unit: 'req/s',
        baseline,
        ...(row.ratio === undefined ? {} : { ratio: row.ratio }),
        ...(row.mode === 'wrong-no-ip-limit'
          ? {}
          : { goal: { on: 'ratio', op: '>=', target: 0.9 } as const }),
        note: `${row.statuses}${row.exhausted ? ' (ran out of fresh challenges)' : ''}`,
      },
      {
        name: `POST /verify p99 latency, ${what}`,
        value: row.p99,
        unit: 'ms',
        baseline: { name: 'bare Express 5, p99', value: bare.p99 },
        ratio: row.p99 / bare.p99,
        note: `median of ${ROUNDS} rounds' p99 at ${CONNECTIONS} connections`,
      },
    );
  }
  writeResult({
    bench: 'express',
    params: {
      rounds: ROUNDS,
      'seconds per scenario per round': DURATION / ROUNDS,
      connections: CONNECTIONS,
      'fresh challenges': RIGHT_CHALLENGES,
    },
    figures,
  });
}

const serveIndex = process.argv.indexOf('--serve');
if (serveIndex !== -1) await serve(process.argv[serveIndex + 1] as Mode);
else await main();
