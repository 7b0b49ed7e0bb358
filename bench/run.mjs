#!/usr/bin/env node
/**
 * `pnpm bench`: runs every benchmark in bench/ as a child process, one at a time (so they never
 * share the CPU), collects the JSON each one writes to BENCH_JSON, and writes bench/RESULTS.md:
 * one table with each figure next to its baseline from the same run, the ratio, the goal and
 * pass/miss; then the machine and how to reproduce.
 *
 *   pnpm bench                      every part (about 10 minutes on 2 cores)
 *   pnpm bench engine passport      some parts (also PARTS=engine,passport)
 *   QUICK=1 pnpm bench              short runs for development (not for comparison)
 *
 * Each part's own options (DURATION, ROUNDS, ...) pass through the environment; see the comment
 * at the top of each benchmark. RESULTS=path writes the table elsewhere. BENCH_NOTES=file.md adds
 * that file's text as a closing "Notes" section (the conditions of the run, the profile that
 * explains a missed goal).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH = dirname(fileURLToPath(import.meta.url));

/** Every part, in the order they run: [name, title, node arguments]. */
const PARTS = [
  ['engine', 'OTP engine (issue 3)', ['--expose-gc', '--import', 'tsx', 'engine.ts']],
  ['redis', 'RedisStore (issue 3)', ['--import', 'tsx', 'redis.ts']],
  ['sessions', 'upstream sessions (issue 12)', ['--import', 'tsx', 'sessions.ts']],
  ['express', '@tingting-auth/express (issue 4)', ['--import', 'tsx', 'express.ts']],
  ['passport', '@tingting-auth/passport (issue 5)', ['--import', 'tsx', 'passport.ts']],
  [
    'passport-password',
    '@tingting-auth/passport password sign-in (issue 13)',
    ['--import', 'tsx', 'passport-password.ts'],
  ],
  [
    'next-auth-sessions',
    '@tingting-auth/next-auth revocable sessions (issue 14)',
    ['--import', 'tsx', 'next-auth-sessions.ts'],
  ],
  [
    'upstream-guard',
    '@tingting-auth/express requireUpstreamSession (issue 13)',
    ['--import', 'tsx', 'upstream-guard.ts'],
  ],
  ['import', 'import time (issue 7)', ['--import', 'tsx', 'import-time.ts']],
  ['size', 'installed size (issue 7)', ['--import', 'tsx', 'size.ts']],
];

/** Short runs for development: only where the caller did not set the option. */
const QUICK_ENV = {
  VERIFIES: '20000',
  PENDING: '100000',
  ROUNDS: '3',
  OPS: '2000',
  DURATION: '3',
  SAMPLES: '5',
};

const requested = [
  ...process.argv.slice(2),
  ...(process.env.PARTS ? process.env.PARTS.split(',') : []),
].filter(Boolean);
for (const name of requested) {
  if (!PARTS.some(([part]) => part === name)) {
    console.error(`Unknown part "${name}"; parts: ${PARTS.map(([part]) => part).join(', ')}`);
    process.exit(2);
  }
}
const selected = PARTS.filter(([name]) => requested.length === 0 || requested.includes(name));
const quick = Boolean(process.env.QUICK);

const scratch = mkdtempSync(join(os.tmpdir(), 'tingting-bench-'));
const installDir = join(scratch, 'install');
const startedAt = new Date();
const loadBefore = os.loadavg();
const runs = [];
const started = process.hrtime.bigint();
try {
  for (const [name, title, args] of selected) {
    const json = join(scratch, `${name}.json`);
    const env = {
      ...(quick ? QUICK_ENV : {}),
      ...process.env,
      BENCH_JSON: json,
      BENCH_INSTALL_DIR: installDir,
    };
    console.log(`\n=== ${name}: ${title} ===\n`);
    const t0 = process.hrtime.bigint();
    const child = spawnSync(process.execPath, args, { cwd: BENCH, env, stdio: 'inherit' });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const result = existsSync(json) ? JSON.parse(readFileSync(json, 'utf8')) : undefined;
    const failed =
      child.status !== 0 || result === undefined
        ? `exit ${child.status ?? child.signal}${result === undefined ? ', no result' : ''}`
        : undefined;
    if (failed) console.error(`\n${name} failed (${failed})`);
    runs.push({ name, title, args, seconds, result, failed });
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;
const loadAfter = os.loadavg();

const out = process.env.RESULTS ? resolve(process.env.RESULTS) : join(BENCH, 'RESULTS.md');
writeFileSync(out, render());
console.log(`\nWrote ${relative(process.cwd(), out)} (${totalSeconds.toFixed(0)} s in all)`);
if (runs.some((run) => run.failed)) process.exitCode = 1;

function number(value, digits = 0) {
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

function verdict(figure, ratio) {
  const { goal } = figure;
  if (goal === undefined) return ['', ''];
  const subject = goal.on === 'ratio' ? ratio : figure.value;
  const target = number(goal.target, goal.on === 'ratio' ? 2 : 0);
  const text =
    goal.on === 'ratio'
      ? `ratio ${goal.op === '==' ? '=' : goal.op === '>=' ? '≥' : '≤'} ${target}`
      : `${goal.op === '==' ? '=' : goal.op === '>=' ? '≥' : '≤'} ${target} ${figure.unit}`;
  if (subject === undefined) return [text, 'no figure'];
  // Ratios are shown with two decimals: judge what is shown, so the table never contradicts itself.
  const shown = goal.on === 'ratio' ? Math.round(subject * 100) / 100 : subject;
  const pass =
    goal.op === '>='
      ? shown >= goal.target
      : goal.op === '<='
        ? shown <= goal.target
        : Math.abs(shown - goal.target) < 1e-9;
  return [text, pass ? 'pass' : '**MISS**'];
}

function cell(text) {
  return String(text).replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function render() {
  const lines = [];
  const cpus = os.cpus();
  const partial = selected.length !== PARTS.length;
  lines.push('# Benchmark results', '');
  lines.push(
    `Written by \`pnpm bench\` (bench/run.mjs) on ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC; do not edit by hand, run it again.` +
      (quick ? ' **QUICK=1 run: short, for development only, not for comparison.**' : '') +
      (partial ? ` Parts run: ${selected.map(([name]) => name).join(', ')}.` : ''),
  );
  lines.push('');
  lines.push(
    'Every baseline was measured in the same run as its figure, on the same machine. The HTTP and',
    'engine figures alternate with their baselines in short interleaved rounds, and their ratio is',
    'the median over rounds of the per-round ratio (robust to a burst of background load in one',
    'round), so it can differ a little from measured / baseline. Other ratios are measured / baseline.',
    '',
  );
  lines.push(
    '| part | figure | measured | baseline (same run) | baseline value | ratio | goal | result | notes |',
  );
  lines.push('| --- | --- | ---: | --- | ---: | ---: | --- | --- | --- |');
  for (const run of runs) {
    if (run.failed) {
      lines.push(
        `| ${run.name} | **did not finish** (${cell(run.failed)}) | | | | | | **MISS** | |`,
      );
      continue;
    }
    for (const figure of run.result.figures) {
      const digits = figure.digits ?? 0;
      const ratio =
        figure.ratio ??
        (figure.baseline && figure.baseline.value !== 0
          ? figure.value / figure.baseline.value
          : undefined);
      const [goal, result] = verdict(figure, ratio);
      lines.push(
        `| ${[
          run.name,
          cell(figure.name),
          `${number(figure.value, digits)} ${figure.unit}`,
          figure.baseline ? cell(figure.baseline.name) : '',
          figure.baseline ? `${number(figure.baseline.value, digits)} ${figure.unit}` : '',
          ratio === undefined ? '' : number(ratio, 2),
          goal,
          result,
          cell(figure.note ?? ''),
        ].join(' | ')} |`,
      );
    }
  }
  lines.push('');
  lines.push('## Runs', '');
  lines.push('| part | what | parameters | wall time |', '| --- | --- | --- | ---: |');
  for (const run of runs) {
    const params = run.result
      ? Object.entries(run.result.params)
          .map(
            ([key, value]) =>
              `${key}: ${typeof value === 'number' ? number(value, Number.isInteger(value) ? 0 : 2) : value}`,
          )
          .join('; ')
      : '';
    lines.push(`| ${run.name} | ${run.title} | ${cell(params)} | ${run.seconds.toFixed(0)} s |`);
  }
  lines.push(`| all | \`pnpm bench\` | | ${totalSeconds.toFixed(0)} s |`);
  lines.push('');
  lines.push('## Machine', '');
  lines.push(`- CPU: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown'}`);
  lines.push(`- Memory: ${number(os.totalmem() / 2 ** 30, 1)} GiB`);
  lines.push(`- Node ${process.version}, ${os.type()} ${os.release()} ${os.arch()}`);
  lines.push(`- Date: ${startedAt.toISOString()}`);
  lines.push(
    `- Load average (1, 5, 15 min) at start: ${loadBefore.map((x) => x.toFixed(2)).join(', ')}; at end: ${loadAfter.map((x) => x.toFixed(2)).join(', ')}` +
      ` (above ${cpus.length} the machine was shared with other work: absolute figures are noisy, the interleaved ratios much less so)`,
  );
  lines.push('');
  if (process.env.BENCH_NOTES) {
    lines.push('## Notes', '', readFileSync(process.env.BENCH_NOTES, 'utf8').trim(), '');
  }
  lines.push('## Reproduce', '');
  lines.push(
    'From the repository root, with the packages built (`pnpm build`) and Redis on 127.0.0.1:6379:',
    '',
  );
  lines.push('```sh');
  lines.push('pnpm bench                       # every part, writes bench/RESULTS.md');
  lines.push(
    'pnpm bench engine passport       # some parts (engine, redis, sessions, express, passport, passport-password, import, size)',
  );
  lines.push('QUICK=1 pnpm bench               # short runs while developing');
  for (const [name] of PARTS) {
    lines.push(
      `pnpm --filter bench bench:${name}${' '.repeat(Math.max(1, 9 - name.length))}# one part alone, its own table only`,
    );
  }
  lines.push('```', '');
  lines.push('Options (environment), passed through to every part:', '');
  lines.push(
    '- engine: `VERIFIES=200000` verifies per loop over all rounds, `ROUNDS=10`, `PENDING=1000000`.',
  );
  lines.push('- redis: `REDIS_URL=redis://127.0.0.1:6379`, `OPS=20000` per round, `ROUNDS=5`.');
  lines.push(
    '- sessions: `REDIS_URL`, `OPS=20000` per round, `ROUNDS=5`, `SAMPLES=200` failed sign-ins per branch; fake notes, Timbr and TingTing servers in process, 4 worker processes for the cross-process refresh.',
  );
  lines.push(
    '- express, passport: `DURATION=20` seconds per scenario over all rounds, `ROUNDS=10`, `CONNECTIONS=20`, `RIGHT_CHALLENGES` (default DURATION × 15,000), `PROF=1` for CPU profiles of the servers (in $TMPDIR/tingting-bench-profiles); express also `ONLY=wrong,right`.',
    '- passport-password: `DURATION=20`, `ROUNDS=10`, `CONNECTIONS=20` as above; the fake notes service runs in a process of its own.',
  );
  lines.push('- import: `SAMPLES=21` fresh processes per package and format.');
  lines.push(
    '- import, size: the packages are `pnpm pack`ed and installed with `npm install --omit=dev --no-package-lock --legacy-peer-deps` in a temporary directory (npm registry access for their dependencies).',
  );
  lines.push(
    `- \`QUICK=1\`: ${Object.entries(QUICK_ENV)
      .map(([key, value]) => `${key}=${value}`)
      .join(' ')} unless set.`,
  );
  lines.push('');
  return `${lines.join('\n')}\n`;
}
