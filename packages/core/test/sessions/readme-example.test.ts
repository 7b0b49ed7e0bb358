/**
 * The README's sessions example, read from README.md, type-checked and run as written against the
 * fake notes server. One substitution only: the package import points at this package's source.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FakeNotes, startFakeNotes } from '@tingting-auth/testing';
import ts from 'typescript';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const HEADING = '### Example: sign in, call the upstream, sign out everywhere';
const file = join(here, `readme-sessions.${process.pid}.tmp.ts`);
const saved = { ...process.env };
let fake: FakeNotes;

beforeAll(async () => {
  const readme = await readFile(join(here, '..', '..', 'README.md'), 'utf8');
  const start = readme.indexOf(`${HEADING}\n`);
  const block = /```ts\n([\s\S]*?)\n```/.exec(readme.slice(start))?.[1];
  if (start < 0 || block === undefined) throw new Error(`README: no code block under ${HEADING}`);
  const parts = block.split("'@tingting-auth/core/upstream'");
  if (parts.length !== 2) throw new Error('README: expected one package import');
  await writeFile(file, parts.join("'../../src/upstream/index.js'"));
  fake = await startFakeNotes({ accounts: [{ username: 'ram', password: 'ram-password-1' }] });
});

afterAll(async () => {
  process.env = saved;
  await rm(file, { force: true });
  await fake.close();
});

it('type-checks (strict, as the package compiles)', () => {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(here, '..', '..', 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (config === undefined) throw new Error('no tsconfig');
  const program = ts.createProgram([file], {
    ...config.options,
    noEmit: true,
    isolatedDeclarations: false,
    declaration: false,
  });
  const diagnostics = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === file)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  expect(diagnostics).toEqual([]);
}, 180_000);

it('runs against the fake notes server and prints what its comments say', async () => {
  process.env.SESSION_SECRET = 'readme-session-secret-0123456789-abcdef';
  process.env.NOTES_URL = fake.url;
  process.env.NOTES_USERNAME = 'ram';
  process.env.NOTES_PASSWORD = 'ram-password-1';
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    await import(file);
    expect(log.mock.calls).toEqual([
      [true, true],
      [200],
      [1],
      [1],
      [{ active: false, reason: 'ended_everywhere' }],
    ]);
  } finally {
    log.mockRestore();
  }
});
