/**
 * Import time of each public @tingting-auth package next to `express` itself, ESM and CJS: each
 * sample is a fresh `node -e` process that times `await import(name)` or `require(name)` with
 * `performance.now()` (Node's own start-up is the same for all and left out). Samples of every
 * package and format alternate, so background load hits them alike; each figure is the median.
 *
 * The packages come from their `pnpm pack` tarballs installed with their production
 * dependencies outside the workspace (bench/install.ts), express from the registry.
 *
 * Run: pnpm --filter bench bench:import    Options (env): SAMPLES=21, BENCH_INSTALL_DIR.
 */
import { execFileSync } from 'node:child_process';
import { type Installed, installAll } from './install.ts';
import { type Figure, median, writeResult } from './result.ts';

const SAMPLES = Number(process.env.SAMPLES ?? 21);
/** Goals on the ESM import time over express's (issue 16: light enough for a cold start). */
const IMPORT_GOALS: Record<string, number> = {
  '@tingting-auth/core': 0.25,
  '@tingting-auth/express': 0.5,
};
const FORMATS = ['ESM', 'CJS'] as const;
type Format = (typeof FORMATS)[number];

/** Milliseconds to import `name` in a fresh process started in `dir`. */
function sample(dir: string, name: string, format: Format): number {
  const target = JSON.stringify(name);
  const code =
    format === 'ESM'
      ? `const t = performance.now(); await import(${target}); process.stdout.write(String(performance.now() - t));`
      : `const t = performance.now(); require(${target}); process.stdout.write(String(performance.now() - t));`;
  const { NODE_OPTIONS: _, ...env } = process.env;
  const out = execFileSync(
    process.execPath,
    [...(format === 'ESM' ? ['--input-type=module'] : []), '-e', code],
    { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const ms = Number(out);
  if (!Number.isFinite(ms)) throw new Error(`${name} (${format}): no time printed: ${out}`);
  return ms;
}

const { packages, express, install, cleanup } = installAll();
/**
 * Subpath entries, timed from their package's install: `@tingting-auth/core/upstream` (password
 * sign-in) must cost nothing to an app that imports only `@tingting-auth/core`.
 */
const core = packages.find((pkg) => pkg.name === '@tingting-auth/core');
const subpaths: Installed[] =
  core === undefined ? [] : [{ ...core, name: '@tingting-auth/core/upstream' }];
try {
  const targets: Installed[] = [express, ...packages, ...subpaths];
  const times = new Map<string, number[]>();
  const key = (name: string, format: Format) => `${name} ${format}`;
  for (let s = 0; s < SAMPLES; s++) {
    for (const target of targets) {
      for (const format of FORMATS) {
        const list = times.get(key(target.name, format)) ?? [];
        list.push(sample(target.dir, target.name, format));
        times.set(key(target.name, format), list);
      }
    }
  }
  const ms = (name: string, format: Format) => median(times.get(key(name, format))!);
  console.log(`Import time, median of ${SAMPLES} fresh processes each, node ${process.version}\n`);
  console.log(
    `${'package'.padEnd(32)}${'ESM ms'.padEnd(10)}${'CJS ms'.padEnd(10)}ESM / express  CJS / express`,
  );
  for (const target of targets) {
    const esm = ms(target.name, 'ESM');
    const cjs = ms(target.name, 'CJS');
    console.log(
      `${target.name.padEnd(32)}${esm.toFixed(1).padEnd(10)}${cjs.toFixed(1).padEnd(10)}${(esm / ms('express', 'ESM')).toFixed(2).padEnd(15)}${(cjs / ms('express', 'CJS')).toFixed(2)}`,
    );
  }
  const figures: Figure[] = [];
  for (const pkg of [...packages, ...subpaths]) {
    for (const format of FORMATS) {
      figures.push({
        name: `import time, ${pkg.name} (${format === 'ESM' ? 'ESM import()' : 'CJS require()'})`,
        value: ms(pkg.name, format),
        unit: 'ms',
        digits: 1,
        baseline: {
          name: `express ${express.version}, ${format}, same run`,
          value: ms('express', format),
        },
        ...(format === 'ESM' && IMPORT_GOALS[pkg.name] !== undefined
          ? { goal: { on: 'ratio', op: '<=', target: IMPORT_GOALS[pkg.name]! } as const }
          : {}),
        note: `median of ${SAMPLES} fresh processes; with its production dependencies`,
      });
    }
  }
  writeResult({
    bench: 'import',
    params: { 'samples per package and format': SAMPLES, install },
    figures,
  });
} finally {
  cleanup();
}
