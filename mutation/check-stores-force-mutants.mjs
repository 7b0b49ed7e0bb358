#!/usr/bin/env node
// Checks by hand the mutants of the stores module that the forced Stryker run of 2026-12-06
// (`pnpm mutation --module stores --force`) left alive and that no hand-written row of
// mutation/RESULTS.md covered, plus three mutants whose "equivalent" rows of 2026-12-04 this check
// showed to be wrong (memory-store.ts 308, 444 and 669 today). For each one: applies the mutant's edit to the source (found by its text), runs
// the test file, and expects it to fail ("killed") or to pass ("equivalent": kept here so the
// verdict can be re-checked), then restores the source.
// Usage: node mutation/check-stores-force-mutants.mjs   (needs a clean packages/core/src)
import { checkByHand } from './check-by-hand.mjs';

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

checkByHand(MUTANTS);
