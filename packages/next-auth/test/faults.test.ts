/**
 * TingTing failing in every way the fake can fail, seen through the NextAuth pieces: the Web
 * send handler and the credentials provider's `authorize`, on a real OTPEngine with the real
 * TingTingClient (short timeouts).
 *
 * For each fault: the answer's status and stable code, exactly one send-OTP request at the fake
 * (never a retried send), a code delivered before the fault still signs in through `authorize`
 * while TingTing is failing (verify never calls TingTing), and no secret (API token, password,
 * cookies, codes, the engine secret) in any response or anything logged or warned.
 */

import { format } from 'node:util';
import { createTingTingSender, DELIVERY_UNKNOWN_MESSAGE } from '@tingting-auth/core';
import {
  expectAnswer,
  expectConcurrentRefresh,
  expectNoSecrets,
  expectRefreshAfterExpiry,
  expectRefreshFailure,
  expectSendFault,
  type FaultApp,
  faultClient,
  hits,
  PHONES,
  PUBLIC_ANSWERS,
  registerFaultRig,
  SEND_FAULTS,
  sendAndRead,
} from 'test-support/faults';
import { describe, expect, it, vi } from 'vitest';
import { createSendHandler, TingTing, TingTingSignInError } from '../src/index.js';
import { makeEngine, SECRET } from './helpers.js';

const ORIGIN = 'http://localhost:3000';
const [A, B] = PHONES;

const rig = registerFaultRig();

interface Harness extends FaultApp {
  /** What `authorize` returns for `code`, or what it throws. */
  authorize(phone: string, code: string): Promise<unknown>;
}

/**
 * @param logErrors `true`: an `onError` that records and logs the whole error (with its cause
 *   chain), as an app with an error tracker does; `false`: the handler's default logger.
 */
function setup(auth: 'apiToken' | 'password', logErrors = true): Harness {
  const { fake } = rig;
  const watched = faultClient(fake, auth);
  const { engine } = makeEngine({ sender: createTingTingSender(watched.client) });
  // The errors the send handler reported through `onError` (what an app would log).
  const errors: unknown[] = [];
  const handler = createSendHandler(
    engine,
    logErrors
      ? {
          onError: (error) => {
            errors.push(error);
            console.error(error);
          },
        }
      : {},
  );
  const provider = TingTing({ engine });
  const answers: string[] = [];
  const authorize = async (phone: string, code: string): Promise<unknown> => {
    try {
      const user = await provider.authorize({ phone, code });
      answers.push(JSON.stringify(user));
      return user;
    } catch (error) {
      answers.push(format(error));
      throw error;
    }
  };

  return {
    fake,
    answers: PUBLIC_ANSWERS,
    async send(phone) {
      const response = await handler(
        new Request(`${ORIGIN}/api/auth/otp/send`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
          body: JSON.stringify({ phone }),
        }),
      );
      const text = await response.text();
      answers.push(text, JSON.stringify([...response.headers]));
      return {
        status: response.status,
        body: JSON.parse(text),
        retryAfter: response.headers.get('retry-after'),
      };
    },
    async expectSignIn(phone, code) {
      expect(await authorize(phone, code)).toEqual({ id: `+977${phone}`, phone: `+977${phone}` });
    },
    authorize: (phone, code) => authorize(phone, code).catch((caught: unknown) => caught),
    engineErrors: () => errors,
    texts: () => [...answers, ...rig.logs, ...errors.map((error) => format(error))],
    secrets: () => [SECRET, ...watched.secrets()],
  };
}

describe.each(SEND_FAULTS.filter((c) => c.outcome === 'definite'))(
  'send handler, send-OTP fault: $name',
  (faultCase) => {
    it('answers 502 DELIVERY_FAILED, sends once; authorize still signs in a delivered code', () =>
      expectSendFault(setup('apiToken'), faultCase));
  },
);

/**
 * TingTing's answer lost (the SMS may have gone out): core's protocol answers 202 with
 * `delivery: 'unknown'` and an honest message, so the page moves on to the code entry; nothing
 * reaches `onError` (the engine resolves, it does not throw); the code works and the cooldown holds.
 */
describe.each(SEND_FAULTS.filter((c) => c.outcome === 'unknown'))(
  'send handler, send-OTP fault: $name',
  ({ fault }) => {
    it('answers 202 delivery: unknown, sends once; the delivered code signs in, the cooldown holds', async () => {
      const h = setup('apiToken');
      const codeA = await sendAndRead(h, A);
      const sendsBefore = hits(h.fake, 'sendOTP');
      h.fake.inject('sendOTP', { ...fault, times: Number.POSITIVE_INFINITY });
      const delivered = h.fake.outbox.waitFor(B);
      const answer = await h.send(B);
      expect(answer.status).toBe(202);
      expect(answer.body).toMatchObject({
        phone: `+977${B}`,
        delivery: 'unknown',
        message: DELIVERY_UNKNOWN_MESSAGE,
      });
      expect(h.engineErrors()).toEqual([]);
      // A delayed answer is logged when the fake answers, after the client's timeout.
      await vi.waitFor(() => expect(hits(h.fake, 'sendOTP')).toBe(sendsBefore + 1), {
        timeout: 10_000,
      });
      await h.expectSignIn(A, codeA);
      h.fake.clearFaults();
      const codeB = (await delivered).otp;
      expectAnswer(await h.send(B), h.answers.cooldown);
      await h.expectSignIn(B, codeB);
      expect(hits(h.fake, 'sendOTP')).toBe(sendsBefore + 1);
      expectNoSecrets(h);
    });
  },
);

describe('send handler and authorize, TingTing down', () => {
  it('TingTing unreachable: 502 DELIVERY_FAILED with the default logger; authorize still signs in', async () => {
    const h = setup('apiToken', false);
    const codeA = await sendAndRead(h, A);
    await h.fake.close();
    expectAnswer(await h.send(B), h.answers.definite);
    expect(rig.logs).toEqual(['[tingting-auth] send failed: DeliveryFailedError DELIVERY_FAILED']);
    await h.expectSignIn(A, codeA);
    expectNoSecrets(h);
  });

  it('authorize refuses a wrong code with INVALID_CODE while TingTing is down, no secret in the error', async () => {
    const h = setup('apiToken');
    const codeA = await sendAndRead(h, A);
    await h.fake.close();
    const wrong = codeA === '000000' ? '111111' : '000000';
    const error = await h.authorize(A, wrong);
    expect(error).toBeInstanceOf(TingTingSignInError);
    expect(error).toMatchObject({ code: 'INVALID_CODE', message: 'INVALID_CODE' });
    await h.expectSignIn(A, codeA);
    expectNoSecrets(h);
  });
});

describe('email + password client: the session expires between calls', () => {
  it('access cookie expired and API token revoked: one refresh, a new token, one delivery', () =>
    expectRefreshAfterExpiry(setup('password')));

  it('three concurrent sends meet the expiry: one refresh, one new token, one SMS each', () =>
    expectConcurrentRefresh(setup('password')));

  it('the refresh fails (500): 502 DELIVERY_FAILED, no SMS, nothing retried; A still signs in', () =>
    expectRefreshFailure(setup('password')));
});
