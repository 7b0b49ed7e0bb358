/**
 * Every TypeScript block of the README type-checks under `strict`, as a user's
 * files: a block whose first line names a file (`// server.ts: …`) is that file; any other block is
 * a snippet of the app above and gets a prelude with its `app` and `passport`. All of them are
 * checked together in one scratch ESM project (so `Express.User` is the README's), against this
 * package's sources and the Passport, Express and express-session types.
 */

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

const SNIPPET_PRELUDE = `import express from 'express';
import passport from 'passport';
const app = express();
`;

interface Block {
  file: string;
  code: string;
}

const blocks: Block[] = [...readme.matchAll(/^```(ts)\n([\s\S]*?)^```/gm)].map(
  ([, lang, code = ''], index) => {
    const named = /^\/\/ (\S+\.(?:js|ts))\b/.exec(code)?.[1];
    if (named !== undefined) return { file: named, code };
    // Imports first, then the prelude, then the rest: the snippet as it sits in the app.
    const imports = code.match(/^import [^;]+;\n/gm) ?? [];
    const rest = code.replace(/^import [^;]+;\n/gm, '');
    return { file: `snippet-${index}.${lang}`, code: imports.join('') + SNIPPET_PRELUDE + rest };
  },
);

function typeCheck(): string[] {
  const dir = join(root, 'node_modules', '.readme-check');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
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
    lib: ['lib.es2023.d.ts'],
    types: ['node'],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    esModuleInterop: true,
    isolatedModules: true,
    baseUrl: dir,
    paths: { '@tingting-auth/passport': [join(root, 'src/index.ts')] },
  });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) =>
    ts.formatDiagnostic(diagnostic, {
      getCanonicalFileName: (name) => name,
      getCurrentDirectory: () => dir,
      getNewLine: () => '\n',
    }),
  );
}

it('has the complete app, the step-up strategy, a test and the snippets', () => {
  const files = blocks.map((block) => block.file);
  expect(files).toContain('server.ts');
  expect(files).toContain('sign-in.test.ts');
  expect(files).toContain('step-up.ts');
  expect(files.filter((file) => file.startsWith('snippet-')).length).toBeGreaterThanOrEqual(2);
});

it('type-checks every block under strict', () => {
  expect(typeCheck()).toEqual([]);
}, 60_000);
