/**
 * Verify through `passport.authenticate('tingting', { session: false })` (@tingting-auth/passport)
 * next to passport-local authenticating an in-memory user: requests/second and p99 latency, same
 * machine, same load generator (autocannon), same run.
 *
 * Every server has the same shape: Express 5, `express.json({ limit: '4kb' })`,
 * `passport.initialize()`, then `POST /auth/verify` through `passport.authenticate(name,
 * { session: false })` and a handler answering a small JSON body (`{ id }`); a failure is
 * Passport's own 401. The bodies have the same shape too (`{ phone, code }`, six digits):
 * - local, right / wrong password: passport-local (`usernameField: 'phone'`, `passwordField:
 *   'code'`) whose verify looks the user up in a Map and compares the plain password in constant
 *   time (what passport-local users typically benchmark against); 5,000 users, cycled.
 * - tingting, wrong code: the strategy (cross-site check on, engine verify with MemoryStore) on
 *   5,000 pre-issued challenges, a wrong code each time; 100 attempts allowed per code, so nothing
 *   is consumed or locked (401s).
 * - tingting, right code: the right code on a fresh pre-issued challenge each time (200s).
 * Each tingting scenario is compared with the passport-local scenario of the same outcome.
 *
 * Servers run in child processes and the scenarios in short interleaved rounds (bench/http.ts).
 *
 * Run: pnpm --filter bench bench:passport    Options (env): DURATION=20 (seconds per scenario,
 * over all rounds) ROUNDS=10 CONNECTIONS=20 RIGHT_CHALLENGES=DURATION*15000; PROF=1 writes CPU
 * profiles of the servers to $TMPDIR/tingting-bench-profiles.
 */
import { timingSafeEqual } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { MemoryStore, OTPEngine, Strategy as TingTingStrategy } from '@tingting-auth/passport';
import express from 'express';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { announce, load, print, type Scenario } from './http.ts';
import { type Figure, writeResult } from './result.ts';

type Mode = 'local-right' | 'local-wrong' | 'right' | 'wrong';

const DURATION = Number(process.env.DURATION ?? 20);
const ROUNDS = Number(process.env.ROUNDS ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 20);
const NUMBERS = 5_000;
/** Enough fresh challenges for the right-code scenario at up to 15,000 requests/s. */
const RIGHT_CHALLENGES = Number(
  process.env.RIGHT_CHALLENGES ?? Math.max(50_000, DURATION * 15_000),
);
const PATH = '/auth/verify';

const phoneOf = (i: number): string => `98${String(i).padStart(8, '0')}`;
/** The other six digits: a wrong code or password of the same length. */
const wrongOf = (right: string): string => (right === '000000' ? '111111' : '000000');

interface User {
  id: string;
}

async function serve(mode: Mode): Promise<void> {
  const bodies: string[] = [];
  let name: string;
  if (mode === 'local-right' || mode === 'local-wrong') {
    const users = new Map<string, { id: string; password: Buffer }>();
    for (let i = 0; i < NUMBERS; i++) {
      const password = String(100_000 + ((i * 7_919) % 900_000));
      users.set(phoneOf(i), { id: `user-${i}`, password: Buffer.from(password) });
      const sent = mode === 'local-right' ? password : wrongOf(password);
      bodies.push(JSON.stringify({ phone: phoneOf(i), code: sent }));
    }
    passport.use(
      new LocalStrategy(
        { usernameField: 'phone', passwordField: 'code' },
        (username, password, done) => {
          const user = users.get(username);
          const given = Buffer.from(password);
          if (
            user !== undefined &&
            given.length === user.password.length &&
            timingSafeEqual(given, user.password)
          ) {
            done(null, { id: user.id } satisfies User);
            return;
          }
          done(null, false);
        },
      ),
    );
    name = 'local';
  } else {
    const codes = new Map<string, string>();
    const count = mode === 'right' ? RIGHT_CHALLENGES : NUMBERS;
    const engine = new OTPEngine({
      sender: async (delivery) => {
        codes.set(delivery.nationalNumber, delivery.code);
        return undefined;
      },
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
      bodies.push(
        JSON.stringify({ phone: phoneOf(i), code: mode === 'right' ? code : wrongOf(code) }),
      );
    }
    codes.clear();
    passport.use(new TingTingStrategy({ engine }, (phone, done) => done(null, { id: phone })));
    name = 'tingting';
  }
  const app = express();
  app.use(express.json({ limit: '4kb' }));
  app.use(passport.initialize());
  app.post(PATH, passport.authenticate(name, { session: false }), (req, res) => {
    res.status(200).json({ id: (req.user as User).id });
  });
  announce(app.listen(0, '127.0.0.1'), bodies);
}

async function main(): Promise<void> {
  console.log(
    `POST ${PATH} through passport.authenticate(name, { session: false }), ${CONNECTIONS} connections, ${DURATION} s per scenario in ${ROUNDS} interleaved rounds, node ${process.version}\n`,
  );
  const scenarios: Scenario[] = [
    { mode: 'local-right', name: 'passport-local, right password (200)' },
    { mode: 'right', name: 'tingting, right code (200)', baseline: 'local-right', once: true },
    { mode: 'local-wrong', name: 'passport-local, wrong password (401)' },
    { mode: 'wrong', name: 'tingting, wrong code (401)', baseline: 'local-wrong' },
  ];
  const rows = await load(scenarios, {
    script: fileURLToPath(import.meta.url),
    path: PATH,
    duration: DURATION,
    rounds: ROUNDS,
    connections: CONNECTIONS,
  });
  print(rows);

  const figures: Figure[] = [];
  for (const row of rows) {
    const base = rows.find((other) => other.mode === row.baseline);
    if (base === undefined) continue;
    const what = row.mode === 'right' ? 'right code on fresh challenges (200)' : 'wrong code (401)';
    const baseWhat = row.mode === 'right' ? 'right password (200)' : 'wrong password (401)';
    figures.push(
      {
        name: `passport.authenticate('tingting') req/s, ${what}`,
        value: row.rps,
        unit: 'req/s',
        baseline: {
          name: `passport-local, in-memory user, ${baseWhat}, same run`,
          value: base.rps,
        },
        ...(row.ratio === undefined ? {} : { ratio: row.ratio }),
        goal: { on: 'ratio', op: '>=', target: 0.9 },
        note: `tingting ${row.statuses}${row.exhausted ? ' (ran out of fresh challenges)' : ''}; local ${base.statuses}`,
      },
      {
        name: `passport.authenticate('tingting') p99 latency, ${what}`,
        value: row.p99,
        unit: 'ms',
        baseline: { name: `passport-local, ${baseWhat}, p99`, value: base.p99 },
        ratio: row.p99 / base.p99,
        note: `median of ${ROUNDS} rounds' p99 at ${CONNECTIONS} connections`,
      },
    );
  }
  writeResult({
    bench: 'passport',
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
