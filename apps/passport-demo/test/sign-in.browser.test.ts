/**
 * The Passport demo in headless Chromium (Debian's, through playwright-core): the protected page
 * before sign-in, the whole sign-in with the code read from the embedded fake's outbox, a wrong
 * code, the resend cooldown, cross-site posts from another site refused, sign-out, with JavaScript
 * on and off. Screenshots of each step go to test-results/ (git-ignored).
 */

import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, createDemo } from '../src/app.js';

const RESULTS = join(import.meta.dirname, '..', 'test-results');
const COOLDOWN_IN_SECONDS = 3;
/** A number the other site tries to send a code to; nothing may ever reach it. */
const CROSS_SITE_NATIONAL = '9812345679';

let demo: Awaited<ReturnType<typeof createDemo>>;
let server: Server;
let origin: string;
/** Another site (`localhost` is not the same site as `127.0.0.1`) with forms posting to the demo. */
let otherSite: Server;
let otherOrigin: string;
let browser: Browser;
const lines: string[] = [];

/** Listens on 127.0.0.1, a free port; resolves with the port. */
function listen(s: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      if (address === null || typeof address === 'string') reject(new Error('no port'));
      else resolve(address.port);
    });
  });
}

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  demo = await createDemo({
    env: { NODE_ENV: 'test' },
    policy: { resendCooldownInSeconds: COOLDOWN_IN_SECONDS },
    log: (line) => lines.push(line),
  });
  server = createServer(demo.app);
  origin = `http://127.0.0.1:${await listen(server)}`;
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
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  for (const s of [server, otherSite]) {
    s?.closeAllConnections();
    await new Promise((resolve) => s?.close(resolve));
  }
  await demo?.close();
});

function outbox() {
  const fake = demo.fake;
  if (!fake) throw new Error('the demo should run on the embedded fake');
  return fake.outbox;
}

function deliveriesTo(national: string): number {
  return outbox().messages.filter((d) => d.number === national).length;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(RESULTS, `${name}.png`), fullPage: true });
}

function wrongCode(code: string): string {
  return code === '000000' ? '111111' : '000000';
}

describe.each([
  ['with JavaScript', true],
  ['without JavaScript', false],
])('sign-in %s', (label, javaScriptEnabled) => {
  const prefix = javaScriptEnabled ? 'js' : 'nojs';
  const national = javaScriptEnabled ? '9812345672' : '9812345673';
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    context = await browser.newContext({
      javaScriptEnabled,
      viewport: { width: 900, height: 800 },
    });
    page = await context.newPage();
  });
  afterAll(async () => {
    await context.close();
  });

  it(`guards /account, signs in, refuses a wrong code and cross-site posts, signs out (${label})`, async () => {
    // The protected page sends a stranger to sign-in.
    await page.goto(`${origin}/account`);
    expect(new URL(page.url()).pathname).toBe('/');
    await expect
      .poll(() => page.locator('h1').textContent())
      .toBe('Sign in with your mobile number');
    expect(await page.getAttribute('#phone', 'autocomplete')).toBe('tel');
    expect(await page.getAttribute('form', 'action')).toBe(ACTIONS.send);
    expect(await page.locator('[role="alert"]').isVisible()).toBe(false);
    await shot(page, `${prefix}-1-phone`);

    // An invalid number: a visible alert, nothing sent.
    const before = outbox().messages.length;
    await page.fill('#phone', '12345');
    await page.click('button:has-text("Send code")');
    await expect
      .poll(() => page.locator('[role="alert"]').textContent())
      .toBe('Enter a valid mobile number.');
    expect(outbox().messages.length).toBe(before);

    // Voice call, then the code step.
    await page.fill('#phone', national);
    await page.check('input[name="channel"][value="voice"]');
    await page.click('button:has-text("Send code")');
    await page.waitForSelector('h1:has-text("Enter your code")');
    const first = outbox().last(national);
    expect(first?.channel).toBe('voice');
    expect(await page.getAttribute('#code', 'autocomplete')).toBe('one-time-code');
    expect(await page.locator('.lead').textContent()).toContain(`+977 981-${national.slice(3)}`);

    const resend = page.locator('button:has-text("Send a new code")');
    if (javaScriptEnabled) {
      // The cooldown: disabled with a countdown.
      expect(await resend.isDisabled()).toBe(true);
      expect(await resend.textContent()).toMatch(/\(\d s\)/);
    } else {
      // Without JavaScript the button works, and an early press is refused politely.
      await resend.click();
      await expect
        .poll(() => page.locator('[role="alert"]').textContent())
        .toMatch(/^Please wait \d seconds? before asking for a new code\.$/);
      expect(deliveriesTo(national)).toBe(1);
    }
    await shot(page, `${prefix}-2-code-cooldown`);

    // A wrong code: a generic message, still on the code page, nobody signed in.
    const usersBefore = demo.users.count();
    await page.fill('#code', wrongCode(first?.otp ?? ''));
    await page.click('button:has-text("Verify and sign in")');
    await expect
      .poll(() => page.locator('[role="alert"]').textContent())
      .toBe('That code is not right, or it has expired.');
    expect(page.url()).toBe(`${origin}/`);
    expect(await page.locator('h1').textContent()).toBe('Enter your code');
    expect(demo.users.count()).toBe(usersBefore);
    await shot(page, `${prefix}-3-wrong-code`);

    // After the cooldown, a new code (the old one stops working).
    await page.waitForTimeout(COOLDOWN_IN_SECONDS * 1000 + 200);
    if (javaScriptEnabled) await expect.poll(() => resend.isDisabled()).toBe(false);
    await resend.click();
    await expect.poll(() => deliveriesTo(national)).toBe(2);
    const second = outbox().last(national);
    expect(second?.otp).toMatch(/^\d{6}$/);
    await page.waitForSelector('h1:has-text("Enter your code")');

    await page.fill('#code', second?.otp ?? '');
    await page.click('button:has-text("Verify and sign in")');
    await page.waitForSelector('h1:has-text("You are signed in")');
    expect(page.url()).toBe(`${origin}/account`);
    expect(await page.locator('[data-verified-phone]').textContent()).toBe(
      `+977 981-${national.slice(3)}`,
    );
    // A user was created on this first sign-in, and the page shows that user.
    expect(demo.users.count()).toBe(usersBefore + 1);
    const userID = (await page.locator('[data-detail="User id"]').textContent()) ?? '';
    const user = demo.users.findById(userID);
    expect(user?.phone).toBe(`+977${national}`);
    expect(await page.getAttribute('[data-detail="Member since"] time', 'datetime')).toBe(
      user?.createdAt.toISOString(),
    );
    await shot(page, `${prefix}-4-signed-in`);

    // Another site's forms: refused before anything happens; still signed in, nothing sent.
    await page.goto(`${otherOrigin}/`);
    const [signOutAnswer] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${origin}${ACTIONS.signOut}`),
      page.click('#sign-out'),
    ]);
    expect(signOutAnswer.status()).toBe(403);
    await shot(page, `${prefix}-5-cross-site-refused`);
    await page.goto(`${otherOrigin}/`);
    const [sendAnswer] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${origin}${ACTIONS.send}`),
      page.click('#send'),
    ]);
    expect(sendAnswer.status()).toBe(403);
    expect(deliveriesTo(CROSS_SITE_NATIONAL)).toBe(0);
    await page.goto(`${origin}/account`);
    expect(await page.locator('h1').textContent()).toBe('You are signed in');

    await page.click('button:has-text("Sign out")');
    await page.waitForSelector('h1:has-text("Sign in with your mobile number")');
    await page.goto(`${origin}/account`);
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.locator('h1').textContent()).toBe('Sign in with your mobile number');
    await shot(page, `${prefix}-6-signed-out`);
  });
});

it('shows delivered codes on the dev outbox page', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${origin}/dev/outbox`);
  const codes = await page.locator('[data-otp]').allTextContents();
  expect(codes.length).toBe(outbox().messages.length);
  expect(codes[0]).toBe(outbox().messages.at(-1)?.otp);
  await shot(page, 'outbox');
  await context.close();
  expect(lines.some((line) => line.includes(`code ${outbox().messages.at(-1)?.otp}`))).toBe(true);
});
