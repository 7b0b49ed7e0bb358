/**
 * A sign-in whose cookie session cannot be written (express-session's store fails on `set`, or
 * `regenerate` fails) must not leave its revocable session behind: the browser never holds it, so
 * it is ended at once (not listed, its upstream tokens dropped), for the phone router with
 * `sessions` and for the password router, on real Express 4 and 5. The error goes to `next`.
 */
import { MemoryStore, OTPEngine } from '@tingting-auth/core';
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
import request from 'supertest';
import { failingSession, watchEnds } from 'test-support/failing-session';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTingTingAuth, createUpstreamAuth } from '../src/index.js';
import { fakeSender } from './helpers.js';

const SECRET = 'express-save-fails-test-secret-0123456789abcdef';
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

/** The app's last error handler: what reached `next(error)`. */
function errorSink(seen: unknown[]) {
  return (error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    seen.push(error);
    res.status(500).json({ error: 'internal' });
  };
}

describe.each([
  ['Express 5', express5],
  ['Express 4', express4],
])('%s', (_name, express) => {
  describe.each(['set', 'regenerate'] as const)('cookie session %s fails', (failing) => {
    it('phone router with sessions: verify fails, the session it created is ended', async () => {
      const engine = new OTPEngine({
        sender: fakeSender(fake),
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
      const tingting = createTingTingAuth(engine, { sessions });
      const seen: unknown[] = [];
      const app = express();
      app.use(express.json(), failingSession(session, failing));
      app.use('/auth', tingting.router);
      app.use(tingting.errorHandler, errorSink(seen));

      const phone = '9812345670';
      expect((await request(app).post('/auth/send').send({ phone })).status).toBe(202);
      const code = fake.outbox.last(phone)!.otp;
      const verified = await request(app).post('/auth/verify').send({ phone, code });
      expect(verified.status).toBe(500);
      expect(seen).toHaveLength(1);
      expect(await sessions.list('+9779812345670')).toEqual([]);
    });

    it('password router: sign-in fails, the upstream session it started is ended', async () => {
      const sessions = new UpstreamSessions({
        store: new MemorySessionStore(),
        secret: SECRET,
        provider: notesProvider({ baseURL: notes.url }),
      });
      const ended = watchEnds(sessions);
      const auth = createUpstreamAuth({ sessions });
      const seen: unknown[] = [];
      const app = express();
      app.use(express.json(), failingSession(session, failing));
      app.use('/auth', auth.router);
      app.use(auth.errorHandler, errorSink(seen));

      const signedIn = await request(app)
        .post('/auth/sign-in')
        .send({ username: 'asha', password: PASSWORD });
      expect(signedIn.status).toBe(500);
      expect(seen).toHaveLength(1);
      expect(ended).toHaveLength(1);
      expect((await sessions.status(ended[0]!)).active).toBe(false);
      expect(JSON.stringify(signedIn.body)).not.toContain(ended[0]);
    });
  });
});
