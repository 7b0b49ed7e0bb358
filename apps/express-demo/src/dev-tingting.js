/**
 * What the Express-based demos (this one and the Passport demo) set up before their app: the OTP
 * secret, and the TingTing sender. With `TINGTING_API_TOKEN`, codes go through the real API;
 * without it, a fake TingTing server runs in this process and every code it delivers is logged
 * (the app lists them at `/dev/outbox`).
 */

import { randomBytes } from 'node:crypto';
import { createTingTingSender, TingTingClient } from '@tingting-auth/core';
import { startFakeTingTing } from '@tingting-auth/testing';

/**
 * @typedef {object} DevTingTingOptions
 * @property {NodeJS.ProcessEnv} env Environment to read (`OTP_SECRET`, `TINGTING_API_TOKEN`, `TINGTING_BASE_URL`).
 * @property {(line: string) => void} log Where notices and delivered codes go.
 * @property {string} name The demo's name, as the prefix of every line logged (`[name] ...`).
 */

/**
 * @typedef {object} DevTingTing
 * @property {string} secret The OTP engine's secret: `OTP_SECRET`, else random for this process.
 * @property {import('@tingting-auth/core').OTPSender} sender Sends through the real API or the fake.
 * @property {import('@tingting-auth/testing').FakeTingTing | undefined} fake The embedded fake, when no API token is set.
 * @property {() => Promise<void>} close Stops the fake (nothing to do for the real API).
 */

/**
 * The demo's own origin, for the engine's `webOTPOrigin` (one-tap code entry: texts end with
 * `@host #<code>`): `PUBLIC_URL` when set (where the demo is deployed, `https://…`), else
 * `http://localhost:<PORT>` as `serve` prints it. The line names the host only, so any local port
 * gives `@localhost`.
 * @param {NodeJS.ProcessEnv} env
 * @param {number} defaultPort
 * @returns {string}
 */
export function demoOrigin(env, defaultPort) {
  const url = env.PUBLIC_URL || `http://localhost:${env.PORT ?? defaultPort}`;
  return URL.canParse(url) ? new URL(url).origin : url;
}

/**
 * Credits the embedded fake starts with, and tops each kind back up to when a delivery leaves
 * fewer than {@link DEMO_CREDITS_FLOOR}: trying the demo for a while never runs it dry (the fake's
 * own default, 100, ran out after 100 texts and every send answered 502 until a restart).
 */
export const DEMO_CREDITS = 10_000;
/** Below this many credits of a kind, the embedded fake is topped up to {@link DEMO_CREDITS}. */
export const DEMO_CREDITS_FLOOR = 1_000;

/**
 * Top `fake`'s SMS and phone credits up to {@link DEMO_CREDITS} whenever a delivery leaves fewer
 * than {@link DEMO_CREDITS_FLOOR} of a kind.
 * @param {import('@tingting-auth/testing').FakeTingTing} fake
 */
export function keepCreditsTopped(fake) {
  fake.outbox.subscribe(() => {
    const { sms, phone } = fake.credits;
    if (sms < DEMO_CREDITS_FLOOR) fake.setCredits({ sms: DEMO_CREDITS });
    if (phone < DEMO_CREDITS_FLOOR) fake.setCredits({ phone: DEMO_CREDITS });
  });
}

/**
 * Resolve the OTP secret and start TingTing (the real API's client, or the embedded fake).
 * @param {DevTingTingOptions} options
 * @returns {Promise<DevTingTing>}
 */
export async function startDevTingTing({ env, log, name }) {
  let secret = env.OTP_SECRET;
  if (!secret) {
    secret = randomBytes(32).toString('base64url');
    log(
      `[${name}] OTP_SECRET is not set: using a random secret for this process (pending codes die on restart).`,
    );
  }

  if (env.TINGTING_API_TOKEN) {
    const client = new TingTingClient({
      apiToken: env.TINGTING_API_TOKEN,
      ...(env.TINGTING_BASE_URL ? { baseURL: env.TINGTING_BASE_URL } : {}),
    });
    return { secret, sender: createTingTingSender(client), fake: undefined, close: async () => {} };
  }

  const fake = await startFakeTingTing({
    credits: { sms: DEMO_CREDITS, phone: DEMO_CREDITS },
  });
  keepCreditsTopped(fake);
  fake.outbox.subscribe((d) => {
    // The point of the fake: the developer reads the code here. Never log codes from a real provider.
    log(
      `[${name}] fake TingTing ${d.channel === 'voice' ? 'called' : 'texted'} ${d.number}: code ${d.otp}`,
    );
  });
  log(
    `[${name}] No TINGTING_API_TOKEN: codes go to an embedded fake TingTing (${fake.url}), shown here and at /dev/outbox.`,
  );
  const client = new TingTingClient({ apiToken: fake.apiToken, baseURL: fake.url });
  return { secret, sender: createTingTingSender(client), fake, close: () => fake.close() };
}
