/**
 * Release dry run: `changeset version` on a copy of the workspace's manifests and changesets
 * versions every public package together (one `fixed` group), writes a changelog for each from
 * the pending changesets, leaves the private apps alone and turns no dependency into a
 * `workspace:` leftover. Nothing is published and the repository is not touched.
 */

import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..', '..');
const PUBLIC = ['core', 'redis', 'testing', 'express', 'passport', 'next-auth'];

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
}

let copy: string;
const before = new Map<string, Manifest>();

async function manifest(directory: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(directory, 'package.json'), 'utf8')) as Manifest;
}

beforeAll(async () => {
  copy = await mkdtemp(join(tmpdir(), 'tingting-release-'));
  for (const file of ['package.json', 'pnpm-workspace.yaml']) {
    await cp(join(ROOT, file), join(copy, file));
  }
  await cp(join(ROOT, '.changeset'), join(copy, '.changeset'), { recursive: true });
  for (const group of ['packages', 'apps', 'tests']) {
    for (const entry of await readdir(join(ROOT, group), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const from = join(ROOT, group, entry.name, 'package.json');
      const to = join(copy, group, entry.name);
      await mkdir(to, { recursive: true });
      await cp(from, join(to, 'package.json')).catch(() => undefined);
    }
  }
  await mkdir(join(copy, 'bench'), { recursive: true });
  await cp(join(ROOT, 'bench', 'package.json'), join(copy, 'bench', 'package.json'));
  for (const name of PUBLIC) {
    before.set(name, await manifest(join(copy, 'packages', name)));
  }
  // The changesets CLI of the workspace, run in the copy.
  await run(
    process.execPath,
    [join(ROOT, 'node_modules', '@changesets', 'cli', 'bin.js'), 'version'],
    {
      cwd: copy,
      env: { ...process.env, CI: 'true' },
    },
  );
}, 120_000);

afterAll(async () => {
  if (copy) await rm(copy, { recursive: true, force: true });
});

describe('changeset version (dry run on a copy)', () => {
  it('consumes every pending changeset', async () => {
    const left = (await readdir(join(copy, '.changeset'))).filter(
      (file) => file.endsWith('.md') && file !== 'README.md',
    );
    expect(left).toEqual([]);
    const pending = (await readdir(join(ROOT, '.changeset'))).filter(
      (file) => file.endsWith('.md') && file !== 'README.md',
    );
    expect(pending.length).toBeGreaterThan(0);
  });

  it('versions every public package together, above its current version', async () => {
    const versions = new Set<string>();
    for (const name of PUBLIC) {
      const after = await manifest(join(copy, 'packages', name));
      expect(after.version).not.toBe(before.get(name)?.version);
      versions.add(after.version);
    }
    expect(versions.size).toBe(1);
    const [version] = versions;
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('writes a changelog for each public package from its changesets', async () => {
    for (const name of PUBLIC) {
      const after = await manifest(join(copy, 'packages', name));
      const changelog = await readFile(join(copy, 'packages', name, 'CHANGELOG.md'), 'utf8');
      expect(changelog.startsWith(`# ${after.name}\n`)).toBe(true);
      expect(changelog).toContain(`## ${after.version}`);
      // A real entry, not only the heading.
      expect(changelog.split('\n').filter((line) => line.startsWith('- ')).length).toBeGreaterThan(
        0,
      );
    }
  });

  it('keeps workspace ranges between our packages (pnpm publish rewrites them) and leaves the apps alone', async () => {
    for (const name of PUBLIC) {
      const after = await manifest(join(copy, 'packages', name));
      for (const [dependency, range] of Object.entries(after.dependencies ?? {})) {
        if (dependency.startsWith('@tingting-auth/')) expect(range).toBe('workspace:^');
      }
    }
    for (const app of ['express-demo', 'passport-demo', 'next-demo', 'next-demo-v5']) {
      const after = await manifest(join(copy, 'apps', app));
      expect(after.version).toBe('0.0.0');
      await expect(readFile(join(copy, 'apps', app, 'CHANGELOG.md'))).rejects.toThrow();
    }
  });
});
