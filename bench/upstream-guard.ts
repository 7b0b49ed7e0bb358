/**
 * `requireUpstreamSession` (@tingting-auth/express) on a fresh access token, next to a bare
 * Express 5 route that reads the same session: requests/second and p99 latency, same machine,
 * same load generator (autocannon), same run.
 *
 * Both servers are the same app: express-session (its MemoryStore), `createUpstreamAuth` over
 * `UpstreamSessions` (MemorySessionStore) against an in-process fake notes service, one password
 * sign-in at start-up whose session cookie every request carries. Then `GET /me`:
 * - bare: a handler that reads `req.session.upstream` and answers JSON (the floor);
 * - guard: `requireUpstreamSession` (one sessions-store read, the token fresh: no upstream call),
 *   then a handler that answers `req.upstream.subject` as JSON.
 *
 * Run: pnpm --filter bench bench:upstream-guard    Options (env): DURATION=20 (seconds per
 * scenario, over all rounds) ROUNDS=10 CONNECTIONS=20.
 */
import { fileURLToPath } from 'node:url';
import { MemorySessionStore, notesProvider, UpstreamSessions } from '@tingting-auth/core/upstream';
import { createUpstreamAuth } from '@tingting-auth/express';
import { startFakeNotes } from '@tingting-auth/testing';
import express from 'express';
import session from 'express-session';
import { announce, load, print, type Scenario } from './http.ts';
import { type Figure, writeResult } from './result.ts';

type Mode = 'bare' | 'guard';

const DURATION = Number(process.env.DURATION ?? 20);
const ROUNDS = Number(process.env.ROUNDS ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 20);
const PATH = '/me';
const ACCOUNT = { username: 'bench', password: 'bench-password-123' };

async function serve(mode: Mode): Promise<void> {
  const fake = await startFakeNotes({ accounts: [ACCOUNT] });
  const sessions = new UpstreamSessions({
    store: new MemorySessionStore(),
    secret: 'bench-upstream-secret-0123456789abcdef0123456789',
    provider: notesProvider({ baseURL: fake.url }),
  });
  const auth = createUpstreamAuth({ sessions, baseURL: fake.url });
  const app = express();
  app.use(session({ secret: 'bench-session-secret', resave: false, saveUninitialized: false }));
  app.use('/auth', auth.router);
  if (mode === 'bare') {
    app.get(PATH, (req, res) => {
      const stored = (req.session as unknown as { upstream?: { subject: string } }).upstream;
      if (stored === undefined) res.status(401).json({ error: 'signed out' });
      else res.json({ subject: stored.subject });
    });
  } else {
    app.get(PATH, auth.requireUpstreamSession, (req, res) => {
      res.json({ subject: req.upstream!.subject });
    });
  }
  app.use(auth.errorHandler);
  // One sign-in through the router; every load request carries its session cookie.
  announce(app.listen(0, '127.0.0.1'), [], undefined, async (port) => {
    const response = await fetch(`http://127.0.0.1:${port}/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ACCOUNT),
    });
    const cookie = response.headers.get('set-cookie')?.split(';')[0];
    if (response.status !== 200 || cookie === undefined) {
      throw new Error(`bench sign-in failed: ${response.status}`);
    }
    return { cookie };
  });
}

async function main(): Promise<void> {
  console.log(
    `GET ${PATH}, ${CONNECTIONS} connections, ${DURATION} s per scenario in ${ROUNDS} interleaved rounds, node ${process.version}\n`,
  );
  const scenarios: Scenario[] = [
    { mode: 'bare', name: 'bare Express 5 route reading the session' },
    { mode: 'guard', name: 'requireUpstreamSession, fresh token', baseline: 'bare' },
  ];
  const rows = await load(scenarios, {
    script: fileURLToPath(import.meta.url),
    path: PATH,
    method: 'GET',
    duration: DURATION,
    rounds: ROUNDS,
    connections: CONNECTIONS,
  });
  print(rows);
  const bare = rows.find((row) => row.mode === 'bare')!;
  const guard = rows.find((row) => row.mode === 'guard')!;
  const figures: Figure[] = [
    {
      name: 'GET behind requireUpstreamSession req/s, fresh token',
      value: guard.rps,
      unit: 'req/s',
      baseline: { name: 'bare Express 5 route reading express-session, same run', value: bare.rps },
      ...(guard.ratio === undefined ? {} : { ratio: guard.ratio }),
      goal: { on: 'ratio', op: '>=', target: 0.9 },
      note: guard.statuses,
    },
    {
      name: 'GET behind requireUpstreamSession p99 latency, fresh token',
      value: guard.p99,
      unit: 'ms',
      baseline: { name: 'bare Express 5 route, p99', value: bare.p99 },
      ratio: guard.p99 / bare.p99,
      note: `median of ${ROUNDS} rounds' p99 at ${CONNECTIONS} connections`,
    },
  ];
  writeResult({
    bench: 'upstream-guard',
    params: {
      rounds: ROUNDS,
      'seconds per scenario per round': DURATION / ROUNDS,
      connections: CONNECTIONS,
    },
    figures,
  });
}

const serveIndex = process.argv.indexOf('--serve');
if (serveIndex !== -1) await serve(process.argv[serveIndex + 1] as Mode);
else await main();
