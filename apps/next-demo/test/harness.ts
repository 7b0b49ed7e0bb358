/**
 * Browser-test harness for the Next.js demos: run the production build (`next start`) on a free
 * port, drive it with Debian's Chromium through playwright-core, and read codes from the dev
 * outbox route. Shared by `apps/next-demo` and `apps/next-demo-v5`.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

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

/** Launch headless Chromium (Debian's, never a download). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
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

/** Save a screenshot under the app's `test-results/`. */
export async function screenshot(page: Page, appDir: string, name: string): Promise<void> {
  const dir = join(appDir, 'test-results');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/**
 * The browser suite both demos run: protected page before and after sign-in, a wrong code, the
 * full sign-in with the code from the embedded fake's outbox, sign-out, and a cross-site post.
 */
export function describeSignInFlow(appDir: string, label: string): void {
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
      .poll(() => page.getByRole('button', { name: /Send again in \d+ s/ }).isDisabled())
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
    await expect.poll(() => alert.textContent()).toMatch(/not valid/i);
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

    // Sign out, and the page is protected again.
    await page.getByRole('button', { name: 'Sign out' }).click();
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
