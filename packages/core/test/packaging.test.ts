/**
 * The packages as users get them: `pnpm pack` core and testing, install the tarballs with npm into
 * a project outside the workspace, then `require` them from CommonJS and `import` them from ESM in
 * child processes, and send one OTP through the packed client to the packed fake.
 *
 * Needs a current build (`pnpm turbo run build --filter=@tingting-auth/core...`, which turbo runs
 * before `test`); it does not build itself, so that it never empties a `dist/` other packages are
 * reading.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';

const run = promisify(execFile);
const core = join(dirname(fileURLToPath(import.meta.url)), '..');
const testing = join(core, '..', 'testing');

let project: string;

async function newestMtime(directory: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(directory, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || entry.name.endsWith('.test.ts')) continue;
    newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

async function assertBuilt(directory: string, name: string): Promise<void> {
  const built = await stat(join(directory, 'dist', 'index.cjs')).catch(() => undefined);
  const hint = `run \`pnpm turbo run build --filter=${name}\` first`;
  if (built === undefined) throw new Error(`${name} has no dist/: ${hint}`);
  if ((await newestMtime(join(directory, 'src'))) > built.mtimeMs) {
    throw new Error(`${name}'s dist/ is older than its src/: ${hint}`);
  }
}

beforeAll(async () => {
  await assertBuilt(core, '@tingting-auth/core');
  await assertBuilt(testing, '@tingting-auth/testing');
  project = await mkdtemp(join(tmpdir(), 'tingting-auth-packaging-'));
  const tarballs = join(project, 'tarballs');
  for (const directory of [core, testing]) {
    await run('pnpm', ['pack', '--pack-destination', tarballs], { cwd: directory });
  }
  const packed = (await readdir(tarballs)).map((file) => join(tarballs, file));
  expect(packed).toHaveLength(2);
  await writeFile(
    join(project, 'package.json'),
    JSON.stringify({ name: 'packaging-check', private: true, version: '1.0.0' }),
  );
  await run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', ...packed], {
    cwd: project,
    timeout: 50_000,
  });
}, 60_000);

afterAll(async () => {
  if (project !== undefined) await rm(project, { recursive: true, force: true });
});

const EXPORTS = [
  'TingTingClient',
  'createTingTingSender',
  'OTPEngine',
  'MemoryStore',
  'parsePhoneNumber',
  'TingTingUnknownOutcomeError',
  'TingTingAPIError',
  'ValidationError',
];

async function node(args: string[]): Promise<unknown> {
  const { stdout } = await run(process.execPath, args, { cwd: project, timeout: 15_000 });
  return JSON.parse(stdout);
}

it('require() from CommonJS finds every export', async () => {
  const script = `
    const core = require('@tingting-auth/core');
    const testing = require('@tingting-auth/testing');
    console.log(JSON.stringify({
      core: ${JSON.stringify(EXPORTS)}.filter((name) => typeof core[name] !== 'function'),
      testing: typeof testing.startFakeTingTing,
      userAgent: core.USER_AGENT,
      resolved: require.resolve('@tingting-auth/core'),
    }));`;
  const result = await node(['-e', script]);
  expect(result).toMatchObject({ core: [], testing: 'function' });
  expect((result as { resolved: string }).resolved).toMatch(
    /node_modules\/@tingting-auth\/core\/dist\/index\.cjs$/,
  );
  expect((result as { resolved: string }).resolved.startsWith(project)).toBe(true);
  expect((result as { userAgent: string }).userAgent).toMatch(/^tingting-auth\/\d+\.\d+\.\d+/);
});

it('import from ESM finds every export and sends an OTP through the packed fake', async () => {
  const script = `
    import * as core from '@tingting-auth/core';
    import { startFakeTingTing } from '@tingting-auth/testing';
    const missing = ${JSON.stringify(EXPORTS)}.filter((name) => typeof core[name] !== 'function');
    const fake = await startFakeTingTing();
    try {
      const client = new core.TingTingClient({ apiToken: fake.apiToken, baseURL: fake.url });
      const sent = await client.sendOTP({ number: '+977 9812345678', message: 'Code {otp}', channel: 'text', otp: '482913' });
      console.log(JSON.stringify({ missing, delivered: fake.outbox.last()?.message, credits: sent.remainingCredits,
        resolved: import.meta.resolve('@tingting-auth/core') }));
    } finally {
      await fake.close();
    }`;
  const result = await node(['--input-type=module', '-e', script]);
  expect(result).toMatchObject({
    missing: [],
    delivered: 'Code 482913',
    credits: { text: 99, voice: 100 },
  });
  expect((result as { resolved: string }).resolved).toMatch(
    /node_modules\/@tingting-auth\/core\/dist\/index\.js$/,
  );
});
