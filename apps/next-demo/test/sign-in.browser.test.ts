/**
 * The demo's production build (next-auth v4) in headless Chromium; see `describeSignInFlow`.
 */

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  describePasswordSignIn,
  describeRevocableSessions,
  describeSignInFlow,
} from 'next-demo-shared/test-harness';

describeSignInFlow(join(dirname(fileURLToPath(import.meta.url)), '..'), {
  label: 'next-demo (next-auth v4)',
  major: 4,
});

describeRevocableSessions(join(dirname(fileURLToPath(import.meta.url)), '..'), {
  label: 'next-demo (next-auth v4)',
  major: 4,
});

describePasswordSignIn(join(dirname(fileURLToPath(import.meta.url)), '..'), {
  label: 'next-demo (next-auth v4)',
  major: 4,
  upstream: 'timbr',
});
