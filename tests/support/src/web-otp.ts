/**
 * One-tap code entry (WebOTP) in headless Chromium: stubs of the API to install in a page before
 * its scripts run, and the checks the Express-based demos share (their code page loads
 * `express-demo/public/web-otp.js`).
 *
 * Desktop Chromium has no SMS to read, so the stub stands in for the browser: `navigator.credentials.get`
 * records its options and answers when the test hands it the SMS that arrived; the page's helper
 * must then fill the field and submit.
 */

import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';

/** What the stub saw, read back from the page. */
export interface WebOTPCalls {
  /** One entry per `navigator.credentials.get` call. */
  calls: { transport: unknown; hasSignal: boolean }[];
  /** Whether the latest call's signal was aborted. */
  aborted: boolean;
}

declare global {
  interface Window {
    __webOTP?: WebOTPCalls & { receive(sms: string): void };
  }
}

/**
 * Install the API stub in every page of `context`: `OTPCredential` exists and
 * `navigator.credentials.get` waits for {@link receiveSMS} (or an abort). `present: false`
 * removes the API instead (`OTPCredential` and `navigator.credentials` both gone), as on Firefox.
 */
export async function stubWebOTP(context: BrowserContext, present: boolean): Promise<void> {
  await context.addInitScript((isPresent: boolean) => {
    if (!isPresent) {
      Reflect.deleteProperty(window, 'OTPCredential');
      Object.defineProperty(Navigator.prototype, 'credentials', {
        configurable: true,
        get: () => undefined,
      });
      return;
    }
    const state = {
      calls: [] as { transport: unknown; hasSignal: boolean }[],
      aborted: false,
      receive: (_sms: string) => {},
    };
    Object.defineProperty(window, 'OTPCredential', {
      configurable: true,
      value: function OTPCredential() {},
    });
    const credentials = {
      get(options: { otp?: { transport?: unknown }; signal?: AbortSignal }) {
        state.calls.push({
          transport: options?.otp?.transport,
          hasSignal: options?.signal instanceof AbortSignal,
        });
        state.aborted = false;
        return new Promise((resolve, reject) => {
          options?.signal?.addEventListener('abort', () => {
            state.aborted = true;
            reject(new DOMException('aborted', 'AbortError'));
          });
          // What Chrome does with an SMS: the code of its last line, if that line names this host.
          state.receive = (sms: string) => {
            const line = /^@([^\s]+) #([0-9A-Za-z]+)$/.exec(sms.split('\n').at(-1) ?? '');
            if (line) resolve({ type: 'otp', id: 'otp', code: line[2] });
          };
        });
      },
    };
    Object.defineProperty(navigator, 'credentials', { configurable: true, value: credentials });
    window.__webOTP = state;
  }, present);
}

/** Hand the stub the text that arrived (the whole SMS, as the phone got it). */
export async function receiveSMS(page: Page, sms: string): Promise<void> {
  await page.evaluate((text) => window.__webOTP?.receive(text), sms);
}

/** What the stub saw so far. */
export async function webOTPCalls(page: Page): Promise<WebOTPCalls | undefined> {
  return page.evaluate(() =>
    window.__webOTP === undefined
      ? undefined
      : { calls: window.__webOTP.calls, aborted: window.__webOTP.aborted },
  );
}

/** The code page asked the API for an SMS code once, with a signal to abort it. */
export async function expectOneRequest(page: Page): Promise<void> {
  await expect
    .poll(async () => (await webOTPCalls(page))?.calls)
    .toEqual([{ transport: ['sms'], hasSignal: true }]);
}
