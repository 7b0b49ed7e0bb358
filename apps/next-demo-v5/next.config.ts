import type { NextConfig } from 'next';

const config: NextConfig = {
  // Node-only packages (node:crypto, node:http for the embedded fake) stay out of the bundles and
  // are loaded once per server process, so the OTP store is shared by every route.
  serverExternalPackages: ['@tingting-auth/core', '@tingting-auth/testing'],
  // The pages both demos share, as TypeScript sources (a workspace package with no build step).
  transpilePackages: ['next-demo-shared'],
  turbopack: {
    resolveAlias: {
      // In this workspace, `@tingting-auth/next-auth` resolves `next-auth/jwt` (for
      // getUpstreamAccessToken) from its own folder, where its dev copy is next-auth v4; an app
      // that installs the package resolves its own. Point it at this app's next-auth v5.
      'next-auth/jwt': './node_modules/next-auth/jwt.js',
    },
  },
  poweredByHeader: false,
};

export default config;
