import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    // `pnpm coverage:protocol`: branch coverage of the protocol layer every adapter runs.
    coverage: { provider: 'v8', include: ['src/protocol/**'], reporter: ['text'] },
  },
});
