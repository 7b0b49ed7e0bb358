/**
 * The shared code must never import next-auth: it would not be the app's own (see
 * `src/sign-in-form.tsx`). Each app's browser test checks its build as well; this says which
 * file went wrong, without a build.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

it('no shared source imports next-auth', () => {
  const src = join(packageDir, 'src');
  const sources = readdirSync(src).filter((name) => /\.tsx?$/.test(name));
  expect(sources.length).toBeGreaterThan(0);
  const importers = sources.filter((name) =>
    /(from|import)\s*\(?\s*['"]next-auth(\/|['"])/.test(readFileSync(join(src, name), 'utf8')),
  );
  expect(importers).toEqual([]);
});

it('the package does not depend on next-auth', () => {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as Record<
    string,
    Record<string, string> | undefined
  >;
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
    expect(Object.keys(manifest[field] ?? {})).not.toContain('next-auth');
  }
});
