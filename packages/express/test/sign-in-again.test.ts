/**
 * A browser that signs in again no longer holds its first revocable session (the cookie session is
 * regenerated), so that session is ended in the store once the new one is saved: not listed, its
 * sealed upstream tokens gone. Never before: a second sign-in whose cookie session cannot be
 * written leaves the first one live. Another browser's session is not this browser's to end.
 * Phone router with `sessions` and password router, real Express 4 and 5, memory stores.
 */
import { MemoryStore, OTPEngine } from '@tingting-auth/core';
import { MemorySessionStore, notesProvider, UpstreamSessions } from '@tingting-auth/core/upstream';
import {
  type FakeNotes,
  type FakeTingTing,
  startFakeNotes,
  startFakeTingTing,
} from '@tingting-auth/testing';
import express5 from 'express';
import session from 'express-session';
import express4 from 'express4';
import request from 'supertest';
import { failingSession, type SessionFailure, watchEnds } from 'test-support/failing-session';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTingTingAuth, createUpstreamAuth } from '../src/index.js';
import { fakeSender } from './helpers.js';

const SECRET = 'express-sign-in-again-test-secret-0123456789';
const PASSWORD = 'right-password-123';
const ASHA = { username: 'asha', password: PASSWORD };

let fake: FakeTingTing;
let notes: FakeNotes;
beforeAll(async () => {
  fake = await startFakeTingTing();
  notes = await startFakeNotes({
    accounts: [ASHA, { username: 'chandra', password: PASSWORD }],
  });
});
afterAll(async () => {
  await fake.close();
  await notes.close();
});

describe.each([
  ['Express 5', express5],
  ['Express 4', express4],
])('%s', (_name, express) => {
  /** The password router over the fake notes service; `mode` says when the cookie session fails. */
  function passwordApp(mode: () => SessionFailure = () => 'none') {
    const sessions = new UpstreamSessions({
      store: new MemorySessionStore(),
      secret: SECRET,
      provider: notesProvider({ baseURL: notes.url }),
    });
    const ended = watchEnds(sessions);
    const auth = createUpstreamAuth({ sessions });
    const app = express();
    app.use(express.json(), failingSession(session, mode));
    app.use('/auth', auth.router);
    app.get('/me', auth.requireUpstreamSession, (req, res) => {
      res.json({ subject: (req as unknown as { upstream: { subject: string } }).upstream.subject });
    });
    app.use(auth.errorHandler);
    return { app, sessions, ended };
  }

  it('phone router with sessions: verifying again ends the session this browser held', async () => {
    const engine = new OTPEngine({
      sender: fakeSender(fake),
      secret: SECRET,
      store: new MemoryStore(),
      policy: { resendCooldownInSeconds: 0, maxSendsPerWindow: 50 },
    });
    const sessions = new UpstreamSessions({
      store: new MemorySessionStore(),
      secret: SECRET,
      providerId: 'phone',
      throttle: false,
    });
    const tingting = createTingTingAuth(engine, { sessions });
    const app = express();
    app.use(express.json());
    app.use(session({ secret: 'session-secret', resave: false, saveUninitialized: false }));
    app.use('/auth', tingting.router);
    app.get('/me', tingting.requireVerified, (req, res) => {
      res.json((req as unknown as { tingting: unknown }).tingting);
    });
    app.use(tingting.errorHandler);
    const phone = '9812345680';
    const verify = async (browser: ReturnType<typeof request.agent>) => {
      expect((await browser.post('/auth/send').send({ phone })).status).toBe(202);
      const code = fake.outbox.last(phone)!.otp;
      expect((await browser.post('/auth/verify').send({ phone, code })).status).toBe(200);
      return (await browser.get('/me')).body.sessionId as string;
    };

    const laptop = request.agent(app);
    const phoneBrowser = request.agent(app);
    const first = await verify(laptop);
    const other = await verify(phoneBrowser);
    const second = await verify(laptop);
    const listed = (await sessions.list('+9779812345680')).map((s) => s.id).sort();
    // The laptop's first session is gone; the other browser's is not the laptop's to end.
    expect(listed).toEqual([other, second].sort());
    expect(listed).not.toContain(first);
    expect((await laptop.get('/me')).status).toBe(200);
    expect((await phoneBrowser.get('/me')).status).toBe(200);
  });

  it('password router: signing in again ends the previous upstream session, tokens and all', async () => {
    const { app, sessions, ended } = passwordApp();
    const browser = request.agent(app);
    expect((await browser.post('/auth/sign-in').send(ASHA)).status).toBe(200);
    expect(await sessions.list('asha')).toHaveLength(1);
    // Signing in again, as someone else: the session the browser held is still its own to end.
    const again = await browser.post('/auth/sign-in').send({ ...ASHA, username: 'chandra' });
    expect(again.status).toBe(200);
    expect(ended).toHaveLength(1);
    expect((await sessions.status(ended[0]!)).active).toBe(false);
    await expect(sessions.getTokens(ended[0]!)).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
    expect(await sessions.list('asha')).toEqual([]);
    expect(await sessions.list('chandra')).toHaveLength(1);
    expect((await browser.get('/me')).body).toEqual({ subject: expect.any(String) });
  });

  describe.each(['set', 'regenerate'] as const)('the second cookie session %s fails', (failing) => {
    it('password router: the first session stays live (nothing ended before the save)', async () => {
      let mode: SessionFailure = 'none';
      const { app, sessions, ended } = passwordApp(() => mode);
      const browser = request.agent(app);
      expect((await browser.post('/auth/sign-in').send(ASHA)).status).toBe(200);
      const [first] = await sessions.list('asha');
      mode = failing;
      expect((await browser.post('/auth/sign-in').send(ASHA)).status).toBe(500);
      // Only the second sign-in's own session was ended (the browser never held it).
      expect(ended).toHaveLength(1);
      expect((await sessions.list('asha')).map((s) => s.id)).toEqual([first!.id]);
      mode = 'none';
      // A failed regenerate kept the cookie session: the browser is still signed in with it.
      if (failing === 'regenerate') expect((await browser.get('/me')).status).toBe(200);
    });
  });
});
