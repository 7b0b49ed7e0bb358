import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs against each mutant: each package's own vitest config, less the test
 * files that cost much and check nothing the other tests do not (a mutant runs only the tests
 * that cover it, but these would cover almost every mutant).
 */
const SLOW = {
  core: [
    // 30 s of load against the MemoryStore: memory and time bounds, not answers.
    'test/soak.test.ts',
    // The TingTing client's own tests (it is not mutated); they import the whole package, so
    // they would run for every mutant of a module's top-level code. Kept: the engine end to end
    // over HTTP with the client as its sender.
    'test/client/!(sender.contract).test.ts',
    'src/client/**/*.test.ts',
  ],
  redis: [
    // Child processes that load dist/, not the mutated source.
    'test/concurrency-processes.test.ts',
    'test/sessions-single-flight-processes.test.ts',
    // Starts and stops a Redis Cluster around every run; the same contract runs on one node.
    'test/cluster.test.ts',
  ],
};

export default defineConfig({
  // The repository root (or Stryker's copy of it), whatever the working directory.
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    projects: Object.entries(SLOW).map(([name, slow]) => ({
      extends: `./packages/${name}/vitest.config.ts`,
      test: {
        name,
        root: `./packages/${name}`,
        exclude: [...configDefaults.exclude, ...slow],
      },
    })),
  },
});
