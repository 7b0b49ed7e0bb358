/**
 * The send step with a custom callback (`passport.authenticate(name, options, callback)`), and
 * which way of handling a failure keeps the challenge's `code`: real Express 4 and 5 apps with
 * passport 0.7, over HTTP.
 *
 * Passport never calls a custom callback on `pass()`: it calls the route's `next`, which, with no
 * handler after the callback, falls through to Express's 404. With `tingtingCallback: true` the
 * send step reports a sent code to the callback instead: `(null, false, sent, 202)`.
 */
import express5, { type NextFunction, type Request, type Response } from 'express';
import express4 from 'express4';
import passport from 'passport';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { Strategy, type TingTingChallenge, type TingTingSent } from '../src/index.js';
import { makeEngine, phoneNumber, T0, wrongCode } from './helpers.js';

type Callback = (
  error: unknown,
  user: Express.User | false,
  info: TingTingChallenge | TingTingSent | undefined,
  status: number | undefined,
) => void;

describe.each([
  ['Express 5', express5],
  ['Express 4', express4],
])('%s', (_name, express) => {
  function setup() {
    const { engine, sender } = makeEngine({
      policy: { ttlInSeconds: 300, resendCooldownInSeconds: 60, lockAfterFailures: 2 },
    });
    const authenticator = new passport.Passport();
    authenticator.use(new Strategy({ engine }, async (phone) => ({ phone })));
    const calls: Parameters<Callback>[] = [];
    const app = express();
    app.use(express.json());
    // The custom-callback pattern of Passport's guide, with no handler after it.
    app.post('/auth/send', (req, res, next) => {
      const callback: Callback = (error, user, info, status) => {
        calls.push([error, user, info, status]);
        if (error) return next(error);
        if (status === 202) return res.status(202).json(info);
        res.status(status ?? 401).json({ error: info });
      };
      authenticator.authenticate(
        'tingting',
        { tingtingAction: 'send', tingtingCallback: true },
        callback,
      )(req, res, next);
    });
    app.post('/auth/verify-callback', (req, res, next) => {
      authenticator.authenticate('tingting', { session: false }, ((error, user, info, status) => {
        if (error) return next(error);
        if (!user) return res.status(status ?? 401).json({ error: info });
        res.json({ user });
      }) satisfies Callback)(req, res, next);
    });
    app.post(
      '/auth/verify-fail-with-error',
      authenticator.authenticate('tingting', { session: false, failWithError: true }),
      (req: Request, res: Response) => {
        res.json({ user: req.user });
      },
      (error: Record<string, unknown>, _req: Request, res: Response, _next: NextFunction) => {
        res.status(Number(error.status)).json({ name: error.name, code: error.code ?? null });
      },
    );
    return { app, sender, calls };
  }

  it('send with a custom callback: the callback gets (null, false, sent, 202), not a 404', async () => {
    const { app, sender, calls } = setup();
    const phone = phoneNumber();

    const response = await request(app).post('/auth/send').send({ phone });

    expect(response.status).toBe(202);
    expect(response.body).toEqual({
      phone: `+977${phone}`,
      channel: 'text',
      expiresAt: new Date(T0 + 300_000).toISOString(),
      resendAt: new Date(T0 + 60_000).toISOString(),
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.slice(0, 2)).toEqual([null, false]);
    expect(calls[0]?.[3]).toBe(202);
    expect(response.text).not.toContain(sender.last(phone).code);
  });

  it('send with a custom callback: a refusal reaches it with the challenge and its status', async () => {
    const { app, calls } = setup();

    const response = await request(app).post('/auth/send').send({ phone: '12345' });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: { code: 'INVALID_PHONE', message: expect.any(String) },
    });
    expect(calls).toHaveLength(1);
  });

  it('failWithError loses the code; a custom callback keeps it', async () => {
    const { app, sender } = setup();
    const phone = phoneNumber();
    await request(app).post('/auth/send').send({ phone });
    const code = wrongCode(sender.last(phone).code);

    const withError = await request(app).post('/auth/verify-fail-with-error').send({ phone, code });
    expect(withError.status).toBe(401);
    expect(withError.body).toEqual({ name: 'AuthenticationError', code: null });

    const withCallback = await request(app).post('/auth/verify-callback').send({ phone, code });
    expect(withCallback.status).toBe(429);
    expect(withCallback.headers['retry-after']).toMatch(/^\d+$/);
    expect(withCallback.body).toEqual({
      error: { code: 'LOCKED', message: expect.any(String), retryAfter: expect.any(Number) },
    });
  });
});
