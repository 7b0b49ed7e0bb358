/**
 * A sign-in whose cookie session cannot be written (express-session's store fails on `set`, or
 * `regenerate` fails) must not leave its revocable session behind: the browser never holds it, so
 * it is ended at once (not listed, its upstream tokens dropped), for the phone router with
 * `sessions` and for the password router, on real Express 4 and 5. The answer is a typed 503
 * `SERVICE_UNAVAILABLE` with `Retry-After` (the store's error kept as `cause` for the app's logs,
 * never in the body), and a form post gets the friendly redirect with the code. The same for a
 * sign-out and a send (with `redirects`) whose cookie session cannot be written.
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
import { failingSession, type SessionFailure, watchEnds } from 'test-support/failing-session';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTingTingAuth, createUpstreamAuth, isTingTingHTTPError } from '../src/index.js';
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

/** Records what reaches `next(error)`, then passes it on to the router's `errorHandler`. */
function errorLog(seen: unknown[]) {
  return (error: unknown, _req: Request, _res: Response, next: NextFunction) => {
    seen.push(error);
    next(error);
  };
}

/** The app's last error handler: anything the router's `errorHandler` passed on. */
function errorSink(passed: unknown[]) {
  return (error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    passed.push(error);
    res.status(500).json({ error: 'internal' });
  };
}

const STORE_MESSAGE = { set: 'store down', regenerate: 'regenerate failed' } as const;

/** A typed 503 with `Retry-After`, the store's error as its cause and never in the body. */
function expectUnavailable(
  answer: { status: number; headers: Record<string, unknown>; body: unknown; text: string },
  seen: unknown[],
  passed: unknown[],
  failing: 'set' | 'regenerate',
) {
  expect(answer.status).toBe(503);
  expect(answer.headers['retry-after']).toBe('30');
  expect(answer.body).toEqual({
    error: {
      code: 'SERVICE_UNAVAILABLE',
      message: 'The service is unavailable. Please try again later.',
    },
  });
  expect(answer.text).not.toContain(STORE_MESSAGE[failing]);
  expect(passed).toEqual([]);
  expect(seen).toHaveLength(1);
  const error = seen[0];
  expect(isTingTingHTTPError(error) && error.code).toBe('SERVICE_UNAVAILABLE');
  expect((error as Error).cause).toMatchObject({ message: STORE_MESSAGE[failing] });
}

function phoneSessions() {
  return new UpstreamSessions({
    store: new MemorySessionStore(),
    secret: SECRET,
    providerId: 'phone',
    throttle: false,
  });
}
function phoneEngine() {
  return new OTPEngine({
    sender: fakeSender(fake),
    secret: SECRET,
    store: new MemoryStore(),
    policy: { resendCooldownInSeconds: 0, maxSendsPerWindow: 50 },
  });
}
function notesSessions() {
  const provider = notesProvider({ baseURL: notes.url });
  const sessions = new UpstreamSessions({
    store: new MemorySessionStore(),
    secret: SECRET,
    provider,
  });
  return { sessions, ended: watchEnds(sessions) };
}

const FORM = { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' };
const PHONE_REDIRECTS = { afterSend: '/code', afterVerify: '/account', onError: '/start' };
const PASSWORD_REDIRECTS = { afterSignIn: '/account', onError: '/login' };

describe.each([
  ['Express 5', express5],
  ['Express 4', express4],
])('%s', (_name, express) => {
  type Router = Parameters<ReturnType<typeof express>['use']>[1];
  /** `router` at `/auth` over a cookie session failing as `mode` says; `page` answers `formState`. */
  function mount(
    router: { router: unknown; errorHandler: unknown; formState(req: Request): unknown },
    mode: () => SessionFailure,
  ) {
    const seen: unknown[] = [];
    const passed: unknown[] = [];
    const app = express();
    app.use(express.json(), express.urlencoded({ extended: false }));
    app.use(failingSession(session, mode));
    app.use('/auth', router.router as Router);
    app.get('/page', (req, res) => res.json(router.formState(req)));
    app.use(errorLog(seen), router.errorHandler as Router, errorSink(passed));
    return { app, seen, passed };
  }

  describe.each(['set', 'regenerate'] as const)('cookie session %s fails', (failing) => {
    it('phone router with sessions: verify is a 503, the session it created is ended', async () => {
      const sessions = phoneSessions();
      const tingting = createTingTingAuth(phoneEngine(), { sessions });
      const { app, seen, passed } = mount(tingting, () => failing);

      const phone = '9812345670';
      expect((await request(app).post('/auth/send').send({ phone })).status).toBe(202);
      const code = fake.outbox.last(phone)!.otp;
      const verified = await request(app).post('/auth/verify').send({ phone, code });
      expectUnavailable(verified, seen, passed, failing);
      expect(await sessions.list('+9779812345670')).toEqual([]);
    });

    it('password router: sign-in is a 503, the upstream session it started is ended', async () => {
      const { sessions, ended } = notesSessions();
      const auth = createUpstreamAuth({ sessions });
      const { app, seen, passed } = mount(auth, () => failing);

      const signedIn = await request(app)
        .post('/auth/sign-in')
        .send({ username: 'asha', password: PASSWORD });
      expectUnavailable(signedIn, seen, passed, failing);
      expect(ended).toHaveLength(1);
      expect((await sessions.status(ended[0]!)).active).toBe(false);
      expect(signedIn.text).not.toContain(ended[0]);
    });

    // A failed `regenerate` left the cookie session: the error is kept there for the page. A
    // store that cannot write: the page gets the code in its URL, as without a session.
    const page = (path: string) => (failing === 'set' ? `${path}?error=SERVICE_UNAVAILABLE` : path);

    it('password router, a form post: the friendly redirect with SERVICE_UNAVAILABLE', async () => {
      const { sessions, ended } = notesSessions();
      const auth = createUpstreamAuth({ sessions, redirects: PASSWORD_REDIRECTS });
      const { app, passed } = mount(auth, () => failing);
      const browser = request.agent(app);

      const posted = await browser
        .post('/auth/sign-in')
        .set(FORM)
        .send('username=asha&password=right-password-123');
      expect(posted.status).toBe(303);
      expect(posted.headers.location).toBe(page('/login'));
      expect(passed).toEqual([]);
      expect(ended).toHaveLength(1);
      const state = (await browser.get('/page')).body;
      if (failing === 'regenerate') {
        expect(state.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfter: 30 });
      }
      expect(state.account).toBeUndefined();
    });

    it('phone router, a form post of the code: back to the code page with the code', async () => {
      let mode: SessionFailure = 'none';
      const sessions = phoneSessions();
      const tingting = createTingTingAuth(phoneEngine(), { sessions, redirects: PHONE_REDIRECTS });
      const { app, passed } = mount(tingting, () => mode);
      const browser = request.agent(app);

      const phone = '9812345671';
      const sent = await browser.post('/auth/send').set(FORM).send(`phone=${phone}`);
      expect(sent.headers.location).toBe('/code');
      const code = fake.outbox.last(phone)!.otp;
      mode = failing;
      const posted = await browser
        .post('/auth/verify')
        .set(FORM)
        .send(`phone=${phone}&code=${code}`);
      expect(posted.status).toBe(303);
      expect(posted.headers.location).toBe(page('/code'));
      expect(passed).toEqual([]);
      expect(await sessions.list('+9779812345671')).toEqual([]);
    });
  });

  it('send with redirects, the store cannot keep the pending code: 503, a form post redirected', async () => {
    const tingting = createTingTingAuth(phoneEngine(), { redirects: PHONE_REDIRECTS });
    const { app, seen, passed } = mount(tingting, () => 'set');

    const json = await request(app).post('/auth/send').send({ phone: '9812345672' });
    expectUnavailable(json, seen, passed, 'set');
    const form = await request(app).post('/auth/send').set(FORM).send('phone=9812345673');
    expect(form.status).toBe(303);
    expect(form.headers.location).toBe('/start?error=SERVICE_UNAVAILABLE');
    expect(passed).toEqual([]);
  });

  it('sign-up (notes) form post, the store cannot keep the notice: redirected with the code', async () => {
    const { sessions } = notesSessions();
    const provider = notesProvider({ baseURL: notes.url });
    const auth = createUpstreamAuth({ sessions, provider, redirects: PASSWORD_REDIRECTS });
    const { app, passed } = mount(auth, () => 'set');

    const form = await request(app)
      .post('/auth/sign-up')
      .set(FORM)
      .send('username=new1&email=new1%40example.com&password=long-password-1');
    expect(form.status).toBe(303);
    expect(form.headers.location).toBe('/login?error=SERVICE_UNAVAILABLE');
    expect(passed).toEqual([]);
  });

  describe('sign-out whose regenerate fails', () => {
    it('phone router with sessions: 503, the session is ended first', async () => {
      let mode: SessionFailure = 'none';
      const sessions = phoneSessions();
      const tingting = createTingTingAuth(phoneEngine(), { sessions });
      const { app, seen, passed } = mount(tingting, () => mode);
      const browser = request.agent(app);

      const phone = '9812345674';
      expect((await browser.post('/auth/send').send({ phone })).status).toBe(202);
      const code = fake.outbox.last(phone)!.otp;
      expect((await browser.post('/auth/verify').send({ phone, code })).status).toBe(200);
      mode = 'regenerate';
      expectUnavailable(await browser.post('/auth/sign-out'), seen, passed, 'regenerate');
      expect(await sessions.list('+9779812345674')).toEqual([]);
    });

    it('password router: 503, the upstream session is ended first', async () => {
      let mode: SessionFailure = 'none';
      const { sessions, ended } = notesSessions();
      const auth = createUpstreamAuth({ sessions });
      const { app, seen, passed } = mount(auth, () => mode);
      const browser = request.agent(app);

      const signedIn = await browser
        .post('/auth/sign-in')
        .send({ username: 'asha', password: PASSWORD });
      expect(signedIn.status).toBe(200);
      mode = 'regenerate';
      expectUnavailable(await browser.post('/auth/sign-out'), seen, passed, 'regenerate');
      expect(ended).toHaveLength(1);
      expect((await sessions.status(ended[0]!)).active).toBe(false);
    });
  });
});
