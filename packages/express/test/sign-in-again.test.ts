/**
 * A browser that signs in again no longer holds its first revocable session (the cookie session is
 * regenerated), so that session is ended in the store once the new one is saved: not listed, its
 * sealed upstream tokens gone. Never before: a second sign-in whose cookie session cannot be
 * written leaves the first one live while the browser still holds it (a failed `regenerate`), and
 * ends it when it does not (the save failed after `regenerate` destroyed the old cookie session).
 * The failure is a 503 `SERVICE_UNAVAILABLE`. Another browser's session is not this browser's to end.
 * The same across the two routers of one app (phone then password, or the reverse).
 * Phone router with `sessions` and password router, real Express 4 and 5, memory stores.
 */
import express5 from 'express';
import session from 'express-session';
import express4 from 'express4';
import request from 'supertest';
import { failingSession, type SessionFailure } from 'test-support/failing-session';
import {
  CROSS_PHONE,
  codeEngine,
  crossFlowSessions,
  crossFlowSteps,
  expectCrossFlowEnds,
  notesSessions,
  PASSWORD,
  phoneSessions,
  signInFakes,
} from 'test-support/sign-in-again';
import { describe, expect, it } from 'vitest';
import { createTingTingAuth, createUpstreamAuth } from '../src/index.js';
import type { ErrorMiddleware, Middleware } from '../src/types.js';

const SECRET = 'express-sign-in-again-test-secret-0123456789';
const CROSS_SUBJECT = `+977${CROSS_PHONE}`;
const fakes = signInFakes(['asha', 'chandra']);
type Agent = ReturnType<typeof request.agent>;

describe.each([
  ['Express 5', express5],
  ['Express 4', express4],
])('%s', (_name, express) => {
  /** One of the routers at `/auth`, its guard at `/me`; `mode` says when the cookie session fails. */
  function mount(
    router: { router: Middleware; errorHandler: ErrorMiddleware },
    guard: Middleware,
    mode: () => SessionFailure = () => 'none',
  ) {
    const app = express();
    app.use(express.json(), failingSession(session, mode));
    app.use('/auth', router.router);
    app.get('/me', guard, (req, res) => {
      const { tingting, upstream } = req as unknown as Record<string, { subject?: string }>;
      res.json(tingting ?? { subject: upstream?.subject });
    });
    app.use(router.errorHandler);
    return app;
  }

  function passwordApp(mode?: () => SessionFailure) {
    const { sessions, ended } = notesSessions(fakes.notes, SECRET);
    const auth = createUpstreamAuth({ sessions });
    const app = mount(auth, auth.requireUpstreamSession, mode);
    return { sessions, ended, browser: request.agent(app) };
  }
  const signIn = (browser: Agent, username: string) =>
    browser.post('/auth/sign-in').send({ username, password: PASSWORD });

  it('phone router with sessions: verifying again ends the session this browser held', async () => {
    const sessions = phoneSessions(SECRET);
    const tingting = createTingTingAuth(codeEngine(fakes.tingting, SECRET), { sessions });
    const app = mount(tingting, tingting.requireVerified);
    const phone = '9812345680';
    const verify = async (browser: Agent) => {
      expect((await browser.post('/auth/send').send({ phone })).status).toBe(202);
      const code = fakes.tingting.outbox.last(phone)!.otp;
      expect((await browser.post('/auth/verify').send({ phone, code })).status).toBe(200);
      return (await browser.get('/me')).body.sessionId as string;
    };

    const [laptop, mobile] = [request.agent(app), request.agent(app)];
    const first = await verify(laptop);
    const other = await verify(mobile);
    const second = await verify(laptop);
    const listed = (await sessions.list('+9779812345680')).map((s) => s.id).sort();
    // The laptop's first session is gone; the other browser's is not the laptop's to end.
    expect(listed).toEqual([other, second].sort());
    expect(listed).not.toContain(first);
    expect((await laptop.get('/me')).status).toBe(200);
    expect((await mobile.get('/me')).status).toBe(200);
  });

  it('password router: signing in again ends the previous upstream session, tokens and all', async () => {
    const { sessions, ended, browser } = passwordApp();
    expect((await signIn(browser, 'asha')).status).toBe(200);
    expect(await sessions.list('asha')).toHaveLength(1);
    // Signing in again, as someone else: the session the browser held is still its own to end.
    expect((await signIn(browser, 'chandra')).status).toBe(200);
    expect(ended).toHaveLength(1);
    expect((await sessions.status(ended[0]!)).active).toBe(false);
    await expect(sessions.getTokens(ended[0]!)).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
    expect(await sessions.list('asha')).toEqual([]);
    expect(await sessions.list('chandra')).toHaveLength(1);
    expect((await browser.get('/me')).body).toEqual({ subject: 'chandra' });
  });

  /** Both routers in one app: phone at `/phone` (guard `/me/phone`), password at `/auth`. */
  function bothApp(mode: () => SessionFailure = () => 'none') {
    const stores = crossFlowSessions(fakes.notes, SECRET);
    const engine = codeEngine(fakes.tingting, SECRET);
    const tingting = createTingTingAuth(engine, { sessions: stores.phone });
    const auth = createUpstreamAuth({ sessions: stores.notes });
    const app = express();
    app.use(express.json(), failingSession(session, mode));
    app.use('/phone', tingting.router);
    app.use('/auth', auth.router);
    app.get('/me/phone', tingting.requireVerified, (_req, res) => res.json({}));
    app.get('/me/password', auth.requireUpstreamSession, (_req, res) => res.json({}));
    app.use(auth.errorHandler);
    const browser = request.agent(app);
    const steps = crossFlowSteps(browser, fakes, {
      send: '/phone/send',
      verify: '/phone/verify',
      signIn: '/auth/sign-in',
      guard: (flow) => `/me/${flow}`,
    });
    return { stores, steps: { ...steps, browser }, browser };
  }

  it.each(['phone', 'password'] as const)(
    '%s, then the other router: the session the browser held is ended',
    async (first) => {
      const { stores, steps } = bothApp();
      await expectCrossFlowEnds(first, stores, steps);
    },
  );

  describe.each(['set', 'regenerate'] as const)('the second cookie session %s fails', (failing) => {
    // `set`: the save failed after `regenerate` destroyed the old cookie session, so the browser
    // can no longer present the first session: ended. `regenerate`: the old cookie session may
    // be intact, the browser still holds the first session: kept.
    const kept = failing === 'regenerate';

    it(`password router: the first session is ${kept ? 'kept' : 'ended too'}`, async () => {
      let mode: SessionFailure = 'none';
      const { sessions, ended, browser } = passwordApp(() => mode);
      expect((await signIn(browser, 'asha')).status).toBe(200);
      const [first] = await sessions.list('asha');
      mode = failing;
      const again = await signIn(browser, 'asha');
      expect(again.status).toBe(503);
      expect(again.body.error.code).toBe('SERVICE_UNAVAILABLE');
      // The second sign-in's own session is ended (the browser never held it); the first too
      // when the browser lost it.
      expect(ended).toHaveLength(kept ? 1 : 2);
      expect((await sessions.list('asha')).map((s) => s.id)).toEqual(kept ? [first!.id] : []);
      if (!kept) {
        await expect(sessions.getTokens(ended[1]!)).rejects.toMatchObject({
          code: 'SESSION_EXPIRED',
        });
      }
      mode = 'none';
      expect((await browser.get('/me')).status).toBe(kept ? 200 : 401);
    });

    it(`phone with sessions, then password: the phone session is ${kept ? 'kept' : 'ended too'}`, async () => {
      let mode: SessionFailure = 'none';
      const { stores, steps, browser } = bothApp(() => mode);
      await steps.phone();
      expect(await stores.phone.list(CROSS_SUBJECT)).toHaveLength(1);
      mode = failing;
      expect((await signIn(browser, 'asha')).status).toBe(503);
      expect(stores.notesEnded).toHaveLength(1);
      expect(await stores.notes.list('asha')).toEqual([]);
      expect(stores.phoneEnded).toHaveLength(kept ? 0 : 1);
      expect(await stores.phone.list(CROSS_SUBJECT)).toHaveLength(kept ? 1 : 0);
      mode = 'none';
      expect(await steps.signedIn('phone')).toBe(kept ? 200 : 401);
    });

    it(`password, then phone with sessions: the password session is ${kept ? 'kept' : 'ended too'}`, async () => {
      let mode: SessionFailure = 'none';
      const { stores, steps } = bothApp(() => mode);
      await steps.password();
      mode = failing;
      const phone = CROSS_PHONE;
      expect((await steps.browser.post('/phone/send').send({ phone })).status).toBe(202);
      const code = fakes.tingting.outbox.last(phone)!.otp;
      expect((await steps.browser.post('/phone/verify').send({ phone, code })).status).toBe(503);
      expect(stores.phoneEnded).toHaveLength(1);
      expect(await stores.phone.list(CROSS_SUBJECT)).toEqual([]);
      expect(stores.notesEnded).toHaveLength(kept ? 0 : 1);
      expect(await stores.notes.list('asha')).toHaveLength(kept ? 1 : 0);
      mode = 'none';
      expect(await steps.signedIn('password')).toBe(kept ? 200 : 401);
    });
  });
});
