import type { NextConfig } from 'next';

const config: NextConfig = {
  // Node-only packages (node:crypto, node:http for the embedded fake) stay out of the bundles and
  // are loaded once per server process, so the OTP store is shared by every route.
  serverExternalPackages: ['@tingting-auth/core', '@tingting-auth/testing'],
  // The pages both demos share, as TypeScript sources (a workspace package with no build step).
  transpilePackages: ['next-demo-shared'],
  poweredByHeader: false,
};

export default config;
