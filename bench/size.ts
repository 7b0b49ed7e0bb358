/**
 * Installed size of each public @tingting-auth package with its production dependencies, next
 * to `express`'s own installed size: each package's `pnpm pack` tarball installed outside the
 * workspace with `npm install --omit=dev --no-package-lock` (with the tarballs of the other
 * @tingting-auth packages it depends on; peers left out), express from the registry the same way
 * (bench/install.ts). Counted like `du`: the bytes of every file under node_modules (apparent
 * size, as `du -sb` without the directory entries) and the bytes on disk (`du -sB1`).
 *
 * Also what `@tingting-auth/next-auth/client` (the sign-in form's helpers) adds to a browser
 * bundle: esbuild, minified, browser platform, from the installed tarball, gzipped; every export
 * of the entry kept (an upper bound: an app that uses one helper ships less).
 *
 * Run: pnpm --filter bench bench:size    Options (env): BENCH_INSTALL_DIR.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { type Installed, installAll } from './install.ts';
import { type Figure, writeResult } from './result.ts';

interface Usage {
  /** Bytes of the regular files (apparent size). */
  bytes: number;
  /** Bytes of disk blocks of every entry, directories included (`du -sB1`). */
  disk: number;
  files: number;
}

function usage(path: string): Usage {
  const stat = lstatSync(path);
  const total: Usage = { bytes: 0, disk: stat.blocks * 512, files: 0 };
  if (stat.isFile()) {
    total.bytes = stat.size;
    total.files = 1;
  } else if (stat.isDirectory()) {
    for (const entry of readdirSync(path)) {
      const inner = usage(join(path, entry));
      total.bytes += inner.bytes;
      total.disk += inner.disk;
      total.files += inner.files;
    }
  }
  return total;
}

/** Installed packages under node_modules (scoped ones counted one by one), nested ones included. */
function countPackages(nodeModules: string): number {
  let count = 0;
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith('.')) continue;
    const path = join(nodeModules, entry);
    const names = entry.startsWith('@')
      ? readdirSync(path).map((name) => join(path, name))
      : [path];
    for (const dir of names) {
      count += 1;
      try {
        count += countPackages(join(dir, 'node_modules'));
      } catch {
        // No nested node_modules.
      }
    }
  }
  return count;
}

const kB = (bytes: number) => bytes / 1000;

const { packages, express, install, cleanup } = installAll();
try {
  const measure = (pkg: Installed) => {
    const nodeModules = join(pkg.dir, 'node_modules');
    return {
      all: usage(nodeModules),
      own: usage(join(nodeModules, ...pkg.name.split('/'))),
      count: countPackages(nodeModules),
    };
  };
  const base = measure(express);
  console.log(
    `Installed size with production dependencies (npm install --omit=dev), node ${process.version}\n`,
  );
  console.log(
    `${'package'.padEnd(28)}${'kB'.padStart(10)}${'on disk kB'.padStart(12)}${'packages'.padStart(10)}${'files'.padStart(8)}${'own kB'.padStart(10)}${'tarball kB'.padStart(12)}${'/ express'.padStart(11)}`,
  );
  const line = (pkg: Installed, m: ReturnType<typeof measure>) =>
    console.log(
      `${pkg.name.padEnd(28)}${kB(m.all.bytes).toFixed(0).padStart(10)}${kB(m.all.disk).toFixed(0).padStart(12)}${String(m.count).padStart(10)}${String(m.all.files).padStart(8)}${kB(m.own.bytes).toFixed(0).padStart(10)}${(pkg.tarballBytes === undefined ? '' : kB(pkg.tarballBytes).toFixed(0)).padStart(12)}${(m.all.bytes / base.all.bytes).toFixed(2).padStart(11)}`,
    );
  line(express, base);
  const figures: Figure[] = [];
  for (const pkg of packages) {
    const m = measure(pkg);
    line(pkg, m);
    figures.push({
      name: `installed size, ${pkg.name} + production deps`,
      value: kB(m.all.bytes),
      unit: 'kB',
      baseline: {
        name: `express ${express.version} + its production deps`,
        value: kB(base.all.bytes),
      },
      ...(pkg.name === '@tingting-auth/core'
        ? { goal: { on: 'ratio', op: '<=', target: 1 } as const }
        : {}),
      note: `${m.count} packages, ${m.all.files} files, ${kB(m.all.disk).toFixed(0)} kB on disk (express ${kB(base.all.disk).toFixed(0)}, ${base.count} packages); the package's own files ${kB(m.own.bytes).toFixed(0)} kB, tarball ${kB(pkg.tarballBytes ?? 0).toFixed(0)} kB`,
    });
  }
  console.log('\nkB: 1,000 bytes of files (apparent size). own: the package alone.');
  const nextAuth = packages.find((pkg) => pkg.name === '@tingting-auth/next-auth');
  if (nextAuth !== undefined) {
    const bundled = await build({
      stdin: {
        contents: `export * from '@tingting-auth/next-auth/client';`,
        resolveDir: nextAuth.dir,
      },
      bundle: true,
      write: false,
      minify: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      logLevel: 'error',
    });
    const text = bundled.outputFiles[0]!.contents;
    const gzipped = gzipSync(text, { level: 9 }).length;
    console.log(
      `\nBrowser bundle of @tingting-auth/next-auth/client: ${kB(text.length).toFixed(1)} kB minified, ${kB(gzipped).toFixed(1)} kB gzipped`,
    );
    figures.push({
      name: 'browser bundle, @tingting-auth/next-auth/client (every export), gzipped',
      value: kB(gzipped),
      unit: 'kB',
      digits: 1,
      goal: { on: 'value', op: '<=', target: 5 },
      note: `esbuild, minified, browser, ES2022: ${kB(text.length).toFixed(1)} kB before gzip -9`,
    });
  }
  writeResult({
    bench: 'size',
    params: { command: 'npm install --omit=dev --no-package-lock --legacy-peer-deps', install },
    figures,
  });
} finally {
  cleanup();
}
