import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // next-auth v5 imports `next/server` without an extension, which Node's ESM resolver
    // refuses outside a Next.js build (next-auth#12280, #13127).
    alias: { 'next/server': 'next/server.js' },
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    server: { deps: { inline: [/next-auth@5/] } },
  },
});
