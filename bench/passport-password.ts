/**
 * Password sign-in through `passport.authenticate('upstream', { session: false })`
 * (@tingting-auth/passport's UpstreamStrategy) next to passport-local whose verify calls the same
 * fake upstream login: requests/second and p99 latency, same machine, same load generator
 * (autocannon), same run.
 *
 * One fake notes service (seed 003, `@tingting-auth/testing`) runs in a process of its own with
 * 1,000 accounts; both servers log those accounts in over real HTTP with the right password
 * (200s), cycling through them. Both servers: Express 5, `express.json({ limit: '4kb' })`,
 * `passport.initialize()`, `POST /login` through `passport.authenticate(name, { session: false })`
 * and a handler answering `{ id }`.
 * - local: passport-local whose verify calls the notes provider's `login` (core's HTTP client for
 *   seed 003: the same upstream call, nothing else): the fair "do it by hand" baseline.
 * - upstream: UpstreamStrategy over UpstreamSessions (memory store, the default sign-in limits on,
 *   the token set sealed and stored per sign-in): what a user of this package gets.
 *
 * Run: pnpm --filter bench bench:passport-password    Options (env): DURATION=20 (seconds per
 * scenario, over all rounds) ROUNDS=10 CONNECTIONS=20.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MemorySessionStore, notesProvider, UpstreamSessions } from '@tingting-auth/core/upstream';
import { UpstreamStrategy } from '@tingting-auth/passport';
import { startFakeNotes } from '@tingting-auth/testing';
import express from 'express';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { announce, load, print, type Scenario } from './http.ts';
import { type Figure, writeResult } from './result.ts';

type Mode = 'local' | 'upstream';

const DURATION = Number(process.env.DURATION ?? 20);
const ROUNDS = Number(process.env.ROUNDS ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 20);
const ACCOUNTS = 1_000;
const PASSWORD = 'bench-password-123';
const PATH = '/login';

const usernameOf = (i: number): string => `user${i}`;

function bodies(): string[] {
  return Array.from({ length: ACCOUNTS }, (_, i) =>
    JSON.stringify({ username: usernameOf(i), password: PASSWORD }),
  );
}

async function serve(mode: Mode): Promise<void> {
  const baseURL = process.env.BENCH_NOTES_URL;
  if (!baseURL) throw new Error('BENCH_NOTES_URL is not set');
  const provider = notesProvider({ baseURL });
  if (mode === 'local') {
    passport.use(
      new LocalStrategy((username, password, done) => {
        provider
          .login(
            { identifier: username, password },
            { signal: AbortSignal.timeout(10_000), now: Date.now },
          )
          .then(
            (grant) => done(null, { id: grant.subject }),
            (error: { code?: string }) =>
              error?.code === 'UPSTREAM_INVALID_CREDENTIALS' ? done(null, false) : done(error),
          );
      }),
    );
  } else {
    const sessions = new UpstreamSessions({
      store: new MemorySessionStore(),
      secret: 'bench-upstream-secret-0123456789abcdef0123456789',
      provider,
    });
    passport.use(new UpstreamStrategy({ sessions }, async (account) => ({ id: account.subject })));
  }
  const app = express();
  app.use(express.json({ limit: '4kb' }));
  app.use(passport.initialize());
  app.post(
    PATH,
    passport.authenticate(mode === 'local' ? 'local' : 'upstream', { session: false }),
    (req, res) => {
      res.status(200).json({ id: (req.user as { id: string }).id });
    },
  );
  announce(app.listen(0, '127.0.0.1'), bodies());
}

/** The fake notes service, in a process of its own (neither the servers nor autocannon share it). */
async function serveFake(): Promise<void> {
  const fake = await startFakeNotes({
    accounts: Array.from({ length: ACCOUNTS }, (_, i) => ({
      username: usernameOf(i),
      password: PASSWORD,
    })),
  });
  process.send?.({ url: fake.url });
  process.on('disconnect', () => process.exit(0));
}

async function main(): Promise<void> {
  const fake = fork(fileURLToPath(import.meta.url), ['--fake'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { url } = await new Promise<{ url: string }>((resolve, reject) => {
    fake.once('message', (message) => resolve(message as { url: string }));
    fake.once('exit', (code) => reject(new Error(`the fake notes service exited (${code})`)));
  });
  process.env.BENCH_NOTES_URL = url;
  try {
    console.log(
      `POST ${PATH} {username, password} through passport.authenticate(name, { session: false }), every login checked by a fake notes service over HTTP (its own process), ${CONNECTIONS} connections, ${DURATION} s per scenario in ${ROUNDS} interleaved rounds, node ${process.version}\n`,
    );
    const scenarios: Scenario[] = [
      { mode: 'local', name: 'passport-local, verify calls the upstream login (200)' },
      { mode: 'upstream', name: "passport.authenticate('upstream') (200)", baseline: 'local' },
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
    const base = rows.find((row) => row.mode === 'local');
    const row = rows.find((r) => r.mode === 'upstream');
    if (base !== undefined && row !== undefined) {
      figures.push(
        {
          name: "passport.authenticate('upstream') req/s, right password (200)",
          value: row.rps,
          unit: 'req/s',
          baseline: {
            name: 'passport-local whose verify calls the same upstream login, same run',
            value: base.rps,
          },
          ...(row.ratio === undefined ? {} : { ratio: row.ratio }),
          goal: { on: 'ratio', op: '>=', target: 0.9 },
          note: `upstream ${row.statuses}; local ${base.statuses}`,
        },
        {
          name: "passport.authenticate('upstream') p99 latency, right password (200)",
          value: row.p99,
          unit: 'ms',
          baseline: { name: 'passport-local, same upstream login, p99', value: base.p99 },
          ratio: row.p99 / base.p99,
          goal: { on: 'ratio', op: '<=', target: 1.15 },
          note: `median of ${ROUNDS} rounds' p99 at ${CONNECTIONS} connections`,
        },
      );
    }
    writeResult({
      bench: 'passport-password',
      params: {
        rounds: ROUNDS,
        'seconds per scenario per round': DURATION / ROUNDS,
        connections: CONNECTIONS,
        'upstream accounts': ACCOUNTS,
      },
      figures,
    });
  } finally {
    fake.disconnect();
  }
}

if (process.argv.includes('--fake')) await serveFake();
else {
  const serveIndex = process.argv.indexOf('--serve');
  if (serveIndex !== -1) await serve(process.argv[serveIndex + 1] as Mode);
  else await main();
}
