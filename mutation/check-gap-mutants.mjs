#!/usr/bin/env node
// Kills by hand the mutants that mutation/RESULTS.md once listed as "Not killed (test gap)" for
// the engine and the stores: for each one, applies the mutant's edit to the source, runs the test
// file written for it, expects it to fail, and restores the source. The "where" of each row is the
// line in Stryker's run of 2026-12-04 (as RESULTS.md lists it); the edit is found by its text.
// Usage: node mutation/check-gap-mutants.mjs   (needs a clean packages/core/src)
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const core = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'core');
const CODE = 'src/engine/code.ts';
const IP = 'src/engine/ip.ts';
const ENGINE = 'src/engine/otp-engine.ts';
const STORE = 'src/stores/memory-store.ts';
const CHECK = "(typeof result !== 'object' || result === null)";

/** [where in Stryker's run, file, original text (unique in the file), mutant text, test file] */
const MUTANTS = [
  [
    'code.ts:33',
    CODE,
    `"\`crypto.randomBytes(32).toString('base64url')\` kept in your secret store (OTP_SECRET)"`,
    '""',
    'test/secret-error-advice.test.ts',
  ],
  [
    'code.ts:39',
    CODE,
    `"generate one with \`crypto.randomBytes(32).toString('base64url')\`"`,
    '""',
    'test/secret-error-advice.test.ts',
  ],
  [
    'ip.ts:17 (no ^)',
    IP,
    '/^(?:0{0,4}:){0,5}',
    '/(?:0{0,4}:){0,5}',
    'test/ip-key-embedded-ipv4-and-long-tails.test.ts',
  ],
  [
    'ip.ts:28 (8 + head)',
    IP,
    '8 - head.length - tail.length',
    '8 + head.length - tail.length',
    'test/ip-key-embedded-ipv4-and-long-tails.test.ts',
  ],
  [
    'ip.ts:28 (+ tail)',
    IP,
    '8 - head.length - tail.length',
    '8 - head.length + tail.length',
    'test/ip-key-embedded-ipv4-and-long-tails.test.ts',
  ],
  [
    'otp-engine.ts:288',
    ENGINE,
    '        ...(phone === undefined ? {} : { phone }),\n        purpose: typeof',
    '        ...(false ? {} : { phone }),\n        purpose: typeof',
    'test/event-keys-exact.test.ts',
  ],
  [
    'otp-engine.ts:468',
    ENGINE,
    '      ...(phone === undefined ? {} : { phone }),\n      purpose,\n      detail,',
    '      ...(false ? {} : { phone }),\n      purpose,\n      detail,',
    'test/event-keys-exact.test.ts',
  ],
  [
    'otp-engine.ts:471',
    ENGINE,
    '...(ip === undefined ? {} : { ip }),',
    '...(false ? {} : { ip }),',
    'test/event-keys-exact.test.ts',
  ],
  [
    'otp-engine.ts:486 (code -> true)',
    ENGINE,
    'error instanceof TingTingAuthError && error.code === ErrorCode.STORE_UNAVAILABLE',
    'error instanceof TingTingAuthError && true',
    'test/store-errors-and-answers.test.ts',
  ],
  [
    'otp-engine.ts:486 (&& -> ||)',
    ENGINE,
    'error instanceof TingTingAuthError && error.code === ErrorCode.STORE_UNAVAILABLE',
    'error instanceof TingTingAuthError || error.code === ErrorCode.STORE_UNAVAILABLE',
    'test/store-errors-and-answers.test.ts',
  ],
  [
    'otp-engine.ts:491 (block)',
    ENGINE,
    `if (result !== undefined && ${CHECK}) {\n      throw new StoreUnavailableError('The OTP store answered something that is not an outcome');\n    }`,
    `if (result !== undefined && ${CHECK}) {}`,
    'test/store-errors-and-answers.test.ts',
  ],
  [
    'otp-engine.ts:491 (all -> false)',
    ENGINE,
    `if (result !== undefined && ${CHECK}) {`,
    'if (false) {',
    'test/store-errors-and-answers.test.ts',
  ],
  [
    'otp-engine.ts:491 (null -> false)',
    ENGINE,
    `result !== undefined && ${CHECK}`,
    "result !== undefined && (typeof result !== 'object' || false)",
    'test/store-errors-and-answers.test.ts',
  ],
  [
    'otp-engine.ts:491 (typeof -> false)',
    ENGINE,
    `result !== undefined && ${CHECK}`,
    'result !== undefined && (false || result === null)',
    'test/store-errors-and-answers.test.ts',
  ],
  [
    'otp-engine.ts:491 (|| -> &&)',
    ENGINE,
    `result !== undefined && ${CHECK}`,
    "result !== undefined && (typeof result !== 'object' && result === null)",
    'test/store-errors-and-answers.test.ts',
  ],
  [
    'memory-store.ts:85',
    STORE,
    '  resize(capacity: number): void {\n    this.older = grow(this.older, capacity);\n    this.newer = grow(this.newer, capacity);\n  }',
    '  resize(capacity: number): void {}',
    'test/memory-store-order-edges.test.ts',
  ],
  [
    'memory-store.ts:101',
    STORE,
    'if (older === -1) this.first = newer;',
    'if (true) this.first = newer;',
    'test/memory-store-order-edges.test.ts',
  ],
  [
    'memory-store.ts:492',
    STORE,
    'if (cSlot === undefined) {\n      cSlot = this.newChallenge(now);',
    'if (true) {\n      cSlot = this.newChallenge(now);',
    'test/memory-store-order-edges.test.ts',
  ],
  [
    'memory-store.ts:625',
    STORE,
    '    slot = this.challengeSlots.take();\n    if (slot >= 0) return slot;',
    '    slot = this.challengeSlots.take();\n    if (slot > 0) return slot;',
    'test/memory-store-order-edges.test.ts',
  ],
  [
    'memory-store.ts:645 (id / STRIDE)',
    STORE,
    'this.challenges.get(id * SLOT_STRIDE + nSlot)',
    'this.challenges.get(id / SLOT_STRIDE + nSlot)',
    'test/memory-store-order-edges.test.ts',
  ],
  [
    'memory-store.ts:645 (- nSlot)',
    STORE,
    'this.challenges.get(id * SLOT_STRIDE + nSlot)',
    'this.challenges.get(id * SLOT_STRIDE - nSlot)',
    'test/memory-store-order-edges.test.ts',
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

let survivors = 0;
for (const [where, file, from, to, testFile] of MUTANTS) {
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
  if (!killed) survivors += 1;
  console.log(`${killed ? 'KILLED  ' : 'SURVIVED'} ${where} (now ${file}:${line}) by ${testFile}`);
  for (const name of failed) console.log(`           ${name}`);
}

if (git('diff', '--quiet', '--', 'src').status !== 0) {
  console.error('packages/core/src differs after the run: restore it with git checkout');
  process.exit(4);
}
console.log(
  `${MUTANTS.length - survivors} of ${MUTANTS.length} killed; packages/core/src unchanged`,
);
process.exit(survivors === 0 ? 0 : 1);
