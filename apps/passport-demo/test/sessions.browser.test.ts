/**
 * The Passport demo's "Where you are signed in" in headless Chromium (the TingTing strategy with
 * `sessions`, its `sessionGuard` and helpers): the same number signed in from two browser
 * contexts; the account page lists both (device, when, where from); "Sign out this one" ends the
 * other context's session, which is signed out on its next request; "Sign out everywhere" ends
 * both. Context A runs with JavaScript, context B without (the session forms are plain posts).
 * No session id ever reaches a page.
 */

import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { registerDemoInChromium, screenshot } from 'test-support/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemo } from '../src/app.js';

const APP_DIR = join(import.meta.dirname, '..');
const COOLDOWN_IN_SECONDS = 1;
const NATIONAL = '9812345678';

const run = registerDemoInChromium(createDemo, { cooldownInSeconds: COOLDOWN_IN_SECONDS });

describe('where you are signed in', () => {
  const contexts: BrowserContext[] = [];
  const sids: string[] = [];
  let a: Page;
  let b: Page;

  beforeAll(async () => {
    // Every session id the demo hands out, to prove no page ever shows one.
    const sessions = run.demo.phoneSessions;
    const create = sessions.create.bind(sessions);
    sessions.create = async (input) => {
      const created = await create(input);
      sids.push(created.sid);
      return created;
    };
    for (const [javaScriptEnabled, userAgent] of [
      [true, 'Mozilla/5.0 (Device A) Chromium'],
      [false, 'Mozilla/5.0 (Device B) Chromium'],
    ] as const) {
      const context = await run.browser.newContext({
        javaScriptEnabled,
        userAgent,
        viewport: { width: 900, height: 900 },
      });
      contexts.push(context);
    }
    a = await contexts[0]!.newPage();
    b = await contexts[1]!.newPage();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
  });

  async function signIn(page: Page) {
    await page.goto(`${run.origin}/?step=phone`);
    await page.fill('#phone', NATIONAL);
    const before = run.outbox().messages.length;
    await page.click('button:has-text("Send code")');
    await page.waitForSelector('h1:has-text("Enter your code")');
    await expect.poll(() => run.outbox().messages.length).toBe(before + 1);
    await page.fill('#code', run.outbox().last(NATIONAL)!.otp);
    await page.click('button:has-text("Verify and sign in")');
    await page.waitForSelector('h1:has-text("You are signed in")');
  }

  async function openSessions(page: Page) {
    await page.goto(`${run.origin}/account`);
    await page.click('a:has-text("Where you are signed in")');
    await page.waitForSelector('h1:has-text("Where you are signed in")');
    return page.locator('[data-session-list] li');
  }

  const cooldown = () => new Promise((done) => setTimeout(done, COOLDOWN_IN_SECONDS * 1000 + 200));

  it('lists both devices; "Sign out this one" signs the other out on its next request; "Sign out everywhere" ends all', async () => {
    await signIn(a);
    await cooldown();
    await signIn(b);

    const items = await openSessions(a);
    await expect.poll(() => items.count()).toBe(2);
    const devices = await items.locator('.device strong').allTextContents();
    expect(devices).toEqual(['Mozilla/5.0 (Device A) Chromium', 'Mozilla/5.0 (Device B) Chromium']);
    expect(await items.nth(0).getAttribute('data-current')).toBe('');
    expect(await items.nth(1).getAttribute('data-current')).toBeNull();
    expect(await items.nth(1).locator('[data-ip]').textContent()).toMatch(/127\.0\.0\.1/);
    expect(await items.nth(1).locator('time').count()).toBe(2);
    await screenshot(a, APP_DIR, 'sessions-1-two-devices');
    for (const page of [a, b]) {
      for (const sid of sids) expect(await page.content()).not.toContain(sid);
    }

    // B's own list says which one it is, without JavaScript.
    const fromB = await openSessions(b);
    expect(await fromB.nth(1).getAttribute('data-current')).toBe('');

    await items.nth(1).locator('button:has-text("Sign out this one")').click();
    await a.waitForURL(`${run.origin}/account/sessions`);
    await expect.poll(() => a.locator('[data-session-list] li').count()).toBe(1);
    await screenshot(a, APP_DIR, 'sessions-2-other-ended');

    // B's next request: signed out, sent to the sign-in page.
    await b.goto(`${run.origin}/account`);
    expect(new URL(b.url()).pathname).toBe('/');
    expect(await b.locator('h1').textContent()).toBe('Sign in with your mobile number');

    await cooldown();
    await signIn(b);
    const again = await openSessions(a);
    await expect.poll(() => again.count()).toBe(2);
    await a.click('button:has-text("Sign out everywhere")');
    await a.waitForSelector('h1:has-text("Sign in with your mobile number")');
    for (const page of [a, b]) {
      await page.goto(`${run.origin}/account/sessions`);
      expect(new URL(page.url()).pathname).toBe('/');
    }
    expect(await run.demo.phoneSessions.list(`+977${NATIONAL}`)).toEqual([]);
    await screenshot(b, APP_DIR, 'sessions-3-signed-out-everywhere');
  });
});
