/**
 * Item 6 of the upstream issue: an app that only sends one-time codes loads none of the upstream
 * code, and an app that signs in with Timbr or notes never loads fetch-cookie / tough-cookie.
 * Checked on the built package (turbo builds before testing), in CommonJS by what `require`
 * actually loaded, and in ESM by the static import graph of the emitted files.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');

beforeAll(() => {
  if (!existsSync(join(dist, 'upstream', 'index.js'))) {
    throw new Error(
      'build @tingting-auth/core first (pnpm turbo run build --filter=@tingting-auth/core)',
    );
  }
});

/** Every file reachable from `entry` through static `import … from "./x"` (relative only), and the bare specifiers imported statically. */
function staticGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*"([^"]+)"/g)) {
      const specifier = match[1]!;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else packages.add(specifier);
    }
  };
  visit(entry);
  return { files, packages };
}

/** Modules `require` loaded after running `code` in a fresh CommonJS process. */
function requiredAfter(code: string): string[] {
  const out = execFileSync(
    process.execPath,
    ['-e', `${code}; process.stdout.write(JSON.stringify(Object.keys(require.cache)))`],
    { encoding: 'utf8' },
  );
  return JSON.parse(out) as string[];
}

describe('import cost of the upstream code', () => {
  it('ESM: the root entry does not reach the upstream entry', () => {
    const root = staticGraph(join(dist, 'index.js'));
    expect([...root.files].some((file) => file.includes(`${join('dist', 'upstream')}`))).toBe(
      false,
    );
    const source = [...root.files].map((file) => readFileSync(file, 'utf8')).join('\n');
    expect(source).not.toMatch(/timbrProvider|UpstreamSessions|NotesClient/);
  });

  it('ESM and CJS: the protocol entry (every adapter, password handlers included) reaches no upstream code', () => {
    const protocol = staticGraph(join(dist, 'protocol', 'index.js'));
    const source = [...protocol.files].map((file) => readFileSync(file, 'utf8')).join('\n');
    expect(source).toContain('createPasswordProtocol');
    expect(source).not.toMatch(/timbrProvider|class UpstreamSessions|NotesClient/);
    const loaded = requiredAfter(`require(${JSON.stringify(join(dist, 'protocol', 'index.cjs'))})`);
    expect(loaded.filter((file) => file.includes(join('dist', 'upstream')))).toEqual([]);
    expect(readFileSync(join(dist, 'protocol', 'index.cjs'), 'utf8')).not.toMatch(
      /timbrProvider|class UpstreamSessions|NotesClient/,
    );
  });

  it('ESM: the upstream entry imports fetch-cookie and tough-cookie only dynamically', () => {
    const upstream = staticGraph(join(dist, 'upstream', 'index.js'));
    expect([...upstream.packages]).not.toContain('tough-cookie');
    expect([...upstream.packages]).not.toContain('fetch-cookie');
    expect([...upstream.packages]).not.toContain('libphonenumber-js/mobile');
    expect(readFileSync(join(dist, 'upstream', 'index.js'), 'utf8')).toContain(
      'import("tough-cookie")',
    );
  });

  it('CJS: requiring the root loads no upstream file; requiring upstream loads no cookie library', () => {
    const root = requiredAfter(`require(${JSON.stringify(join(dist, 'index.cjs'))})`);
    expect(root.filter((file) => file.includes(join('dist', 'upstream')))).toEqual([]);
    expect(readFileSync(join(dist, 'index.cjs'), 'utf8')).not.toMatch(
      /timbrProvider|UpstreamSessions|NotesClient/,
    );
    const upstream = requiredAfter(
      `require(${JSON.stringify(join(dist, 'upstream', 'index.cjs'))})`,
    );
    expect(
      upstream.filter((file) => /tough-cookie|fetch-cookie|libphonenumber/.test(file)),
    ).toEqual([]);
  });
});
