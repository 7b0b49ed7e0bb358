/**
 * The README's three upstream examples, read from README.md, type-checked and run as written
 * against the fakes. One substitution only: the package import points at this package's source.
 * The fakes' URLs (and a Timbr team) come in through the environment variables the examples read.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { notes, timbr, tingting } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const EXAMPLES = {
  timbr: '### Example: Timbr',
  notes: '### Example: the notes service',
  tingting: '### Example: TingTing accounts',
} as const;
type Example = keyof typeof EXAMPLES;
const files = Object.fromEntries(
  Object.keys(EXAMPLES).map((name) => [name, join(here, `readme-${name}.${process.pid}.tmp.ts`)]),
) as Record<Example, string>;
const saved = { ...process.env };

beforeAll(async () => {
  const readme = await readFile(join(here, '..', '..', 'README.md'), 'utf8');
  for (const [name, heading] of Object.entries(EXAMPLES) as [Example, string][]) {
    const start = readme.indexOf(`${heading}\n`);
    const block = /```ts\n([\s\S]*?)\n```/.exec(readme.slice(start))?.[1];
    if (start < 0 || block === undefined) throw new Error(`README: no code block under ${heading}`);
    const parts = block.split("'@tingting-auth/core/upstream'");
    if (parts.length !== 2) throw new Error(`README ${name}: expected one package import`);
    await writeFile(files[name], parts.join("'../../src/upstream/index.js'"));
  }
});

afterAll(async () => {
  process.env = saved;
  await Promise.all(Object.values(files).map((file) => rm(file, { force: true })));
});

it('the examples type-check (strict, as the package compiles)', () => {
  const configPath = join(here, '..', '..', 'tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (config === undefined) throw new Error('no tsconfig');
  const program = ts.createProgram(Object.values(files), {
    ...config.options,
    noEmit: true,
    isolatedDeclarations: false,
    declaration: false,
  });
  const diagnostics = ts
    .getPreEmitDiagnostics(program)
    .filter((diagnostic) => Object.values(files).includes(diagnostic.file?.fileName ?? ''))
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
  expect(diagnostics).toEqual([]);
}, 60_000);

/** Run one example; what it printed, one string per console.log call. */
async function run(name: Example): Promise<string[]> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    await import(files[name]);
    return log.mock.calls.map((args) =>
      args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg))).join(' '),
    );
  } finally {
    log.mockRestore();
  }
}

it('Timbr example', async () => {
  const fake = await timbr({ rotation: 'rotate' });
  process.env.TIMBR_URL = fake.url;
  process.env.TIMBR_TEAM = fake.addTeam();
  const printed = await run('timbr');
  expect(printed[0]).toBe(String(fake.account.id));
  expect(printed[1]).toMatch(/^TokenSet \{"tokenType":"Bearer".*"accessToken":"\[redacted\]"/);
  expect(printed.slice(2, 4)).toEqual(['300000', 'true']);
  expect(printed[4]).toMatch(/^1 /);
  expect(fake.teamTokens(process.env.TIMBR_TEAM)).toEqual([]);
  expect(fake.stats).toMatchObject({ loginCalls: 1, refreshCalls: 1, rotations: 1 });
});

it('notes example', async () => {
  const fake = await notes();
  process.env.NOTES_URL = fake.url;
  const printed = await run('notes');
  expect(printed).toEqual(['7200000', 'true']);
  expect(fake.signups.map((account) => account.username)).toEqual(['hari']);
});

it('TingTing accounts example', async () => {
  const fake = await tingting();
  process.env.TINGTING_URL = fake.url;
  const printed = await run('tingting');
  expect(printed).toEqual(['Cookie 2', fake.account.email]);
  expect(fake.requests.map((request) => request.endpoint)).not.toContain('generateAPIToken');
});
