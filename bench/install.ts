/**
 * Installs each public @tingting-auth package the way a user gets it, for the size and
 * import-time benchmarks: `pnpm pack` of every public package, then, per package, a fresh
 * directory outside the workspace where `npm install --omit=dev --no-package-lock` installs its
 * tarball with the tarballs of the other @tingting-auth packages it depends on. Peer dependencies
 * (express, passport, next-auth) are left out (`--legacy-peer-deps`): the app has them already.
 * `express` itself is installed from the registry the same way, at the version bench uses.
 *
 * BENCH_INSTALL_DIR reuses one install across benchmarks (bench/run.mjs sets it); without it the
 * install goes to a temporary directory removed when the benchmark ends.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGES = fileURLToPath(new URL('../packages/', import.meta.url));

/** One installed package: where it was installed, how to import it. */
export interface Installed {
  name: string;
  version: string;
  /** The directory holding `package.json` and `node_modules`. */
  dir: string;
  /** The packed tarball's size in bytes (undefined for express, which comes from the registry). */
  tarballBytes?: number;
}

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
}

const readManifest = (file: string): Manifest => JSON.parse(readFileSync(file, 'utf8')) as Manifest;

/** The public workspace packages, by name, with their directories. */
export function publicPackages(): { name: string; dir: string; manifest: Manifest }[] {
  return readdirSync(PACKAGES)
    .map((entry) => join(PACKAGES, entry))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: readManifest(join(dir, 'package.json')) }))
    .filter(({ manifest }) => manifest.private !== true)
    .map(({ dir, manifest }) => ({ name: manifest.name, dir, manifest }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The express version bench itself uses (bench/node_modules/express). */
export function expressVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('express/package.json') as { version: string }).version;
}

function npmInstall(dir: string, specs: string[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "name": "install-probe", "private": true }\n');
  execFileSync(
    'npm',
    [
      'install',
      '--omit=dev',
      '--no-package-lock',
      '--legacy-peer-deps',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...specs,
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

/** Packs and installs every public package and express; reuses BENCH_INSTALL_DIR when done there. */
export function installAll(): {
  root: string;
  packages: Installed[];
  express: Installed;
  /** How the install was had, for the benchmark's parameters. */
  install: string;
  cleanup: () => void;
} {
  const shared = process.env.BENCH_INSTALL_DIR;
  const root = shared ?? mkdtempSync(join(tmpdir(), 'tingting-bench-install-'));
  const cleanup = (): void => {
    if (shared === undefined) rmSync(root, { recursive: true, force: true });
  };
  const done = join(root, 'installed.json');
  if (existsSync(done)) {
    return {
      root,
      ...(JSON.parse(readFileSync(done, 'utf8')) as { packages: Installed[]; express: Installed }),
      install: 'reused from an earlier part of this run',
      cleanup,
    };
  }
  const started = Date.now();
  const tarballs = join(root, 'tarballs');
  mkdirSync(tarballs, { recursive: true });
  const publics = publicPackages();
  const tarballOf = new Map<string, string>();
  for (const pkg of publics) {
    const before = new Set(readdirSync(tarballs));
    execFileSync('pnpm', ['pack', '--pack-destination', tarballs], {
      cwd: pkg.dir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const made = readdirSync(tarballs).filter((file) => !before.has(file));
    if (made.length !== 1) throw new Error(`pnpm pack of ${pkg.name} made ${made.length} tarballs`);
    tarballOf.set(pkg.name, join(tarballs, made[0]!));
  }
  /** The package and every @tingting-auth package it depends on, transitively. */
  const closure = (name: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(name)) return seen;
    seen.add(name);
    const manifest = publics.find((pkg) => pkg.name === name)?.manifest;
    for (const dep of Object.keys(manifest?.dependencies ?? {})) {
      if (tarballOf.has(dep)) closure(dep, seen);
    }
    return seen;
  };
  const packages: Installed[] = [];
  for (const pkg of publics) {
    const dir = join(root, `tingting-${basename(pkg.dir)}`);
    npmInstall(
      dir,
      [...closure(pkg.name)].map((name) => tarballOf.get(name)!),
    );
    const tarball = tarballOf.get(pkg.name)!;
    packages.push({
      name: pkg.name,
      version: pkg.manifest.version,
      dir,
      tarballBytes: readFileSync(tarball).length,
    });
  }
  const version = expressVersion();
  const expressDir = join(root, 'baseline-express');
  npmInstall(expressDir, [`express@${version}`]);
  const express: Installed = { name: 'express', version, dir: expressDir };
  writeFileSync(done, JSON.stringify({ packages, express }, null, 2));
  const install = `packed and installed by this part in ${((Date.now() - started) / 1000).toFixed(0)} s`;
  return { root, packages, express, install, cleanup };
}
