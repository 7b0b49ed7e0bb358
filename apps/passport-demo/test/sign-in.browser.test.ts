/**
 * The Passport demo in headless Chromium (Debian's, through playwright-core): the protected page
 * before sign-in, the whole sign-in with the code read from the embedded fake's outbox, a wrong
 * code, the resend cooldown, cross-site posts from another site refused, sign-out, with JavaScript
 * on and off. Screenshots of each step go to test-results/ (git-ignored).
 */

import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import {
  closeServer,
  DemoSignIn,
  expectDevOutbox,
  listen,
  registerDemoInChromium,
  registerPage,
} from 'test-support/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, createDemo } from '../src/app.js';

const APP_DIR = join(import.meta.dirname, '..');
const COOLDOWN_IN_SECONDS = 3;
/** A number the other site tries to send a code to; nothing may ever reach it. */
const CROSS_SITE_NATIONAL = '9812345679';

const run = registerDemoInChromium(createDemo, { cooldownInSeconds: COOLDOWN_IN_SECONDS });

/** Another site (`localhost` is not the same site as `127.0.0.1`) with forms posting to the demo. */
let otherSite: Server;
let otherOrigin: string;

beforeAll(async () => {
  const { origin } = run;
  otherSite = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>Another site</title>
<form method="post" action="${origin}${ACTIONS.signOut}"><button id="sign-out">Sign out</button></form>
<form method="post" action="${origin}${ACTIONS.send}">
  <input type="hidden" name="phone" value="${CROSS_SITE_NATIONAL}">
  <input type="hidden" name="channel" value="text">
  <button id="send">Send code</button>
</form>`);
  });
  otherOrigin = `http://localhost:${await listen(otherSite)}`;
});

afterAll(() => closeServer(otherSite));

describe.each([
  ['with JavaScript', true],
  ['without JavaScript', false],
])('sign-in %s', (label, javaScriptEnabled) => {
  const tab = registerPage(run, javaScriptEnabled);

  it(`guards /account, signs in, refuses a wrong code and cross-site posts, signs out (${label})`, async () => {
    const { page } = tab;
    const { demo, origin } = run;
    const national = javaScriptEnabled ? '9812345672' : '9812345673';
    const flow = new DemoSignIn(run, page, {
      national,
      javaScriptEnabled,
      appDir: APP_DIR,
      cooldownInSeconds: COOLDOWN_IN_SECONDS,
    });

    // The protected page sends a stranger to sign-in.
    await page.goto(`${origin}/account`);
    expect(new URL(page.url()).pathname).toBe('/');
    await flow.expectPhoneStep();
    expect(await page.getAttribute('form', 'action')).toBe(ACTIONS.send);
    await flow.shot('1-phone');

    await flow.refusesInvalidNumber();
    const first = await flow.sendsByVoice();
    const resend = await flow.expectResendCooldown();
    await flow.shot('2-code-cooldown');

    // A wrong code signs nobody in.
    const usersBefore = demo.users.count();
    await flow.refusesWrongCode(first);
    expect(demo.users.count()).toBe(usersBefore);
    await flow.shot('3-wrong-code');

    await flow.signsInWithNewCode(resend);
    // A user was created on this first sign-in, and the page shows that user.
    expect(demo.users.count()).toBe(usersBefore + 1);
    const userID = (await page.locator('[data-detail="User id"]').textContent()) ?? '';
    const user = demo.users.findById(userID);
    expect(user?.phone).toBe(`+977${national}`);
    expect(await page.getAttribute('[data-detail="Member since"] time', 'datetime')).toBe(
      user?.createdAt.toISOString(),
    );
    await flow.shot('4-signed-in');

    // Another site's forms: refused before anything happens; still signed in, nothing sent.
    await page.goto(`${otherOrigin}/`);
    const [signOutAnswer] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${origin}${ACTIONS.signOut}`),
      page.click('#sign-out'),
    ]);
    expect(signOutAnswer.status()).toBe(403);
    await flow.shot('5-cross-site-refused');
    await page.goto(`${otherOrigin}/`);
    const [sendAnswer] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${origin}${ACTIONS.send}`),
      page.click('#send'),
    ]);
    expect(sendAnswer.status()).toBe(403);
    expect(run.outbox().messages.filter((d) => d.number === CROSS_SITE_NATIONAL)).toEqual([]);
    await page.goto(`${origin}/account`);
    expect(await page.locator('h1').textContent()).toBe('You are signed in');

    await flow.signsOut();
    await flow.shot('6-signed-out');
  });
});

it('shows delivered codes on the dev outbox page', () => expectDevOutbox(run, APP_DIR));
