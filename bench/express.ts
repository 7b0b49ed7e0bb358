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
 * - the peer: Better Auth's phone-number plugin on the same Express 5, wrong code and right code
 *   on fresh challenges, with an in-memory secondary storage and limits equalised (bench/README.md
 *   lists every difference). The tingting / Better Auth ratios are taken round by round too.
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
import { announce, load, type Measured, print, type Scenario } from './http.ts';
import { type Figure, median, writeResult } from './result.ts';

type Mode =
  | 'bare'
  | 'wrong'
  | 'wrong-no-ip-limit'
  | 'right'
  | 'better-auth-wrong'
  | 'better-auth-right';

const DURATION = Number(process.env.DURATION ?? 20);
const ROUNDS = Number(process.env.ROUNDS ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 20);
const WRONG_NUMBERS = 5_000;
/** Enough fresh challenges for the right-code scenario at up to 15,000 requests/s. */
const RIGHT_CHALLENGES = Number(
  process.env.RIGHT_CHALLENGES ?? Math.max(50_000, DURATION * 15_000),
);
const PATH = '/auth/verify';
/**
 * Fresh challenges for Better Auth's right-code run: it serves fewer requests, and every one adds
 * a user to its memory adapter (see bench/README.md).
 */
const PEER_RIGHT_CHALLENGES = Number(
  process.env.PEER_RIGHT_CHALLENGES ?? Math.max(20_000, DURATION * 3_000),
);

const phoneOf = (i: number): string => `98${String(i).padStart(8, '0')}`;

/**
 * Better Auth's phone-number plugin on Express 5, as its docs mount it (`toNodeHandler`), with the
 * same policy as the engine here: 6 digits, 600 s, 100 attempts per code, a per-IP limiter that
 * runs but never refuses. Codes live in an in-memory secondary storage (a Map with expiry, the
 * counterpart of MemoryStore); users in its memory adapter.
 */
async function serveBetterAuth(mode: 'better-auth-wrong' | 'better-auth-right'): Promise<void> {
  const [{ betterAuth }, { memoryAdapter }, { phoneNumber }, { toNodeHandler }] = await Promise.all(
    [
      import('better-auth'),
      import('better-auth/adapters/memory'),
      import('better-auth/plugins/phone-number'),
      import('better-auth/node'),
    ],
  );
  const kv = new Map<string, { value: string; expiresAt: number }>();
  const read = (key: string): string | null => {
    const entry = kv.get(key);
    if (entry === undefined) return null;
    if (entry.expiresAt <= Date.now()) {
      kv.delete(key);
      return null;
    }
    return entry.value;
  };
  const codes = new Map<string, string>();
  const auth = betterAuth({
    baseURL: 'http://127.0.0.1',
    basePath: '/api/auth',
    secret: 'bench-secret-0123456789abcdef0123456789abcdef',
    telemetry: { enabled: false },
    logger: { disabled: true },
    database: memoryAdapter({ user: [], session: [], account: [], verification: [] }),
    secondaryStorage: {
      get: read,
      set: (key, value, ttl) => {
        kv.set(key, {
          value,
          expiresAt: ttl ? Date.now() + ttl * 1000 : Number.POSITIVE_INFINITY,
        });
      },
      delete: (key) => {
        kv.delete(key);
      },
      getAndDelete: (key) => {
        const value = read(key);
        kv.delete(key);
        return value;
      },
      increment: (key, ttl) => {
        const count = Number(read(key) ?? 0) + 1;
        const expiresAt = kv.get(key)?.expiresAt ?? Date.now() + ttl * 1000;
        kv.set(key, { value: String(count), expiresAt });
        return count;
      },
    },
    // Equalised with the router's per-IP limiter: it runs on every request, never refuses.
    rateLimit: {
      enabled: true,
      storage: 'memory',
      window: 60,
      max: 1e12,
      customRules: { '/phone-number/*': { window: 60, max: 1e12 } },
    },
    plugins: [
      phoneNumber({
        otpLength: 6,
        expiresIn: 600,
        allowedAttempts: 100,
        sendOTP: ({ phoneNumber: number, code }) => {
          codes.set(number, code);
        },
        signUpOnVerification: {
          getTempEmail: (number) => `${number.slice(1)}@phone.invalid`,
        },
      }),
    ],
  });
  const count = mode === 'better-auth-right' ? PEER_RIGHT_CHALLENGES : WRONG_NUMBERS;
  const bodies: string[] = [];
  for (let i = 0; i < count; i++) {
    const number = `+977${phoneOf(i)}`;
    await auth.handler(
      new Request('http://127.0.0.1/api/auth/phone-number/send-otp', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.0.0.1' },
        body: JSON.stringify({ phoneNumber: number }),
      }),
    );
    const code = codes.get(number);
    if (code === undefined) throw new Error(`Better Auth sent no code to ${number}`);
    bodies.push(
      mode === 'better-auth-right'
        ? JSON.stringify({ phoneNumber: number, code, disableSession: true })
        : JSON.stringify({ phoneNumber: number, code: code === '000000' ? '111111' : '000000' }),
    );
  }
  codes.clear();
  const app = express();
  // Better Auth keys its limiter by a forwarded address only; give it the socket's, as a proxy would.
  app.use((req, _res, next) => {
    req.headers['x-forwarded-for'] = req.socket.remoteAddress;
    next();
  });
  app.all('/api/auth/*splat', toNodeHandler(auth));
  announce(app.listen(0, '127.0.0.1'), bodies, '/api/auth/phone-number/verify');
}

async function serve(mode: Mode): Promise<void> {
  if (mode === 'better-auth-wrong' || mode === 'better-auth-right') {
    await serveBetterAuth(mode);
    return;
  }
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
    { mode: 'better-auth-wrong', name: 'Better Auth verify, wrong code (400)', baseline: 'bare' },
    {
      mode: 'better-auth-right',
      name: 'Better Auth verify, right code (200)',
      baseline: 'bare',
      once: true,
    },
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
  const byMode = new Map(rows.map((row) => [row.mode, row]));
  /** Median over rounds of `a`'s req/s over `b`'s in the same round. */
  const roundRatio = (a: Measured, b: Measured) =>
    median(a.roundRps.map((rps, i) => rps / b.roundRps[i]!));
  for (const row of rows) {
    if (row.mode === 'bare') continue;
    const peer = row.mode.startsWith('better-auth');
    const what = {
      right: 'right code on fresh challenges (200)',
      wrong: 'wrong code (401)',
      'wrong-no-ip-limit': 'wrong code (401), per-IP limiter off',
      'better-auth-wrong': 'wrong code (400)',
      'better-auth-right': 'right code on fresh challenges (200)',
    }[row.mode as Exclude<Mode, 'bare'>];
    const route = peer
      ? 'peer: Better Auth phone-number, POST /phone-number/verify'
      : 'POST /verify';
    figures.push(
      {
        name: `${route} req/s, ${what}`,
        value: row.rps,
        unit: 'req/s',
        baseline,
        ...(row.ratio === undefined ? {} : { ratio: row.ratio }),
        ...(row.mode === 'wrong-no-ip-limit' || peer
          ? {}
          : { goal: { on: 'ratio', op: '>=', target: 0.9 } as const }),
        note: `${row.statuses}${row.exhausted ? ' (ran out of fresh challenges)' : ''}`,
      },
      {
        name: `${route} p99 latency, ${what}`,
        value: row.p99,
        unit: 'ms',
        baseline: { name: 'bare Express 5, p99', value: bare.p99 },
        ratio: row.p99 / bare.p99,
        note: `median of ${ROUNDS} rounds' p99 at ${CONNECTIONS} connections`,
      },
    );
  }
  for (const [ours, theirs, what] of [
    ['wrong', 'better-auth-wrong', 'wrong code'],
    ['right', 'better-auth-right', 'right code on fresh challenges'],
  ] as const) {
    const a = byMode.get(ours);
    const b = byMode.get(theirs);
    if (a === undefined || b === undefined) continue;
    figures.push(
      {
        name: `tingting POST /verify req/s vs the peer, ${what}`,
        value: a.rps,
        unit: 'req/s',
        baseline: { name: 'Better Auth phone-number verify, same run', value: b.rps },
        ratio: roundRatio(a, b),
        note: 'median over rounds of the per-round ratio',
      },
      {
        name: `tingting POST /verify p99 vs the peer, ${what}`,
        value: a.p99,
        unit: 'ms',
        baseline: { name: 'Better Auth phone-number verify, p99', value: b.p99 },
        ratio: a.p99 / b.p99,
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
      'peer fresh challenges': PEER_RIGHT_CHALLENGES,
    },
    figures,
  });
}

const serveIndex = process.argv.indexOf('--serve');
if (serveIndex !== -1) await serve(process.argv[serveIndex + 1] as Mode);
else await main();
