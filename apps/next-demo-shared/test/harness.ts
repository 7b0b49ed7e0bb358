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
import { expectOneRequest, receiveSMS, stubWebOTP } from 'test-support/web-otp';
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

  it('one-tap code entry: with the WebOTP API the SMS code fills the field and signs in', async () => {
    // Chrome on Android reads the SMS's last line `@host #code`; the stub stands in for it (desktop
    // Chromium has no SMS), and the form's listenForOneTimeCode must fill the field and sign in.
    const context = await browser.newContext();
    await stubWebOTP(context, true);
    const page = await context.newPage();
    const phone = '9841234570';
    await page.goto(`${app.origin}/signin`);
    await page.getByLabel('Mobile number').fill(phone);
    await page.getByLabel('SMS').check();
    await page.getByRole('button', { name: 'Send code' }).click();
    await page.getByLabel('Code', { exact: true }).waitFor();
    await expectOneRequest(page);
    const response = await fetch(`${app.origin}/api/dev/outbox?phone=${phone}`);
    const { messages } = (await response.json()) as { messages: { message: string }[] };
    const sms = messages[0]?.message ?? '';
    expect(sms.split('\n').at(-1)).toMatch(/^@localhost #\d{6}$/);
    await receiveSMS(page, sms);
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    expect(await page.getByTestId('session-phone').textContent()).toBe(`+977${phone}`);
    await context.close();
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

/** The answer of the dev route `/api/dev/upstream` (the embedded fake upstream's counters). */
interface UpstreamStats {
  upstream: string;
  stats: { loginCalls: number; refreshCalls: number; reuseDetected: number };
}

/** Move the embedded fake's clock (and the password sessions') forward; reset its counters. */
async function controlUpstream(
  origin: string,
  body: { advanceSeconds?: number; resetStats?: boolean },
): Promise<UpstreamStats> {
  const response = await fetch(`${origin}/api/dev/upstream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`/api/dev/upstream answered ${response.status}`);
  return (await response.json()) as UpstreamStats;
}

const cookieHeader = (cookies: readonly { name: string; value: string }[]): string =>
  cookies.map((c) => `${c.name}=${c.value}`).join('; ');

/** What each embedded fake's profile shows for the demo account (a label, and its value). */
const PROFILE_DETAIL = {
  timbr: ['Your team API tokens', '0'],
  notes: ['Username', 'demo'],
  tingting: ['Email', 'demo@example.com'],
} as const;

/**
 * Password sign-in in the browser, against the demo's embedded fake `upstream`: the form (labels,
 * autocomplete) from the home page, a wrong password (generic message, nothing echoed), the
 * sign-in and the profile read server-side, with JavaScript on and off; three tabs and the route
 * handler behind the proxy across an access-token expiry (exactly one upstream refresh each time,
 * read from the fake's counters); sign-out, after which a copied cookie is refused everywhere.
 */
export function describePasswordSignIn(
  appDir: string,
  {
    label,
    upstream,
  }: { label: string; major: NextAuthMajor; upstream: 'timbr' | 'notes' | 'tingting' },
): void {
  describe(`${label}: password sign-in (UPSTREAM=${upstream})`, () => {
    let app: RunningApp;
    let browser: Browser;
    const identifier = upstream === 'tingting' ? 'demo@example.com' : 'demo';
    const password = 'demo-password-1';
    const [detailLabel, detailValue] = PROFILE_DETAIL[upstream];

    beforeAll(async () => {
      app = await startApp(appDir, { UPSTREAM: upstream, UPSTREAM_ACCESS_SECONDS: '20' });
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

    /** The profile's value for `name` on `page`. */
    const detail = (page: import('playwright-core').Page, name: string) =>
      page.locator(`[data-detail="${name}"]`).textContent();

    async function expectProfile(page: import('playwright-core').Page): Promise<void> {
      await page.getByRole('heading', { name: 'Your account' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/account');
      expect((await page.getByTestId('session-account').textContent())?.length).toBeGreaterThan(0);
      expect((await detail(page, 'Subject'))?.length).toBeGreaterThan(0);
      expect(await detail(page, detailLabel)).toBe(detailValue);
      expect(await page.locator('#profile-error').count()).toBe(0);
    }

    it.each([
      ['with JavaScript', true],
      ['without JavaScript', false],
    ])(
      'signs in and shows the upstream profile; a wrong password is refused (%s)',
      async (_l, javaScriptEnabled) => {
        const context = await browser.newContext({ javaScriptEnabled });
        const page = await context.newPage();
        const shot = (name: string) =>
          screenshot(
            page,
            appDir,
            `password-${upstream}-${javaScriptEnabled ? 'js' : 'nojs'}-${name}`,
          );

        await page.goto(`${app.origin}/`);
        await page.getByRole('link', { name: 'Sign in with a password' }).click();
        await page.waitForURL(/\/signin\/password/);
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
          'Sign in with a password',
        );
        const idInput = page.locator('#identifier');
        expect(await idInput.getAttribute('autocomplete')).toBe('username');
        expect(await idInput.getAttribute('name')).toBe(
          upstream === 'tingting' ? 'email' : 'username',
        );
        expect(
          await page.getByLabel('Password', { exact: true }).getAttribute('autocomplete'),
        ).toBe('current-password');
        expect(await page.getByLabel('Password', { exact: true }).getAttribute('type')).toBe(
          'password',
        );
        expect(await page.locator('[data-demo-account]').textContent()).toContain(identifier);
        // The form carries next-auth's CSRF token (the proxy set its cookie before the page rendered).
        expect(await page.locator('input[name="csrfToken"]').inputValue()).toMatch(
          /^[0-9a-f]{32,}$/,
        );
        await shot('1-form');

        // A wrong password: the generic message, back on the password page, nothing echoed.
        await idInput.fill(identifier);
        await page.getByLabel('Password', { exact: true }).fill('not-the-password-1');
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await page.waitForURL(/\/signin\/password\?.*error=INVALID_CREDENTIALS/);
        const alert = page.getByRole('alert').and(page.locator('#form-error'));
        await expect
          .poll(() => alert.textContent(), SERVER_ROUND_TRIP)
          .toBe(PUBLIC_ERROR_MESSAGES.INVALID_CREDENTIALS);
        expect(await page.content()).not.toContain('not-the-password-1');
        expect((await context.cookies()).some((c) => c.name.includes('session-token'))).toBe(false);
        await shot('2-wrong-password');

        // The right one: the account page, with the profile read from the upstream.
        await page.locator('#identifier').fill(identifier);
        await page.getByLabel('Password', { exact: true }).fill(password);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await page.waitForURL(/\/account$/, SERVER_ROUND_TRIP);
        await expectProfile(page);
        await shot('3-profile');
        // The browser holds the JWT (a session id inside, encrypted), never an upstream token.
        const html = await page.content();
        expect(html).not.toContain(password);
        expect(html).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
        await context.close();
      },
      60_000,
    );

    it('across an expiry, three tabs and the route behind the proxy each cause one refresh; sign-out refuses a copied cookie', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${app.origin}/signin/password`);
      await page.locator('#identifier').fill(identifier);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL(/\/account$/, SERVER_ROUND_TRIP);
      await expectProfile(page);
      const cookies = await context.cookies();
      const profileRoute = () =>
        fetch(`${app.origin}/api/upstream/profile`, {
          headers: { cookie: cookieHeader(cookies) },
        });

      // Tokens live 20 s and are refreshed 10 s ahead: 15 s later, every reader needs a refresh.
      await controlUpstream(app.origin, { resetStats: true, advanceSeconds: 15 });
      const tabs = await Promise.all([context.newPage(), context.newPage(), context.newPage()]);
      await Promise.all(tabs.map((tab) => tab.goto(`${app.origin}/account`)));
      for (const tab of tabs) await expectProfile(tab);
      let stats = await controlUpstream(app.origin, {});
      expect(stats.upstream).toBe(upstream);
      expect(stats.stats.refreshCalls).toBe(1);

      // The same behind the proxy: three parallel calls of the route handler, one refresh.
      await controlUpstream(app.origin, { resetStats: true, advanceSeconds: 15 });
      const answers = await Promise.all([profileRoute(), profileRoute(), profileRoute()]);
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        const body = (await answer.json()) as { profile: { label: string; value: string }[] };
        expect(body.profile).toContainEqual({ label: detailLabel, value: detailValue });
      }
      stats = await controlUpstream(app.origin, {});
      expect(stats.stats.refreshCalls).toBe(1);
      // The fake revokes a whole token family on a replayed refresh token: none was replayed.
      expect(stats.stats.reuseDetected).toBe(0);

      // Sign out: the cookie copied before is refused by the route, the proxy and the pages.
      await page.bringToFront();
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.waitForURL(/\/signin/, SERVER_ROUND_TRIP);
      const after = await profileRoute();
      expect(after.status).toBe(401);
      expect(((await after.json()) as { error: { code: string } }).error.code).toBe(
        'SESSION_EXPIRED',
      );
      const session = await fetch(`${app.origin}/api/auth/session`, {
        headers: { cookie: cookieHeader(cookies) },
      });
      const body = (await session.json()) as { user?: unknown } | null;
      expect(body?.user).toBeUndefined();
      const thief = await browser.newContext();
      await thief.addCookies(cookies);
      const thiefPage = await thief.newPage();
      await thiefPage.goto(`${app.origin}/account`);
      await thiefPage.waitForURL(/\/signin/);
      expect(await thiefPage.getByTestId('session-account').count()).toBe(0);
      await thief.close();
      await context.close();
    }, 90_000);

    it('the route behind the proxy answers 401 SESSION_EXPIRED without a session', async () => {
      const response = await fetch(`${app.origin}/api/upstream/profile`);
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        'SESSION_EXPIRED',
      );
    });
  });
}
