/**
 * Signing in again through `req.logIn` regenerates the cookie session, so the revocable session
 * the strategy had stored there can no longer be presented by anyone: it is ended once the new
 * session is saved (not listed; for password sign-in, the upstream tokens dropped), never before,
 * so a second sign-in whose cookie session cannot be regenerated leaves the first one live (one
 * whose save fails after `regenerate` destroyed the old cookie session ends both). Also with
 * Passport's `keepSessionInfo`, which copies the old session's entries into the new one. And
 * across the two strategies of one Passport (phone then password, or the reverse). Both
 * strategies, real Express 5 and 4, express-session and passport 0.7, memory stores.
 */
import express5, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import express4 from 'express4';
import passport from 'passport';
import request from 'supertest';
import { failingSession, type SessionFailure } from 'test-support/failing-session';
import * as fixtures from 'test-support/sign-in-again';
import { describe, expect, it } from 'vitest';
import { Strategy, UpstreamStrategy } from '../src/index.js';
import { SECRET } from './helpers.js';

type Express = typeof express5;
type Browser = ReturnType<typeof request.agent>;
const fakes = fixtures.signInFakes(['asha', 'chandra']);

interface Setup {
  strategy: Strategy | UpstreamStrategy;
  /** When the cookie session fails (read on every request). */
  failing?: () => SessionFailure;
  /** Passport's `req.logIn` option: the old session's entries are copied into the new one. */
  keepSessionInfo?: boolean;
}

/** `POST /send` (TingTing strategy), `POST /sign-in`, and `GET /me` behind the session guard. */
function server(express: Express, { strategy, failing = () => 'none', keepSessionInfo }: Setup) {
  const pp = new passport.Passport();
  pp.use(strategy);
  pp.serializeUser((user, done) => done(null, user));
  pp.deserializeUser((user: Express.User, done) => done(null, user));
  const app = express();
  app.use(express.json(), failingSession(session, failing), pp.initialize(), pp.session());
  const name = strategy.name;
  app.post('/send', pp.authenticate(name, { tingtingAction: 'send' }), (_req, res) => {
    res.status(202).end();
  });
  const logIn = keepSessionInfo === undefined ? {} : { keepSessionInfo };
  app.post('/sign-in', pp.authenticate(name, logIn), (_req, res) => {
    res.json({ signedIn: true });
  });
  app.get('/me', strategy.sessionGuard(), (req, res) => {
    res.json((req as Request & { tingtingSession?: unknown }).tingtingSession);
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    res.status((error as { status?: number }).status ?? 500).json({ failed: true });
  });
  return app;
}

/** An UpstreamStrategy over the fake notes service, with every `end` recorded. */
function passwordStrategy() {
  const { sessions, ended } = fixtures.notesSessions(fakes.notes, SECRET);
  const strategy = new UpstreamStrategy({ sessions }, async (account) => ({ id: account.subject }));
  return { sessions, ended, strategy };
}

const signIn = (browser: Browser, username: string) =>
  browser.post('/sign-in').send({ username, password: fixtures.PASSWORD });

/** Both strategies in one Passport: phone `/send` and `/verify`, password `/sign-in`, guards. */
function bothServer(express: Express, keepSessionInfo: boolean) {
  const stores = fixtures.crossFlowSessions(fakes.notes, SECRET);
  const engine = fixtures.codeEngine(fakes.tingting, SECRET);
  const tingting = new Strategy({ engine, sessions: stores.phone }, async (id) => ({ id }));
  const password = new UpstreamStrategy({ sessions: stores.notes }, async (account) => ({
    id: account.subject,
  }));
  const pp = new passport.Passport();
  pp.use(tingting);
  pp.use(password);
  pp.serializeUser((user, done) => done(null, user));
  pp.deserializeUser((user: Express.User, done) => done(null, user));
  const app = express();
  app.use(express.json(), session({ secret: SECRET, resave: false, saveUninitialized: false }));
  app.use(pp.initialize(), pp.session());
  app.post('/send', pp.authenticate(tingting.name, { tingtingAction: 'send' }), (_req, res) => {
    res.status(202).end();
  });
  const ok = (_req: Request, res: Response) => res.json({ signedIn: true });
  app.post('/verify', pp.authenticate(tingting.name, { keepSessionInfo }), ok);
  app.post('/sign-in', pp.authenticate(password.name, { keepSessionInfo }), ok);
  app.get('/me/phone', tingting.sessionGuard(), (_req, res) => res.json({}));
  app.get('/me/password', password.sessionGuard(), (_req, res) => res.json({}));
  const steps = fixtures.crossFlowSteps(request.agent(app), fakes, {
    send: '/send',
    verify: '/verify',
    signIn: '/sign-in',
    guard: (flow) => `/me/${flow}`,
  });
  return { stores, steps };
}

describe.each([
  ['Express 5', express5],
  ['Express 4', express4 as unknown as Express],
])('%s', (_label, express) => {
  it('TingTing strategy with sessions: verifying again ends the one this browser held', async () => {
    const engine = fixtures.codeEngine(fakes.tingting, SECRET);
    const sessions = fixtures.phoneSessions(SECRET);
    const strategy = new Strategy({ engine, sessions }, async (phone) => ({ id: phone }));
    const app = server(express, { strategy });
    const phone = '9812345691';
    const verified = async (browser: Browser): Promise<string> => {
      expect((await browser.post('/send').send({ phone })).status).toBe(202);
      const code = fakes.tingting.outbox.last(phone)!.otp;
      expect((await browser.post('/sign-in').send({ phone, code })).status).toBe(200);
      return (await browser.get('/me')).body.id;
    };
    const [desk, pocket] = [request.agent(app), request.agent(app)];
    const first = await verified(desk);
    const elsewhere = await verified(pocket);
    const again = await verified(desk);
    const ids = (await sessions.list('+9779812345691')).map((s) => s.id);
    expect(ids.sort()).toEqual([elsewhere, again].sort());
    expect(ids).not.toContain(first);
    expect((await pocket.get('/me')).status).toBe(200);
  });

  for (const keepSessionInfo of [false, true]) {
    it(`UpstreamStrategy: signing in again ends the previous session (keepSessionInfo ${keepSessionInfo})`, async () => {
      const { sessions, ended, strategy } = passwordStrategy();
      const browser = request.agent(server(express, { strategy, keepSessionInfo }));
      expect((await signIn(browser, 'asha')).status).toBe(200);
      expect(await sessions.list('asha')).toHaveLength(1);
      // As someone else this time: what ends is the browser's old session, whoever it was.
      expect((await signIn(browser, 'chandra')).status).toBe(200);
      expect(ended).toHaveLength(1);
      await expect(sessions.getTokens(ended[0]!)).rejects.toMatchObject({
        code: 'SESSION_EXPIRED',
      });
      expect(await sessions.list('asha')).toEqual([]);
      // The browser holds the new session, not the ended one.
      const me = await browser.get('/me');
      expect(me.status).toBe(200);
      expect(me.body.subject).toBe('chandra');
    });
  }

  for (const keepSessionInfo of [false, true]) {
    it.each(['phone', 'password'] as const)(
      `%s, then the other strategy: the session the browser held is ended (keepSessionInfo ${keepSessionInfo})`,
      async (first) => {
        const { stores, steps } = bothServer(express, keepSessionInfo);
        await fixtures.expectCrossFlowEnds(first, stores, steps);
      },
    );
  }

  it('UpstreamStrategy: a second sign-in whose cookie session regenerate fails keeps the first', async () => {
    let failing: SessionFailure = 'none';
    const { sessions, ended, strategy } = passwordStrategy();
    const browser = request.agent(server(express, { strategy, failing: () => failing }));
    expect((await signIn(browser, 'asha')).status).toBe(200);
    const [first] = await sessions.list('asha');
    failing = 'regenerate';
    expect((await signIn(browser, 'asha')).status).toBe(500);
    // Ended: only the second sign-in's own session, which the browser never held.
    await expect.poll(() => ended.length).toBe(1);
    expect((await sessions.list('asha')).map((s) => s.id)).toEqual([first!.id]);
  });

  it('UpstreamStrategy: a second sign-in whose save fails after regenerate ends both', async () => {
    let failing: SessionFailure = 'none';
    const { sessions, ended, strategy } = passwordStrategy();
    const browser = request.agent(server(express, { strategy, failing: () => failing }));
    expect((await signIn(browser, 'asha')).status).toBe(200);
    failing = 'set';
    expect((await signIn(browser, 'asha')).status).toBe(500);
    // `regenerate` destroyed the cookie session that held the first: nobody can present it.
    await expect.poll(() => ended.length).toBe(2);
    expect(await sessions.list('asha')).toEqual([]);
  });
});
