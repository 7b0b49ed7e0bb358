/**
 * One-tap code entry in headless Chromium: the code page's `public/web-otp.js` asks the WebOTP API
 * for the code (a stub of `navigator.credentials` stands in for Chrome on Android), fills the field
 * and submits; typing aborts the request; where the API is missing nothing happens and the user
 * types the code. The SMS itself ends with `@localhost #<code>` (the demo's own origin), and the
 * dev outbox shows it exactly as it arrives.
 */

import { join } from 'node:path';
import { registerDemoInChromium, screenshot } from 'test-support/browser';
import { expectOneRequest, receiveSMS, stubWebOTP, webOTPCalls } from 'test-support/web-otp';
import { describe, expect, it } from 'vitest';
import { createDemo } from '../src/app.js';

const APP_DIR = join(import.meta.dirname, '..');
const run = registerDemoInChromium(createDemo, { cooldownInSeconds: 3 });

/** A new context (with or without the API) on the code page for `national`. */
async function onCodePage(national: string, present: boolean) {
  const context = await run.browser.newContext({ viewport: { width: 900, height: 800 } });
  await stubWebOTP(context, present);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${run.origin}/`);
  await page.fill('#phone', national);
  await page.click('button:has-text("Send code")');
  await page.waitForSelector('h1:has-text("Enter your code")');
  const sms = run.outbox().last(national);
  if (sms === undefined) throw new Error(`nothing delivered to ${national}`);
  expect(await page.getAttribute('#code', 'autocomplete')).toBe('one-time-code');
  return { context, page, sms, errors };
}

describe('one-tap code entry (WebOTP)', () => {
  it('the SMS ends with the demo origin’s line, and the dev outbox shows it as it arrives', async () => {
    const { context, page, sms } = await onCodePage('9841000101', false);
    expect(sms.message.split('\n').at(-1)).toBe(`@localhost #${sms.otp}`);
    expect(sms.message.match(/^@/gm)).toHaveLength(1);
    await page.goto(`${run.origin}/dev/outbox`);
    // innerText on purpose: what the page renders (pre-wrap keeps the line breaks), not the DOM text.
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what is checked
    expect(await page.locator('[data-message]').first().innerText()).toBe(sms.message);
    await screenshot(page, APP_DIR, 'web-otp-outbox');
    await context.close();
  });

  it('with the API: asks for the SMS code, fills the field and signs in', async () => {
    const { context, page, sms, errors } = await onCodePage('9841000102', true);
    await expectOneRequest(page);
    await receiveSMS(page, sms.message);
    await page.waitForSelector('h1:has-text("You are signed in")');
    expect(page.url()).toBe(`${run.origin}/account`);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('with the API: typing in the field aborts the request, and the typed code signs in', async () => {
    const { context, page, sms, errors } = await onCodePage('9841000103', true);
    await expectOneRequest(page);
    await page.type('#code', sms.otp.slice(0, 1));
    await expect.poll(async () => (await webOTPCalls(page))?.aborted).toBe(true);
    // An SMS read after the abort changes nothing.
    await receiveSMS(page, sms.message);
    expect(await page.inputValue('#code')).toBe(sms.otp.slice(0, 1));
    await page.type('#code', sms.otp.slice(1));
    await page.click('button:has-text("Verify and sign in")');
    await page.waitForSelector('h1:has-text("You are signed in")');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('without the API: nothing happens, no error, and the typed code signs in', async () => {
    const { context, page, sms, errors } = await onCodePage('9841000104', false);
    expect(await page.evaluate(() => 'OTPCredential' in window)).toBe(false);
    expect(await webOTPCalls(page)).toBeUndefined();
    await page.waitForTimeout(300);
    expect(await page.inputValue('#code')).toBe('');
    expect(await page.locator('h1').textContent()).toBe('Enter your code');
    await page.fill('#code', sms.otp);
    await page.click('button:has-text("Verify and sign in")');
    await page.waitForSelector('h1:has-text("You are signed in")');
    expect(errors).toEqual([]);
    await context.close();
  });
});
