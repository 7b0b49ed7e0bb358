/**
 * The demo in headless Chromium (Debian's, through playwright-core): the whole sign-in with the
 * code read from the embedded fake's outbox, a wrong code, the resend cooldown and sign-out, with
 * JavaScript on and off. Screenshots of each step go to test-results/ (git-ignored).
 */

import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemo } from '../src/app.js';

const RESULTS = join(import.meta.dirname, '..', 'test-results');
const COOLDOWN_IN_SECONDS = 3;

let demo: Awaited<ReturnType<typeof createDemo>>;
let server: Server;
let origin: string;
let browser: Browser;
const lines: string[] = [];

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  demo = await createDemo({
    env: { NODE_ENV: 'test' },
    policy: { resendCooldownInSeconds: COOLDOWN_IN_SECONDS },
    log: (line) => lines.push(line),
  });
  server = await new Promise<Server>((resolve) => {
    const s = demo.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  origin = `http://127.0.0.1:${address.port}`;
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
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await demo?.close();
});

function outbox() {
  const fake = demo.fake;
  if (!fake) throw new Error('the demo should run on the embedded fake');
  return fake.outbox;
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
  const national = javaScriptEnabled ? '9812345670' : '9812345671';
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

  it(`signs in, refuses a wrong code, respects the resend cooldown, signs out (${label})`, async () => {
    await page.goto(`${origin}/`);
    await expect
      .poll(() => page.locator('h1').textContent())
      .toBe('Sign in with your mobile number');
    expect(await page.getAttribute('#phone', 'autocomplete')).toBe('tel');
    expect(await page.locator('label[for="phone"]').textContent()).toBe('Mobile number');
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
    expect(await page.getAttribute('#code', 'inputmode')).toBe('numeric');
    expect(await page.locator('.lead').textContent()).toContain('+977 981-234567');

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
      expect(outbox().messages.filter((d) => d.number === national)).toHaveLength(1);
    }
    await shot(page, `${prefix}-2-code-cooldown`);

    // A wrong code.
    await page.fill('#code', wrongCode(first?.otp ?? ''));
    await page.click('button:has-text("Verify and sign in")');
    await expect
      .poll(() => page.locator('[role="alert"]').textContent())
      .toBe('That code is not right, or it has expired.');
    expect(page.url()).toBe(`${origin}/`);
    await shot(page, `${prefix}-3-wrong-code`);

    // After the cooldown, a new code (the old one stops working).
    await page.waitForTimeout(COOLDOWN_IN_SECONDS * 1000 + 200);
    if (javaScriptEnabled) await expect.poll(() => resend.isDisabled()).toBe(false);
    await resend.click();
    await expect.poll(() => outbox().messages.filter((d) => d.number === national).length).toBe(2);
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
    await shot(page, `${prefix}-4-signed-in`);

    await page.click('button:has-text("Sign out")');
    await page.waitForSelector('h1:has-text("Sign in with your mobile number")');
    await page.goto(`${origin}/account`);
    expect(new URL(page.url()).pathname).toBe('/');
    await shot(page, `${prefix}-5-signed-out`);
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
