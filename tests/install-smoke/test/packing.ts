/**
 * `pnpm pack` for the public packages, and what the tarballs hold.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { assertEntryPointsPacked, entryPoints } from '../../../scripts/pack-check.mjs';

export { entryPoints };

const run = promisify(execFile);

/** The monorepo root. */
export const WORKSPACE: string = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Every package users install, by directory under `packages/`. */
export const PUBLIC_PACKAGES = ['core', 'redis', 'testing', 'express', 'passport', 'next-auth'];

/** A packed package.json, as far as these tests read it. */
export interface Manifest {
  name: string;
  version: string;
  main?: string;
  module?: string;
  types?: string;
  bin?: Record<string, string>;
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** One packed package. */
export interface PackedPackage {
  /** `@tingting-auth/core` */
  name: string;
  /** The version in the workspace's package.json, which the tarball must carry too. */
  workspaceVersion: string;
  /** Absolute path of the `.tgz`. */
  tarball: string;
  /** The package.json inside the tarball, raw. */
  manifestText: string;
  /** Paths inside the tarball (`dist/index.js`), sorted. */
  files: string[];
}

/**
 * Packages with no `dist/`, or a `dist/` older than their `src/`, would pack something users never
 * get: fail with the command that fixes it instead.
 */
async function assertBuilt(directory: string, name: string): Promise<void> {
  const hint = `run \`pnpm turbo run build --filter=${name}\` first`;
  const built = await stat(join(directory, 'dist', 'index.js')).catch(() => undefined);
  if (built === undefined) throw new Error(`${name} has no dist/: ${hint}`);
  let newest = 0;
  for (const entry of await readdir(join(directory, 'src'), {
    withFileTypes: true,
    recursive: true,
  })) {
    if (!entry.isFile() || entry.name.endsWith('.test.ts')) continue;
    newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  if (newest > built.mtimeMs) throw new Error(`${name}'s dist/ is older than its src/: ${hint}`);
}

/** Pack every public package into `destination`, keyed by package name. */
export async function packAll(destination: string): Promise<Record<string, PackedPackage>> {
  const packed: Record<string, PackedPackage> = {};
  for (const directory of PUBLIC_PACKAGES) {
    const pack = await packPackage(join(WORKSPACE, 'packages', directory), destination);
    packed[pack.name] = pack;
  }
  return packed;
}

/**
 * Pack the package in `directory` into `destination`, as `pnpm publish` would, and refuse a
 * tarball that lacks a file its manifest points at (`scripts/pack-check.mjs`) before anything
 * installs it.
 */
export async function packPackage(directory: string, destination: string): Promise<PackedPackage> {
  const { name, version } = JSON.parse(await readFile(join(directory, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  await assertBuilt(directory, name);
  // `pnpm pack` (not `npm pack`) is what `changeset publish` runs under pnpm: it replaces the
  // `workspace:` ranges with real versions. Scripts off: `prepack` would rebuild, and tsup's
  // `clean` would empty a `dist/` other tests are reading; the package is built already.
  const { stdout } = await run(
    'pnpm',
    ['pack', '--json', '--config.ignore-scripts=true', '--pack-destination', destination],
    { cwd: directory },
  );
  const report = JSON.parse(stdout) as { filename: string; files: { path: string }[] };
  const tarball = report.filename;
  const files = report.files.map((file) => file.path).sort();
  // The manifest as it is in the tarball, not the workspace's: that is the one users get.
  const manifestText = (await run('tar', ['-xOzf', tarball, 'package/package.json'])).stdout;
  assertEntryPointsPacked(name, JSON.parse(manifestText) as Manifest, files);
  return { name, workspaceVersion: version, tarball, manifestText, files };
}
