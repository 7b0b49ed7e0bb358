/**
 * Headless Chromium for browser tests: Debian's `chromium` (or `CHROMIUM_PATH`) driven by
 * playwright-core, with the flags these machines need (no sandbox as root, no background
 * networking: the network is closed and Chromium would retry its own services forever).
 */
import { type Browser, chromium } from 'playwright-core';

/** Flags for a headless Chromium on a closed, root-run CI machine. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launch the machine's Chromium (`CHROMIUM_PATH`, else `/usr/bin/chromium`). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS],
  });
}
