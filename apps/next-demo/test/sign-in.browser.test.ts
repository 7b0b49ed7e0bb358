/**
 * The demo's production build (next-auth v4) in headless Chromium; see `describeSignInFlow`.
 */

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeSignInFlow } from './harness.js';

describeSignInFlow(join(dirname(fileURLToPath(import.meta.url)), '..'), 'next-demo (next-auth v4)');
