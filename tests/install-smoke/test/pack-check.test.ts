/**
 * An empty tarball cannot be packed: every public package builds before it packs (`prepack`), and
 * a tarball that lacks a file its manifest points at is refused, by `check-package`
 * (`scripts/pack-check.mjs`) and by this suite's packing. Shown on a small package outside the
 * workspace, built by a script that writes its `dist/`, with the real packages' `prepack`.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PUBLIC_PACKAGES, packPackage, WORKSPACE } from './packing.js';

const run = promisify(execFile);
const PACK_CHECK = join(WORKSPACE, 'scripts', 'pack-check.mjs');

interface Scripts {
  build?: string;
  prepack?: string;
  'check-package'?: string;
}

async function scriptsOf(directory: string): Promise<Scripts> {
  const manifest = JSON.parse(
    await readFile(join(WORKSPACE, 'packages', directory, 'package.json'), 'utf8'),
  ) as { scripts: Scripts };
  return manifest.scripts;
}

const BUILD = `import { mkdirSync, writeFileSync } from 'node:fs';
mkdirSync('dist', { recursive: true });
writeFileSync('dist/index.js', 'export const answer = 42;\\n');
if (!process.env.SKIP_TYPES) writeFileSync('dist/index.d.ts', 'export declare const answer: 42;\\n');
`;

let directory: string;
let out: string;

/** A package like ours (dist only, dual fields, a types condition), not built yet. */
async function fixture(): Promise<void> {
  const { prepack } = await scriptsOf('core');
  await mkdir(join(directory, 'src'));
  await writeFile(join(directory, 'src', 'index.ts'), 'export const answer = 42;\n');
  // Older than any build, so the suite's "dist older than src" check stays quiet.
  await utimes(join(directory, 'src', 'index.ts'), new Date(1_000_000), new Date(1_000_000));
  await writeFile(join(directory, 'build.mjs'), BUILD);
  await writeFile(join(directory, 'README.md'), '# fixture\n');
  await writeFile(
    join(directory, 'package.json'),
    JSON.stringify({
      name: '@fixture/pack-check',
      version: '1.0.0',
      type: 'module',
      files: ['dist'],
      main: './dist/index.js',
      types: './dist/index.d.ts',
      exports: {
        '.': { types: './dist/index.d.ts', default: './dist/index.js' },
        './package.json': './package.json',
      },
      scripts: { build: 'node build.mjs', prepack },
    }),
  );
}

async function packCheck(): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('node', [PACK_CHECK], { cwd: directory });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'tingting-auth-pack-check-'));
  out = await mkdtemp(join(tmpdir(), 'tingting-auth-pack-out-'));
  await fixture();
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
  await rm(out, { recursive: true, force: true });
});

describe('every public package builds before it packs', () => {
  it.each(PUBLIC_PACKAGES)(
    '%s: prepack runs its build; check-package runs pack-check',
    async (name) => {
      const scripts = await scriptsOf(name);
      expect(scripts.build).toBe('tsup');
      expect(scripts.prepack).toBe('pnpm run build');
      expect(scripts['check-package']).toMatch(/^node \.\.\/\.\.\/scripts\/pack-check\.mjs && /);
    },
  );

  it('pnpm pack of a package never built packs its dist/ (prepack built it)', async () => {
    await run('pnpm', ['pack', '--pack-destination', out], { cwd: directory });
    const tarball = join(out, 'fixture-pack-check-1.0.0.tgz');
    const { stdout } = await run('tar', ['-tzf', tarball]);
    expect(stdout.trim().split('\n').sort()).toEqual([
      'package/README.md',
      'package/dist/index.d.ts',
      'package/dist/index.js',
      'package/package.json',
    ]);
  });
});

describe('a tarball without its entry points is refused', () => {
  it('check-package (pack-check) fails on a package never built, naming every missing file', async () => {
    const { code, output } = await packCheck();
    expect(code).toBe(1);
    expect(output).toContain('@fixture/pack-check: the tarball lacks 2 of the 3 files');
    expect(output).toContain('dist/index.d.ts, dist/index.js');
  });

  it('check-package (pack-check) fails when one exports target is missing, passes once built', async () => {
    await run('node', ['build.mjs'], { cwd: directory, env: { ...process.env, SKIP_TYPES: '1' } });
    const partial = await packCheck();
    expect(partial.code).toBe(1);
    expect(partial.output).toContain(
      'lacks 1 of the 3 files its manifest points at: dist/index.d.ts.',
    );
    await run('node', ['build.mjs'], { cwd: directory });
    expect(await packCheck()).toEqual({
      code: 0,
      output: 'pack-check: @fixture/pack-check: all 3 entry points are in the tarball\n',
    });
  });

  it('the install smoke packing refuses such a tarball before anything installs it', async () => {
    await run('node', ['build.mjs'], { cwd: directory, env: { ...process.env, SKIP_TYPES: '1' } });
    await expect(packPackage(directory, out)).rejects.toThrow(
      /@fixture\/pack-check: the tarball lacks 1 of the 3 files its manifest points at: dist\/index\.d\.ts\./,
    );
    await run('node', ['build.mjs'], { cwd: directory });
    const packed = await packPackage(directory, out);
    expect(packed.files).toContain('dist/index.d.ts');
  });
});
