/**
 * Browser-test harness for the Next.js demos: run the production build (`next start`) on a free
 * port, drive it with Debian's Chromium through playwright-core, and read codes from the dev
 * outbox route. Shared by `apps/next-demo` and `apps/next-demo-v5`.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PUBLIC_ERROR_MESSAGES } from '@tingting-auth/core/public-errors';
import type { Browser } from 'playwright-core';
import { screenshot } from 'test-support/browser';
import { launchChromium } from 'test-support/chromium';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

/** A free TCP port on this machine. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A running `next start` of the app in `appDir`. */
export interface RunningApp {
  origin: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** Start the production build of the app; fails clearly when `next build` has not run. */
export async function startApp(
  appDir: string,
  env: Record<string, string> = {},
): Promise<RunningApp> {
  if (!existsSync(join(appDir, '.next', 'BUILD_ID'))) {
    throw new Error(
      `No production build in ${appDir}/.next: run \`pnpm --filter <app> build\` first`,
    );
  }
  const port = await freePort();
  let output = '';
  const child: ChildProcess = spawn(
    process.execPath,
    [join(appDir, 'node_modules', 'next', 'dist', 'bin', 'next'), 'start', '-p', String(port)],
    {
      cwd: appDir,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PORT: String(port),
        TINGTING_DEMO_OUTBOX: '1',
        TINGTING_API_TOKEN: '',
        NEXT_TELEMETRY_DISABLED: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const origin = `http://localhost:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited:\n${output}`);
    try {
      const response = await fetch(`${origin}/`, { redirect: 'manual' });
      if (response.status < 500) break;
    } catch {}
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`next start did not answer within 60 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    origin,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** The latest code the embedded fake delivered to `phone` (national form), from the dev outbox. */
export async function latestCode(origin: string, phone: string, after = 0): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await fetch(`${origin}/api/dev/outbox?phone=${encodeURIComponent(phone)}`);
    if (!response.ok) throw new Error(`outbox answered ${response.status}`);
    const { messages } = (await response.json()) as { messages: { id: number; code: string }[] };
    const latest = messages[0];
    if (latest && latest.id > after) return latest.code;
    if (Date.now() > deadline) throw new Error(`no code for ${phone} in the outbox`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// vitest's `expect.poll` gives up after 1 s by default; these polls wait on a server round trip
// (through next-auth), which a busy 2-core machine can stretch past that.
const SERVER_ROUND_TRIP = { timeout: 10_000 };

/** The next-auth major an app is built on, and how to recognise each in a production build. */
export type NextAuthMajor = 4 | 5;

// Strings only one major's code contains (checked against next-auth 4.24.15 and 5.0.0-beta.32):
// v4's logger prefix, in its client and server code alike; v5's client header asking for a JSON
// redirect, and its server logger prefix (from @auth/core).
const MARKERS: Record<NextAuthMajor, { client: string; server: string }> = {
  4: { client: '[next-auth][', server: '[next-auth][' },
  5: { client: 'X-Auth-Return-Redirect', server: '[auth][' },
};

/** Whether any file under `dir` contains `text`. */
function treeContains(dir: string, text: string): boolean {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.(js|mjs|cjs)$/.test(entry.name)) continue;
    if (readFileSync(join(entry.parentPath, entry.name), 'latin1').includes(text)) return true;
  }
  return false;
}

/**
 * The browser suite both demos run: protected page before and after sign-in, a wrong code, the
 * full sign-in with the code from the embedded fake's outbox, sign-out, a failed sign-in without
 * JavaScript (whose URL differs between the majors), a cross-site post, and a look at the build
 * for the other major's next-auth (the demos share their pages, and must not share next-auth).
 */
export function describeSignInFlow(
  appDir: string,
  { label, major }: { label: string; major: NextAuthMajor },
): void {
  let app: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startApp(appDir);
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  // The server's log is the first thing to read when a step fails.
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      console.error(
        `[${label}] next start output (last 4000 characters):\n${app?.output().slice(-4000)}`,
      );
    });
  });

  it('signs in with a code, refuses a wrong one, protects the account page, signs out', async () => {
    const page = await browser.newPage();
    const phone = '9841234567';

    // Before: the protected page sends us to sign-in.
    await page.goto(`${app.origin}/account`);
    await page.waitForURL(/\/signin/);
    expect(new URL(page.url()).pathname).toBe('/signin');

    // Send a code by SMS.
    await page.getByLabel('Mobile number').fill(phone);
    await page.getByLabel('SMS').check();
    await page.getByRole('button', { name: 'Send code' }).click();
    const codeInput = page.getByLabel('Code', { exact: true });
    await codeInput.waitFor();
    expect(await codeInput.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await codeInput.getAttribute('inputmode')).toBe('numeric');
    // The resend button is cooling down.
    await expect
      .poll(
        () => page.getByRole('button', { name: /Send again in \d+ s/ }).isDisabled(),
        SERVER_ROUND_TRIP,
      )
      .toBe(true);
    const code = await latestCode(app.origin, phone);
    expect(code).toMatch(/^\d{6}$/);
    // The server printed it to the terminal (the embedded fake's notice).
    expect(app.output()).toContain(`code ${code}`);

    // A wrong code: a helpful, generic message, no session.
    const wrong = code === '000000' ? '111111' : '000000';
    await codeInput.fill(wrong);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Next.js adds its own route announcer with role=alert; ours is the form's.
    const alert = page.getByRole('alert').and(page.locator('#form-error'));
    await expect
      .poll(() => alert.textContent(), SERVER_ROUND_TRIP)
      .toBe(PUBLIC_ERROR_MESSAGES.INVALID_CODE);
    await screenshot(page, appDir, 'wrong-code');
    expect((await page.context().cookies()).some((c) => c.name.includes('session-token'))).toBe(
      false,
    );

    // The right code: measure submit -> protected page visible.
    await codeInput.fill(code);
    const started = performance.now();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    const roundTripInMilliseconds = Math.round(performance.now() - started);
    expect(await page.getByTestId('session-phone').textContent()).toBe('+9779841234567');
    await screenshot(page, appDir, 'signed-in');

    // After: the protected page loads directly.
    await page.goto(`${app.origin}/account`);
    expect(new URL(page.url()).pathname).toBe('/account');
    expect(app.output()).not.toMatch(/Error:|TypeError/);
    // v5's `logger` setting (as the package README shows it): the wrong code is one line, no stack.
    if (major === 5) expect(app.output()).toContain('[auth] sign-in refused: INVALID_CODE');

    // Sign out, and the page is protected again.
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(/\/signin/);
    await page.goto(`${app.origin}/account`);
    await page.waitForURL(/\/signin/);
    await screenshot(page, appDir, 'signed-out');

    mkdirSync(join(appDir, 'test-results'), { recursive: true });
    writeFileSync(
      join(appDir, 'test-results', 'timings.json'),
      JSON.stringify({ app: label, roundTripInMilliseconds }, null, 2),
    );
    console.log(
      `[${label}] sign-in round trip (submit -> account visible): ${roundTripInMilliseconds} ms`,
    );
    await page.close();
  }, 60_000);

  it(`a failed sign-in without JavaScript comes back with next-auth v${major}'s error URL`, async () => {
    const page = await browser.newPage();
    await page.goto(`${app.origin}/signin`);
    // What a plain HTML form would post to the callback (next-auth checks the CSRF token).
    const { csrfToken } = (await page.evaluate(() =>
      fetch('/api/auth/csrf').then((response) => response.json()),
    )) as { csrfToken: string };
    await page.evaluate(
      (fields) => {
        const form = document.createElement('form');
        form.method = 'post';
        form.action = '/api/auth/callback/tingting';
        for (const [name, value] of Object.entries(fields)) {
          const input = document.createElement('input');
          input.type = 'hidden';
          input.name = name;
          input.value = value;
          form.append(input);
        }
        document.body.append(form);
        form.submit();
      },
      { csrfToken, phone: '9841234568', code: '000000', callbackUrl: '/account' },
    );
    await page.waitForURL(/\/signin\?.*error=/);
    const params = new URL(page.url()).searchParams;
    // v4 puts the thrown message in `error`; v5 puts CredentialsSignin there and ours in `code`.
    if (major === 4) {
      expect(params.get('error')).toBe('INVALID_CODE');
      expect(params.has('code')).toBe(false);
    } else {
      expect(params.get('error')).toBe('CredentialsSignin');
      expect(params.get('code')).toBe('INVALID_CODE');
    }
    const alert = page.getByRole('alert').and(page.locator('#form-error'));
    await expect
      .poll(() => alert.textContent(), SERVER_ROUND_TRIP)
      .toBe(PUBLIC_ERROR_MESSAGES.INVALID_CODE);
    await page.close();
  });

  it(`the production build carries next-auth v${major} only`, () => {
    const other: NextAuthMajor = major === 4 ? 5 : 4;
    const client = join(appDir, '.next', 'static');
    const server = join(appDir, '.next', 'server');
    expect(treeContains(client, MARKERS[major].client)).toBe(true);
    expect(treeContains(client, MARKERS[other].client)).toBe(false);
    expect(treeContains(server, MARKERS[major].server)).toBe(true);
    expect(treeContains(server, MARKERS[other].server)).toBe(false);
  });

  it('the send route refuses a cross-site form post before sending anything', async () => {
    const before = (await (await fetch(`${app.origin}/api/dev/outbox`)).json()) as {
      messages: unknown[];
    };
    const response = await fetch(`${app.origin}/api/auth/otp/send`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
      },
      body: 'phone=9812345678',
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'CROSS_SITE_REQUEST',
    );
    const after = (await (await fetch(`${app.origin}/api/dev/outbox`)).json()) as {
      messages: unknown[];
    };
    expect(after.messages).toHaveLength(before.messages.length);
  });
}

/**
 * Revocable sessions in the browser and over HTTP: a cookie copied before sign-out is refused
 * after it; the account page lists the number's sessions and ends one, or all of them. Its own
 * app, with no resend cooldown, so one number signs in from several browsers in a row.
 */
export function describeRevocableSessions(
  appDir: string,
  { label }: { label: string; major: NextAuthMajor },
): void {
  describe(`${label}: revocable sessions`, () => revocableSessionsSuite(appDir, label));
}

function revocableSessionsSuite(appDir: string, label: string): void {
  let app: RunningApp;
  let browser: Browser;
  const phone = '9801234567';

  beforeAll(async () => {
    app = await startApp(appDir, { TINGTING_DEMO_RESEND_COOLDOWN_IN_SECONDS: '0' });
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      console.error(`[${label}] next start output:\n${app?.output().slice(-4000)}`);
    });
  });

  /** A new browser (its own cookies) signed in as `phone`, on the account page. */
  async function signedInBrowser(device: string) {
    const context = await browser.newContext({ userAgent: `Mozilla/5.0 (${device})` });
    const page = await context.newPage();
    await page.goto(`${app.origin}/signin?callbackUrl=/account`);
    const outbox = await fetch(`${app.origin}/api/dev/outbox?phone=${encodeURIComponent(phone)}`);
    const [last] = ((await outbox.json()) as { messages: { id: number }[] }).messages;
    await page.getByLabel('Mobile number').fill(phone);
    await page.getByRole('button', { name: 'Send code' }).click();
    await page.getByLabel('Code', { exact: true }).waitFor();
    const code = await latestCode(app.origin, phone, last?.id ?? 0);
    await page.getByLabel('Code', { exact: true }).fill(code);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    return { context, page };
  }

  /** The phone `/api/auth/session` gives for these cookies (v4 answers `{}`, v5 `null`). */
  async function sessionPhone(cookies: { name: string; value: string }[]): Promise<unknown> {
    const response = await fetch(`${app.origin}/api/auth/session`, {
      headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
    });
    const body = (await response.json()) as { user?: { phone?: string } } | null;
    return body?.user?.phone ?? null;
  }

  it('sign-out refuses a copied cookie; the account page ends one session, then all', async () => {
    const laptop = await signedInBrowser('Laptop');
    const copied = await laptop.context.cookies();
    expect(await sessionPhone(copied)).toBe('+9779801234567');

    // Sign out: the copy taken before is refused, over HTTP and in another browser.
    await laptop.page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await laptop.page.waitForURL(/\/signin/);
    expect(await sessionPhone(copied)).toBeNull();
    const thief = await browser.newContext();
    await thief.addCookies(copied);
    const thiefPage = await thief.newPage();
    await thiefPage.goto(`${app.origin}/account`);
    await thiefPage.waitForURL(/\/signin/);
    await thief.close();
    await laptop.context.close();

    // Two devices: the list shows both; "Sign out this one" ends the other device's session.
    const phoneA = await signedInBrowser('Phone A');
    const phoneB = await signedInBrowser('Phone B');
    await phoneA.page.reload();
    const items = phoneA.page.getByTestId('session-list').locator('li');
    await expect.poll(() => items.count(), SERVER_ROUND_TRIP).toBe(2);
    const other = items.filter({ hasText: 'Phone B' });
    expect(await items.filter({ hasText: 'this device' }).textContent()).toContain('Phone A');
    await screenshot(phoneA.page, appDir, 'session-list');
    await other.getByRole('button', { name: 'Sign out this one' }).click();
    await expect.poll(() => items.count(), SERVER_ROUND_TRIP).toBe(1);
    await phoneB.page.goto(`${app.origin}/account`);
    await phoneB.page.waitForURL(/\/signin/);

    // "Sign out everywhere" from a third device ends Phone A's session too.
    const phoneC = await signedInBrowser('Phone C');
    const copyOfA = await phoneA.context.cookies();
    expect(await sessionPhone(copyOfA)).toBe('+9779801234567');
    await phoneC.page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await phoneC.page.waitForURL(/\/signin/);
    expect(await sessionPhone(copyOfA)).toBeNull();
    await phoneA.page.goto(`${app.origin}/account`);
    await phoneA.page.waitForURL(/\/signin/);
    await phoneA.context.close();
    await phoneB.context.close();
    await phoneC.context.close();
  }, 90_000);
}
