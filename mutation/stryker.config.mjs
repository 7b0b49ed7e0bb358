// @ts-check
import { reportDir, selectedModules } from './modules.mjs';

// `pnpm mutation --module <name>` (run.mjs) sets MUTATION_MODULES: mutate only those modules,
// with an incremental file and reports of their own, so one module's run neither redoes nor
// forgets another's.
// biome-ignore lint/suspicious/noUndeclaredEnvVars: read by Stryker's config, not by a turbo task
const names = process.env.MUTATION_MODULES;
const selected = selectedModules(names);
const dir = reportDir(names);

/**
 * Mutation testing of the security-critical modules (`modules.mjs`). Run with `pnpm mutation`
 * from the repository root (see `run.mjs`); the summary goes to `mutation/RESULTS.md`.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  mutate: [...Object.values(selected).flat(), '!**/*.test.ts'],
  testRunner: 'vitest',
  vitest: { configFile: 'mutation/vitest.config.mts', related: true },
  plugins: ['@stryker-mutator/vitest-runner'],
  // Each mutant runs only the tests that executed its code in the first, instrumented run.
  coverageAnalysis: 'perTest',
  // Two cores are shared by many jobs on the development machines: one test process at a time.
  concurrency: 1,
  // Load spikes on a shared machine must not turn slow runs into "timeout" kills.
  timeoutMS: 15_000,
  // Only mutants whose code or tests changed run again; `pnpm mutation --force` runs them all.
  incremental: true,
  incrementalFile: `${dir}/stryker-incremental.json`,
  reporters: ['progress', 'clear-text', 'json', 'html'],
  jsonReporter: { fileName: `${dir}/mutation.json` },
  htmlReporter: { fileName: `${dir}/mutation.html` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  // The sandbox is a copy of the repository: leave out what no mutated module's tests read.
  ignorePatterns: [
    'apps',
    'bench',
    'tests',
    'packages/express',
    'packages/next-auth',
    'packages/passport',
    '**/.next',
    '**/.turbo',
    'mutation/reports',
  ],
  tempDirName: 'mutation/.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 80, break: null },
};
