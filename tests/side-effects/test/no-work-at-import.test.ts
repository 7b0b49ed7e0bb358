/**
 * Every entry of every public package is side-effect free at import: importing it (ESM or CJS, in
 * a fresh process) defines things and does nothing else. No timers or other handles, no globals,
 * no process listeners, no output or warnings; and none loads what is deferred to first use (the
 * cookie jar of email + password login, the Express router's own body parser) or bundled (the
 * phone metadata and parser, valibot).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const PACKAGES = ['core', 'express', 'next-auth', 'passport', 'redis', 'testing'];

/** Every import specifier a package exports (`@tingting-auth/next-auth/v5`, ...). */
const ENTRIES = PACKAGES.flatMap((name) => {
  const manifest = require(`@tingting-auth/${name}/package.json`) as {
    exports: Record<string, unknown>;
  };
  return Object.keys(manifest.exports)
    .filter((key) => key !== './package.json')
    .map((key) => `@tingting-auth/${name}${key.slice(1)}`);
});

/** Packages that importing an entry must not load: they are loaded on first use, or bundled. */
const NOT_AT_IMPORT: Record<string, string[]> = {
  '@tingting-auth/express': ['body-parser'],
};
const NOT_AT_CORE_IMPORT = [
  'fetch-cookie',
  'tough-cookie',
  'tldts',
  'tldts-core',
  'libphonenumber-js',
  'valibot',
];

interface Traces {
  error?: string;
  globals: string[];
  resources: string[];
  listeners: string[];
  output: string;
  warnings: string[];
  packages: string[];
}

const scratch = mkdtempSync(join(tmpdir(), 'side-effects-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let runs = 0;
function probe(specifier: string, format: 'esm' | 'cjs'): Traces {
  runs += 1;
  const out = join(scratch, `${runs}.json`);
  const loads = join(scratch, `${runs}.loads`);
  const { NODE_OPTIONS: _, ...env } = process.env;
  execFileSync(
    process.execPath,
    ['--import', './test/record-loads.mjs', 'test/probe.mjs', specifier, format, out],
    { cwd: join(import.meta.dirname, '..'), env: { ...env, LOADS_FILE: loads }, stdio: 'inherit' },
  );
  return JSON.parse(readFileSync(out, 'utf8')) as Traces;
}

describe.each(ENTRIES)('import %s', (specifier) => {
  it.each(['esm', 'cjs'] as const)('%s: defines, does no work', (format) => {
    const traces = probe(specifier, format);
    expect(traces.error).toBeUndefined();
    expect(traces).toMatchObject({
      globals: [],
      resources: [],
      listeners: [],
      output: '',
      warnings: [],
    });
    // Every entry imports core (or nothing): none may load what core defers.
    const deferred = [...NOT_AT_CORE_IMPORT, ...(NOT_AT_IMPORT[specifier] ?? [])];
    expect(traces.packages.filter((name) => deferred.includes(name))).toEqual([]);
  });
});

it('covers every public entry', () => {
  expect(ENTRIES).toEqual(
    expect.arrayContaining([
      '@tingting-auth/core',
      '@tingting-auth/core/public-errors',
      '@tingting-auth/next-auth/client',
      '@tingting-auth/next-auth/v5',
      '@tingting-auth/express',
    ]),
  );
});
