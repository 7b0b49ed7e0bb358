/**
 * One-tap code entry in the Passport demo (it shares the Express demo's pages and `web-otp.js`):
 * with the WebOTP API (a stub of `navigator.credentials` in the page), the code of the SMS that
 * ends with `@localhost #<code>` is filled in and submitted; without it, nothing happens.
 */

import { registerDemoInChromium } from 'test-support/browser';
import { expectOneRequest, receiveSMS, stubWebOTP, webOTPCalls } from 'test-support/web-otp';
import { expect, it } from 'vitest';
import { createDemo } from '../src/app.js';

const run = registerDemoInChromium(createDemo, { cooldownInSeconds: 3 });

it.each([
  ['with the API: fills the code from the SMS and signs in', true, '9841000201'],
  ['without the API: does nothing; the typed code signs in', false, '9841000202'],
])('%s', async (_, present, national) => {
  const context = await run.browser.newContext();
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
  expect(sms.message.split('\n').at(-1)).toBe(`@localhost #${sms.otp}`);
  expect(await page.getAttribute('#code', 'autocomplete')).toBe('one-time-code');
  if (present) {
    await expectOneRequest(page);
    await receiveSMS(page, sms.message);
  } else {
    expect(await webOTPCalls(page)).toBeUndefined();
    expect(await page.inputValue('#code')).toBe('');
    await page.fill('#code', sms.otp);
    await page.click('button:has-text("Verify and sign in")');
  }
  await page.waitForSelector('h1:has-text("You are signed in")');
  expect(errors).toEqual([]);
  await context.close();
});
