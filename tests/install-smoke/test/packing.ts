/**
 * `pnpm pack` for the public packages, and what the tarballs hold.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

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
    const cwd = join(WORKSPACE, 'packages', directory);
    const { name, version } = JSON.parse(await readFile(join(cwd, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
    };
    await assertBuilt(cwd, name);
    // `pnpm pack` (not `npm pack`) is what `changeset publish` runs under pnpm: it replaces the
    // `workspace:` ranges with real versions.
    const { stdout } = await run('pnpm', ['pack', '--json', '--pack-destination', destination], {
      cwd,
    });
    const report = JSON.parse(stdout) as { filename: string; files: { path: string }[] };
    const tarball = report.filename;
    const files = report.files.map((file) => file.path).sort();
    // The manifest as it is in the tarball, not the workspace's: that is the one users get.
    const manifestText = (await run('tar', ['-xOzf', tarball, 'package/package.json'])).stdout;
    packed[name] = { name, workspaceVersion: version, tarball, manifestText, files };
  }
  return packed;
}

/** Every file path a manifest points users at (`main`, `module`, `types`, `bin`, `exports`). */
export function entryPoints(manifest: Manifest): string[] {
  const paths = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value === 'string') paths.add(value.replace(/^\.\//, ''));
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(add);
  };
  add(manifest.main);
  add(manifest.module);
  add(manifest.types);
  add(manifest.bin);
  add(manifest.exports);
  return [...paths].sort();
}
