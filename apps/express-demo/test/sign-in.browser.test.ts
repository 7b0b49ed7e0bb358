/**
 * The demo in headless Chromium (Debian's, through playwright-core): the whole sign-in with the
 * code read from the embedded fake's outbox, a wrong code, the resend cooldown and sign-out, with
 * JavaScript on and off. Screenshots of each step go to test-results/ (git-ignored).
 */

import { join } from 'node:path';
import {
  DemoSignIn,
  expectDevOutbox,
  registerDemoInChromium,
  registerPage,
} from 'test-support/browser';
import { describe, it } from 'vitest';
import { createDemo } from '../src/app.js';

const APP_DIR = join(import.meta.dirname, '..');
const COOLDOWN_IN_SECONDS = 3;

const run = registerDemoInChromium(createDemo, { cooldownInSeconds: COOLDOWN_IN_SECONDS });

describe.each([
  ['with JavaScript', true],
  ['without JavaScript', false],
])('sign-in %s', (label, javaScriptEnabled) => {
  const tab = registerPage(run, javaScriptEnabled);

  it(`signs in, refuses a wrong code, respects the resend cooldown, signs out (${label})`, async () => {
    const flow = new DemoSignIn(run, tab.page, {
      national: javaScriptEnabled ? '9812345670' : '9812345671',
      javaScriptEnabled,
      appDir: APP_DIR,
      cooldownInSeconds: COOLDOWN_IN_SECONDS,
    });
    await tab.page.goto(`${run.origin}/`);
    await flow.expectPhoneStep();
    await flow.shot('1-phone');

    await flow.refusesInvalidNumber();
    const first = await flow.sendsByVoice();
    const resend = await flow.expectResendCooldown();
    await flow.shot('2-code-cooldown');

    await flow.refusesWrongCode(first);
    await flow.shot('3-wrong-code');

    await flow.signsInWithNewCode(resend);
    await flow.shot('4-signed-in');

    await flow.signsOut();
    await flow.shot('5-signed-out');
  });
});

it('shows delivered codes on the dev outbox page', () => expectDevOutbox(run, APP_DIR));
