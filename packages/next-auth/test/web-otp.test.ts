/** The WebOTP helpers on the server (no `window`): safe to import and call during SSR. */
import { describe, expect, it } from 'vitest';
import { hasWebOTP, listenForOneTimeCode, receiveOneTimeCode } from '../src/client.js';

describe('WebOTP helpers without a browser', () => {
  it('report no API, resolve undefined, and give a no-op stop function', async () => {
    expect(hasWebOTP()).toBe(false);
    await expect(receiveOneTimeCode()).resolves.toBeUndefined();
    const stop = listenForOneTimeCode({} as HTMLInputElement);
    expect(stop).toBeTypeOf('function');
    expect(() => stop()).not.toThrow();
  });
});
