import type { Metadata } from 'next';

export { RootLayout as default } from 'next-demo-shared/layout';

export const metadata: Metadata = {
  title: 'TingTing sign-in demo (Next.js, next-auth v5)',
};
