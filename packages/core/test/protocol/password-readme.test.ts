/**
 * The README's protocol examples ("In an adapter: the password protocol", "… sign out everywhere"), type-checked
 * under the package's strict settings with the package imports pointed at this package's source.
 */

import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const EXAMPLES = [
  [
    'password-protocol',
    '### In an adapter: the password protocol (`@tingting-auth/core/protocol`)',
    'createPasswordProtocol',
  ],
  [
    'sessions-protocol',
    '### In an adapter: sign out everywhere (`@tingting-auth/core/protocol`)',
    'createSessionsProtocol',
  ],
] as const;
const files: string[] = [];

afterAll(() => Promise.all(files.map((file) => rm(file, { force: true }))));

it.each(EXAMPLES)(
  'the README %s example type-checks (strict)',
  async (name, HEADING, uses) => {
    const file = join(here, `readme-${name}.${process.pid}.tmp.ts`);
    files.push(file);
    const readme = readFileSync(join(here, '..', '..', 'README.md'), 'utf8');
    const start = readme.indexOf(`${HEADING}\n`);
    const block = /```ts\n([\s\S]*?)\n```/.exec(readme.slice(start))?.[1];
    if (start < 0 || block === undefined) throw new Error(`README: no code block under ${HEADING}`);
    expect(block).toContain(uses);
    await writeFile(
      file,
      block
        .replace("'@tingting-auth/core/protocol'", "'../../src/protocol/index.js'")
        .replace("'@tingting-auth/core/upstream'", "'../../src/upstream/index.js'"),
    );
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
  },
  180_000,
);
