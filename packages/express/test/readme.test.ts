/**
 * Every TypeScript block of the README compiles under `strict`, as a user's files: each block is
 * one file named by its first line (`// server.ts`), written into a scratch app and type-checked
 * against this package's sources, @types/express 5 and the libraries the blocks use.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/^```(ts|js)\n([\s\S]*?)^```/gm)].map(([, lang, code = '']) => {
  const file = /^\/\/ (\S+\.(?:d\.)?ts)\b/.exec(code)?.[1];
  if (lang !== 'ts' || file === undefined)
    throw new Error(`a README block is not a named .ts file:\n${code}`);
  return { file, code };
});

it('every TypeScript block of the README type-checks under strict', () => {
  expect(blocks.map((b) => b.file)).toEqual(
    expect.arrayContaining([
      'server.ts',
      'dev-engine.ts',
      'errors.ts',
      'csrf.ts',
      'session.d.ts',
      'password.ts',
      'upstream-session.d.ts',
      'sessions.ts',
    ]),
  );
  const dir = join(root, 'node_modules', '.readme-check');
  rmSync(dir, { recursive: true, force: true });
  const files = blocks.map(({ file, code }) => {
    const path = join(dir, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, code);
    return path;
  });
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    isolatedModules: true,
    baseUrl: dir,
    paths: { '@tingting-auth/express': [join(root, 'src/index.ts')] },
  });
  const errors = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName.slice(dir.length + 1)}: ` : '';
    return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
  });
  expect(errors).toEqual([]);
  // A whole TypeScript program: tens of seconds on a busy 2-core machine.
}, 90_000);
