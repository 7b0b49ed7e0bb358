/**
 * End to end through real parts: Express 4 and 5, express-session, passport 0.7, the engine
 * sending through the real TingTing client to the fake TingTing server, over HTTP (supertest).
 */
import { type FakeTingTing, startFakeTingTing } from '@tingting-auth/testing';
import express5, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import express4 from 'express4';
import passport from 'passport';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createTingTingSender,
  ErrorCode,
  MemoryStore,
  OTPEngine,
  type OTPPolicy,
  StoreUnavailableError,
  Strategy,
  type TingTingChallenge,
  TingTingClient,
} from '../src/index.js';
import { phoneNumber, SECRET } from './helpers.js';
import { mountVerifyRoutes } from './routes.js';

interface User {
  id: string;
  phone: string;
}

declare module 'express-session' {
  interface SessionData {
    visited: boolean;
    messages: string[];
  }
}

const BLOCKED = '9849999999';

let fake: FakeTingTing;
beforeAll(async () => {
  fake = await startFakeTingTing();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.outbox.clear();
  fake.clearFaults();
});

/** The `connect.sid` value a response sets, if any. */
function sessionID(response: request.Response): string | undefined {
  const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
  for (const cookie of cookies) {
    const match = /^connect\.sid=([^;]+)/.exec(cookie);
    if (match) return match[1];
  }
  return undefined;
}

describe.each([
  ['Express 5', express5],
  ['Express 4', express4],
])('%s', (_name, express) => {
  function setup({ policy, store }: { policy?: OTPPolicy; store?: MemoryStore } = {}) {
    const engine = new OTPEngine({
      sender: createTingTingSender(
        new TingTingClient({ apiToken: fake.apiToken, baseURL: fake.url }),
      ),
      secret: SECRET,
      store: store ?? new MemoryStore(),
      ...(policy ? { policy } : {}),
    });
    const users = new Map<string, User>();
    const authenticator = new passport.Passport();
    authenticator.use(
      new Strategy({ engine }, async (phone): Promise<User | false> => {
        if (phone === `+977${BLOCKED}`) return false;
        const user = users.get(phone) ?? { id: `user-${users.size + 1}`, phone };
        users.set(phone, user);
        return user;
      }),
    );
    authenticator.serializeUser((user, done) => done(null, (user as User).phone));
    authenticator.deserializeUser((phone: string, done) => done(null, users.get(phone) ?? false));

    const app = express();
    // A route that no body parser runs for (`req.body` stays undefined).
    app.post('/raw/verify', authenticator.authenticate('tingting'), (_req, res) => {
      res.sendStatus(200);
    });
    app.use(express.json());
    app.use(express.urlencoded({ extended: false }));
    app.use(session({ secret: 'session-secret', resave: false, saveUninitialized: false }));
    app.use(authenticator.session());
    app.get('/visit', (req, res) => {
      req.session.visited = true;
      res.sendStatus(204);
    });
    app.post(
      '/auth/send',
      authenticator.authenticate('tingting', { tingtingAction: 'send' }),
      (req, res) => {
        res.status(202).json(req.tingtingSent);
      },
    );
    mountVerifyRoutes(app, authenticator);
    app.post('/auth/verify-custom', (req, res, next) => {
      authenticator.authenticate(
        'tingting',
        (error: unknown, user: User | false, info: TingTingChallenge, status: number) => {
          if (error) return next(error);
          if (!user) return res.status(status).json({ error: info });
          req.login(user, (loginError) => {
            if (loginError) return next(loginError);
            res.json({ user: req.user });
          });
        },
      )(req, res, next);
    });
    app.get('/me', (req, res) => {
      res.json({ user: req.user ?? null, messages: req.session.messages ?? [] });
    });
    app.post('/auth/logout', (req, res, next) => {
      req.logout((error) => (error ? next(error) : res.sendStatus(204)));
    });
    app.use((error: { code?: string }, _req: Request, res: Response, _next: NextFunction) => {
      res.status(503).json({ error: error.code ?? 'INTERNAL' });
    });
    return { app, agent: request.agent(app) };
  }

  async function sendCode(agent: request.Agent, phone: string): Promise<string> {
    const response = await agent.post('/auth/send').send({ phone });
    expect(response.status).toBe(202);
    const delivery = fake.outbox.last(phone);
    if (delivery === undefined) throw new Error('nothing delivered');
    return delivery.otp;
  }

  it('send: 202 from the next handler with req.tingtingSent, the code only in the SMS', async () => {
    const { agent } = setup();
    const phone = phoneNumber();

    const response = await agent.post('/auth/send').type('form').send({ phone });

    expect(response.status).toBe(202);
    expect(response.body).toEqual({
      phone: `+977${phone}`,
      channel: 'text',
      expiresAt: expect.any(String),
      resendAt: expect.any(String),
    });
    const code = fake.outbox.last(phone)?.otp;
    expect(code).toMatch(/^\d{6}$/);
    expect(response.text).not.toContain(code);
    expect(sessionID(response)).toBeUndefined();
    expect((await agent.get('/me')).body.user).toBeNull();
  });

  it('verify: signs in with a new session id, req.user is set, logout clears it', async () => {
    const { agent, app } = setup();
    const phone = phoneNumber();
    const before = sessionID(await agent.get('/visit'));
    expect(before).toBeDefined();
    const code = await sendCode(agent, phone);

    const response = await agent.post('/auth/verify').send({ phone, code });

    expect(response.status).toBe(200);
    expect(response.body.user).toEqual({ id: 'user-1', phone: `+977${phone}` });
    const after = sessionID(response);
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    expect((await agent.get('/me')).body.user).toEqual({ id: 'user-1', phone: `+977${phone}` });
    // The id planted before sign-in is worth nothing (session fixation).
    const planted = await request(app).get('/me').set('Cookie', `connect.sid=${before}`);
    expect(planted.body.user).toBeNull();

    expect((await agent.post('/auth/logout')).status).toBe(204);
    expect((await agent.get('/me')).body.user).toBeNull();
  });

  it('verify: a wrong code is 401 and signs nobody in', async () => {
    const { agent } = setup();
    const phone = phoneNumber();
    const code = await sendCode(agent, phone);

    const response = await agent.post('/auth/verify').send({ phone, code: wrong(code) });

    expect(response.status).toBe(401);
    expect(sessionID(response)).toBeUndefined();
    expect((await agent.get('/me')).body.user).toBeNull();
  });

  it('verify: a locked number is 429 with Retry-After', async () => {
    const { agent } = setup({ policy: { lockAfterFailures: 2, lockBaseInSeconds: 120 } });
    const phone = phoneNumber();
    const code = await sendCode(agent, phone);
    await agent.post('/auth/verify').send({ phone, code: wrong(code) });
    await agent.post('/auth/verify').send({ phone, code: wrong(code) });

    const response = await agent.post('/auth/verify').send({ phone, code });

    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('120');
  });

  it('verify: a request no body parser ran for is 400', async () => {
    const { agent } = setup();

    const response = await agent.post('/raw/verify').send({ phone: phoneNumber(), code: '123456' });

    expect(response.status).toBe(400);
  });

  it('failureRedirect and failureMessage: redirects and keeps the generic message', async () => {
    const { agent } = setup();
    const phone = phoneNumber();
    const code = await sendCode(agent, phone);

    const failed = await agent
      .post('/auth/verify-form')
      .type('form')
      .send({ phone, code: wrong(code) });

    expect(failed.status).toBe(302);
    expect(failed.headers.location).toBe('/sign-in');
    const me = await agent.get('/me');
    expect(me.body).toEqual({
      user: null,
      messages: ['That code is not right, or it has expired.'],
    });
    expect(JSON.stringify(me.body)).not.toContain(code);

    const signedIn = await agent.post('/auth/verify-form').type('form').send({ phone, code });
    expect(signedIn.status).toBe(302);
    expect(signedIn.headers.location).toBe('/account');
    expect((await agent.get('/me')).body.user).toMatchObject({ phone: `+977${phone}` });
  });

  it('failWithError: the failure reaches the error handler as a 401 AuthenticationError', async () => {
    const { agent } = setup();
    const phone = phoneNumber();
    const code = await sendCode(agent, phone);

    const response = await agent.post('/auth/verify-api').send({ phone, code: wrong(code) });

    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: 'AuthenticationError' });
  });

  it('custom callback: gets the challenge and status, or the user', async () => {
    const { agent } = setup();
    const phone = phoneNumber();
    const code = await sendCode(agent, phone);

    const failed = await agent.post('/auth/verify-custom').send({ phone, code: wrong(code) });
    expect(failed.status).toBe(401);
    expect(failed.body).toEqual({
      error: { code: 'INVALID_CODE', message: 'That code is not right, or it has expired.' },
    });

    const blocked = await agent.post('/auth/send').send({ phone: BLOCKED });
    expect(blocked.status).toBe(202);
    const refused = await agent
      .post('/auth/verify-custom')
      .send({ phone: BLOCKED, code: fake.outbox.last(BLOCKED)?.otp });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('ACCESS_DENIED');

    const signedIn = await agent.post('/auth/verify-custom').send({ phone, code });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user).toMatchObject({ phone: `+977${phone}` });
    expect((await agent.get('/me')).body.user).toMatchObject({ phone: `+977${phone}` });
  });

  it('a cross-site POST is 403 and sends nothing; a cross-site verify signs nobody in', async () => {
    const { agent } = setup();
    const phone = phoneNumber();

    const send = await agent
      .post('/auth/send')
      .set('Sec-Fetch-Site', 'cross-site')
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({ phone });

    expect(send.status).toBe(403);
    expect(fake.outbox.messages).toEqual([]);

    const code = await sendCode(agent, phone);
    const verify = await agent
      .post('/auth/verify')
      .set('Origin', 'https://evil.example')
      .send({ phone, code });
    expect(verify.status).toBe(403);
    expect((await agent.get('/me')).body.user).toBeNull();
    // The code was not spent by the refused request.
    expect((await agent.post('/auth/verify').send({ phone, code })).status).toBe(200);
  });

  it('a store that is down reaches the app error handler as StoreUnavailableError', async () => {
    class DownStore extends MemoryStore {
      override issue(): never {
        throw new StoreUnavailableError('redis://:hunter2@cache down');
      }
    }
    const { agent } = setup({ store: new DownStore() });

    const response = await agent.post('/auth/send').send({ phone: phoneNumber() });

    expect(response.status).toBe(503);
    expect(response.body).toEqual({ error: ErrorCode.STORE_UNAVAILABLE });
    expect(fake.outbox.messages).toEqual([]);
  });
});

function wrong(code: string): string {
  return code === '000000' ? '111111' : '000000';
}

// Compile-time checks of the `passport` augmentation (tsc runs over the tests too).
export function typeChecks(): void {
  passport.authenticate('tingting', { tingtingAction: 'send', session: false });
  // @ts-expect-error: only 'send' and 'verify' exist
  passport.authenticate('tingting', { tingtingAction: 'resend' });
}
