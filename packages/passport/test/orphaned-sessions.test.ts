/**
 * No revocable session outlives a sign-in that no browser holds: every way Passport's `req.logIn`
 * (0.6 and 0.7, `lib/sessionmanager.js`) fails after a strategy started one, and every way an app
 * ends a successful authentication without `req.logIn` storing it in a cookie session.
 *
 * - `serializeUser` errors (or finds no id) after `regenerate`: the new session is ended once, and
 *   so is the one the browser held before (its cookie session was destroyed by `regenerate`).
 * - the store's `set` fails after `regenerate`: the same, for this strategy's old session and the
 *   other strategy's.
 * - a custom callback that refuses the user, `assignProperty`, `session: false`: the session is
 *   ended when the response is over; the browser's old one (its cookie session untouched) stays.
 *   Not a password session whose `account.sessionId` the app read: the app keeps that one itself.
 * - a custom callback that calls `req.logIn` keeps its session (nothing ended).
 * - a client gone before the strategy succeeded: no cookie will reach it, the session is ended.
 *
 * Both strategies in one Passport, real Express 5 and 4, express-session, memory stores.
 */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
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
type Flow = 'phone' | 'password';
const fakes = fixtures.signInFakes(['asha']);
const PHONE = '9812345688';
const SUBJECT = '+9779812345688';

/** What the next requests do wrong: the store's `set`, `regenerate`, `serializeUser`. */
interface Faults {
  session: SessionFailure;
  serialize: 'ok' | 'error' | 'no-id';
}

/** An app with both strategies and the sign-in routes Passport's docs show, over `faults`. */
function rig(express: Express) {
  const stores = fixtures.crossFlowSessions(fakes.notes, SECRET);
  const faults: Faults = { session: 'none', serialize: 'ok' };
  const engine = fixtures.codeEngine(fakes.tingting, SECRET);
  const phone = new Strategy({ engine, sessions: stores.phone }, async (id) => ({ id }));
  const password = new UpstreamStrategy({ sessions: stores.notes }, async (account) => ({
    id: account.subject,
  }));
  /** The password sessions the app keeps itself (its verify reads `account.sessionId`). */
  const keptByApp: string[] = [];
  const keeper = new UpstreamStrategy(
    { sessions: stores.notes, name: 'keeper' },
    async (account) => {
      keptByApp.push(account.sessionId);
      return { id: account.subject };
    },
  );
  const pp = new passport.Passport();
  pp.use(phone);
  pp.use(password);
  pp.use(keeper);
  pp.serializeUser((user: Express.User, done) => {
    if (faults.serialize === 'error') done(new Error('users store down'));
    else done(null, faults.serialize === 'no-id' ? false : user);
  });
  pp.deserializeUser((user: Express.User, done) => done(null, user));
  const app = express();
  app.use(
    express.json(),
    failingSession(session, () => faults.session),
  );
  app.use(pp.initialize(), pp.session());
  const ok = (_req: Request, res: Response) => res.json({ signedIn: true });
  const name = { phone: phone.name, password: password.name };
  app.post('/send', pp.authenticate(phone.name, { tingtingAction: 'send' }), (_req, res) => {
    res.status(202).end();
  });
  for (const flow of ['phone', 'password'] as const) {
    app.post(`/${flow}`, pp.authenticate(name[flow]), ok);
    // The custom callback of Passport's guide, refusing the user (e.g. an account not yet approved).
    app.post(`/${flow}/refuse`, (req, res, next) => {
      pp.authenticate(name[flow], (error: unknown) => {
        if (error) return next(error);
        res.status(403).json({ refused: true });
      })(req, res, next);
    });
    // The same, logging the user in.
    app.post(`/${flow}/custom`, (req, res, next) => {
      pp.authenticate(name[flow], (error: unknown, user: Express.User | false) => {
        if (error || !user) return next(error ?? new Error('refused'));
        req.logIn(user, (failed) => (failed ? next(failed) : res.json({ signedIn: true })));
      })(req, res, next);
    });
    app.post(`/${flow}/stateless`, pp.authenticate(name[flow], { session: false }), ok);
    app.post(`/${flow}/assign`, pp.authenticate(name[flow], { assignProperty: 'account' }), ok);
  }
  app.post('/keeper/stateless', pp.authenticate('keeper', { session: false }), ok);
  app.get('/me/phone', phone.sessionGuard(), (_req, res) => res.json({}));
  app.get('/me/password', password.sessionGuard(), (_req, res) => res.json({}));
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    res.status((error as { status?: number }).status ?? 500).json({ failed: true });
  });
  const of = (flow: Flow) =>
    flow === 'phone'
      ? { sessions: stores.phone, ended: stores.phoneEnded, subject: SUBJECT }
      : { sessions: stores.notes, ended: stores.notesEnded, subject: 'asha' };
  /** Signs `browser` in through `path` (`/phone…` or `/password…`, `/keeper…`). */
  async function signIn(browser: Browser, path: string): Promise<number> {
    if (path.startsWith('/phone')) {
      expect((await browser.post('/send').send({ phone: PHONE })).status).toBe(202);
      const code = fakes.tingting.outbox.last(PHONE)!.otp;
      return (await browser.post(path).send({ phone: PHONE, code })).status;
    }
    const body = { username: 'asha', password: fixtures.PASSWORD };
    return (await browser.post(path).send(body)).status;
  }
  return { app, faults, of, signIn, keptByApp, stores };
}

/** Sessions of `flow`'s subject still listed (active). */
const listed = async (r: ReturnType<typeof rig>, flow: Flow) =>
  (await r.of(flow).sessions.list(r.of(flow).subject)).length;

describe.each([
  ['Express 5', express5],
  ['Express 4', express4 as unknown as Express],
])('%s', (_label, express) => {
  describe.each(['phone', 'password'] as const)('%s sign-in', (flow) => {
    const other: Flow = flow === 'phone' ? 'password' : 'phone';

    it.each(['error', 'no-id'] as const)(
      'serializeUser failing (%s) after regenerate: the new session and the one the browser held are ended, once',
      async (serialize) => {
        const r = rig(express);
        const browser = request.agent(r.app);
        expect(await r.signIn(browser, `/${flow}`)).toBe(200);
        expect(await listed(r, flow)).toBe(1);
        r.faults.serialize = serialize;
        expect(await r.signIn(browser, `/${flow}`)).toBe(500);
        const { ended } = r.of(flow);
        await expect.poll(() => ended.length).toBe(2);
        expect(new Set(ended).size).toBe(2);
        expect(await listed(r, flow)).toBe(0);
        r.faults.serialize = 'ok';
        // Signed out, and nothing more ended by the requests after.
        expect((await browser.get(`/me/${flow}`)).status).toBe(401);
        expect(ended).toHaveLength(2);
      },
    );

    it(`serializeUser failing after regenerate ends the ${other} session the browser held`, async () => {
      const r = rig(express);
      const browser = request.agent(r.app);
      expect(await r.signIn(browser, `/${other}`)).toBe(200);
      r.faults.serialize = 'error';
      expect(await r.signIn(browser, `/${flow}`)).toBe(500);
      await expect.poll(() => r.of(other).ended.length).toBe(1);
      await expect.poll(() => r.of(flow).ended.length).toBe(1);
      expect(await listed(r, other)).toBe(0);
      expect(await listed(r, flow)).toBe(0);
    });

    it.each([
      ['this strategy', flow],
      ['the other strategy', other],
    ] as const)(
      'the store failing to save after regenerate: the session the browser held (%s) is ended too',
      async (_which, first) => {
        const r = rig(express);
        const browser = request.agent(r.app);
        expect(await r.signIn(browser, `/${first}`)).toBe(200);
        expect(await listed(r, first)).toBe(1);
        r.faults.session = 'set';
        expect(await r.signIn(browser, `/${flow}`)).toBe(500);
        await expect.poll(() => r.of(flow).ended.length).toBe(first === flow ? 2 : 1);
        await expect.poll(() => r.of(first).ended.length).toBe(first === flow ? 2 : 1);
        expect(await listed(r, flow)).toBe(0);
        expect(await listed(r, first)).toBe(0);
      },
    );

    it.each([
      ['this strategy', flow],
      ['the other strategy', other],
    ] as const)(
      'regenerate failing: the new session is ended, the one the browser held (%s) stays',
      async (_which, first) => {
        const r = rig(express);
        const browser = request.agent(r.app);
        expect(await r.signIn(browser, `/${first}`)).toBe(200);
        r.faults.session = 'regenerate';
        expect(await r.signIn(browser, `/${flow}`)).toBe(500);
        await expect.poll(() => r.of(flow).ended.length).toBe(1);
        expect(await listed(r, first)).toBe(1);
        if (first !== flow) expect(await listed(r, flow)).toBe(0);
        r.faults.session = 'none';
        expect((await browser.get(`/me/${first}`)).status).toBe(200);
        expect(r.of(first).ended).toHaveLength(first === flow ? 1 : 0);
      },
    );

    it.each(['refuse', 'stateless', 'assign'] as const)(
      'no req.logIn storing it (%s): the session is ended with the response; the browser keeps its own',
      async (route) => {
        const r = rig(express);
        const browser = request.agent(r.app);
        expect(await r.signIn(browser, `/${other}`)).toBe(200);
        const status = await r.signIn(browser, `/${flow}/${route}`);
        expect(status).toBe(route === 'refuse' ? 403 : 200);
        await expect.poll(() => r.of(flow).ended.length).toBe(1);
        expect(await listed(r, flow)).toBe(0);
        // The browser's cookie session was never regenerated: its session stays.
        expect(r.of(other).ended).toEqual([]);
        expect((await browser.get(`/me/${other}`)).status).toBe(200);
        expect(r.of(flow).ended).toHaveLength(1);
      },
    );

    it('a custom callback that calls req.logIn keeps its session', async () => {
      const r = rig(express);
      const browser = request.agent(r.app);
      expect(await r.signIn(browser, `/${flow}/custom`)).toBe(200);
      expect((await browser.get(`/me/${flow}`)).status).toBe(200);
      expect(r.of(flow).ended).toEqual([]);
      expect(await listed(r, flow)).toBe(1);
    });
  });

  it('a client gone before the strategy succeeds: the session it started is ended', async () => {
    const { sessions, ended } = fixtures.notesSessions(fakes.notes, SECRET);
    let verifying!: () => void;
    const started = new Promise<void>((resolve) => {
      verifying = resolve;
    });
    const strategy = new UpstreamStrategy(
      { sessions, passReqToCallback: true },
      async (req, account) => {
        verifying();
        // Answer only once the client has gone away.
        await new Promise((resolve) => req.res!.once('close', resolve));
        return { id: account.subject };
      },
    );
    const pp = new passport.Passport();
    pp.use(strategy);
    pp.serializeUser((user: Express.User, done) => done(null, user));
    const app = express();
    app.use(express.json(), failingSession(session, 'none'), pp.initialize(), pp.session());
    app.post('/sign-in', pp.authenticate(strategy.name), (_req, res) => res.json({}));
    const server = app.listen(0, '127.0.0.1');
    try {
      await new Promise((resolve) => server.once('listening', resolve));
      const { port } = server.address() as AddressInfo;
      const client = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/sign-in',
        headers: { 'content-type': 'application/json' },
      });
      client.on('error', () => {});
      client.end(JSON.stringify({ username: 'asha', password: fixtures.PASSWORD }));
      await started;
      client.destroy();
      await expect.poll(() => ended.length).toBe(1);
      expect(await sessions.list('asha')).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('session: false with a verify callback that reads account.sessionId: the app keeps it', async () => {
    const r = rig(express);
    expect(await r.signIn(request.agent(r.app), '/keeper/stateless')).toBe(200);
    // One more request: the response of the sign-in is over by then.
    expect((await request(r.app).get('/me/password')).status).toBe(401);
    expect(r.keptByApp).toHaveLength(1);
    expect(r.stores.notesEnded).toEqual([]);
    expect((await r.stores.notes.status(r.keptByApp[0]!)).active).toBe(true);
  });
});
