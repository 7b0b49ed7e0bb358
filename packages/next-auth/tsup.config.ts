import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', v5: 'src/v5.ts', client: 'src/client.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'neutral',
  external: ['@tingting-auth/core'],
});
