/**
 * A sign-in whose cookie session cannot be regenerated or saved by Passport's `req.logIn` must not
 * leave its revocable session behind: the browser never holds it, so it is ended at once (not
 * listed; for password sign-in, its upstream tokens dropped). Both strategies, real Express 4 and
 * 5, express-session and passport 0.7. The error still reaches the app's error handler.
 */
import { MemorySessionStore, notesProvider, UpstreamSessions } from '@tingting-auth/core/upstream';
import {
  type FakeNotes,
  type FakeTingTing,
  startFakeNotes,
  startFakeTingTing,
} from '@tingting-auth/testing';
import express5, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import express4 from 'express4';
import passport from 'passport';
import request from 'supertest';
import { failingSession, type SessionFailure, watchEnds } from 'test-support/failing-session';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTingTingSender,
  MemoryStore,
  OTPEngine,
  Strategy,
  TingTingClient,
  UpstreamStrategy,
} from '../src/index.js';
import { SECRET } from './helpers.js';

type Express = typeof express5;
const PASSWORD = 'right-password-123';

let fake: FakeTingTing;
let notes: FakeNotes;
beforeAll(async () => {
  fake = await startFakeTingTing();
  notes = await startFakeNotes({ accounts: [{ username: 'asha', password: PASSWORD }] });
});
afterAll(async () => {
  await fake.close();
  await notes.close();
});

function app(
  express: Express,
  failing: SessionFailure,
  strategy: passport.Strategy,
  path: string,
  seen: unknown[],
) {
  const authenticator = new passport.Passport();
  authenticator.use(strategy);
  authenticator.serializeUser((user, done) => done(null, user));
  authenticator.deserializeUser((user: Express.User, done) => done(null, user));
  const server = express();
  server.use(express.json(), failingSession(session, failing));
  server.use(authenticator.initialize(), authenticator.session());
  if (strategy instanceof Strategy) {
    server.post(
      '/send',
      authenticator.authenticate('tingting', { tingtingAction: 'send' }),
      (_req, res) => {
        res.status(202).end();
      },
    );
  }
  server.post(path, authenticator.authenticate(strategy.name!), (_req, res) => {
    res.json({ ok: true });
  });
  server.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    seen.push(error);
    res.status(500).json({ error: 'internal' });
  });
  return server;
}

/** An UpstreamStrategy over the fake notes service, with every `end` of its sessions recorded. */
function upstream() {
  const sessions = new UpstreamSessions({
    store: new MemorySessionStore(),
    secret: SECRET,
    provider: notesProvider({ baseURL: notes.url }),
  });
  const ended = watchEnds(sessions);
  const strategy = new UpstreamStrategy({ sessions }, async (account) => ({
    id: account.subject,
  }));
  return { sessions, ended, strategy };
}

describe.each([
  ['Express 5', express5],
  ['Express 4', express4 as unknown as Express],
])('%s', (_label, express) => {
  describe.each(['set', 'regenerate'] as const)('cookie session %s fails', (failing) => {
    it('TingTing strategy with sessions: the session it created is ended', async () => {
      const engine = new OTPEngine({
        sender: createTingTingSender(
          new TingTingClient({ apiToken: fake.apiToken, baseURL: fake.url }),
        ),
        secret: SECRET,
        store: new MemoryStore(),
        policy: { resendCooldownInSeconds: 0 },
      });
      const sessions = new UpstreamSessions({
        store: new MemorySessionStore(),
        secret: SECRET,
        providerId: 'phone',
        throttle: false,
      });
      const ended = watchEnds(sessions);
      const strategy = new Strategy({ engine, sessions }, async (phone) => ({ id: phone }));
      const seen: unknown[] = [];
      const server = app(express, failing, strategy, '/verify', seen);
      const phone = '9812345671';
      expect((await request(server).post('/send').send({ phone })).status).toBe(202);
      const code = fake.outbox.last(phone)!.otp;
      const verified = await request(server).post('/verify').send({ phone, code });
      expect(verified.status).toBe(500);
      expect(seen).toHaveLength(1);
      await expect.poll(() => ended.length).toBe(1);
      expect(await sessions.list('+9779812345671')).toEqual([]);
    });

    it('UpstreamStrategy: the upstream session it started is ended', async () => {
      const { sessions, ended, strategy } = upstream();
      const seen: unknown[] = [];
      const server = app(express, failing, strategy, '/login', seen);
      const signedIn = await request(server)
        .post('/login')
        .send({ username: 'asha', password: PASSWORD });
      expect(signedIn.status).toBe(500);
      expect(seen).toHaveLength(1);
      await expect.poll(() => ended.length).toBe(1);
      expect((await sessions.status(ended[0]!)).active).toBe(false);
    });
  });

  it('a sign-in whose cookie session saves keeps its session (nothing ended)', async () => {
    const { sessions, ended, strategy } = upstream();
    const seen: unknown[] = [];
    const server = app(express, 'none', strategy, '/login', seen);
    const signedIn = await request(server)
      .post('/login')
      .send({ username: 'asha', password: PASSWORD });
    expect(signedIn.status).toBe(200);
    expect(seen).toEqual([]);
    expect(ended).toEqual([]);
    expect(await sessions.list('asha')).toHaveLength(1);
  });
});
