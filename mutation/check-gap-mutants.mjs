#!/usr/bin/env node
// Kills by hand the mutants that mutation/RESULTS.md once listed as "Not killed (test gap)" for
// the engine and the stores: for each one, applies the mutant's edit to the source, runs the test
// file written for it, expects it to fail, and restores the source. The "where" of each row is the
// line in Stryker's run of 2026-12-04 (as RESULTS.md lists it); the edit is found by its text.
// Usage: node mutation/check-gap-mutants.mjs   (needs a clean packages/core/src)
import { checkByHand } from './check-by-hand.mjs';

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

checkByHand(MUTANTS);
