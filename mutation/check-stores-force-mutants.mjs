#!/usr/bin/env node
// Checks by hand the mutants of the stores module that the forced Stryker run of 2026-12-06
// (`pnpm mutation --module stores --force`) left alive and that no hand-written row of
// mutation/RESULTS.md covered, plus three mutants whose "equivalent" rows of 2026-12-04 this check
// showed to be wrong (memory-store.ts 308, 444 and 669 today). For each one: applies the mutant's edit to the source (found by its text), runs
// the test file, and expects it to fail ("killed") or to pass ("equivalent": kept here so the
// verdict can be re-checked), then restores the source.
// Usage: node mutation/check-stores-force-mutants.mjs   (needs a clean packages/core/src)
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const core = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'core');
const STORE = 'src/stores/memory-store.ts';
const CT = 'src/constant-time.ts';
const TEST = 'test/memory-store-keys-caps-and-memory.test.ts';

/** [where in the forced run, file, original text (unique in the file), mutant text, test file, expected] */
const MUTANTS = [
  [
    'memory-store.ts:307 (true)',
    STORE,
    'if (this.next >= this.table.capacity)',
    'if (true)',
    TEST,
    'killed',
  ],
  [
    'memory-store.ts:307 (<)',
    STORE,
    'if (this.next >= this.table.capacity)',
    'if (this.next < this.table.capacity)',
    TEST,
    'killed',
  ],
  [
    'memory-store.ts:308 (Math.max; listed as equivalent on 2026-12-04)',
    STORE,
    'Math.min(this.max, Math.max(INITIAL_CAPACITY, this.table.capacity * 2))',
    'Math.max(this.max, Math.max(INITIAL_CAPACITY, this.table.capacity * 2))',
    TEST,
    'killed',
  ],
  [
    'memory-store.ts:367',
    STORE,
    'Math.min(INITIAL_CAPACITY, maxEntries)',
    'Math.max(INITIAL_CAPACITY, maxEntries)',
    TEST,
    'killed',
  ],
  [
    'memory-store.ts:418 (true)',
    STORE,
    'if (t.windowCount[nSlot]! < max)',
    'if (true)',
    TEST,
    'killed',
  ],
  [
    'memory-store.ts:418 (<=)',
    STORE,
    'if (t.windowCount[nSlot]! < max)',
    'if (t.windowCount[nSlot]! <= max)',
    TEST,
    'equivalent',
  ],
  [
    'memory-store.ts:444 (true)',
    STORE,
    '      if (cSlot !== undefined) this.deleteChallenge(cSlot);\n      this.maybeSweep(now);',
    '      if (true) this.deleteChallenge(cSlot);\n      this.maybeSweep(now);',
    TEST,
    'killed',
  ],
  [
    'memory-store.ts:669 (true)',
    STORE,
    '        if (cSlot !== undefined) this.deleteChallenge(cSlot);\n      }',
    '        if (true) this.deleteChallenge(cSlot);\n      }',
    TEST,
    'killed',
  ],
  [
    'memory-store.ts:40 (no $)',
    STORE,
    '/^\\+[1-9][0-9]{1,14}$/',
    '/^\\+[1-9][0-9]{1,14}/',
    TEST,
    'killed',
  ],
  [
    'memory-store.ts:40 ([^1-9])',
    STORE,
    '/^\\+[1-9][0-9]{1,14}$/',
    '/^\\+[^1-9][0-9]{1,14}$/',
    TEST,
    'killed',
  ],
  [
    'memory-store.ts:40 (no {1,14})',
    STORE,
    '/^\\+[1-9][0-9]{1,14}$/',
    '/^\\+[1-9][0-9]$/',
    TEST,
    'equivalent',
  ],
  [
    'memory-store.ts:40 ([^0-9])',
    STORE,
    '/^\\+[1-9][0-9]{1,14}$/',
    '/^\\+[1-9][^0-9]{1,14}$/',
    TEST,
    'killed',
  ],
  [
    'constant-time.ts:8',
    CT,
    "const x = Buffer.from(a, 'utf8');",
    'const x = Buffer.from(a, "");',
    'test/constant-time-compare.test.ts',
    'equivalent',
  ],
  [
    'constant-time.ts:9',
    CT,
    "const y = Buffer.from(b, 'utf8');",
    'const y = Buffer.from(b, "");',
    'test/constant-time-compare.test.ts',
    'equivalent',
  ],
];

const git = (...args) => spawnSync('git', args, { cwd: core, encoding: 'utf8' });
if (git('diff', '--quiet', '--', 'src').status !== 0) {
  console.error('packages/core/src has local changes; commit or stash them first');
  process.exit(2);
}

/** Run one test file; the names of the failing tests, or [] when it passes. */
function run(testFile) {
  const out = spawnSync('pnpm', ['exec', 'vitest', 'run', testFile, '--reporter=verbose'], {
    cwd: core,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  const text = `${out.stdout}\n${out.stderr}`;
  const failed = [
    ...new Set(
      text
        .split('\n')
        .filter((l) => /^\s*×/.test(l))
        .map((l) => l.trim().replace(/\s+\d+ms$/, '')),
    ),
  ];
  return { status: out.status, failed };
}

let restore;
process.on('exit', () => restore?.());
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

const unmutated = [...new Set(MUTANTS.map((m) => m[4]))];
for (const file of unmutated) {
  const { status, failed } = run(file);
  if (status !== 0) {
    console.error(`${file} fails with the source unmutated:`, failed);
    process.exit(1);
  }
}
console.log(`unmutated: ${unmutated.length} test files pass`);

let wrong = 0;
for (const [where, file, from, to, testFile, expected] of MUTANTS) {
  const path = join(core, file);
  const original = readFileSync(path, 'utf8');
  const at = original.indexOf(from);
  if (at < 0 || original.indexOf(from, at + 1) >= 0) {
    console.error(`${where}: the original text is not found exactly once in ${file}`);
    process.exit(3);
  }
  let same = 0; // the line of the first character the edit changes
  while (same < from.length && from[same] === to[same]) same += 1;
  const line = original.slice(0, at + same).split('\n').length;
  restore = () => writeFileSync(path, original);
  writeFileSync(path, original.slice(0, at) + to + original.slice(at + from.length));
  const { status, failed } = run(testFile);
  restore();
  restore = undefined;
  const killed = status !== 0 && failed.length > 0;
  const as = killed ? 'killed' : 'equivalent';
  if (as !== expected) wrong += 1;
  console.log(
    `${killed ? 'KILLED  ' : 'SURVIVED'} ${where} (now ${file}:${line}) by ${testFile}${as === expected ? '' : `: expected ${expected}`}`,
  );
  for (const name of failed) console.log(`           ${name}`);
}

if (git('diff', '--quiet', '--', 'src').status !== 0) {
  console.error('packages/core/src differs after the run: restore it with git checkout');
  process.exit(4);
}
console.log(
  `${MUTANTS.length - wrong} of ${MUTANTS.length} as expected; packages/core/src unchanged`,
);
process.exit(wrong === 0 ? 0 : 1);
