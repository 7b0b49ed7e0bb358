import { MemoryStore, OTPEngine, type OTPPolicy, StoreUnavailableError } from '@tingting-auth/core';
import { type FakeTingTing, startFakeTingTing } from '@tingting-auth/testing';
import express5 from 'express';
import session from 'express-session';
import express4 from 'express4';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTingTingAuth, type TingTingExpressOptions } from '../src/index.js';
import { fakeSender, sessionCookie } from './helpers.js';

const SECRET = 'express-adapter-test-secret-0123456789abcdef';
const PHONE = '9812345678';
const E164 = '+9779812345678';

let fake: FakeTingTing;
beforeAll(async () => {
  fake = await startFakeTingTing();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.outbox.clear();
  fake.clearFaults();
});

describe.each([
  ['Express 5', express5],
  ['Express 4', express4],
])('%s', (_name, express) => {
  interface Setup {
    options?: TingTingExpressOptions;
    policy?: OTPPolicy;
    withSession?: boolean;
    store?: MemoryStore;
    before?: (app: ReturnType<typeof express>) => void;
  }

  function setup({ options, policy, withSession = true, store, before }: Setup = {}) {
    const engine = new OTPEngine({
      sender: fakeSender(fake),
      secret: SECRET,
      store: store ?? new MemoryStore(),
      ...(policy ? { policy } : {}),
    });
    const tingting = createTingTingAuth(engine, options);
    const app = express();
    if (withSession) {
      app.use(session({ secret: 'session-secret', resave: false, saveUninitialized: false }));
    }
    before?.(app);
    app.use('/auth', tingting.router);
    // A page that uses the session before sign-in (a planted session id, for the fixation test).
    app.get('/visit', (req, res) => {
      (req as unknown as { session: Record<string, unknown> }).session.visited = true;
      res.end();
    });
    app.get('/me', tingting.requireVerified, (req, res) => {
      res.json((req as unknown as { tingting: unknown }).tingting);
    });
    app.use(tingting.errorHandler);
    return { app, agent: request.agent(app), tingting, engine };
  }

  async function sendCode(agent: ReturnType<typeof request.agent>, phone = PHONE) {
    const response = await agent.post('/auth/send').send({ phone });
    expect(response.status).toBe(202);
    const delivery = fake.outbox.last(phone);
    if (delivery === undefined) throw new Error('nothing delivered');
    return { response, code: delivery.otp };
  }

  function wrong(code: string): string {
    return code === '000000' ? '111111' : '000000';
  }

  describe('send', () => {
    it('answers 202 with the expiry and resend times, never the code', async () => {
      const { agent } = setup();
      const started = Date.now();
      const { response, code } = await sendCode(agent);
      expect(response.body).toEqual({
        phone: E164,
        channel: 'text',
        expiresAt: expect.any(String),
        resendAt: expect.any(String),
      });
      expect(Date.parse(response.body.expiresAt) - started).toBeGreaterThan(290_000);
      expect(Date.parse(response.body.resendAt) - started).toBeGreaterThan(50_000);
      expect(response.text).not.toContain(code);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(fake.outbox.messages).toHaveLength(1);
    });

    it('sends a voice call when asked, with a URL-encoded body', async () => {
      const { agent } = setup();
      const response = await agent
        .post('/auth/send')
        .type('form')
        .send({ phone: PHONE, channel: 'voice', voice: 'np_binod' });
      expect(response.status).toBe(202);
      expect(fake.outbox.last(PHONE)).toMatchObject({ channel: 'voice', voice: 'np_binod' });
    });

    it('answers 400 INVALID_PHONE for a number codes may not go to', async () => {
      const { agent } = setup();
      const response = await agent.post('/auth/send').send({ phone: '12345' });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        error: { code: 'INVALID_PHONE', message: expect.any(String) },
      });
      expect(fake.outbox.messages).toHaveLength(0);
    });

    it('answers 429 RATE_LIMITED with Retry-After during the resend cooldown', async () => {
      const { agent } = setup();
      await sendCode(agent);
      const again = await agent.post('/auth/send').send({ phone: PHONE });
      expect(again.status).toBe(429);
      expect(again.body.error.code).toBe('RATE_LIMITED');
      expect(Number(again.headers['retry-after'])).toBeGreaterThan(50);
      expect(fake.outbox.messages).toHaveLength(1);
    });

    it('answers 502 DELIVERY_FAILED when TingTing refuses the send', async () => {
      const { agent } = setup();
      fake.inject('sendOTP', { status: 500 });
      const response = await agent.post('/auth/send').send({ phone: PHONE });
      expect(response.status).toBe(502);
      expect(response.body.error.code).toBe('DELIVERY_FAILED');
    });

    it('answers 503 SERVICE_UNAVAILABLE when the store is down, without its message', async () => {
      class BrokenStore extends MemoryStore {
        override issue(): never {
          throw new StoreUnavailableError('redis://:hunter2@cache down');
        }
      }
      const { agent } = setup({ store: new BrokenStore() });
      const response = await agent.post('/auth/send').send({ phone: PHONE });
      expect(response.status).toBe(503);
      expect(response.body.error.code).toBe('SERVICE_UNAVAILABLE');
      expect(response.headers['retry-after']).toBe('30');
      expect(response.text).not.toContain('hunter2');
    });

    it('answers 503 SERVICE_UNAVAILABLE with Retry-After when the send budget is spent', async () => {
      const { agent } = setup({ policy: { sendBudget: 1 } });
      await sendCode(agent);
      const response = await agent.post('/auth/send').send({ phone: '9812345679' });
      expect(response.status).toBe(503);
      expect(response.body.error.code).toBe('SERVICE_UNAVAILABLE');
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    });
  });

  describe('verify and the session', () => {
    it('refuses a wrong code with 401 INVALID_CODE, then signs in with a new session id', async () => {
      const { agent, app } = setup();
      const before = sessionCookie((await agent.get('/visit')).headers);
      expect(before).toBeDefined();
      const { code } = await sendCode(agent);
      expect((await agent.get('/me')).status).toBe(401);

      const bad = await agent.post('/auth/verify').send({ phone: PHONE, code: wrong(code) });
      expect(bad.status).toBe(401);
      expect(bad.body).toEqual({ error: { code: 'INVALID_CODE', message: expect.any(String) } });

      const good = await agent.post('/auth/verify').send({ phone: PHONE, code });
      expect(good.status).toBe(200);
      expect(good.body).toEqual({ phone: E164, verifiedAt: expect.any(String) });
      const after = sessionCookie(good.headers);
      expect(after).toBeDefined();
      expect(after).not.toBe(before);

      const me = await agent.get('/me');
      expect(me.status).toBe(200);
      expect(me.body.phone).toBe(E164);

      // The old session id (planted before sign-in) is not signed in.
      const planted = await request(app).get('/me').set('Cookie', `connect.sid=${before}`);
      expect(planted.status).toBe(401);
    });

    it('an anonymous JSON send stores no session (issue 10: nothing needs it)', async () => {
      const { agent } = setup();
      const { response } = await sendCode(agent);
      expect(response.headers['set-cookie']).toBeUndefined();
    });

    it('accepts a code only once', async () => {
      const { agent } = setup();
      const { code } = await sendCode(agent);
      expect((await agent.post('/auth/verify').send({ phone: PHONE, code })).status).toBe(200);
      const again = await agent.post('/auth/verify').send({ phone: PHONE, code });
      expect(again.status).toBe(401);
      expect(again.body.error.code).toBe('INVALID_CODE');
    });

    it('answers 429 LOCKED with Retry-After after too many wrong codes', async () => {
      const { agent } = setup({ policy: { lockAfterFailures: 2 } });
      const { code } = await sendCode(agent);
      await agent.post('/auth/verify').send({ phone: PHONE, code: wrong(code) });
      const second = await agent.post('/auth/verify').send({ phone: PHONE, code: wrong(code) });
      const locked =
        second.status === 429
          ? second
          : await agent.post('/auth/verify').send({ phone: PHONE, code });
      expect(locked.status).toBe(429);
      expect(locked.body.error.code).toBe('LOCKED');
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
      expect((await agent.get('/me')).status).toBe(401);
    });

    it('answers 400 INVALID_REQUEST for a code of the wrong shape, spending no attempt', async () => {
      const { agent } = setup({ policy: { maxAttemptsPerCode: 1 } });
      const { code } = await sendCode(agent);
      const bad = await agent.post('/auth/verify').send({ phone: PHONE, code: 'abc' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('INVALID_REQUEST');
      expect((await agent.post('/auth/verify').send({ phone: PHONE, code })).status).toBe(200);
    });

    it('calls onVerified instead of the session integration, and answers when the hook does not', async () => {
      const seen: unknown[] = [];
      const { agent } = setup({
        withSession: false,
        options: {
          onVerified(_req, res, result) {
            seen.push(result);
            res.setHeader('X-Signed-In', result.phone);
          },
          getVerified: () => undefined,
        },
      });
      const { code } = await sendCode(agent);
      const response = await agent.post('/auth/verify').send({ phone: PHONE, code });
      expect(response.status).toBe(200);
      expect(response.headers['x-signed-in']).toBe(E164);
      expect(seen).toEqual([{ ok: true, phone: E164, purpose: 'sign-in' }]);
    });

    it('lets onVerified answer the request itself', async () => {
      const { agent } = setup({
        options: {
          onVerified(_req, res) {
            res.statusCode = 201;
            res.end('minted');
          },
        },
      });
      const { code } = await sendCode(agent);
      const response = await agent.post('/auth/verify').send({ phone: PHONE, code });
      expect(response.status).toBe(201);
      expect(response.text).toBe('minted');
    });

    it('answers 500 SESSION_REQUIRED without a session or hook, before spending an attempt', async () => {
      const { agent } = setup({ withSession: false, policy: { maxAttemptsPerCode: 1 } });
      const { code } = await sendCode(agent);
      const response = await agent.post('/auth/verify').send({ phone: PHONE, code: wrong(code) });
      expect(response.status).toBe(500);
      expect(response.body.error.code).toBe('SESSION_REQUIRED');
      expect(response.body.error.message).not.toMatch(/session/i);
    });

    it('signs out: 204, the guard refuses again and the session id changes', async () => {
      const { agent, app } = setup();
      const { code } = await sendCode(agent);
      const signedIn = await agent.post('/auth/verify').send({ phone: PHONE, code });
      const out = await agent.post('/auth/sign-out');
      expect(out.status).toBe(204);
      expect((await agent.get('/me')).status).toBe(401);
      const copied = await request(app)
        .get('/me')
        .set('Cookie', `connect.sid=${sessionCookie(signedIn.headers)}`);
      expect(copied.status).toBe(401);
    });

    it('guard: 401 NOT_VERIFIED as JSON, or a redirect to the sign-in page for a browser', async () => {
      const { agent } = setup({
        options: {
          redirects: { afterSend: '/', afterVerify: '/me', onError: '/', signIn: '/login' },
        },
      });
      const api = await agent.get('/me').set('Accept', 'application/json');
      expect(api.status).toBe(401);
      expect(api.body.error.code).toBe('NOT_VERIFIED');
      const page = await agent.get('/me').set('Accept', 'text/html');
      expect(page.status).toBe(303);
      expect(page.headers.location).toBe('/login');
    });
  });

  describe('cross-site requests', () => {
    it('refuses a cross-site send with 403 before any SMS is sent', async () => {
      const { agent } = setup();
      const response = await agent
        .post('/auth/send')
        .set('Origin', 'https://evil.example')
        .set('Sec-Fetch-Site', 'cross-site')
        .send({ phone: PHONE });
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('CROSS_SITE_REQUEST');
      expect(fake.outbox.messages).toHaveLength(0);
    });

    it('refuses a cross-site verify without spending an attempt', async () => {
      const { agent } = setup({ policy: { maxAttemptsPerCode: 1 } });
      const { code } = await sendCode(agent);
      for (const origin of ['https://evil.example', 'null']) {
        const response = await agent
          .post('/auth/verify')
          .set('Origin', origin)
          .send({ phone: PHONE, code: wrong(code) });
        expect(response.status).toBe(403);
        expect(response.body.error.code).toBe('CROSS_SITE_REQUEST');
      }
      expect((await agent.post('/auth/verify').send({ phone: PHONE, code })).status).toBe(200);
    });

    it('refuses a cross-site sign-out (logout CSRF)', async () => {
      const { agent } = setup();
      const { code } = await sendCode(agent);
      await agent.post('/auth/verify').send({ phone: PHONE, code });
      const out = await agent.post('/auth/sign-out').set('Sec-Fetch-Site', 'same-site');
      expect(out.status).toBe(403);
      expect((await agent.get('/me')).status).toBe(200);
    });

    it('accepts same-origin browsers, listed origins and clients without Origin', async () => {
      const { app } = setup({ options: { allowedOrigins: ['https://app.example.com'] } });
      const sameOrigin = await request(app)
        .post('/auth/send')
        .set('Sec-Fetch-Site', 'same-origin')
        .send({ phone: '9812345601' });
      expect(sameOrigin.status).toBe(202);
      const sameHost = await request(app)
        .post('/auth/send')
        .set('Host', 'shop.example.com')
        .set('Origin', 'https://shop.example.com')
        .send({ phone: '9812345602' });
      expect(sameHost.status).toBe(202);
      const listed = await request(app)
        .post('/auth/send')
        .set('Origin', 'https://app.example.com')
        .set('Sec-Fetch-Site', 'cross-site')
        .send({ phone: '9812345603' });
      expect(listed.status).toBe(202);
      const curl = await request(app).post('/auth/send').send({ phone: '9812345604' });
      expect(curl.status).toBe(202);
      expect(fake.outbox.messages).toHaveLength(4);
    });

    it('refuses requests without Origin when allowRequestsWithoutOrigin is false', async () => {
      const { app } = setup({ options: { allowRequestsWithoutOrigin: false } });
      const response = await request(app).post('/auth/send').send({ phone: PHONE });
      expect(response.status).toBe(403);
      expect(fake.outbox.messages).toHaveLength(0);
    });

    it('uses a CSRF middleware instead when given one', async () => {
      const csrf = (
        req: { headers: Record<string, unknown> },
        _res: unknown,
        next: (error?: unknown) => void,
      ) => {
        next(req.headers['x-csrf-token'] === 'good' ? undefined : new Error('invalid csrf token'));
      };
      const { app } = setup({ options: { crossSiteProtection: csrf } });
      const refused = await request(app).post('/auth/send').send({ phone: PHONE });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('CROSS_SITE_REQUEST');
      expect(fake.outbox.messages).toHaveLength(0);
      const accepted = await request(app)
        .post('/auth/send')
        .set('X-CSRF-Token', 'good')
        .send({ phone: PHONE });
      expect(accepted.status).toBe(202);
    });

    it("runs the app's CSRF middleware once per request on each route", async () => {
      const calls: string[] = [];
      const csrf = (req: { url?: string }, _res: unknown, next: (error?: unknown) => void) => {
        calls.push(req.url ?? '');
        next();
      };
      const { agent } = setup({ options: { crossSiteProtection: csrf } });
      const { code } = await sendCode(agent);
      expect(calls).toEqual(['/send']);
      expect((await agent.post('/auth/verify').send({ phone: PHONE, code })).status).toBe(200);
      expect(calls).toEqual(['/send', '/verify']);
      expect((await agent.post('/auth/sign-out')).status).toBe(204);
      expect(calls).toEqual(['/send', '/verify', '/sign-out']);
    });
  });

  describe('malformed bodies', () => {
    const cases: [string, (r: request.Test) => request.Test, number, string][] = [
      ['broken JSON', (r) => r.type('json').send('{"phone":'), 400, 'MALFORMED_BODY'],
      ['a JSON array', (r) => r.send([PHONE]), 400, 'INVALID_REQUEST'],
      ['a JSON string', (r) => r.type('json').send('"9812345678"'), 400, 'MALFORMED_BODY'],
      ['a number phone', (r) => r.send({ phone: 9812345678 }), 400, 'INVALID_REQUEST'],
      ['an object phone', (r) => r.send({ phone: { $gt: '' } }), 400, 'INVALID_REQUEST'],
      ['a missing phone', (r) => r.send({ number: PHONE }), 400, 'INVALID_REQUEST'],
      [
        'a duplicated form field',
        (r) => r.type('form').send(`phone=${PHONE}&phone=9812345679`),
        400,
        'INVALID_REQUEST',
      ],
      [
        'an unknown channel',
        (r) => r.send({ phone: PHONE, channel: 'fax' }),
        400,
        'INVALID_REQUEST',
      ],
      ['text/plain', (r) => r.type('text').send(`phone=${PHONE}`), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['no body', (r) => r, 400, 'INVALID_REQUEST'],
      [
        'a huge body',
        (r) => r.send({ phone: PHONE, pad: 'x'.repeat(10_000) }),
        413,
        'PAYLOAD_TOO_LARGE',
      ],
      [
        'an unknown charset',
        (r) => r.set('Content-Type', 'application/json; charset=koi9').send('{}'),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
    ];

    it.each(cases)('send: %s -> %i %s', async (_label, build, status, code) => {
      const { app } = setup();
      const response = await build(request(app).post('/auth/send'));
      expect(response.status).toBe(status);
      expect(response.body).toEqual({ error: { code, message: expect.any(String) } });
      expect(fake.outbox.messages).toHaveLength(0);
    });

    it('verify: duplicated code fields and numbers are 400 INVALID_REQUEST', async () => {
      const { app } = setup();
      const duplicated = await request(app)
        .post('/auth/verify')
        .type('form')
        .send(`phone=${PHONE}&code=123456&code=654321`);
      expect(duplicated.status).toBe(400);
      expect(duplicated.body.error.code).toBe('INVALID_REQUEST');
      const number = await request(app).post('/auth/verify').send({ phone: PHONE, code: 123456 });
      expect(number.status).toBe(400);
      expect(number.body.error.code).toBe('INVALID_REQUEST');
    });

    it("works behind the app's own express.json() and express.urlencoded()", async () => {
      const { app } = setup({
        before: (a) => {
          a.use(express.json());
          a.use(express.urlencoded({ extended: true }));
        },
      });
      expect((await request(app).post('/auth/send').send({ phone: PHONE })).status).toBe(202);
      const nested = await request(app).post('/auth/send').type('form').send('phone[a]=1');
      expect(nested.status).toBe(400);
      const plain = await request(app).post('/auth/send').type('text').send('phone=1');
      expect(plain.status).toBe(415);
    });
  });

  describe('per-IP rate limit', () => {
    it('answers 429 RATE_LIMITED with Retry-After past the limit, sending nothing', async () => {
      const { app } = setup({ options: { rateLimit: { send: { limit: 2 } } } });
      expect((await request(app).post('/auth/send').send({ phone: '9812345601' })).status).toBe(
        202,
      );
      expect((await request(app).post('/auth/send').send({ phone: '9812345602' })).status).toBe(
        202,
      );
      const limited = await request(app).post('/auth/send').send({ phone: '9812345603' });
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('RATE_LIMITED');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(800);
      expect(fake.outbox.messages).toHaveLength(2);
    });

    it("passes req.ip (trust proxy) to the limiter and to the engine's per-IP cap", async () => {
      const { app } = setup({
        policy: { maxSendsPerIP: 1 },
        before: (a) => {
          a.set('trust proxy', 1);
        },
      });
      const from = (ip: string, phone: string) =>
        request(app).post('/auth/send').set('X-Forwarded-For', ip).send({ phone });
      expect((await from('203.0.113.7', '9812345601')).status).toBe(202);
      const sameIP = await from('203.0.113.7', '9812345602');
      expect(sameIP.status).toBe(429);
      expect(sameIP.body.error.code).toBe('RATE_LIMITED');
      expect((await from('198.51.100.9', '9812345603')).status).toBe(202);
      expect(fake.outbox.messages.map((d) => d.number)).toEqual(['9812345601', '9812345603']);
    });

    it('limits verify per IP too', async () => {
      const { app } = setup({ options: { rateLimit: { verify: { limit: 1 } } } });
      await request(app).post('/auth/verify').send({ phone: PHONE, code: '123456' });
      const limited = await request(app)
        .post('/auth/verify')
        .send({ phone: PHONE, code: '123456' });
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('RATE_LIMITED');
    });
  });

  describe('HTML forms (no JavaScript)', () => {
    const redirects = { afterSend: '/?step=code', afterVerify: '/account', onError: '/' };

    function form(agent: ReturnType<typeof request.agent>, path: string, body: string) {
      return agent
        .post(path)
        .type('form')
        .set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8')
        .send(body);
    }

    it('redirects through every step and keeps the state for the page', async () => {
      const { agent, tingting, app } = setup({ options: { redirects } });
      let state: unknown;
      app.get('/state', (req, res) => {
        state = tingting.formState(req);
        res.end();
      });
      const sent = await form(agent, '/auth/send', `phone=${PHONE}&channel=text`);
      expect(sent.status).toBe(303);
      expect(sent.headers.location).toBe('/?step=code');
      await agent.get('/state');
      expect(state).toEqual({
        pending: {
          phone: E164,
          channel: 'text',
          expiresAt: expect.any(String),
          resendAt: expect.any(String),
        },
      });
      const code = fake.outbox.last(PHONE)?.otp ?? '';

      const bad = await form(
        agent,
        '/auth/verify',
        `phone=${encodeURIComponent(E164)}&code=${wrong(code)}`,
      );
      // A wrong code goes back to the code page (afterSend), not to onError.
      expect(bad.status).toBe(303);
      expect(bad.headers.location).toBe('/?step=code');
      await agent.get('/state');
      expect(state).toMatchObject({ error: { code: 'INVALID_CODE' }, pending: { phone: E164 } });
      await agent.get('/state');
      expect(state).not.toHaveProperty('error');

      const resend = await form(agent, '/auth/send', `phone=${PHONE}`);
      expect(resend.headers.location).toBe('/');
      await agent.get('/state');
      expect(state).toMatchObject({
        error: { code: 'RATE_LIMITED', retryAfter: expect.any(Number) },
      });

      const good = await form(
        agent,
        '/auth/verify',
        `phone=${encodeURIComponent(E164)}&code=${code}`,
      );
      expect(good.status).toBe(303);
      expect(good.headers.location).toBe('/account');
      await agent.get('/state');
      expect(state).toEqual({ verified: { phone: E164, verifiedAt: expect.any(String) } });

      const out = await form(agent, '/auth/sign-out', '');
      expect(out.status).toBe(303);
      expect(out.headers.location).toBe('/');
      expect((await agent.get('/me').set('Accept', 'application/json')).status).toBe(401);
    });

    it('answers JSON to fetch() calls even when redirects are configured', async () => {
      const { agent } = setup({ options: { redirects } });
      const response = await agent
        .post('/auth/send')
        .type('form')
        .set('Accept', 'application/json')
        .send(`phone=${PHONE}`);
      expect(response.status).toBe(202);
    });

    it('puts the error code in the query without a session', async () => {
      const { agent } = setup({ withSession: false, options: { redirects } });
      const response = await form(agent, '/auth/send', 'phone=12');
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe('/?error=INVALID_PHONE');
    });

    it('never redirects a cross-site form post', async () => {
      const { agent } = setup({ options: { redirects } });
      const response = await form(agent, '/auth/send', `phone=${PHONE}`).set(
        'Origin',
        'https://evil.example',
      );
      expect(response.status).toBe(403);
      expect(fake.outbox.messages).toHaveLength(0);
    });
  });

  describe('composition', () => {
    it('the individual handlers work on routes the app chooses', async () => {
      const engine = new OTPEngine({ sender: fakeSender(fake), secret: SECRET });
      const tingting = createTingTingAuth(engine);
      const app = express();
      app.use(session({ secret: 's', resave: false, saveUninitialized: false }));
      app.post('/otp/start', tingting.send);
      app.post('/otp/finish', tingting.verify);
      app.post('/logout', tingting.signOut);
      app.get('/private', tingting.requireVerified, (_req, res) => {
        res.send('ok');
      });
      app.use(tingting.errorHandler);
      const agent = request.agent(app);
      expect((await agent.post('/otp/start').send({ phone: PHONE })).status).toBe(202);
      const code = fake.outbox.last(PHONE)?.otp;
      expect((await agent.post('/otp/finish').send({ phone: PHONE, code })).status).toBe(200);
      expect((await agent.get('/private')).text).toBe('ok');
      expect((await agent.post('/logout')).status).toBe(204);
      expect((await agent.get('/private')).status).toBe(401);
    });

    it('the router ignores other methods and paths', async () => {
      const { app } = setup();
      expect((await request(app).get('/auth/send')).status).toBe(404);
      expect((await request(app).post('/auth/other').send({})).status).toBe(404);
    });

    it("errorHandler passes other errors on to the app's handler", async () => {
      const { tingting } = setup();
      const app = express();
      app.get('/boom', () => {
        throw new Error('boom');
      });
      app.use(tingting.errorHandler);
      app.use(
        (
          error: Error,
          _req: unknown,
          res: { status(n: number): { send(s: string): void } },
          _next: unknown,
        ) => {
          res.status(418).send(error.message);
        },
      );
      const response = await request(app).get('/boom');
      expect(response.status).toBe(418);
      expect(response.text).toBe('boom');
    });

    it('passes http-errors-shaped errors to next() for apps with their own handler', async () => {
      const { tingting } = setup();
      const app = express();
      app.use('/auth', tingting.router);
      let seen: Record<string, unknown> | undefined;
      app.use(
        (error: Record<string, unknown>, _req: unknown, res: { end(): void }, _next: unknown) => {
          seen = error;
          res.end();
        },
      );
      await request(app).post('/auth/send').send({ phone: '1' });
      expect(seen).toMatchObject({
        status: 400,
        statusCode: 400,
        expose: true,
        code: 'INVALID_PHONE',
      });
      await request(app)
        .post('/auth/send')
        .set('Origin', 'https://evil.example')
        .send({ phone: PHONE });
      expect(seen).toMatchObject({ status: 403, code: 'CROSS_SITE_REQUEST' });
    });
  });
});
