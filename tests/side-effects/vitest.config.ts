import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fresh Node processes per entry and format: generous, never tight.
    testTimeout: 60_000,
  },
});
