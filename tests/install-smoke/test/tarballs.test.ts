/**
 * What `pnpm pack` puts in each tarball: the manifest users get (no `workspace:` range left,
 * internal dependencies on the same version) and every file it points at.
 */
import { describe, expect, it } from 'vitest';
import { entryPoints, type Manifest, PUBLIC_PACKAGES } from './packing.js';
import { packed } from './project.js';

const ALLOWED_FILE = /^(dist\/.+|package\.json|README\.md|LICENSE(\.md)?|CHANGELOG\.md)$/;

describe(`tarballs (packed by pnpm, checked on Node ${process.version})`, () => {
  const tarballs = packed().packed;

  it('packs every public package', () => {
    expect(Object.keys(tarballs).sort()).toEqual(
      PUBLIC_PACKAGES.map((directory) => `@tingting-auth/${directory}`).sort(),
    );
  });

  describe.each(Object.values(tarballs))('$name', (tarball) => {
    const manifest = JSON.parse(tarball.manifestText) as Manifest;

    it('has no workspace: range left and the workspace version', () => {
      expect(tarball.manifestText).not.toContain('workspace:');
      expect(manifest.name).toBe(tarball.name);
      expect(manifest.version).toBe(tarball.workspaceVersion);
    });

    it('depends on the other @tingting-auth packages at their released version', () => {
      const internal = Object.entries({
        ...manifest.dependencies,
        ...manifest.peerDependencies,
        ...manifest.optionalDependencies,
      }).filter(([name]) => name.startsWith('@tingting-auth/'));
      for (const [name, range] of internal) {
        expect(range, name).toBe(`^${tarballs[name]?.workspaceVersion}`);
      }
    });

    it('ships every file its manifest points at, and only dist/ besides the docs', () => {
      const entries = entryPoints(manifest);
      expect(entries.length).toBeGreaterThan(0);
      expect(entries.filter((entry) => !tarball.files.includes(entry))).toEqual([]);
      expect(tarball.files.filter((file) => !ALLOWED_FILE.test(file))).toEqual([]);
    });

    it('ships a README (the package page on npm)', () => {
      expect(tarball.files).toContain('README.md');
    });
  });
});
