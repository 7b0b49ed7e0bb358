/**
 * Browser tests of the demos: screenshots, servers on free ports, and for the two Express-based
 * demos (the Express demo and the Passport demo, which share `express-demo/views`) the demo on
 * its embedded fake TingTing in headless Chromium and the sign-in steps their pages share.
 */

import { mkdirSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { join } from 'node:path';
import type { Delivery, FakeTingTing, Outbox } from '@tingting-auth/testing';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { launchChromium } from './chromium.js';

/** Save a full-page screenshot as `<appDir>/test-results/<name>.png` (git-ignored). */
export async function screenshot(page: Page, appDir: string, name: string): Promise<void> {
  const dir = join(appDir, 'test-results');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/** Listen on 127.0.0.1, a free port; resolves with the port. */
export function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('no port'));
      else resolve(address.port);
    });
  });
}

/** Close `server` and every connection it holds (Chromium keeps some alive). */
export async function closeServer(server: Server | undefined): Promise<void> {
  if (server === undefined) return;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/** What an Express-based demo's `createDemo` builds. */
export interface Demo {
  app: RequestListener;
  fake: FakeTingTing | undefined;
  close(): Promise<void>;
}

/** The options the browser tests give `createDemo`. */
export interface DemoOptions {
  env: NodeJS.ProcessEnv;
  policy: { resendCooldownInSeconds: number };
  log: (line: string) => void;
}

/** A demo served on a free port, and a Chromium to look at it (valid inside tests only). */
export interface DemoInChromium<D extends Demo> {
  readonly demo: D;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly browser: Browser;
  /** Everything the demo logged (its notices, the codes the fake delivered). */
  readonly lines: string[];
  /** The embedded fake's outbox. */
  outbox(): Outbox;
}

/**
 * Registers the hooks (call at the top of a test file): before all tests, the demo (with
 * `NODE_ENV=test` and a short resend cooldown) on a free port and Chromium; after them, all closed.
 */
export function registerDemoInChromium<D extends Demo>(
  createDemo: (options: DemoOptions) => Promise<D>,
  { cooldownInSeconds }: { cooldownInSeconds: number },
): DemoInChromium<D> {
  const lines: string[] = [];
  let demo: D | undefined;
  let server: Server | undefined;
  let origin: string | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    demo = await createDemo({
      env: { NODE_ENV: 'test' },
      policy: { resendCooldownInSeconds: cooldownInSeconds },
      log: (line) => lines.push(line),
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
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the demo runs only inside its tests');
    return value;
  };
  return {
    get demo() {
      return started(demo);
    },
    get origin() {
      return started(origin);
    },
    get browser() {
      return started(browser);
    },
    lines,
    outbox() {
      const { fake } = started(demo);
      if (!fake) throw new Error('the demo should run on the embedded fake');
      return fake.outbox;
    },
  };
}

/** Registers a browser context of its own (and one page) for the tests of a `describe`. */
export function registerPage(
  run: DemoInChromium<Demo>,
  javaScriptEnabled: boolean,
): { readonly page: Page } {
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  beforeAll(async () => {
    context = await run.browser.newContext({
      javaScriptEnabled,
      viewport: { width: 900, height: 800 },
    });
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
  });
  return {
    get page() {
      if (page === undefined) throw new Error('the page opens only inside its tests');
      return page;
    },
  };
}

/** A code that is not `code`. */
export function wrongCode(code: string): string {
  return code === '000000' ? '111111' : '000000';
}

/** `9812345670` as the pages show it: `+977 981-2345670`. */
function shown(national: string): string {
  return `+977 ${national.slice(0, 3)}-${national.slice(3)}`;
}

/**
 * The sign-in steps both Express-based demos' pages (`express-demo/views`) go through, with
 * JavaScript on or off, for one number. Each step checks what a person sees; the test adds what
 * is its demo's own (a user table, cross-site forms) between them.
 */
export class DemoSignIn {
  readonly #run: DemoInChromium<Demo>;
  readonly #appDir: string;
  readonly #cooldownInSeconds: number;
  readonly page: Page;
  readonly national: string;
  readonly javaScriptEnabled: boolean;

  constructor(
    run: DemoInChromium<Demo>,
    page: Page,
    options: {
      national: string;
      javaScriptEnabled: boolean;
      appDir: string;
      cooldownInSeconds: number;
    },
  ) {
    this.#run = run;
    this.page = page;
    this.national = options.national;
    this.javaScriptEnabled = options.javaScriptEnabled;
    this.#appDir = options.appDir;
    this.#cooldownInSeconds = options.cooldownInSeconds;
  }

  /** Codes the fake delivered to this number. */
  deliveries(): number {
    return this.#run.outbox().messages.filter((d) => d.number === this.national).length;
  }

  /** Screenshot `<js|nojs>-<step>.png`. */
  shot(step: string): Promise<void> {
    return screenshot(this.page, this.#appDir, `${this.javaScriptEnabled ? 'js' : 'nojs'}-${step}`);
  }

  /** The phone step: its heading, a `tel` field, no alert. */
  async expectPhoneStep(): Promise<void> {
    const { page } = this;
    await expect
      .poll(() => page.locator('h1').textContent())
      .toBe('Sign in with your mobile number');
    expect(await page.getAttribute('#phone', 'autocomplete')).toBe('tel');
    expect(await page.locator('label[for="phone"]').textContent()).toBe('Mobile number');
    expect(await page.locator('[role="alert"]').isVisible()).toBe(false);
  }

  /** An invalid number: a visible alert, nothing sent. */
  async refusesInvalidNumber(): Promise<void> {
    const { page } = this;
    const before = this.#run.outbox().messages.length;
    await page.fill('#phone', '12345');
    await page.click('button:has-text("Send code")');
    await expect
      .poll(() => page.locator('[role="alert"]').textContent())
      .toBe('Enter a valid mobile number.');
    expect(this.#run.outbox().messages.length).toBe(before);
  }

  /** Asks for a voice call; resolves with the delivery once the code step shows. */
  async sendsByVoice(): Promise<Delivery> {
    const { page, national } = this;
    await page.fill('#phone', national);
    await page.check('input[name="channel"][value="voice"]');
    await page.click('button:has-text("Send code")');
    await page.waitForSelector('h1:has-text("Enter your code")');
    const first = this.#run.outbox().last(national);
    if (first === undefined) throw new Error(`nothing delivered to ${national}`);
    expect(first.channel).toBe('voice');
    expect(await page.getAttribute('#code', 'autocomplete')).toBe('one-time-code');
    expect(await page.getAttribute('#code', 'inputmode')).toBe('numeric');
    expect(await page.locator('.lead').textContent()).toContain(shown(national));
    return first;
  }

  /**
   * Right after a send, a new code is refused: with JavaScript the button is disabled with a
   * countdown; without, it works and an early press is refused politely, nothing sent. Resolves
   * with the resend button.
   */
  async expectResendCooldown(): Promise<Locator> {
    const { page } = this;
    const resend = page.locator('button:has-text("Send a new code")');
    if (this.javaScriptEnabled) {
      expect(await resend.isDisabled()).toBe(true);
      expect(await resend.textContent()).toMatch(/\(\d s\)/);
    } else {
      await resend.click();
      await expect
        .poll(() => page.locator('[role="alert"]').textContent())
        .toMatch(/^Please wait \d seconds? before asking for a new code\.$/);
      expect(this.deliveries()).toBe(1);
    }
    return resend;
  }

  /** A wrong code: a generic message, still on the code page. */
  async refusesWrongCode(delivered: Delivery): Promise<void> {
    const { page } = this;
    await page.fill('#code', wrongCode(delivered.otp));
    await page.click('button:has-text("Verify and sign in")');
    await expect
      .poll(() => page.locator('[role="alert"]').textContent())
      .toBe('That code is not right, or it has expired.');
    expect(page.url()).toBe(`${this.#run.origin}/`);
    expect(await page.locator('h1').textContent()).toBe('Enter your code');
  }

  /**
   * After the cooldown, a new code (the old one stops working) signs in: the account page shows
   * the number. Resolves with the new delivery.
   */
  async signsInWithNewCode(resend: Locator): Promise<Delivery> {
    const { page, national } = this;
    await page.waitForTimeout(this.#cooldownInSeconds * 1000 + 200);
    if (this.javaScriptEnabled) await expect.poll(() => resend.isDisabled()).toBe(false);
    await resend.click();
    await expect.poll(() => this.deliveries()).toBe(2);
    const second = this.#run.outbox().last(national);
    if (second === undefined) throw new Error(`nothing delivered to ${national}`);
    expect(second.otp).toMatch(/^\d{6}$/);
    await page.waitForSelector('h1:has-text("Enter your code")');

    await page.fill('#code', second.otp);
    await page.click('button:has-text("Verify and sign in")');
    await page.waitForSelector('h1:has-text("You are signed in")');
    expect(page.url()).toBe(`${this.#run.origin}/account`);
    expect(await page.locator('[data-verified-phone]').textContent()).toBe(shown(national));
    return second;
  }

  /** Sign out: back on the phone step, and the account page sends the browser there too. */
  async signsOut(): Promise<void> {
    const { page } = this;
    await page.click('button:has-text("Sign out")');
    await page.waitForSelector('h1:has-text("Sign in with your mobile number")');
    await page.goto(`${this.#run.origin}/account`);
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.locator('h1').textContent()).toBe('Sign in with your mobile number');
  }
}

/**
 * The dev outbox page lists every delivered code, newest first, and the credits the fake has
 * left; the demo logged the last code (the point of the embedded fake: the developer reads the
 * code there).
 */
export async function expectDevOutbox(run: DemoInChromium<Demo>, appDir: string): Promise<void> {
  const context = await run.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${run.origin}/dev/outbox`);
  const codes = await page.locator('[data-otp]').allTextContents();
  const { messages } = run.outbox();
  expect(codes.length).toBe(messages.length);
  expect(codes[0]).toBe(messages.at(-1)?.otp);
  // The credits the fake has left, so a demo that runs dry says why.
  const credits = run.demo.fake?.credits;
  expect(await page.locator('[data-credits-sms]').textContent()).toBe(
    credits?.sms.toLocaleString('en-US'),
  );
  expect(await page.locator('[data-credits-phone]').textContent()).toBe(
    credits?.phone.toLocaleString('en-US'),
  );
  await screenshot(page, appDir, 'outbox');
  await context.close();
  expect(run.lines.some((line) => line.includes(`code ${messages.at(-1)?.otp}`))).toBe(true);
}
