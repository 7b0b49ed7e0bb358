/**
 * Password sign-in in the Passport demo, in headless Chromium (Debian's, through playwright-core),
 * against the embedded fake notes service on a clock the test moves: the form's accessibility
 * attributes, a wrong password, sign-in, the profile read from the upstream with the access token,
 * three tabs reloaded at once across a token expiry (exactly one upstream refresh, read from the
 * fake's counters, and every tab still signed in), and sign-out (the upstream session ends), with
 * JavaScript on and off.
 */

import { createServer, type Server } from 'node:http';
import { DEMO_ACCOUNT } from 'express-demo/dev-upstream';
import type { Browser, BrowserContext } from 'playwright-core';
import { closeServer, listen } from 'test-support/browser';
import { launchChromium } from 'test-support/chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, createDemo } from '../src/app.js';

let now = Date.UTC(2026, 0, 1, 12, 0, 0);
const clock = (): number => now;
const lines: string[] = [];
let demo: Awaited<ReturnType<typeof createDemo>>;
let server: Server;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  demo = await createDemo({
    env: { NODE_ENV: 'test', UPSTREAM: 'notes', UPSTREAM_ACCESS_SECONDS: '60' },
    log: (line) => lines.push(line),
    clock,
  });
  server = createServer(demo.app);
  origin = `http://127.0.0.1:${await listen(server)}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await closeServer(server);
  await demo?.close();
});

function refreshCalls(): number {
  const fake = demo.upstream.fake;
  if (!fake) throw new Error('the demo should run on the embedded fake upstream');
  return fake.stats.refreshCalls;
}

describe.each([
  ['with JavaScript', true],
  ['without JavaScript', false],
])('password sign-in %s', (_label, javaScriptEnabled) => {
  let context: BrowserContext;
  beforeAll(async () => {
    context = await browser.newContext({
      javaScriptEnabled,
      viewport: { width: 900, height: 900 },
    });
  });
  afterAll(() => context?.close());

  it('refuses a wrong password, signs in, stays signed in across an expiry in three tabs, signs out', async () => {
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    const form = page.locator(`form[action="${ACTIONS.password}"]`);
    expect(await form.getAttribute('method')).toBe('post');
    expect(await page.getAttribute('#username', 'autocomplete')).toBe('username');
    expect(await page.getAttribute('#password', 'autocomplete')).toBe('current-password');
    expect(await page.getAttribute('#password', 'type')).toBe('password');
    // Beside the phone sign-in, on the same page.
    expect(await page.locator(`form[action="${ACTIONS.send}"]`).count()).toBe(1);

    // A wrong password: an error, nobody signed in.
    await page.fill('#username', DEMO_ACCOUNT.username);
    await page.fill('#password', 'not-the-password');
    await form.locator('button[type="submit"]').click();
    const alert = javaScriptEnabled ? '[data-error]' : '[data-password-error]';
    await page.locator(alert).waitFor({ state: 'visible' });
    expect(await page.locator(alert).textContent()).toBe('The username or password is not right.');
    expect(new URL(page.url()).pathname).toBe('/');
    await page.goto(`${origin}/account`);
    expect(new URL(page.url()).pathname).toBe('/');

    // The right one: the account page, with the profile the upstream sent for the access token.
    await page.fill('#username', DEMO_ACCOUNT.username);
    await page.fill('#password', DEMO_ACCOUNT.password);
    await Promise.all([
      page.waitForURL(`${origin}/account`),
      form.locator('button[type="submit"]').click(),
    ]);
    expect(await page.locator('h1').textContent()).toBe('You are signed in');
    expect(await page.locator('[data-signed-in-as]').textContent()).toBe(DEMO_ACCOUNT.username);
    expect(await page.locator('[data-detail="Username"]').textContent()).toBe(
      DEMO_ACCOUNT.username,
    );
    expect(await page.locator('[data-detail="Email"]').textContent()).toBe(DEMO_ACCOUNT.email);
    const firstExpiry = await page.getAttribute(
      '[data-detail="Access token expires"] time',
      'datetime',
    );
    const subject = (await demo.upstream.sessions.list(DEMO_ACCOUNT.username)).length;
    expect(subject).toBe(1);

    // Three tabs open at once, past the access token's expiry: one refresh for all of them.
    const tabs = [page, await context.newPage(), await context.newPage()];
    await Promise.all(tabs.slice(1).map((tab) => tab.goto(`${origin}/account`)));
    const before = refreshCalls();
    now += 61_000;
    await Promise.all(tabs.map((tab) => tab.reload()));
    expect(refreshCalls()).toBe(before + 1);
    expect(demo.upstream.fake?.stats.reuseDetected).toBe(0);
    for (const tab of tabs) {
      expect(new URL(tab.url()).pathname).toBe('/account');
      expect(await tab.locator('[data-detail="Username"]').textContent()).toBe(
        DEMO_ACCOUNT.username,
      );
      const expiry = await tab.getAttribute(
        '[data-detail="Access token expires"] time',
        'datetime',
      );
      expect(Date.parse(expiry ?? '')).toBeGreaterThan(Date.parse(firstExpiry ?? ''));
    }
    await Promise.all(tabs.slice(1).map((tab) => tab.close()));

    // Sign-out: back to sign-in, the account page is closed, the upstream session is over.
    await Promise.all([
      page.waitForURL(`${origin}/`),
      page.locator(`form[action="${ACTIONS.signOut}"] button`).click(),
    ]);
    await page.goto(`${origin}/account`);
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await demo.upstream.sessions.list(DEMO_ACCOUNT.username)).toEqual([]);
    await page.close();
  });
});

it('never logs the password or an upstream token', () => {
  const text = lines.join('\n');
  expect(text).not.toContain('not-the-password');
  expect(text).not.toMatch(/a\.[A-Za-z0-9_-]{16,}/);
  expect(lines.some((line) => line.includes('embedded fake the notes service'))).toBe(true);
});
