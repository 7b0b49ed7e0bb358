/**
 * The client helper's one-tap code entry (`@tingting-auth/next-auth/client`, built) in headless
 * Chromium: with the WebOTP API (a stub of `navigator.credentials` in the page) it asks for the SMS
 * code, fills the field and submits the form, or hands the code to `onCode`; typing or the
 * returned stop function aborts the request; without the API it does nothing.
 */

import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { closeServer, listen } from 'test-support/browser';
import { launchChromium } from 'test-support/chromium';
import { expectOneRequest, receiveSMS, stubWebOTP, webOTPCalls } from 'test-support/web-otp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PACKAGES = join(import.meta.dirname, '..', '..');
const SMS =
  'Your sign-in code is 604218. It expires in 5 minutes. Do not share it.\n@127.0.0.1 #604218';

/** The code step of a sign-in form, with the helper as the app would call it. */
function page(mode: 'submit' | 'onCode'): string {
  const call =
    mode === 'submit'
      ? 'window.stopListening = listenForOneTimeCode(input);'
      : 'window.stopListening = listenForOneTimeCode(input, { onCode: (code) => { window.received = code; } });';
  return `<!doctype html><meta charset="utf-8"><title>Code</title>
<script type="importmap">{ "imports": { "@tingting-auth/core/public-errors": "/core/public-errors.js" } }</script>
<form method="post" action="/submitted">
  <label for="code">Code</label>
  <input id="code" name="code" autocomplete="one-time-code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" required>
  <button>Verify</button>
</form>
<script type="module">
  import { listenForOneTimeCode } from '/next-auth/client.js';
  const input = document.querySelector('#code');
  ${call}
  window.ready = true;
</script>`;
}

const submitted: string[] = [];
let server: Server;
let origin: string;
let browser: Awaited<ReturnType<typeof launchChromium>>;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'POST' && url.pathname === '/submitted') {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        submitted.push(body);
        res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Submitted</h1>');
      });
      return;
    }
    if (url.pathname === '/submit' || url.pathname === '/on-code') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page(url.pathname === '/submit' ? 'submit' : 'onCode'));
      return;
    }
    const file = /^\/(next-auth|core)\/([\w.-]+\.js)$/.exec(url.pathname);
    if (file === null) {
      res.writeHead(404).end();
      return;
    }
    readFile(join(PACKAGES, file[1]!, 'dist', file[2]!)).then(
      (source) => res.writeHead(200, { 'content-type': 'text/javascript' }).end(source),
      () => res.writeHead(404).end(),
    );
  });
  origin = `http://127.0.0.1:${await listen(server)}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await closeServer(server);
});

async function open(path: '/submit' | '/on-code', present: boolean) {
  const context = await browser.newContext();
  await stubWebOTP(context, present);
  const tab = await context.newPage();
  const errors: string[] = [];
  tab.on('pageerror', (error) => errors.push(error.message));
  await tab.goto(`${origin}${path}`);
  await tab.waitForFunction(() => (window as { ready?: boolean }).ready === true);
  return { context, tab, errors };
}

describe('listenForOneTimeCode', () => {
  it('with the API: asks for the SMS code, fills the field and submits the form', async () => {
    const { context, tab, errors } = await open('/submit', true);
    await expectOneRequest(tab);
    const before = submitted.length;
    await receiveSMS(tab, SMS);
    await tab.waitForSelector('h1:has-text("Submitted")');
    expect(submitted.slice(before)).toEqual(['code=604218']);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('with onCode: hands the code over and leaves the field and the form alone', async () => {
    const { context, tab } = await open('/on-code', true);
    await expectOneRequest(tab);
    const before = submitted.length;
    await receiveSMS(tab, SMS);
    await expect
      .poll(() => tab.evaluate(() => (window as { received?: string }).received))
      .toBe('604218');
    expect(await tab.inputValue('#code')).toBe('');
    expect(submitted.length).toBe(before);
    await context.close();
  });

  it('typing in the field aborts the request; a later SMS changes nothing', async () => {
    const { context, tab } = await open('/submit', true);
    await expectOneRequest(tab);
    await tab.type('#code', '1');
    await expect.poll(async () => (await webOTPCalls(tab))?.aborted).toBe(true);
    await receiveSMS(tab, SMS);
    expect(await tab.inputValue('#code')).toBe('1');
    await context.close();
  });

  it('the returned function stops it (a useEffect cleanup)', async () => {
    const { context, tab } = await open('/on-code', true);
    await expectOneRequest(tab);
    await tab.evaluate(() => (window as { stopListening?: () => void }).stopListening?.());
    await expect.poll(async () => (await webOTPCalls(tab))?.aborted).toBe(true);
    await receiveSMS(tab, SMS);
    expect(await tab.evaluate(() => (window as { received?: string }).received)).toBeUndefined();
    await context.close();
  });

  it('without the API: does nothing and throws nothing', async () => {
    const { context, tab, errors } = await open('/submit', false);
    expect(await tab.evaluate(() => 'OTPCredential' in window)).toBe(false);
    expect(await webOTPCalls(tab)).toBeUndefined();
    expect(await tab.inputValue('#code')).toBe('');
    expect(await tab.locator('h1').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
