/**
 * Every TypeScript block of the README compiles under `strict`, as a user's files: each block is
 * one file, named by its first line (`// app/api/auth/otp/send/route.ts`), written into a scratch
 * app and type-checked against this package's sources, next-auth v4 (blocks marked
 * `(next-auth v5)` are left out) and again against next-auth v5 (blocks marked `(next-auth v4)`
 * left out), with `@/` for the app's root as in a Next.js app. A file shown several times is
 * checked each time: the last is the app's file, each earlier one a file beside it.
 */

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const readme = readFileSync(join(root, 'README.md'), 'utf8');

interface Block {
  file: string;
  major: 4 | 5 | undefined;
  code: string;
}

const blocks: Block[] = [...readme.matchAll(/^```(ts|tsx|typescript)\n([\s\S]*?)^```/gm)].map(
  ([, , code = '']) => {
    const header = /^\/\/ (\S+\.tsx?)(?: \(next-auth v([45])\))?\n/.exec(code);
    if (!header) throw new Error(`a README block does not start with its file name:\n${code}`);
    return {
      file: header[1] ?? '',
      major: header[2] ? (Number(header[2]) as 4 | 5) : undefined,
      code,
    };
  },
);

function typeCheck(major: 4 | 5): string[] {
  const dir = join(root, 'node_modules', '.readme-check', `v${major}`);
  rmSync(dir, { recursive: true, force: true });
  const files: string[] = [];
  const included = blocks.filter((block) => block.major === undefined || block.major === major);
  for (const [index, block] of included.entries()) {
    // A file the README shows more than once (`auth.ts`, as the sections add to it): the last
    // one is the app's file that others import (`@/auth`); each earlier one is checked as a file
    // of its own beside it, instead of being overwritten unchecked.
    const later = included.slice(index + 1).some((other) => other.file === block.file);
    const path = join(
      dir,
      later ? block.file.replace(/\.tsx?$/, `.readme-${index}$&`) : block.file,
    );
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, block.code);
    files.push(path);
  }
  const nextAuthV5 = dirname(require.resolve('next-auth-v5/package.json'));
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.dom.d.ts', 'lib.dom.iterable.d.ts', 'lib.es2022.d.ts'],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    jsx: ts.JsxEmit.Preserve,
    isolatedModules: true,
    baseUrl: dir,
    paths: {
      '@/*': ['./*'],
      '@tingting-auth/next-auth': [join(root, 'src/index.ts')],
      '@tingting-auth/next-auth/v5': [join(root, 'src/v5.ts')],
      '@tingting-auth/next-auth/client': [join(root, 'src/client.ts')],
      ...(major === 5
        ? { 'next-auth': [join(nextAuthV5, 'index.d.ts')], 'next-auth/*': [join(nextAuthV5, '*')] }
        : {}),
    },
  });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) =>
    ts.formatDiagnostic(diagnostic, {
      getCanonicalFileName: (name) => name,
      getCurrentDirectory: () => dir,
      getNewLine: () => '\n',
    }),
  );
}

describe('README code blocks', () => {
  it('are all files, for both majors', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(10);
    expect(blocks.some((block) => block.major === 4)).toBe(true);
    expect(blocks.some((block) => block.major === 5)).toBe(true);
  });

  it.each([4, 5] as const)(
    'type-check with next-auth v%s under strict',
    (major) => {
      expect(typeCheck(major)).toEqual([]);
    },
    60_000,
  );
});
