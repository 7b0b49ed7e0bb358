/**
 * The password sign-in steps of the Express-based demos' pages (`express-demo/views`:
 * `passwordSignInPage`, `profilePage`), with JavaScript on or off, and the three-tab check across
 * an access-token expiry. Each step checks what a person sees.
 */

import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { screenshot } from './browser.js';

/** What the steps need to know about the demo. */
export interface PasswordDemo {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Where the demo's app lives (screenshots go to its `test-results/`). */
  appDir: string;
  /** The password page's path. @default '/password' */
  signInPath?: string;
  /** The profile page's path. @default '/profile' */
  profilePath?: string;
}

/** The steps on one page (one browser context = one signed-in user). */
export class PasswordSignIn {
  readonly #demo: PasswordDemo;
  readonly #page: Page;
  readonly #javaScript: boolean;
  readonly #prefix: string;

  constructor(demo: PasswordDemo, page: Page, options: { javaScriptEnabled: boolean }) {
    this.#demo = demo;
    this.#page = page;
    this.#javaScript = options.javaScriptEnabled;
    this.#prefix = `password-${options.javaScriptEnabled ? 'js' : 'nojs'}`;
  }

  get #signInURL(): string {
    return `${this.#demo.origin}${this.#demo.signInPath ?? '/password'}`;
  }

  get #profileURL(): string {
    return `${this.#demo.origin}${this.#demo.profilePath ?? '/profile'}`;
  }

  shot(name: string): Promise<void> {
    return screenshot(this.#page, this.#demo.appDir, `${this.#prefix}-${name}`);
  }

  /** The phone sign-in page links to the password page, which has the accessible form. */
  async opensFromThePhonePage(): Promise<void> {
    const page = this.#page;
    await page.goto(`${this.#demo.origin}/`);
    await page.getByRole('link', { name: 'Sign in with a password' }).click();
    await page.waitForURL(this.#signInURL);
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe('Sign in with a password');
    const identifier = page.locator('#identifier');
    expect(await identifier.getAttribute('autocomplete')).toBe('username');
    expect(await page.locator('#password').getAttribute('autocomplete')).toBe('current-password');
    expect(await page.locator('#password').getAttribute('type')).toBe('password');
    // Every input has a label.
    expect(await page.getByLabel('Password', { exact: true }).count()).toBe(1);
  }

  async #submit(identifier: string, password: string): Promise<void> {
    const page = this.#page;
    await page.locator('#identifier').fill(identifier);
    await page.locator('#password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** A wrong password: the generic message in the alert region, still on the sign-in page. */
  async refusesWrongPassword(identifier: string): Promise<void> {
    const page = this.#page;
    await this.#submit(identifier, 'not-the-password-1');
    const alert = page.getByRole('alert');
    await expect
      .poll(() => alert.textContent(), { timeout: 10_000 })
      .toBe('The username or password is not right.');
    expect(new URL(page.url()).pathname).toBe(this.#demo.signInPath ?? '/password');
    // Without JavaScript the page came back through a redirect: the password is never echoed.
    expect(await page.locator('#password').inputValue()).toBe(
      this.#javaScript ? 'not-the-password-1' : '',
    );
    expect(await page.content()).not.toContain('not-the-password-1');
  }

  /** The right password: the profile page, with the account and what the upstream says. */
  async signsIn(identifier: string, password: string): Promise<void> {
    const page = this.#page;
    await this.#submit(identifier, password);
    await page.waitForURL(this.#profileURL, { timeout: 10_000 });
    await this.expectProfile(identifier);
  }

  /** The profile page of `identifier` is shown (read from the upstream with the session's token). */
  async expectProfile(identifier: string, page: Page = this.#page): Promise<void> {
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('You are signed in');
    expect(await page.locator('[data-account]').textContent()).toBe(identifier);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await page.locator('[data-detail="Subject"]').count()).toBe(1);
  }

  /** Sign out: back on the sign-in page; the profile page sends a signed-out browser there too. */
  async signsOut(): Promise<void> {
    const page = this.#page;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(this.#signInURL, { timeout: 10_000 });
    await page.goto(this.#profileURL);
    await page.waitForURL(this.#signInURL);
  }
}

/**
 * Three tabs of one signed-in browser load the profile at the same moment (after the test moved
 * the clock past the access token's refresh time): each shows the profile.
 */
export async function openProfileInThreeTabs(
  context: BrowserContext,
  demo: PasswordDemo,
  identifier: string,
): Promise<Page[]> {
  const tabs = await Promise.all([context.newPage(), context.newPage(), context.newPage()]);
  const url = `${demo.origin}${demo.profilePath ?? '/profile'}`;
  await Promise.all(tabs.map((tab) => tab.goto(url)));
  const steps = new PasswordSignIn(demo, tabs[0]!, { javaScriptEnabled: true });
  for (const tab of tabs) {
    expect(new URL(tab.url()).pathname).toBe(demo.profilePath ?? '/profile');
    await steps.expectProfile(identifier, tab);
  }
  return tabs;
}
