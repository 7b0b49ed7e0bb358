/**
 * createUpstreamAuth through real Express 4 and 5 (supertest), against the fake notes service and
 * the real notes provider over HTTP, sessions on a manual clock shared with the fake.
 */
import {
  createPasswordProtocol,
  type ProtocolRequest,
  resolveRequestOptions,
} from '@tingting-auth/core/protocol';
import {
  MemorySessionStore,
  notesProvider,
  UpstreamSessions,
  type UpstreamSessionsOptions,
} from '@tingting-auth/core/upstream';
import { type FakeNotes, startFakeNotes } from '@tingting-auth/testing';
import express5 from 'express';
import session from 'express-session';
import express4 from 'express4';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createUpstreamAuth, type UpstreamExpressOptions } from '../src/index.js';
import { sessionCookie } from './helpers.js';

const SECRET = 'express-upstream-test-secret-0123456789abcdef';
const PASSWORD = 'right-password-123';
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

/** Everything a client can observe of an answer, but its date. */
function observed(response: request.Response) {
  const { date: _, ...headers } = response.headers;
  return { status: response.status, headers, text: response.text };
}

describe.each([
  ['Express 5', express5],
  ['Express 4', express4],
])('%s', (_name, express) => {
  async function setup(
    options: Partial<UpstreamExpressOptions> = {},
    sessionOptions: Partial<UpstreamSessionsOptions> = {},
  ) {
    let now = T0;
    const clock = Object.assign(() => now, {
      advance: (ms: number) => {
        now += ms;
      },
    });
    const fake: FakeNotes = await startFakeNotes({
      now: clock,
      accounts: [
        { username: 'asha', email: 'asha@example.com', password: PASSWORD },
        { username: 'bikash', password: PASSWORD, active: false },
      ],
    });
    closers.push(() => fake.close());
    const provider = notesProvider({ baseURL: fake.url });
    const store = new MemorySessionStore();
    const sessions = new UpstreamSessions({
      store,
      secret: SECRET,
      provider,
      clock,
      ...sessionOptions,
    });
    const auth = createUpstreamAuth({ sessions, provider, baseURL: fake.url, ...options });
    const app = express();
    app.use(session({ secret: 'session-secret', resave: false, saveUninitialized: false }));
    app.use('/auth', auth.router);
    app.get('/visit', (req, res) => {
      (req as unknown as { session: Record<string, unknown> }).session.visited = true;
      res.end();
    });
    app.get('/session', (req, res) => {
      res.json((req as unknown as { session: Record<string, unknown> }).session.upstream ?? null);
    });
    app.get('/me', auth.requireUpstreamSession, async (req, res, next) => {
      try {
        const profile = await (await req.upstream!.fetch('/auth/user')).json();
        res.json({ subject: req.upstream!.subject, provider: req.upstream!.provider, profile });
      } catch (error) {
        next(error);
      }
    });
    app.get('/page', auth.requireUpstreamSession, (_req, res) => {
      res.send('<p>signed in</p>');
    });
    app.get('/form-state', (req, res) => {
      res.json(auth.formState(req));
    });
    app.use(auth.errorHandler);
    return { app, agent: request.agent(app), auth, sessions, fake, clock, store };
  }

  it('signs in: 200 { user }, a new session id, req.session.upstream = { sid, subject }; no secret in the answer', async () => {
    const { agent, sessions, fake } = await setup();
    const planted = sessionCookie((await agent.get('/visit')).headers);
    expect(planted).toBeDefined();
    const response = await agent
      .post('/auth/sign-in')
      .send({ username: 'asha', password: PASSWORD });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      user: { provider: 'notes', subject: 'asha', identifier: 'asha' },
    });
    const after = sessionCookie(response.headers);
    expect(after).toBeDefined();
    expect(after).not.toBe(planted);
    const stored = (await agent.get('/session')).body as { sid: string; subject: string };
    expect(stored).toMatchObject({ subject: 'asha', provider: 'notes' });
    expect((await sessions.status(stored.sid)).active).toBe(true);
    const token = await sessions.getAccessToken(stored.sid);
    const text = JSON.stringify({ headers: response.headers, text: response.text });
    for (const secret of [PASSWORD, stored.sid, token]) expect(text).not.toContain(secret);
    expect(fake.stats.loginCalls).toBe(1);
  });

  it('wrong password, unknown user and inactive account: identical status, headers and body', async () => {
    const { app } = await setup();
    const answers = [];
    for (const fields of [
      { username: 'asha', password: 'wrong-password-1' },
      { username: 'nobody', password: PASSWORD },
      { username: 'bikash', password: PASSWORD },
    ]) {
      answers.push(observed(await request(app).post('/auth/sign-in').send(fields)));
    }
    expect(answers[0]!.status).toBe(401);
    expect(JSON.parse(answers[0]!.text)).toEqual({
      error: { code: 'INVALID_CREDENTIALS', message: 'The username or password is not right.' },
    });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('hostile input: the same status and body as core protocol for the same request; the query string is never read', async () => {
    const { app, sessions, fake } = await setup();
    const protocol = createPasswordProtocol(resolveRequestOptions('parity', {}), { sessions });
    const cases: {
      body: string;
      type: string;
      headers?: Record<string, string>;
      query?: string;
    }[] = [
      { body: '{}', type: 'application/json' },
      {
        body: JSON.stringify({ username: ['asha'], password: PASSWORD }),
        type: 'application/json',
      },
      { body: JSON.stringify({ username: 'asha', password: { a: 1 } }), type: 'application/json' },
      {
        body: JSON.stringify({ username: 'asha', email: 'a@b.c', password: 'x' }),
        type: 'application/json',
      },
      { body: JSON.stringify([{ username: 'asha' }]), type: 'application/json' },
      { body: '{"username":', type: 'application/json' },
      { body: 'username=asha&username=b&password=x', type: 'application/x-www-form-urlencoded' },
      { body: 'username=asha', type: 'text/plain' },
      {
        body: JSON.stringify({ username: 'asha', pad: 'x'.repeat(5000) }),
        type: 'application/json',
      },
      {
        body: JSON.stringify({ username: 'asha', password: PASSWORD }),
        type: 'application/json',
        headers: { 'sec-fetch-site': 'cross-site' },
      },
      // Passport-local reads the query string too; we never do (passwords end up in logs).
      { body: '', type: 'application/json', query: `?username=asha&password=${PASSWORD}` },
    ];
    for (const c of cases) {
      let call = request(app)
        .post(`/auth/sign-in${c.query ?? ''}`)
        .set('content-type', c.type);
      for (const [name, value] of Object.entries(c.headers ?? {})) call = call.set(name, value);
      const response = await call.send(c.body);
      const bytes = new TextEncoder().encode(c.body);
      const direct: ProtocolRequest = {
        method: 'POST',
        headers: {
          host: '127.0.0.1',
          'content-type': c.type,
          'content-length': String(bytes.byteLength),
          ...c.headers,
        },
        body: bytes,
      };
      const expected = (await protocol.signIn(direct)).answer;
      expect(response.status, c.body).toBe(expected.status);
      expect(response.body, c.body).toEqual(expected.body);
      expect(response.headers['retry-after']).toBe(expected.headers['retry-after']);
    }
    expect(fake.stats.loginCalls).toBe(0);
  });

  it('throttles: after 10 wrong passwords the 11th attempt is 429 with Retry-After, without asking the upstream', async () => {
    const { app, fake } = await setup();
    for (let i = 0; i < 10; i++) {
      const wrong = await request(app)
        .post('/auth/sign-in')
        .send({ username: 'asha', password: `wrong-${i}` });
      expect(wrong.status).toBe(401);
    }
    const calls = fake.stats.loginCalls;
    const blocked = await request(app)
      .post('/auth/sign-in')
      .send({ username: 'asha', password: PASSWORD });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('RATE_LIMITED');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(fake.stats.loginCalls).toBe(calls);
  });

  it('sign-out: 204, the upstream session ends, a new session id, and the guard refuses the old cookie', async () => {
    const { agent, app, sessions } = await setup();
    const signedIn = await agent
      .post('/auth/sign-in')
      .send({ username: 'asha', password: PASSWORD });
    const cookie = sessionCookie(signedIn.headers)!;
    const { sid } = (await agent.get('/session')).body as { sid: string };
    expect((await agent.get('/me')).status).toBe(200);
    const out = await agent.post('/auth/sign-out');
    expect(out.status).toBe(204);
    expect(sessionCookie(out.headers)).not.toBe(cookie);
    expect(await sessions.status(sid)).toEqual({ active: false, reason: 'signed_out' });
    expect((await agent.get('/me')).status).toBe(401);
    // A copy of the signed-in cookie is dead too.
    const replay = await request(app).get('/me').set('cookie', `connect.sid=${cookie}`);
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('SESSION_EXPIRED');
  });

  it('the guard refreshes an expiring access token once (fake clock) and fetch reaches the upstream', async () => {
    const { agent, fake, clock } = await setup();
    await agent.post('/auth/sign-in').send({ username: 'asha', password: PASSWORD });
    const me = await agent.get('/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      subject: 'asha',
      provider: 'notes',
      profile: expect.objectContaining({ username: 'asha' }),
    });
    expect(fake.stats.refreshCalls).toBe(0);
    clock.advance(7_200_000);
    const answers = await Promise.all([agent.get('/me'), agent.get('/me'), agent.get('/me')]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(fake.stats.refreshCalls).toBe(1);
    expect(fake.stats.reuseDetected).toBe(0);
    // Revoked upstream: the access token is refused, the refresh too: the session is over.
    fake.expireAccessTokens();
    fake.revokeAll('asha');
    const expired = await agent.get('/me');
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe('SESSION_EXPIRED');
  });

  it('SESSION_EXPIRED destroys the session; a page request is sent to the sign-in page', async () => {
    const { agent, fake, clock, app } = await setup({
      redirects: { afterSignIn: '/page', onError: '/login', signIn: '/login' },
    });
    await agent.post('/auth/sign-in').send({ username: 'asha', password: PASSWORD });
    const cookie = sessionCookie((await agent.get('/visit')).headers);
    fake.revokeAll('asha');
    clock.advance(7_200_000);
    const page = await agent.get('/page').set('accept', 'text/html');
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/login');
    expect((await agent.get('/session')).body).toBeNull();
    const api = await request(app).get('/me').set('cookie', `connect.sid=${cookie}`);
    expect(api.status).toBe(401);
  });

  it('503 with Retry-After when the token is expired and the upstream cannot refresh; the session survives', async () => {
    const { agent, fake, clock } = await setup();
    await agent.post('/auth/sign-in').send({ username: 'asha', password: PASSWORD });
    clock.advance(7_200_000);
    fake.inject('refresh', { status: 503, headers: { 'retry-after': '9' } });
    const down = await agent.get('/me');
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBe('9');
    expect(down.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect((await agent.get('/me')).status).toBe(200);
  });

  it('no-JavaScript form posts: 303 to the next page, errors kept for the page (read once)', async () => {
    const { agent } = await setup({
      redirects: { afterSignIn: '/page', onError: '/login', afterSignOut: '/bye' },
    });
    const wrong = await agent
      .post('/auth/sign-in')
      .type('form')
      .set('accept', 'text/html')
      .send({ username: 'asha', password: 'wrong-password-1' });
    expect(wrong.status).toBe(303);
    expect(wrong.headers.location).toBe('/login');
    expect((await agent.get('/form-state')).body).toEqual({
      error: { code: 'INVALID_CREDENTIALS', message: 'The username or password is not right.' },
    });
    expect((await agent.get('/form-state')).body).toEqual({});
    const right = await agent
      .post('/auth/sign-in')
      .type('form')
      .set('accept', 'text/html')
      .send({ username: 'asha', password: PASSWORD });
    expect(right.status).toBe(303);
    expect(right.headers.location).toBe('/page');
    expect((await agent.get('/form-state')).body).toEqual({
      account: { subject: 'asha', provider: 'notes', identifier: 'asha' },
    });
    const out = await agent.post('/auth/sign-out').type('form').set('accept', 'text/html').send('');
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/bye');
  });

  it('sign-up (notes): the same 202 for a new and an existing account', async () => {
    const { app, fake } = await setup();
    const created = await request(app)
      .post('/auth/sign-up')
      .send({ username: 'new1', email: 'new1@example.com', password: 'long-password-1' });
    const existing = await request(app)
      .post('/auth/sign-up')
      .send({ username: 'asha', email: 'asha@example.com', password: 'long-password-1' });
    expect(created.status).toBe(202);
    expect(observed(existing)).toEqual(observed(created));
    expect(fake.signups).toHaveLength(1);
  });

  it('without a provider that signs up, POST /sign-up is not a route (404)', async () => {
    const { app } = await setup({ provider: undefined });
    expect((await request(app).post('/auth/sign-up').send({})).status).toBe(404);
  });
});

describe('options', () => {
  it('refuses mistakes at construction with TypeErrors naming createUpstreamAuth', async () => {
    const sessions = new UpstreamSessions({
      store: new MemorySessionStore(),
      secret: SECRET,
      provider: notesProvider({ baseURL: 'http://127.0.0.1:9' }),
    });
    expect(() => createUpstreamAuth({} as never)).toThrow(/createUpstreamAuth: `sessions`/);
    expect(() => createUpstreamAuth({ sessions, sesionKey: 'x' } as never)).toThrow(
      /unknown option `sesionKey`/,
    );
    expect(() => createUpstreamAuth({ sessions, baseURL: 'not a url' })).toThrow(/baseURL/);
    expect(() =>
      createUpstreamAuth({ sessions, redirects: { afterSignIn: '//evil', onError: '/' } }),
    ).toThrow(/redirects.afterSignIn/);
    expect(() => createUpstreamAuth({ sessions, sessionKey: 'cookie' })).toThrow(/sessionKey/);
  });
});
