/**
 * The UpstreamStrategy end to end: a real `passport.authenticate('upstream')` pipeline on Express 5
 * and 4 with express-session and passport 0.7, over supertest, against the fake notes service
 * over real HTTP on a hand-moved clock. Sign-in renews the session id; a route reaches the upstream
 * through `strategy.fetch` (refreshed on demand: three requests across an expiry make one refresh,
 * `deserializeUser` makes none); throttling answers 429 with Retry-After; sign-out ends the
 * upstream session; credentials in the query string are refused; and no password, token or
 * upstream session id appears in any answer or log line.
 */
import { inspect } from 'node:util';
import { isTingTingHTTPError } from '@tingting-auth/core/protocol';
import express5, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import express4 from 'express4';
import passport from 'passport';
import request from 'supertest';
import { secretsIn } from 'test-support/secrets';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UPSTREAM_SESSION_KEY, type UpstreamStrategy } from '../src/index.js';
import { PASSWORD, type UpstreamRig, upstreamRig, WRONG } from './upstream-helpers.js';

type Express = typeof express5;

interface App {
  app: ReturnType<Express>;
  strategy: UpstreamStrategy;
  logs: string[];
  deserialized: number;
}

function buildApp(express: Express, rig: UpstreamRig): App {
  const logs: string[] = [];
  const authenticator = new passport.Passport();
  const strategy = rig.strategy({ baseURL: rig.fake.url }, async (account) => ({
    id: account.subject,
    name: account.username,
  }));
  authenticator.use(strategy);
  authenticator.serializeUser((user, done) => done(null, user));
  const state: App = { app: express(), strategy, logs, deserialized: 0 };
  authenticator.deserializeUser((user: Express.User, done) => {
    state.deserialized += 1;
    done(null, user);
  });
  const { app } = state;
  app.use(
    session({
      secret: 'express-session-secret-for-tests',
      resave: false,
      saveUninitialized: false,
    }),
  );
  app.use(express.json({ limit: '4kb' }), express.urlencoded({ extended: false }));
  app.use(authenticator.initialize(), authenticator.session());
  app.get('/visit', (req, res) => {
    (req.session as unknown as Record<string, unknown>).visited = true;
    res.json({ ok: true });
  });
  app.post('/login', authenticator.authenticate('upstream'), (req, res) => {
    res.json({ user: req.user });
  });
  app.get('/me', (req, res) => {
    res.json({ user: req.user ?? null });
  });
  app.get('/profile', async (req: Request, res: Response, next: NextFunction) => {
    try {
      const answer = await strategy.fetch(req, '/auth/user');
      res.status(answer.status).json(await answer.json());
    } catch (error) {
      next(error);
    }
  });
  app.get('/elsewhere', async (req: Request, res: Response) => {
    try {
      await strategy.fetch(req, 'https://elsewhere.example/steal');
      res.json({ sent: true });
    } catch (error) {
      res.status(400).json({ error: (error as Error).name });
    }
  });
  app.post('/logout', async (req: Request, res: Response, next: NextFunction) => {
    try {
      await strategy.signOut(req);
      req.logout((error) => (error ? next(error) : res.status(204).end()));
    } catch (error) {
      next(error);
    }
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    logs.push(`${req.method} ${req.path}: ${inspect(error)}`);
    if (isTingTingHTTPError(error)) {
      res.status(error.status).set(error.headers).json(error.toJSON());
      return;
    }
    const code = (error as { code?: string }).code;
    res.status(code === 'SESSION_EXPIRED' ? 401 : 500).json({ error: { code } });
  });
  return state;
}

function cookieOf(answer: request.Response): string | undefined {
  const set = answer.headers['set-cookie'] as unknown as string[] | undefined;
  return set?.[0]?.split(';')[0];
}

describe.each([
  ['Express 5', express5],
  ['Express 4', express4 as unknown as Express],
])('%s', (_label, express) => {
  let rig: UpstreamRig;
  let built: App;
  const answers: string[] = [];
  beforeEach(async () => {
    rig = await upstreamRig('notes', { accessSeconds: 120 });
    built = buildApp(express, rig);
  });
  afterEach(() => rig.close());

  async function record(pending: request.Test): Promise<request.Response> {
    const answer = await pending;
    answers.push(JSON.stringify({ headers: answer.headers, text: answer.text }));
    return answer;
  }

  it('signs in with a new session id, reaches the upstream, refreshes once for three requests, signs out', async () => {
    const { app } = built;
    const planted = cookieOf(await record(request(app).get('/visit')));
    expect(planted).toBeDefined();
    const login = await record(
      request(app)
        .post('/login')
        .set('cookie', planted!)
        .send({ username: 'asha', password: PASSWORD }),
    );
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ name: 'asha' });
    const cookie = cookieOf(login);
    // Passport 0.7 regenerated the session: the planted id is dead, a new one was issued.
    expect(cookie).toBeDefined();
    expect(cookie).not.toBe(planted);
    expect((await request(app).get('/me').set('cookie', planted!)).body.user).toBeNull();

    const profile = await record(request(app).get('/profile').set('cookie', cookie!));
    expect(profile.status).toBe(200);
    // The session's credentials go to the upstream's origin only.
    const elsewhere = await request(app).get('/elsewhere').set('cookie', cookie!);
    expect(elsewhere.body).toEqual({ error: 'TypeError' });
    expect(profile.body).toMatchObject({ username: 'asha' });

    // Past the access token's refresh point: pages that do not call the upstream refresh nothing
    // (never in deserializeUser); three concurrent upstream calls share one refresh.
    rig.clock.advance(120_000);
    const deserializedBefore = built.deserialized;
    await record(request(app).get('/me').set('cookie', cookie!));
    expect(built.deserialized).toBe(deserializedBefore + 1);
    expect(rig.fake.stats.refreshCalls).toBe(0);
    const three = await Promise.all(
      [1, 2, 3].map(() => record(request(app).get('/profile').set('cookie', cookie!))),
    );
    expect(three.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(rig.fake.stats.refreshCalls).toBe(1);
    expect(rig.fake.stats.reuseDetected).toBe(0);

    // Sign-out ends the upstream session; the old cookie reaches nothing.
    const sid = await sidOf(app, cookie!, built.strategy);
    const logout = await record(request(app).post('/logout').set('cookie', cookie!));
    expect(logout.status).toBe(204);
    expect(await rig.sessions.status(sid)).toMatchObject({ active: false, reason: 'signed_out' });
    const after = await record(request(app).get('/profile').set('cookie', cookie!));
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ error: { code: 'SESSION_EXPIRED' } });

    // No password, upstream token or upstream session id in any answer or log line.
    const token = rig.fake.stats && (await freshToken(rig));
    const secrets = [PASSWORD, sid, token, ...presentedRefreshTokens(rig)];
    expect(secretsIn([...answers, ...built.logs].join('\n'), secrets)).toEqual([]);
  });

  it('wrong password, unknown user and inactive account: the same 401 answer', async () => {
    const seen = [];
    for (const body of [
      { username: 'asha', password: WRONG },
      { username: 'nobody', password: PASSWORD },
      { username: 'bikash', password: PASSWORD },
    ]) {
      const answer = await record(request(built.app).post('/login').send(body));
      const { date: _date, 'x-powered-by': _x, ...headers } = answer.headers;
      seen.push({ status: answer.status, text: answer.text, headers });
    }
    expect(seen[0]?.status).toBe(401);
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
  });

  it('throttles: the 11th attempt is 429 with Retry-After, without an upstream call', async () => {
    for (let i = 0; i < 10; i++) {
      const answer = await request(built.app)
        .post('/login')
        .send({ username: 'asha', password: WRONG });
      expect(answer.status).toBe(401);
    }
    const calls = rig.fake.stats.loginCalls;
    const answer = await record(
      request(built.app).post('/login').send({ username: 'asha', password: PASSWORD }),
    );
    expect(answer.status).toBe(429);
    expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    expect(rig.fake.stats.loginCalls).toBe(calls);
  });

  it('refuses credentials in the query string (400), as a form body works', async () => {
    const calls = rig.fake.stats.loginCalls;
    const query = await request(built.app)
      .post(`/login?username=asha&password=${PASSWORD}`)
      .send({});
    expect(query.status).toBe(400);
    expect(rig.fake.stats.loginCalls).toBe(calls);
    const form = await request(built.app)
      .post('/login')
      .type('form')
      .send(`username=asha&password=${PASSWORD}`);
    expect(form.status).toBe(200);
  });

  it('a cross-site post is refused (403) before the upstream is asked', async () => {
    const calls = rig.fake.stats.loginCalls;
    const answer = await request(built.app)
      .post('/login')
      .set('origin', 'https://evil.example')
      .set('sec-fetch-site', 'cross-site')
      .send({ username: 'asha', password: PASSWORD });
    expect(answer.status).toBe(403);
    expect(rig.fake.stats.loginCalls).toBe(calls);
  });
});

/** The upstream session id kept in the app's session, read through a throwaway route. */
async function sidOf(app: App['app'], cookie: string, strategy: UpstreamStrategy): Promise<string> {
  let sid: string | undefined;
  app.get('/__sid', (req, res) => {
    sid = strategy.sessionIdOf(req);
    const stored = (req.session as unknown as Record<string, unknown>)[UPSTREAM_SESSION_KEY];
    res.json({ stored: stored !== undefined });
  });
  await request(app).get('/__sid').set('cookie', cookie);
  if (sid === undefined) throw new Error('no upstream session id in the session');
  return sid;
}

async function freshToken(rig: UpstreamRig): Promise<string> {
  const signedIn = await rig.sessions.signIn({ identifier: 'asha', password: PASSWORD });
  if (!signedIn.ok) throw new Error('sign-in failed');
  const token = await rig.sessions.getAccessToken(signedIn.sid);
  await rig.sessions.end(signedIn.sid);
  return token;
}

function presentedRefreshTokens(rig: UpstreamRig): string[] {
  return (
    rig.fake as unknown as { refreshTokensPresented: { token: string }[] }
  ).refreshTokensPresented.map((p) => p.token);
}
