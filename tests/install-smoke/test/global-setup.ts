/**
 * Packs every public package once per run, as `pnpm publish` would, into a fresh temporary
 * directory outside the workspace; the test files install the tarballs from there.
 *
 * It never builds: the packages must be built already (turbo runs `^build` before this package's
 * `test`), so this never empties a `dist/` that other packages are reading.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { packAll } from './packing.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // CI runs this suite once per Node version: say which one this run proves.
  console.log(`install-smoke: packing and installing on Node ${process.version}`);
  const root = await mkdtemp(join(tmpdir(), 'tingting-auth-install-smoke-'));
  try {
    const packed = await packAll(join(root, 'tarballs'));
    project.provide('installSmoke', { root, packed });
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  return () => rm(root, { recursive: true, force: true });
}
