/**
 * The load harness shared by the HTTP benchmarks (express.ts, passport.ts): each server runs in
 * its own child process (so the load generator does not share its CPU time), autocannon drives
 * them one at a time in short interleaved rounds (so background load on a shared machine hits
 * every scenario alike), and each ratio is the median over rounds of the scenario's requests/s
 * over its baseline's requests/s in the same round.
 *
 * A benchmark script serves when started as `<script> --serve <mode>`: it builds the app for
 * `mode`, listens on 127.0.0.1 port 0 and sends {@link Ready} over IPC. Under PROF=1 the servers
 * write CPU profiles to $TMPDIR/tingting-bench-profiles.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { median } from './result.ts';

/** What a server sends its parent once it listens: its port and the request bodies to send it. */
export interface Ready {
  port: number;
  bodies: string[];
  /** The path to POST to, when it is not the benchmark's (a peer library's own route). */
  path?: string;
  /** Headers to send with every request (a session cookie). */
  headers?: Record<string, string>;
}

/** One server to load. */
export interface Scenario {
  /** Passed to the script as `--serve <mode>`. */
  mode: string;
  name: string;
  /** Send each body once (right codes on fresh challenges); otherwise cycle through them. */
  once?: boolean;
  /** The mode whose requests/s this scenario's ratio is taken against. */
  baseline?: string;
}

/** What was measured for one scenario over every round. */
export interface Measured extends Scenario {
  /** Requests over seconds, all rounds together. */
  rps: number;
  /** Requests/s of each round. */
  roundRps: number[];
  /** Median over rounds of autocannon's p99 latency, in milliseconds. */
  p99: number;
  /** Median over rounds of requests/s over the baseline's requests/s in the same round. */
  ratio?: number;
  /** Responses by HTTP status, e.g. `200×51234`. */
  statuses: string;
  /** True when a `once` scenario ran out of bodies (raise the count). */
  exhausted: boolean;
}

export interface LoadOptions {
  /** The benchmark script (`fileURLToPath(import.meta.url)`), started with `--serve <mode>`. */
  script: string;
  path: string;
  /** Seconds per scenario, over all rounds. */
  duration: number;
  rounds: number;
  connections: number;
  /** @default 'POST' */
  method?: 'GET' | 'POST';
}

/** Sends {@link Ready} to the parent once `server` listens; exits when the parent goes away. */
export function announce(
  server: Server,
  bodies: string[],
  path?: string,
  headers?: (port: number) => Promise<Record<string, string>>,
): void {
  server.once('listening', async () => {
    const port = (server.address() as AddressInfo).port;
    const extra = headers === undefined ? {} : { headers: await headers(port) };
    process.send?.({
      port,
      bodies,
      ...(path === undefined ? {} : { path }),
      ...extra,
    } satisfies Ready);
    // `send` has serialized them: drop them, or the server's heap (and GC) carries every body.
    bodies.length = 0;
  });
  // The parent closes the IPC channel when done: exit then (writing the CPU profile under PROF=1).
  process.on('disconnect', () => process.exit(0));
}

function start(script: string, mode: string): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${tmpdir()}/tingting-bench-profiles`]
        : []),
      '--import',
      'tsx',
      script,
      '--serve',
      mode,
    ],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  return new Promise((resolve, reject) => {
    child.once('message', (ready) => resolve({ child, ready: ready as Ready }));
    child.once('exit', (code) => reject(new Error(`${mode} server exited (${code})`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  child.disconnect();
  await new Promise((resolve) => {
    const timer = setTimeout(() => child.kill(), 5_000);
    child.once('exit', () => resolve(clearTimeout(timer)));
  });
}

interface Running {
  scenario: Scenario;
  child: ChildProcess;
  port: number;
  bodies: string[];
  path: string | undefined;
  headers: Record<string, string>;
  next: number;
  requests: number;
  seconds: number;
  roundRps: number[];
  p99s: number[];
  statuses: Map<string, number>;
}

async function round(run: Running, o: LoadOptions, seconds: number): Promise<void> {
  const { bodies, scenario } = run;
  // Imported here, not at the top: the servers (which import this file too) never load it.
  const { default: autocannon } = await import('autocannon');
  const result = await autocannon({
    url: `http://127.0.0.1:${run.port}`,
    connections: o.connections,
    duration: seconds,
    requests: [
      {
        method: o.method ?? 'POST',
        path: run.path ?? o.path,
        headers: {
          ...(o.method === 'GET' ? {} : { 'content-type': 'application/json' }),
          accept: 'application/json',
          ...run.headers,
        },
        setupRequest: (request) => {
          if (o.method === 'GET') return request;
          const i = run.next++;
          const body = scenario.once ? bodies[i] : bodies[i % bodies.length];
          // Past the last fresh body: an unknown number, answered 401 and reported as exhausted.
          return { ...request, body: body ?? '{"phone":"9800000000","code":"000000"}' };
        },
      },
    ],
  });
  run.requests += result.requests.total;
  run.seconds += result.duration;
  run.roundRps.push(result.requests.total / result.duration);
  run.p99s.push(result.latency.p99);
  const stats = (result as unknown as { statusCodeStats?: Record<string, { count: number }> })
    .statusCodeStats;
  for (const [code, { count }] of Object.entries(stats ?? {})) {
    run.statuses.set(code, (run.statuses.get(code) ?? 0) + count);
  }
}

/** Starts every scenario's server, loads them in interleaved rounds, stops them, returns the figures. */
export async function load(scenarios: Scenario[], o: LoadOptions): Promise<Measured[]> {
  const running: Running[] = [];
  try {
    for (const scenario of scenarios) {
      const { child, ready } = await start(o.script, scenario.mode);
      running.push({
        scenario,
        child,
        port: ready.port,
        bodies: ready.bodies,
        path: ready.path,
        headers: ready.headers ?? {},
        next: 0,
        requests: 0,
        seconds: 0,
        roundRps: [],
        p99s: [],
        statuses: new Map(),
      });
    }
    for (let r = 0; r < o.rounds; r++) {
      for (const run of running) await round(run, o, o.duration / o.rounds);
    }
  } finally {
    await Promise.all(running.map((run) => stop(run.child)));
  }
  const byMode = new Map(running.map((run) => [run.scenario.mode, run]));
  return running.map((run): Measured => {
    const base =
      run.scenario.baseline === undefined ? undefined : byMode.get(run.scenario.baseline);
    return {
      ...run.scenario,
      rps: run.requests / run.seconds,
      roundRps: run.roundRps,
      p99: median(run.p99s),
      ...(base === undefined
        ? {}
        : { ratio: median(run.roundRps.map((rps, i) => rps / base.roundRps[i]!)) }),
      statuses: [...run.statuses].map(([code, count]) => `${code}×${count}`).join(' '),
      exhausted: run.scenario.once === true && run.next > run.bodies.length,
    };
  });
}

/** Prints the measured scenarios as a plain table. */
export function print(rows: Measured[]): void {
  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(
    `${pad('scenario', 40)}${pad('req/s', 10)}${pad('p99 ms', 9)}${pad('ratio', 8)}statuses`,
  );
  for (const row of rows) {
    const ratio = row.ratio === undefined ? '' : row.ratio.toFixed(2);
    console.log(
      `${pad(row.name, 40)}${pad(row.rps.toFixed(0), 10)}${pad(String(row.p99), 9)}${pad(ratio, 8)}${row.statuses}`,
    );
  }
  console.log(
    '\np99: median of the rounds. ratio: median over rounds of req/s over its baseline in the same round.',
  );
  for (const row of rows) {
    if (row.exhausted) {
      console.log(`Note: "${row.name}" used up its fresh challenges; raise RIGHT_CHALLENGES.`);
    }
  }
}
