/**
 * Temporary user projects: a package.json that depends on tarballs and registry packages, a
 * `pnpm install` outside the workspace, and the proof that every `@tingting-auth/*` package in
 * it came from this run's tarballs.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { expect, inject } from 'vitest';
import { type Manifest, type PackedPackage, WORKSPACE } from './packing.js';

const run = promisify(execFile);

/** Where the fixtures (the tiny apps copied into each project) live. */
export const FIXTURES: string = join(WORKSPACE, 'tests', 'install-smoke', 'fixtures');

/** Everything global-setup packed, and the temporary directory holding it. */
export function packed(): { root: string; packed: Record<string, PackedPackage> } {
  return inject('installSmoke');
}

/** What a project depends on. */
export interface ProjectOptions {
  /** `@tingting-auth/*` packages, installed from this run's tarballs. */
  tingting: string[];
  /** Registry packages and exact versions, e.g. `{ express: '5.3.0' }`. */
  registry: Record<string, string>;
  /** A fixture directory copied into the project first. */
  fixture?: string;
}

/**
 * Create `<root>/<name>`, write its package.json and install it with pnpm, outside the workspace.
 * Returns the project's real path.
 */
export async function installProject(name: string, options: ProjectOptions): Promise<string> {
  const { root, packed: tarballs } = packed();
  const directory = join(root, name);
  await mkdir(directory, { recursive: true });
  if (options.fixture !== undefined) {
    await cp(join(FIXTURES, options.fixture), directory, { recursive: true });
  }
  const fromTarball = (packageName: string): string => {
    const tarball = tarballs[packageName]?.tarball;
    if (tarball === undefined) throw new Error(`${packageName} was not packed`);
    return `file:${tarball}`;
  };
  // The overrides pin every @tingting-auth package, the ones our packages depend on too (express
  // depends on core `^0.0.0`), to the tarball: without them a transitive dependency would be
  // looked up on the registry.
  const overrides = Object.fromEntries(Object.keys(tarballs).map((n) => [n, fromTarball(n)]));
  const manifest = {
    name: `install-smoke-${name}`,
    version: '1.0.0',
    private: true,
    dependencies: {
      ...Object.fromEntries(options.tingting.map((n) => [n, fromTarball(n)])),
      ...options.registry,
    },
    pnpm: { overrides },
  };
  await writeFile(join(directory, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  try {
    // --ignore-workspace: never link the workspace's packages even if the temporary directory
    // ends up inside it. --no-frozen-lockfile: CI=true makes pnpm demand a lockfile we never have.
    // --prefer-offline: the shared pnpm store and its metadata cache make this a second or two.
    await run(
      'pnpm',
      ['install', '--ignore-workspace', '--no-frozen-lockfile', '--prefer-offline'],
      { cwd: directory, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`pnpm install failed in ${directory}:\n${stdout}\n${stderr}`);
  }
  return realpath(directory);
}

/** `sha512-…` of a file, as lockfiles write integrity. */
async function integrity(file: string): Promise<string> {
  return `sha512-${createHash('sha512')
    .update(await readFile(file))
    .digest('base64')}`;
}

/** One `@tingting-auth/*` package as the project got it. */
export interface InstalledPackage {
  name: string;
  /** The spec pnpm resolved (`file:../tarballs/…`, or a registry version if something is wrong). */
  specifier: string;
  /** The integrity pnpm recorded. */
  integrity: string;
  /** The integrity of this run's tarball. */
  tarballIntegrity: string | undefined;
  /** The directory it is installed in, relative to the project. */
  directory: string;
  /** The installed package.json. */
  manifest: Manifest;
}

/**
 * Every `@tingting-auth/*` package in the project's lockfile and `node_modules/.pnpm`, with what
 * is needed to check it is one of this run's tarballs.
 */
export async function installedPackages(project: string): Promise<InstalledPackage[]> {
  const { packed: tarballs } = packed();
  const lockfile = await readFile(join(project, 'pnpm-lock.yaml'), 'utf8');
  const packagesSection = lockfile.split('\npackages:\n')[1]?.split('\nsnapshots:\n')[0] ?? '';
  const resolutions = new Map<string, { specifier: string; integrity: string }>();
  for (const match of packagesSection.matchAll(
    /^ {2}'?(@tingting-auth\/[^@\s]+)@([^\n]+?)'?:\n {4}resolution: \{integrity: ([^,}\s]+)/gm,
  )) {
    resolutions.set(match[1] as string, {
      specifier: match[2] as string,
      integrity: match[3] as string,
    });
  }
  const store = join(project, 'node_modules', '.pnpm');
  const found: InstalledPackage[] = [];
  for (const entry of await readdir(store)) {
    if (!entry.startsWith('@tingting-auth+')) continue;
    for (const name of await readdir(join(store, entry, 'node_modules', '@tingting-auth'))) {
      const fullName = `@tingting-auth/${name}`;
      if (!entry.startsWith(`@tingting-auth+${name}@`)) continue;
      const directory = join(store, entry, 'node_modules', fullName);
      const manifest = JSON.parse(
        await readFile(join(directory, 'package.json'), 'utf8'),
      ) as Manifest;
      const tarball = tarballs[fullName]?.tarball;
      found.push({
        name: fullName,
        specifier: resolutions.get(fullName)?.specifier ?? '(not in the lockfile)',
        integrity: resolutions.get(fullName)?.integrity ?? '',
        tarballIntegrity: tarball === undefined ? undefined : await integrity(tarball),
        directory: relative(project, await realpath(directory)),
        manifest,
      });
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Assert that an installed package is this run's tarball (same bytes), installed inside the
 * project, at the workspace's version: not a registry copy, not a link into the workspace.
 */
export function expectFromTarball(installed: InstalledPackage): void {
  const { name } = installed;
  expect(installed.specifier, name).toMatch(/^file:.*\.tgz$/);
  expect(installed.tarballIntegrity, name).toBeDefined();
  expect(installed.integrity, name).toBe(installed.tarballIntegrity);
  expect(installed.directory, name).toMatch(/^node_modules\/\.pnpm\/@tingting-auth\+[^/]+@file\+/);
  expect(installed.manifest.version, name).toBe(packed().packed[name]?.workspaceVersion);
}
