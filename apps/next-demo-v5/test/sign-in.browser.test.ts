/**
 * The demo's production build (next-auth v5) in headless Chromium, with the same suite as
 * `apps/next-demo`; see `describeSignInFlow`.
 */

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  describePasswordSignIn,
  describeRevocableSessions,
  describeSignInFlow,
} from 'next-demo-shared/test-harness';

describeSignInFlow(join(dirname(fileURLToPath(import.meta.url)), '..'), {
  label: 'next-demo-v5 (next-auth v5)',
  major: 5,
});

describeRevocableSessions(join(dirname(fileURLToPath(import.meta.url)), '..'), {
  label: 'next-demo-v5 (next-auth v5)',
  major: 5,
});

describePasswordSignIn(join(dirname(fileURLToPath(import.meta.url)), '..'), {
  label: 'next-demo-v5 (next-auth v5)',
  major: 5,
  upstream: 'notes',
});
