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
  // The framework-neutral request protocol the adapters translate to and from.
  protocol: ['packages/core/src/protocol/**/*.ts'],
  // The upstream token handling: the token set and its expiry, the authenticated fetch, redaction.
  'upstream tokens': [
    'packages/core/src/upstream/token-set.ts',
    'packages/core/src/upstream/expiry.ts',
    'packages/core/src/upstream/upstream-fetch.ts',
    'packages/core/src/upstream/redact.ts',
  ],
  // The server-side sessions that hold the upstream tokens: rotation, revocation, the seal.
  'upstream sessions': [
    'packages/core/src/upstream/sessions.ts',
    'packages/core/src/upstream/sessions-errors.ts',
    'packages/core/src/upstream/sessions-events.ts',
    'packages/core/src/upstream/sessions-seal.ts',
  ],
  // Where the sessions live, and the password sign-in throttle.
  'session store and throttle': [
    'packages/core/src/upstream/sessions-store.ts',
    'packages/core/src/upstream/sessions-memory-store.ts',
    'packages/core/src/upstream/throttle.ts',
    'packages/core/src/upstream/throttle-rules.ts',
    'packages/core/src/upstream/throttle-store.ts',
  ],
  // The Redis sessions and throttle store, and the shared script runner (Lua: as above).
  'redis session store': [
    'packages/redis/src/session-store.ts',
    'packages/redis/src/script-runner.ts',
  ],
};

/**
 * The modules a run covers: all of them, or those named in `names` (the MUTATION_MODULES value
 * run.mjs sets from `--module`, a JSON list). An unknown name is an error that lists the known ones.
 */
export function selectedModules(names) {
  if (!names) return MODULES;
  const list = JSON.parse(names);
  const unknown = list.filter((name) => !Object.hasOwn(MODULES, name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown module ${unknown.map((n) => JSON.stringify(n)).join(', ')}; known modules: ${Object.keys(MODULES).join(', ')}`,
    );
  }
  return Object.fromEntries(list.map((name) => [name, MODULES[name]]));
}

/** The folder (from the repository root) of a run's incremental file and reports. */
export function reportDir(names) {
  if (!names) return 'mutation/reports';
  const slug = JSON.parse(names)
    .map((name) => name.replace(/[^A-Za-z0-9]+/g, '-'))
    .join('+');
  return `mutation/reports/${slug}`;
}

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
