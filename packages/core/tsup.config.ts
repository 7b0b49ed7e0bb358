import { defineConfig } from 'tsup';

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
});
