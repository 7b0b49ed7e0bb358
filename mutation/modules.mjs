/**
 * What mutation testing covers: the security-critical modules, by name, with the files whose code
 * Stryker mutates. This is the one list to edit; `stryker.config.mjs` mutates these globs and
 * `run.mjs` reports a score for each name.
 *
 * A glob is a path from the repository root; `*` and `**` may appear only in the last segments
 * (the report groups files by the part before the first `*`). Tests come from the package's
 * vitest project in `vitest.config.mts` (add one there for a package not listed yet).
 */
export const MODULES = {
  engine: ['packages/core/src/engine/**/*.ts'],
  // The stores, and the constant-time compare they share.
  stores: ['packages/core/src/stores/**/*.ts', 'packages/core/src/constant-time.ts'],
  'cross-site check': ['packages/core/src/cross-site.ts'],
  'answer table': ['packages/core/src/public-errors.ts'],
  // Lua scripts (scripts.ts) are strings to Stryker: it can only blank them whole, so they are
  // covered by the store contract instead, and only the TypeScript side is mutated.
  'redis store': ['packages/redis/src/redis-store.ts'],
  // On main now; not measured yet (each adds about an hour to a full run on a loaded machine):
  // protocol: ['packages/core/src/protocol/**/*.ts'],
  // 'upstream sessions': ['packages/core/src/upstream/**/*.ts'],
};

/** The module a file (path from the repository root) belongs to, or `undefined`. */
export function moduleOf(file) {
  for (const [name, globs] of Object.entries(MODULES)) {
    for (const glob of globs) {
      const star = glob.indexOf('*');
      if (star === -1 ? file === glob : file.startsWith(glob.slice(0, star))) return name;
    }
  }
  return undefined;
}
