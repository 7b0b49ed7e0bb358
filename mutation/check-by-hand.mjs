// The runner both hand-check scripts share (check-gap-mutants.mjs, check-stores-force-mutants.mjs):
// for each mutant, applies its edit to packages/core's source (found by its text, so a moved line
// still matches), runs the one test file, sees it fail ("killed") or pass ("equivalent"), and
// restores the source, also when interrupted.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const core = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'core');
const git = (...args) => spawnSync('git', args, { cwd: core, encoding: 'utf8' });

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

/**
 * Checks each mutant `[where, file, original text (unique in the file), mutant text, test file,
 * expected ('killed', the default, or 'equivalent')]` and exits: 0 when every one came out as
 * expected, 1 when not, 2 to 4 when the check itself could not run (local changes, a test file
 * failing unmutated, an original text not found once, the source not restored).
 */
export function checkByHand(mutants) {
  if (git('diff', '--quiet', '--', 'src').status !== 0) {
    console.error('packages/core/src has local changes; commit or stash them first');
    process.exit(2);
  }
  let restore;
  process.on('exit', () => restore?.());
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

  const unmutated = [...new Set(mutants.map((m) => m[4]))];
  for (const file of unmutated) {
    const { status, failed } = run(file);
    if (status !== 0) {
      console.error(`${file} fails with the source unmutated:`, failed);
      process.exit(2);
    }
  }
  console.log(`unmutated: ${unmutated.length} test files pass`);

  let wrong = 0;
  for (const [where, file, from, to, testFile, expected = 'killed'] of mutants) {
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
    `${mutants.length - wrong} of ${mutants.length} as expected; packages/core/src unchanged`,
  );
  process.exit(wrong === 0 ? 0 : 1);
}
