import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    cli: 'src/cli.ts',
    'timbr-cli': 'src/timbr-cli.ts',
    'notes-cli': 'src/notes-cli.ts',
  },
  format: ['esm', 'cjs'],
  // Only the library entry has types; the CLIs are bins (each keeps its `#!/usr/bin/env node` line).
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
});
