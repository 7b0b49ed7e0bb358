/**
 * TingTing failing in every way the fake can fail, seen through the Express router: the real
 * TingTingClient (short timeouts) under a real OTPEngine, on real express() apps (4 and 5).
 *
 * For each fault: the answer's status and stable code, the engine error behind it, exactly one
 * send-OTP request at the fake (never a retried send), a code delivered before the fault still
 * signs in while TingTing is failing (verify never calls TingTing), and no secret (API token,
 * password, cookies, codes, the engine secret) in any response or in anything logged or warned.
 */

import { format } from 'node:util';
import { createTingTingSender, MemoryStore, OTPEngine } from '@tingting-auth/core';
import express5 from 'express';
import session from 'express-session';
import express4 from 'express4';
import request from 'supertest';
import {
  causes,
  deliveriesTo,
  expectAnswer,
  expectConcurrentRefresh,
  expectNoSecrets,
  expectRefreshAfterExpiry,
  expectRefreshFailure,
  expectSendFault,
  expectUnreachable,
  type FaultApp,
  faultClient,
  hits,
  httpFaultApp,
  PHONES,
  PUBLIC_ANSWERS,
  registerFaultRig,
  SEND_FAULTS,
  sendAndRead,
} from 'test-support/faults';
import { describe, expect, it } from 'vitest';
import { createTingTingAuth } from '../src/index.js';

const SECRET = 'express-faults-test-secret-0123456789abcdef';
const SESSION_SECRET = 'express-faults-session-secret';
const [A, B] = PHONES;

const rig = registerFaultRig();

type Express = typeof express5;

interface Harness extends FaultApp {
  /** Errors the app's error-logging middleware saw (what an app would log). */
  errors: Error[];
}

function setup(express: Express, auth: 'apiToken' | 'password'): Harness {
  const { fake } = rig;
  const watched = faultClient(fake, auth);
  const engine = new OTPEngine({
    sender: createTingTingSender(watched.client),
    secret: SECRET,
    store: new MemoryStore(),
  });
  const tingting = createTingTingAuth(engine);
  const app = express();
  app.use(session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }));
  app.use('/auth', tingting.router);
  const errors: Error[] = [];
  // What apps do: log the error with its cause chain, then let the renderer answer.
  app.use((error: Error, _req: unknown, _res: unknown, next: (error?: unknown) => void): void => {
    errors.push(error);
    console.error(error);
    next(error);
  });
  app.use(tingting.errorHandler);
  const agent = request.agent(app);
  return {
    ...httpFaultApp({
      rig,
      watched,
      appSecrets: [SECRET, SESSION_SECRET],
      post: (path, body) => agent.post(path).send(body),
      answers: PUBLIC_ANSWERS,
      signedIn: (phone) => ({ phone: `+977${phone}`, verifiedAt: expect.any(String) }),
      errors,
      // The router's HTTP error carries the engine error as its cause.
      engineErrorOf: (error) => (error as Error).cause,
    }),
    errors,
  };
}

describe.each([
  ['Express 5', express5],
  ['Express 4', express4 as unknown as Express],
])('%s router, TingTing failing', (_name, express) => {
  describe.each(SEND_FAULTS)('send-OTP fault: $name', (faultCase) => {
    it(`answers ${faultCase.outcome === 'definite' ? '502 DELIVERY_FAILED' : '202 with delivery: unknown'}, sends once, and a code already delivered still signs in`, () =>
      expectSendFault(setup(express, 'apiToken'), faultCase));
  });

  it('TingTing unreachable (connection refused): 502 DELIVERY_FAILED, and delivered codes still sign in', () =>
    expectUnreachable(setup(express, 'apiToken')));

  it('a revoked API token (token-only client): 502 DELIVERY_FAILED, one request, nothing retried', async () => {
    const h = setup(express, 'apiToken');
    const { fake } = h;
    const codeA = await sendAndRead(h, A);
    const revoked = fake.apiToken;
    fake.revokeAPIToken();
    expectAnswer(await h.send(B), h.answers.definite);
    expect(causes(h.engineErrors().at(-1))).toEqual({
      engine: 'DELIVERY_FAILED',
      client: 'AUTHENTICATION_ERROR',
    });
    expect(hits(fake, 'sendOTP')).toBe(2);
    await h.expectSignIn(A, codeA);
    expect(h.secrets()).not.toContain(fake.apiToken); // no token now
    expect(format(h.errors.at(-1))).not.toContain(revoked);
    expectNoSecrets(h);
  });

  describe('email + password client: the session expires between calls', () => {
    it('access cookie expired, API token still valid: no refresh needed, one send', async () => {
      const h = setup(express, 'password');
      const { fake } = h;
      await sendAndRead(h, A);
      fake.expireAccessTokens();
      const codeB = await sendAndRead(h, B);
      await h.expectSignIn(B, codeB);
      expect(hits(fake, 'refresh')).toBe(0);
      expect(hits(fake, 'login')).toBe(1);
      expect(hits(fake, 'sendOTP')).toBe(2);
      expectNoSecrets(h);
    });

    it('access cookie expired and API token revoked: one refresh, a new token, one delivery', () =>
      expectRefreshAfterExpiry(setup(express, 'password')));

    it('three concurrent sends meet the expiry: one refresh, one new token, one SMS each', () =>
      expectConcurrentRefresh(setup(express, 'password')));

    it('the refresh itself fails (500): 502 DELIVERY_FAILED, no SMS, nothing retried; A still signs in', () =>
      expectRefreshFailure(setup(express, 'password')));

    it('the refresh hangs: 502 DELIVERY_FAILED once the client times out, never a hang', async () => {
      const h = setup(express, 'password');
      const { fake } = h;
      const codeA = await sendAndRead(h, A);
      fake.expireAccessTokens();
      fake.revokeAPIToken();
      fake.inject('refresh', { delayInMilliseconds: 5_000 });
      // A refresh is not a send: its timeout is a definite failure of this send (nothing sent).
      expectAnswer(await h.send(B), h.answers.definite);
      expect(causes(h.engineErrors().at(-1))).toEqual({
        engine: 'DELIVERY_FAILED',
        client: 'TIMEOUT',
      });
      expect(deliveriesTo(fake, B)).toBe(0);
      await h.expectSignIn(A, codeA);
      expectNoSecrets(h);
    });
  });
});
