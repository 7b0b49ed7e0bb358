/**
 * "Sign out everywhere" with Passport, end to end on Express 5 and 4 (express-session, passport
 * 0.7, supertest): the TingTing strategy with `sessions` and the UpstreamStrategy, each with its
 * `sessionGuard()`, `listSessions`, `endSession` and `signOutEverywhere` on real routes. Ended
 * sessions are `req.logout()`-ed on their next request; foreign ids end nothing; cross-site posts
 * are refused; no session id in any answer; one store read per guarded request.
 */
import { isTingTingHTTPError } from '@tingting-auth/core/protocol';
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
const CROSS_SITE = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };

let fake: FakeTingTing;
let notes: FakeNotes;
beforeAll(async () => {
  fake = await startFakeTingTing();
  notes = await startFakeNotes({
    accounts: [
      { username: 'asha', password: PASSWORD },
      { username: 'chandra', password: PASSWORD },
    ],
  });
});
afterAll(async () => {
  await fake.close();
  await notes.close();
});

interface Managed {
  sessionGuard: Strategy['sessionGuard'];
  listSessions: Strategy['listSessions'];
  endSession: Strategy['endSession'];
  signOutEverywhere: Strategy['signOutEverywhere'];
  signOut: Strategy['signOut'];
}

/** The account routes an app writes with the strategy's helpers. */
function mountAccount(app: ReturnType<Express>, strategy: Managed) {
  const guard = strategy.sessionGuard({ signIn: '/login-page' });
  app.get('/me', guard, (req, res) => {
    res.json({ user: req.user, session: req.tingtingSession });
  });
  app.get('/account/sessions', guard, async (req: Request, res: Response, next: NextFunction) => {
    try {
      res.json({ sessions: await strategy.listSessions(req) });
    } catch (error) {
      next(error);
    }
  });
  app.post('/account/sessions/:id/end', guard, async (req, res, next) => {
    try {
      const current = await strategy.endSession(req, req.params.id);
      res.status(current ? 205 : 204).end();
    } catch (error) {
      next(error);
    }
  });
  app.post('/logout', async (req, res, next) => {
    try {
      await strategy.signOut(req);
      req.logout((error) => (error ? next(error) : res.status(204).end()));
    } catch (error) {
      next(error);
    }
  });
  app.post('/account/sign-out-everywhere', guard, async (req, res, next) => {
    try {
      await strategy.signOutEverywhere(req);
      res.status(204).end();
    } catch (error) {
      next(error);
    }
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (isTingTingHTTPError(error)) {
      res.status(error.status).set(error.headers).json(error.toJSON());
      return;
    }
    res.status(500).json({ error: { code: 'BUG' } });
  });
}

function baseApp(express: Express, authenticator: passport.Authenticator) {
  const app = express();
  app.use(session({ secret: 'session-secret-for-tests', resave: false, saveUninitialized: false }));
  app.use(express.json(), express.urlencoded({ extended: false }));
  app.use(authenticator.initialize(), authenticator.session());
  return app;
}

function watchedStore() {
  const store = new MemorySessionStore();
  const reads = { count: 0 };
  const get = store.get.bind(store);
  store.get = (...args) => {
    reads.count += 1;
    return get(...args);
  };
  return { store, reads };
}

describe.each([
  ['Express 5', express5],
  ['Express 4', express4 as unknown as Express],
])('%s', (_label, express) => {
  describe('TingTing strategy with `sessions`', () => {
    function setup() {
      const engine = new OTPEngine({
        sender: createTingTingSender(
          new TingTingClient({ apiToken: fake.apiToken, baseURL: fake.url }),
        ),
        secret: SECRET,
        store: new MemoryStore(),
        policy: { resendCooldownInSeconds: 0, maxSendsPerWindow: 50 },
      });
      const { store, reads } = watchedStore();
      const sessions = new UpstreamSessions({
        store,
        secret: SECRET,
        providerId: 'phone',
        throttle: false,
      });
      const sids: string[] = [];
      const create = sessions.create.bind(sessions);
      sessions.create = async (input) => {
        const created = await create(input);
        sids.push(created.sid);
        return created;
      };
      const strategy = new Strategy({ engine, sessions }, async (phone) => ({ id: phone }));
      const authenticator = new passport.Passport();
      authenticator.use(strategy);
      authenticator.serializeUser((user, done) => done(null, user));
      authenticator.deserializeUser((user: Express.User, done) => done(null, user));
      const app = baseApp(express, authenticator);
      app.post(
        '/login/send',
        authenticator.authenticate('tingting', { tingtingAction: 'send' }),
        (req, res) => {
          res.status(202).json(req.tingtingSent);
        },
      );
      app.post('/login/verify', authenticator.authenticate('tingting'), (req, res) => {
        res.json({ user: req.user });
      });
      mountAccount(app, strategy);
      return { app, sessions, sids, reads };
    }

    async function signIn(app: ReturnType<Express>, phone = '9812345678', ua = 'Browser/1') {
      const agent = request.agent(app).set('user-agent', ua);
      expect((await agent.post('/login/send').send({ phone })).status).toBe(202);
      const code = fake.outbox.last(phone)!.otp;
      const verified = await agent.post('/login/verify').send({ phone, code });
      expect(verified.status, verified.text).toBe(200);
      return agent;
    }

    it('two devices: listed; ending the other one logs it out on its next request; sign out everywhere', async () => {
      const { app, sids, sessions } = setup();
      const texts: string[] = [];
      const keep = (r: request.Response) => {
        texts.push(JSON.stringify({ headers: r.headers, text: r.text }));
        return r;
      };
      const a = await signIn(app, '9812345678', 'Device-A');
      const b = await signIn(app, '9812345678', 'Device-B');
      const other = await signIn(app, '9800000000', 'Other');
      const me = keep(await a.get('/me'));
      expect(me.body.session).toEqual({
        subject: '+9779812345678',
        id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      });
      const listed = keep(await a.get('/account/sessions')).body.sessions as {
        id: string;
        device: string;
        current: boolean;
      }[];
      expect(listed.map((s) => [s.device, s.current])).toEqual([
        ['Device-A', true],
        ['Device-B', false],
      ]);
      expect(keep(await a.post(`/account/sessions/${listed[1]!.id}/end`)).status).toBe(204);
      const ended = keep(await b.get('/me'));
      expect([ended.status, ended.body.error?.code]).toEqual([401, 'NOT_VERIFIED']);
      // req.logout() ran: the next request is a plain signed-out one.
      expect(keep(await b.get('/me')).status).toBe(401);
      const page = keep(await b.get('/me').set('accept', 'text/html'));
      expect([page.status, page.headers.location]).toEqual([303, '/login-page']);

      const a2 = await signIn(app, '9812345678', 'Device-C');
      expect(keep(await a.post('/account/sign-out-everywhere')).status).toBe(204);
      for (const agent of [a, a2]) expect(keep(await agent.get('/me')).status).toBe(401);
      expect(await sessions.list('+9779812345678')).toEqual([]);
      expect(keep(await other.get('/me')).status).toBe(200);
      expect(sids.length).toBe(4);
      for (const text of texts) for (const sid of sids) expect(text).not.toContain(sid);
    });

    it("another number's id is 404 SESSION_NOT_FOUND; cross-site posts are 403; nothing ends", async () => {
      const { app } = setup();
      const mine = await signIn(app, '9812345678');
      const theirs = await signIn(app, '9800000000');
      const theirId = (await theirs.get('/me')).body.session.id as string;
      const foreign = await mine.post(`/account/sessions/${theirId}/end`);
      expect([foreign.status, foreign.body.error.code]).toEqual([404, 'SESSION_NOT_FOUND']);
      const cross = await mine.post('/account/sign-out-everywhere').set(CROSS_SITE);
      expect([cross.status, cross.body.error.code]).toEqual([403, 'CROSS_SITE_REQUEST']);
      const myId = (await mine.get('/me')).body.session.id as string;
      expect((await mine.post(`/account/sessions/${myId}/end`).set(CROSS_SITE)).status).toBe(403);
      expect((await theirs.get('/me')).status).toBe(200);
      expect((await mine.get('/me')).status).toBe(200);
      // Its own id: ended and logged out here (205 from the route: `current` was true).
      expect((await mine.post(`/account/sessions/${myId}/end`)).status).toBe(205);
      expect((await mine.get('/me')).status).toBe(401);
    });

    it('signOut ends the stored session: a copy of the old cookie is refused', async () => {
      const { app, sessions } = setup();
      const a = await signIn(app, '9812345678');
      const cookie = (await a.get('/me')).request.cookies;
      expect((await a.post('/logout')).status).toBe(204);
      expect(await sessions.list('+9779812345678')).toEqual([]);
      const copy = await request(app).get('/me').set('cookie', cookie);
      expect([copy.status, copy.body.error?.code]).toEqual([401, 'NOT_VERIFIED']);
    });

    it('one session-store read per guarded request', async () => {
      const { app, reads } = setup();
      const a = await signIn(app);
      for (let i = 0; i < 3; i++) {
        const before = reads.count;
        expect((await a.get('/me')).status).toBe(200);
        expect(reads.count - before).toBe(1);
      }
    });

    it('a refused user gets no session; the helpers need `sessions`', async () => {
      const { sessions } = setup();
      const engine = new OTPEngine({
        sender: createTingTingSender(
          new TingTingClient({ apiToken: fake.apiToken, baseURL: fake.url }),
        ),
        secret: SECRET,
      });
      const plain = new Strategy({ engine }, async () => false);
      expect(() => plain.sessionGuard()).toThrow(/needs the `sessions` option/);
      await expect(plain.listSessions({} as Request)).rejects.toThrow(
        /needs the `sessions` option/,
      );
      expect(() => new Strategy({ engine, sessions: {} as never }, async () => false)).toThrow(
        /UpstreamSessions/,
      );
      const refusing = new Strategy({ engine, sessions }, async () => false);
      const authenticator = new passport.Passport();
      authenticator.use(refusing);
      const refusingApp = baseApp(express, authenticator);
      refusingApp.post(
        '/send',
        authenticator.authenticate('tingting', { tingtingAction: 'send' }),
        (_req, res) => {
          res.status(202).end();
        },
      );
      refusingApp.post('/verify', authenticator.authenticate('tingting'), (_req, res) => {
        res.end();
      });
      const agent = request.agent(refusingApp);
      expect((await agent.post('/send').send({ phone: '9811111111' })).status).toBe(202);
      const code = fake.outbox.last('9811111111')!.otp;
      expect((await agent.post('/verify').send({ phone: '9811111111', code })).status).toBe(401);
      expect(await sessions.list('+9779811111111')).toEqual([]);
    });
  });

  describe('UpstreamStrategy', () => {
    function setup() {
      const { store, reads } = watchedStore();
      const provider = notesProvider({ baseURL: notes.url });
      const sessions = new UpstreamSessions({ store, secret: SECRET, provider });
      const strategy = new UpstreamStrategy({ sessions }, async (account) => ({
        id: account.subject,
      }));
      const authenticator = new passport.Passport();
      authenticator.use(strategy);
      authenticator.serializeUser((user, done) => done(null, user));
      authenticator.deserializeUser((user: Express.User, done) => done(null, user));
      const app = baseApp(express, authenticator);
      app.post('/login', authenticator.authenticate('upstream'), (req, res) => {
        res.json({ user: req.user });
      });
      mountAccount(app, strategy);
      return { app, reads };
    }

    async function signIn(app: ReturnType<Express>, username: string, ua: string) {
      const agent = request.agent(app).set('user-agent', ua);
      expect((await agent.post('/login').send({ username, password: PASSWORD })).status).toBe(200);
      return agent;
    }

    it('list, end the other one, foreign id, sign out everywhere', async () => {
      const { app, reads } = setup();
      const a = await signIn(app, 'asha', 'Laptop');
      const b = await signIn(app, 'asha', 'Phone');
      const c = await signIn(app, 'chandra', 'Other');
      const before = reads.count;
      const listed = (await a.get('/account/sessions')).body.sessions as {
        id: string;
        device: string;
      }[];
      expect(listed.map((s) => s.device)).toEqual(['Laptop', 'Phone']);
      expect(reads.count - before).toBeGreaterThanOrEqual(1);
      const theirs = (await c.get('/me')).body.session.id as string;
      expect((await a.post(`/account/sessions/${theirs}/end`)).status).toBe(404);
      expect((await a.post(`/account/sessions/${listed[1]!.id}/end`)).status).toBe(204);
      const ended = await b.get('/me');
      expect([ended.status, ended.body.error?.code]).toEqual([401, 'SESSION_EXPIRED']);
      expect((await a.post('/account/sign-out-everywhere')).status).toBe(204);
      expect((await a.get('/me')).status).toBe(401);
      expect((await c.get('/me')).status).toBe(200);
    });
  });
});
