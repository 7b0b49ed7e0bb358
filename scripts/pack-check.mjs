#!/usr/bin/env node
/**
 * Refuses a tarball that would not work: every file a package's manifest points users at (`main`,
 * `module`, `types`, `bin`, every `exports` target) must be in what `pnpm pack` puts in it. A
 * package whose `dist/` is missing (never built, or emptied by tsup's `clean` mid-rebuild) would
 * otherwise pack into a tarball with only `package.json` and the README, and nothing would warn.
 *
 * As a command, in a package's directory (its `check-package` script):
 *   node ../../scripts/pack-check.mjs
 * lists what `pnpm pack --dry-run` would pack (scripts off: this checks, it never builds) and
 * exits 1 naming every missing target. The install smoke test imports the functions to check the
 * tarballs it packs before installing them.
 */

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Every file path a manifest points users at (`main`, `module`, `types`, `bin`, `exports`), without
 * a leading `./`, sorted. `exports` patterns with `*` are left out (they name no single file).
 * @param {{ main?: unknown; module?: unknown; types?: unknown; typings?: unknown; bin?: unknown; exports?: unknown }} manifest
 * @returns {string[]}
 */
export function entryPoints(manifest) {
  const paths = new Set();
  /** @param {unknown} value */
  const add = (value) => {
    if (typeof value === 'string') {
      if (!value.includes('*')) paths.add(value.replace(/^\.\//, ''));
    } else if (value !== null && typeof value === 'object') {
      for (const inner of Object.values(value)) add(inner);
    }
  };
  add(manifest.main);
  add(manifest.module);
  add(manifest.types);
  add(manifest.typings);
  add(manifest.bin);
  add(manifest.exports);
  return [...paths].sort();
}

/**
 * The entry points of `manifest` that are not among `files` (paths inside the tarball).
 * @param {Parameters<typeof entryPoints>[0]} manifest
 * @param {readonly string[]} files
 * @returns {string[]}
 */
export function missingEntryPoints(manifest, files) {
  const packed = new Set(files.map((file) => file.replace(/^package\//, '')));
  return entryPoints(manifest).filter((entry) => !packed.has(entry));
}

/**
 * Throw when the tarball of `name` (its `manifest`, its `files`) lacks an entry point.
 * @param {string} name
 * @param {Parameters<typeof entryPoints>[0]} manifest
 * @param {readonly string[]} files
 */
export function assertEntryPointsPacked(name, manifest, files) {
  const entries = entryPoints(manifest);
  if (entries.length === 0) {
    throw new Error(`${name}: the manifest points at no file (no main, exports, types or bin)`);
  }
  const missing = missingEntryPoints(manifest, files);
  if (missing.length > 0) {
    throw new Error(
      `${name}: the tarball lacks ${missing.length} of the ${entries.length} files its manifest points at: ` +
        `${missing.join(', ')}. Build the package first (its \`prepack\` script does, unless scripts are off).`,
    );
  }
}

/**
 * What `pnpm pack` would put in the tarball of the package in `directory`, without writing it and
 * without running its scripts.
 * @param {string} directory
 * @returns {Promise<string[]>}
 */
export async function packedFiles(directory) {
  const { stdout } = await run(
    'pnpm',
    ['pack', '--dry-run', '--json', '--config.ignore-scripts=true'],
    { cwd: directory },
  );
  /** @type {{ files: { path: string }[] }} */
  const report = JSON.parse(stdout);
  return report.files.map((file) => file.path);
}

async function main() {
  const directory = process.cwd();
  const manifest = JSON.parse(await readFile(join(directory, 'package.json'), 'utf8'));
  const files = await packedFiles(directory);
  try {
    assertEntryPointsPacked(manifest.name ?? directory, manifest, files);
  } catch (error) {
    console.error(`pack-check: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
  console.log(
    `pack-check: ${manifest.name}: all ${entryPoints(manifest).length} entry points are in the tarball`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
