import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'tsup';
// @ts-expect-error: a plain .mjs build script, no types
import { writePhoneMetadata } from './scripts/generate-phone-metadata.mjs';

// The phone metadata, cut from the installed libphonenumber-js before every build.
writePhoneMetadata();

/**
 * Bundled, not installed (devDependencies, so tsup inlines what is used of them): the parse
 * functions of libphonenumber-js's `core` entry with `src/phone-metadata.json`, and valibot's
 * schema functions. Their licences go in `dist/THIRD-PARTY-NOTICES.md`.
 */
const BUNDLED: Record<string, string[]> = {
  'libphonenumber-js': ['LICENSE', 'LICENSE.Apache'],
  valibot: ['LICENSE.md'],
};

function writeNotices(): void {
  const parts = [
    '# Third-party notices',
    '',
    'Parts of these packages are bundled in this one.',
    '',
  ];
  for (const [name, files] of Object.entries(BUNDLED)) {
    const root = join('node_modules', name);
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    parts.push(`## ${name} ${version}`, '');
    for (const file of files) parts.push(readFileSync(join(root, file), 'utf8').trim(), '');
  }
  writeFileSync('dist/THIRD-PARTY-NOTICES.md', parts.join('\n'));
}

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'public-errors': 'src/public-errors.ts',
    'upstream/index': 'src/upstream/index.ts',
    'protocol/index': 'src/protocol/index.ts',
    'store-types': 'src/store-types.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  // Maps without the sources' text: the bundled libphonenumber-js and valibot sources would
  // triple the installed size; stack traces still map to file and line.
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
  onSuccess: async () => writeNotices(),
});
