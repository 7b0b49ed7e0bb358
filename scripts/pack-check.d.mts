/** Types of `pack-check.mjs` (for the install smoke test, which imports it). */

/** The fields of a manifest that point users at files. */
export interface EntryPointFields {
  main?: unknown;
  module?: unknown;
  types?: unknown;
  typings?: unknown;
  bin?: unknown;
  exports?: unknown;
}

/** Every file path a manifest points users at, without a leading `./`, sorted. */
export function entryPoints(manifest: EntryPointFields): string[];

/** The entry points of `manifest` that are not among `files` (paths inside the tarball). */
export function missingEntryPoints(manifest: EntryPointFields, files: readonly string[]): string[];

/** Throw when the tarball of `name` lacks an entry point of its manifest. */
export function assertEntryPointsPacked(
  name: string,
  manifest: EntryPointFields,
  files: readonly string[],
): void;

/** What `pnpm pack` would put in the tarball of the package in `directory` (scripts off). */
export function packedFiles(directory: string): Promise<string[]>;
