/**
 * "Sign out everywhere" through real Express 4 and 5 (supertest): the phone router with the
 * `sessions` option and the password router, on core's UpstreamSessions (memory store; the
 * cross-process test is `sessions-processes.test.ts`). Device list, ending one by public id,
 * ending all, foreign ids, cross-site posts, no session id in any answer, one store read per
 * guarded request.
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
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createTingTingAuth,
  createUpstreamAuth,
  type TingTingExpressOptions,
} from '../src/index.js';
import { fakeSender } from './helpers.js';

const SECRET = 'express-revocable-test-secret-0123456789abcdef';
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
beforeEach(() => {
  fake.outbox.clear();
});

type Agent = ReturnType<typeof request.agent>;

/** Records every session id `sessions` hands out, and counts store reads. */
function watched(sessions: UpstreamSessions, store: MemorySessionStore) {
  const sids: string[] = [];
  const create = sessions.create.bind(sessions);
  sessions.create = async (input) => {
    const created = await create(input);
    sids.push(created.sid);
    return created;
  };
  const signIn = sessions.signIn.bind(sessions);
  sessions.signIn = async (input) => {
    const result = await signIn(input);
    if (result.ok) sids.push(result.sid);
    return result;
  };
  const reads = { count: 0 };
  const get = store.get.bind(store);
  store.get = (...args) => {
    reads.count += 1;
    return get(...args);
  };
  return { sids, reads };
}

/** Every answer's status line, headers and body, to search for secrets. */
function transcript() {
  const seen: string[] = [];
  const keep = (response: request.Response) => {
    seen.push(JSON.stringify({ headers: response.headers, text: response.text }));
    return response;
  };
  return { seen, keep };
}

describe.each([
  ['Express 5', express5],
  ['Express 4', express4],
])('%s', (_name, express) => {
  describe('phone router with `sessions`', () => {
    function setup(options: TingTingExpressOptions = {}) {
      const engine = new OTPEngine({
        sender: fakeSender(fake),
        secret: SECRET,
        store: new MemoryStore(),
        policy: { resendCooldownInSeconds: 0, maxSendsPerWindow: 50 },
      });
      const store = new MemorySessionStore();
      const sessions = new UpstreamSessions({
        store,
        secret: SECRET,
        providerId: 'phone',
        throttle: false,
      });
      const watch = watched(sessions, store);
      const tingting = createTingTingAuth(engine, { sessions, ...options });
      const app = express();
      app.use(express.json(), express.urlencoded({ extended: false }));
      app.use(session({ secret: 'session-secret', resave: false, saveUninitialized: false }));
      app.use('/auth', tingting.router);
      app.get('/me', tingting.requireVerified, (req, res) => {
        res.json((req as unknown as { tingting: unknown }).tingting);
      });
      app.get('/account', tingting.requireVerified, async (req, res, next) => {
        try {
          res.json(await tingting.listSessions(req));
        } catch (error) {
          next(error);
        }
      });
      app.use(tingting.errorHandler);
      return { app, tingting, sessions, store, ...watch };
    }

    async function signIn(app: express5.Express, phone = '9812345678', ua = 'Browser/1') {
      const agent = request.agent(app).set('user-agent', ua);
      expect((await agent.post('/auth/send').send({ phone })).status).toBe(202);
      const code = fake.outbox.last(phone)!.otp;
      const verified = await agent.post('/auth/verify').send({ phone, code });
      expect(verified.status, verified.text).toBe(200);
      return agent;
    }

    it('verify creates a session (user agent, IP); GET /sessions lists it as current; no session id in any answer', async () => {
      const { app, sids } = setup();
      const { seen, keep } = transcript();
      const agent = await signIn(app, '9812345678', 'Phone-A/1.0');
      const me = keep(await agent.get('/me'));
      expect(me.status).toBe(200);
      expect(me.body).toEqual({
        phone: '+9779812345678',
        verifiedAt: expect.any(String),
        sessionId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      });
      const list = keep(await agent.get('/auth/sessions'));
      expect(list.status).toBe(200);
      expect(list.headers['cache-control']).toBe('no-store');
      expect(list.body).toEqual({
        sessions: [
          {
            id: me.body.sessionId,
            device: 'Phone-A/1.0',
            ip: expect.stringMatching(/127\.0\.0\.1/),
            createdAt: expect.any(String),
            lastSeenAt: expect.any(String),
            current: true,
          },
        ],
      });
      keep(await agent.get('/account'));
      keep(await agent.post('/auth/sign-out-everywhere'));
      expect(sids).toHaveLength(1);
      for (const text of seen) expect(text).not.toContain(sids[0]);
    });

    it('two devices: the list shows both; ending the other one signs it out on its next request', async () => {
      const { app } = setup();
      const a = await signIn(app, '9812345678', 'Device-A');
      const b = await signIn(app, '9812345678', 'Device-B');
      const listed = (await a.get('/auth/sessions')).body.sessions as {
        id: string;
        device: string;
        current: boolean;
      }[];
      expect(listed.map((s) => [s.device, s.current])).toEqual([
        ['Device-A', true],
        ['Device-B', false],
      ]);
      const ended = await a.post(`/auth/sessions/${listed[1]!.id}/end`);
      expect(ended.status).toBe(204);
      const refused = await b.get('/me');
      expect(refused.status).toBe(401);
      expect(refused.body.error.code).toBe('NOT_VERIFIED');
      // Its cookie session is gone as well, not just refused once.
      expect((await b.get('/me')).status).toBe(401);
      expect((await a.get('/me')).status).toBe(200);
      expect((await a.get('/auth/sessions')).body.sessions).toHaveLength(1);
    });

    it("another number's session id is 404 SESSION_NOT_FOUND and stays signed in", async () => {
      const { app } = setup();
      const mine = await signIn(app, '9812345678');
      const theirs = await signIn(app, '9800000000');
      const theirId = (await theirs.get('/me')).body.sessionId as string;
      for (const id of [theirId, 'A'.repeat(22), '..%2F..', 'x'.repeat(64)]) {
        const response = await mine.post(`/auth/sessions/${id}/end`);
        expect(response.status).toBe(404);
        expect(response.body.error.code).toBe('SESSION_NOT_FOUND');
      }
      expect((await theirs.get('/me')).status).toBe(200);
      expect((await mine.get('/me')).status).toBe(200);
    });

    it('sign out everywhere: 204, every device of the number is signed out, another number is not', async () => {
      const { app, sessions } = setup();
      const a = await signIn(app, '9812345678');
      const b = await signIn(app, '9812345678');
      const other = await signIn(app, '9800000000');
      const response = await a.post('/auth/sign-out-everywhere');
      expect(response.status).toBe(204);
      expect((await a.get('/me')).status).toBe(401);
      expect((await b.get('/me')).status).toBe(401);
      expect((await b.get('/auth/sessions')).status).toBe(401);
      expect(await sessions.list('+9779812345678')).toEqual([]);
      expect((await other.get('/me')).status).toBe(200);
    });

    it('ending its own session by id signs this device out', async () => {
      const { app } = setup();
      const a = await signIn(app);
      const id = (await a.get('/me')).body.sessionId as string;
      expect((await a.post(`/auth/sessions/${id}/end`)).status).toBe(204);
      expect((await a.get('/me')).status).toBe(401);
    });

    it('cross-site posts are 403 CROSS_SITE_REQUEST and end nothing', async () => {
      const { app } = setup();
      const a = await signIn(app);
      const b = await signIn(app);
      const bId = (await b.get('/me')).body.sessionId as string;
      const all = await a.post('/auth/sign-out-everywhere').set(CROSS_SITE);
      expect(all.status).toBe(403);
      expect(all.body.error.code).toBe('CROSS_SITE_REQUEST');
      const one = await a.post(`/auth/sessions/${bId}/end`).set(CROSS_SITE);
      expect(one.status).toBe(403);
      expect((await a.get('/me')).status).toBe(200);
      expect((await b.get('/me')).status).toBe(200);
    });

    it("the app's CSRF middleware guards the session posts too", async () => {
      const { app } = setup({
        crossSiteProtection: (req: never, _res: never, next: (error?: unknown) => void) => {
          const { headers } = req as { headers: Record<string, string | undefined> };
          next(headers['x-csrf'] === 'ok' ? undefined : new Error('no CSRF token'));
        },
      });
      const agent = request.agent(app).set('x-csrf', 'ok');
      expect((await agent.post('/auth/send').send({ phone: '9812345678' })).status).toBe(202);
      const code = fake.outbox.last('9812345678')!.otp;
      expect((await agent.post('/auth/verify').send({ phone: '9812345678', code })).status).toBe(
        200,
      );
      const cookie = (await agent.get('/me')).request.cookies;
      const forged = await request(app).post('/auth/sign-out-everywhere').set('cookie', cookie);
      expect([forged.status, forged.body.error.code]).toEqual([403, 'CROSS_SITE_REQUEST']);
      expect((await agent.get('/me')).status).toBe(200);
      expect((await agent.post('/auth/sign-out-everywhere')).status).toBe(204);
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

    it('a store outage is 503 SERVICE_UNAVAILABLE with Retry-After: at verify, in the guard, at sign-out', async () => {
      const { app, store } = setup();
      const a = await signIn(app);
      const get = store.get;
      const end = store.end;
      store.get = () => Promise.reject(new Error('store down'));
      store.end = () => Promise.reject(new Error('store down'));
      for (const response of [await a.get('/me'), await a.post('/auth/sign-out')]) {
        expect([response.status, response.body.error.code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
        expect(response.headers['retry-after']).toBe('30');
      }
      store.get = get;
      store.end = end;
      expect((await a.get('/me')).status).toBe(200);
      const create = store.create;
      store.create = () => Promise.reject(new Error('store down'));
      const b = request.agent(app);
      expect((await b.post('/auth/send').send({ phone: '9812345678' })).status).toBe(202);
      const code = fake.outbox.last('9812345678')!.otp;
      const refused = await b.post('/auth/verify').send({ phone: '9812345678', code });
      expect([refused.status, refused.body.error.code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
      store.create = create;
    });

    it('sign-out ends the stored session; a copy of the old cookie is refused', async () => {
      const { app, sessions } = setup();
      const a = await signIn(app);
      const cookie = (await a.get('/me')).request.cookies;
      expect((await a.post('/auth/sign-out')).status).toBe(204);
      expect(await sessions.list('+9779812345678')).toEqual([]);
      const copy = await request(app).get('/me').set('cookie', cookie);
      expect(copy.status).toBe(401);
    });

    it('form posts without JavaScript redirect: to the account page, and after sign-out', async () => {
      const { app } = setup({
        redirects: {
          afterSend: '/code',
          afterVerify: '/welcome',
          onError: '/',
          afterSignOut: '/signed-out',
          afterEndSession: '/account-page',
        },
      });
      const form = (agent: Agent, path: string) =>
        agent.post(path).type('form').set('accept', 'text/html').send('');
      const a = await signIn(app);
      const b = await signIn(app);
      const bId = (await b.get('/me')).body.sessionId as string;
      const one = await form(a, `/auth/sessions/${bId}/end`);
      expect([one.status, one.headers.location]).toEqual([303, '/account-page']);
      const again = await form(a, `/auth/sessions/${bId}/end`);
      expect([again.status, again.headers.location]).toEqual([303, '/account-page']);
      const all = await form(a, '/auth/sign-out-everywhere');
      expect([all.status, all.headers.location]).toEqual([303, '/signed-out']);
      expect((await a.get('/me')).status).toBe(401);
    });

    it('is off by default (no routes), and refuses `sessions` with onVerified', () => {
      const engine = new OTPEngine({ sender: fakeSender(fake), secret: SECRET });
      const plain = createTingTingAuth(engine);
      expect(plain.sessionList).toBeUndefined();
      expect(plain.signOutEverywhere).toBeUndefined();
      const sessions = new UpstreamSessions({
        store: new MemorySessionStore(),
        secret: SECRET,
        providerId: 'phone',
        throttle: false,
      });
      expect(() => createTingTingAuth(engine, { sessions, onVerified: () => {} })).toThrow(
        /sessions\.create\(\) yourself/,
      );
      expect(() => createTingTingAuth(engine, { sessions: {} as never })).toThrow(
        /UpstreamSessions/,
      );
    });

    it('without `sessions` the session paths fall through to the app', async () => {
      const engine = new OTPEngine({ sender: fakeSender(fake), secret: SECRET });
      const app = express();
      app.use('/auth', createTingTingAuth(engine).router);
      app.use((_req, res) => {
        res.status(404).send('app 404');
      });
      const response = await request(app).post('/auth/sign-out-everywhere');
      expect([response.status, response.text]).toEqual([404, 'app 404']);
    });
  });

  describe('password router', () => {
    function setup() {
      const store = new MemorySessionStore();
      const provider = notesProvider({ baseURL: notes.url });
      const sessions = new UpstreamSessions({ store, secret: SECRET, provider });
      const watch = watched(sessions, store);
      const auth = createUpstreamAuth({ sessions, provider, baseURL: notes.url });
      const app = express();
      app.use(session({ secret: 'session-secret', resave: false, saveUninitialized: false }));
      app.use('/auth', auth.router);
      app.get('/me', auth.requireUpstreamSession, (req, res) => {
        res.json({ subject: req.upstream!.subject });
      });
      app.use(auth.errorHandler);
      return { app, auth, sessions, store, ...watch };
    }

    async function signIn(app: express5.Express, username = 'asha', ua = 'Browser/1') {
      const agent = request.agent(app).set('user-agent', ua);
      const response = await agent.post('/auth/sign-in').send({ username, password: PASSWORD });
      expect(response.status).toBe(200);
      return agent;
    }

    it('list, end the other one, foreign id, cross-site, sign out everywhere; no session id in any answer', async () => {
      const { app, sids } = setup();
      const { seen, keep } = transcript();
      const a = await signIn(app, 'asha', 'Laptop');
      const b = await signIn(app, 'asha', 'Phone');
      const c = await signIn(app, 'chandra', 'Other');
      const listed = keep(await a.get('/auth/sessions')).body.sessions as {
        id: string;
        device: string;
        current: boolean;
      }[];
      expect(listed.map((s) => [s.device, s.current])).toEqual([
        ['Laptop', true],
        ['Phone', false],
      ]);
      const theirs = keep(await c.get('/auth/sessions')).body.sessions[0].id as string;
      const foreign = keep(await a.post(`/auth/sessions/${theirs}/end`));
      expect([foreign.status, foreign.body.error.code]).toEqual([404, 'SESSION_NOT_FOUND']);
      const cross = keep(await a.post(`/auth/sessions/${listed[1]!.id}/end`).set(CROSS_SITE));
      expect(cross.status).toBe(403);
      expect((await b.get('/me')).status).toBe(200);
      expect(keep(await a.post(`/auth/sessions/${listed[1]!.id}/end`)).status).toBe(204);
      const ended = keep(await b.get('/me'));
      expect([ended.status, ended.body.error.code]).toEqual([401, 'SESSION_EXPIRED']);
      const b2 = await signIn(app, 'asha', 'Tablet');
      expect(keep(await a.post('/auth/sign-out-everywhere')).status).toBe(204);
      for (const agent of [a, b2]) expect(keep(await agent.get('/me')).status).toBe(401);
      expect(keep(await c.get('/me')).status).toBe(200);
      expect(sids.length).toBeGreaterThanOrEqual(4);
      for (const text of seen) for (const sid of sids) expect(text).not.toContain(sid);
    });

    it('one session-store read per guarded request', async () => {
      const { app, reads } = setup();
      const a = await signIn(app);
      const before = reads.count;
      expect((await a.get('/me')).status).toBe(200);
      expect(reads.count - before).toBe(1);
    });
  });
});
