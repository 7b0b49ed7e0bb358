/**
 * Password sign-in in the demo, in headless Chromium, against each embedded fake upstream (Timbr,
 * the notes service, TingTing accounts): a wrong password, the sign-in, the profile read with the
 * upstream token, three tabs loading at once across an access-token expiry (exactly one upstream
 * refresh, read from the fake's counters), and sign-out; with JavaScript on and off.
 */

import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { closeServer, listen } from 'test-support/browser';
import { launchChromium } from 'test-support/chromium';
import { openProfileInThreeTabs, PasswordSignIn } from 'test-support/password-browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemo } from '../src/app.js';
import { DEMO_ACCOUNT } from '../src/dev-upstream.js';

const APP_DIR = join(import.meta.dirname, '..');

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe.each([
  ['timbr', DEMO_ACCOUNT.username],
  ['notes', DEMO_ACCOUNT.username],
  ['tingting', DEMO_ACCOUNT.email],
] as const)('UPSTREAM=%s', (upstreamName, identifier) => {
  let now = Date.now();
  const clock = () => now;
  let demo: Awaited<ReturnType<typeof createDemo>>;
  let server: Server;
  let origin: string;
  const lines: string[] = [];

  beforeAll(async () => {
    demo = await createDemo({
      env: { NODE_ENV: 'test', UPSTREAM: upstreamName, UPSTREAM_ACCESS_SECONDS: '60' },
      log: (line) => lines.push(line),
      upstreamClock: clock,
    });
    server = createServer(demo.app);
    origin = `http://127.0.0.1:${await listen(server)}`;
  });
  afterAll(async () => {
    await closeServer(server);
    await demo?.close();
  });

  it.each([
    ['with JavaScript', true],
    ['without JavaScript', false],
  ])(
    'signs in, refuses a wrong password, stays signed in across an expiry in three tabs, signs out (%s)',
    async (_label, javaScriptEnabled) => {
      const fake = demo.upstream.fake;
      if (!fake) throw new Error('the demo should run on the embedded fake upstream');
      const context = await browser.newContext({
        javaScriptEnabled,
        viewport: { width: 900, height: 800 },
      });
      try {
        const page = await context.newPage();
        const steps = new PasswordSignIn({ origin, appDir: APP_DIR }, page, { javaScriptEnabled });
        await steps.opensFromThePhonePage();
        await steps.shot(`${upstreamName}-1-form`);
        await steps.refusesWrongPassword(identifier);
        await steps.shot(`${upstreamName}-2-wrong-password`);
        await steps.signsIn(identifier, DEMO_ACCOUNT.password);
        await steps.shot(`${upstreamName}-3-profile`);

        // 45 s later the 60-second access token is inside its refresh window (30 s ahead).
        fake.resetStats();
        now += 45_000;
        const tabs = await openProfileInThreeTabs(context, { origin, appDir: APP_DIR }, identifier);
        expect(fake.stats.refreshCalls).toBe(1);
        expect(fake.stats.reuseDetected).toBe(0);
        expect(fake.stats.duplicateRefreshPresentations).toBe(0);
        // Past the old token's expiry the new one still works: no further refresh.
        now += 20_000;
        await tabs[0]!.reload();
        await steps.expectProfile(identifier, tabs[0]!);
        expect(fake.stats.refreshCalls).toBe(1);

        await steps.signsOut();
        await steps.shot(`${upstreamName}-4-signed-out`);
        // No upstream secret or the password reached the browser's cookies.
        const cookies = JSON.stringify(await context.cookies());
        expect(cookies).not.toContain(DEMO_ACCOUNT.password);
        expect(cookies).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
      } finally {
        await context.close();
      }
    },
  );
});
