/**
 * TingTing failing in every way the fake can fail, seen through the Passport strategy: the real
 * TingTingClient (short timeouts) under a real OTPEngine, on real express() apps (4 and 5) with
 * express-session and passport 0.7, over HTTP.
 *
 * The strategy hands an engine failure to Passport's `error(err)` with the typed core error (a lost
 * answer is no failure: the send passes with `req.tingtingSent.delivery: 'unknown'`); the
 * app's error handler (the README's: 502 for `DELIVERY_FAILED`, else 503) answers. For each fault:
 * that error and answer, exactly one send-OTP request at the fake (never a retried send), a code
 * delivered before the fault still signs in while TingTing is failing (verify never calls
 * TingTing), and no secret (API token, password, cookies, codes, the engine secret) in any
 * response or anything logged or warned.
 */

import { DELIVERY_UNKNOWN_MESSAGE } from '@tingting-auth/core';
import express5, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import express4 from 'express4';
import passport from 'passport';
import request from 'supertest';
import {
  expectConcurrentRefresh,
  expectNoSecrets,
  expectRefreshAfterExpiry,
  expectRefreshFailure,
  expectSendFault,
  expectUnreachable,
  type FaultApp,
  faultClient,
  httpFaultApp,
  PHONES,
  registerFaultRig,
  SEND_FAULTS,
  sendAndRead,
} from 'test-support/faults';
import { describe, expect, it } from 'vitest';
import {
  createTingTingSender,
  isTingTingAuthError,
  MemoryStore,
  OTPEngine,
  Strategy,
} from '../src/index.js';
import { SECRET } from './helpers.js';

const SESSION_SECRET = 'passport-faults-session-secret';
const [A, B] = PHONES;

const rig = registerFaultRig();

type Express = typeof express5;

interface User {
  id: string;
  phone: string;
}

/** @param handleErrors `false`: no error handler, Express's default answers. */
function setup(express: Express, auth: 'apiToken' | 'password', handleErrors = true): FaultApp {
  const { fake } = rig;
  const watched = faultClient(fake, auth);
  const engine = new OTPEngine({
    sender: createTingTingSender(watched.client),
    secret: SECRET,
    store: new MemoryStore(),
  });
  const users = new Map<string, User>();
  const authenticator = new passport.Passport();
  authenticator.use(
    new Strategy({ engine }, async (phone): Promise<User> => {
      const user = users.get(phone) ?? { id: phone, phone };
      users.set(phone, user);
      return user;
    }),
  );
  authenticator.serializeUser((user, done) => done(null, (user as User).id));
  authenticator.deserializeUser((id: string, done) => done(null, users.get(id) ?? false));

  const app = express();
  app.use(express.json());
  app.use(session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }));
  app.use(authenticator.session());
  app.post(
    '/auth/send',
    authenticator.authenticate('tingting', { tingtingAction: 'send' }),
    (req, res) => {
      res.status(202).json(req.tingtingSent);
    },
  );
  app.post('/auth/verify', authenticator.authenticate('tingting'), (req, res) => {
    res.json({ user: req.user });
  });
  // The errors the app's error handler got: the strategy hands Passport the typed engine error.
  const errors: Error[] = [];
  if (handleErrors) {
    // The README's handler: log the typed error, answer its code.
    app.use((error: Error, _req: Request, res: Response, next: NextFunction) => {
      errors.push(error);
      if (!isTingTingAuthError(error)) return next(error);
      console.error(error);
      res
        .status(error.code === 'DELIVERY_FAILED' ? 502 : 503)
        .json({ error: { code: error.code } });
    });
  }
  const agent = request.agent(app);
  return httpFaultApp({
    rig,
    watched,
    appSecrets: [SECRET, SESSION_SECRET],
    post: (path, body) => agent.post(path).send(body),
    answers: {
      definite: { status: 502, body: { error: { code: 'DELIVERY_FAILED' } } },
      // A lost answer: the strategy passes with req.tingtingSent saying so; the code may arrive.
      unknown: {
        status: 202,
        body: {
          phone: expect.stringMatching(/^\+977\d{10}$/),
          channel: 'text',
          expiresAt: expect.any(String),
          resendAt: expect.any(String),
          delivery: 'unknown',
          message: DELIVERY_UNKNOWN_MESSAGE,
        },
      },
      // The strategy's fail(RATE_LIMITED, 429): Passport answers the status alone.
      cooldown: { status: 429 },
    },
    signedIn: (phone) => ({ user: { id: `+977${phone}`, phone: `+977${phone}` } }),
    errors,
  });
}

describe.each([
  ['Express 5', express5],
  ['Express 4', express4 as unknown as Express],
])('%s + passport, TingTing failing', (_name, express) => {
  describe.each(SEND_FAULTS)('send-OTP fault: $name', (faultCase) => {
    it(`${faultCase.outcome === 'definite' ? 'error(DeliveryFailedError)' : "pass, delivery: 'unknown'"}, sent once; a delivered code still signs in`, () =>
      expectSendFault(setup(express, 'apiToken'), faultCase));
  });

  it('TingTing unreachable (connection refused): error(DeliveryFailedError); delivered codes still sign in', () =>
    expectUnreachable(setup(express, 'apiToken')));

  it("without an app error handler, Express's default page carries no secret", async () => {
    const h = setup(express, 'apiToken', false);
    await sendAndRead(h, A);
    h.fake.inject('sendOTP', { status: 500 });
    const failed = await h.send(B);
    // Passport's error(err) is next(err): with no handler Express answers 500 (err has no status).
    expect(failed.status).toBe(500);
    expectNoSecrets(h);
  });

  describe('email + password client: the session expires between calls', () => {
    it('access cookie expired and API token revoked: one refresh, a new token, one delivery', () =>
      expectRefreshAfterExpiry(setup(express, 'password')));

    it('three concurrent sends meet the expiry: one refresh, one new token, one SMS each', () =>
      expectConcurrentRefresh(setup(express, 'password')));

    it('the refresh fails (500): error(DeliveryFailedError), no SMS, nothing retried; A still signs in', () =>
      expectRefreshFailure(setup(express, 'password')));
  });
});
