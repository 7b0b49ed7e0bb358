/**
 * The per-IP sign-up limit through the real router (`createUpstreamAuth`, Express 4 and 5,
 * supertest) with the notes provider and the fake notes server: core's default applies with no
 * option, the client IP is Express's `req.ip`, and `signUpLimit` is passed through.
 */
import { MemorySessionStore, notesProvider, UpstreamSessions } from '@tingting-auth/core/upstream';
import { type FakeNotes, startFakeNotes } from '@tingting-auth/testing';
import express5 from 'express';
import session from 'express-session';
import express4 from 'express4';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createUpstreamAuth, type UpstreamExpressOptions } from '../src/index.js';

const SECRET = 'express-sign-up-limit-secret-0123456789abcdef';
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

let serial = 0;
function account() {
  serial += 1;
  return {
    username: `user${serial}`,
    email: `user${serial}@example.com`,
    password: 'long-password-1',
  };
}

describe.each([
  ['Express 5', express5],
  ['Express 4', express4],
])('%s', (_name, express) => {
  async function setup(options: Partial<UpstreamExpressOptions> = {}) {
    let now = T0;
    const clock = Object.assign(() => now, {
      advance: (ms: number) => {
        now += ms;
      },
    });
    const fake: FakeNotes = await startFakeNotes({ now: clock });
    closers.push(() => fake.close());
    const provider = notesProvider({ baseURL: fake.url });
    const sessions = new UpstreamSessions({
      store: new MemorySessionStore(),
      secret: SECRET,
      provider,
      clock,
    });
    const auth = createUpstreamAuth({ sessions, provider, ...options });
    const app = express();
    // Behind a proxy: `req.ip` is the client's from X-Forwarded-For.
    app.set('trust proxy', true);
    app.use(session({ secret: 'session-secret', resave: false, saveUninitialized: false }));
    app.use('/auth', auth.router);
    app.use(auth.errorHandler);
    const signUp = (ip: string) =>
      request(app).post('/auth/sign-up').set('x-forwarded-for', ip).type('form').send(account());
    const upstreamCalls = () => fake.requests.filter((r) => r.endpoint === 'signup').length;
    return { signUp, clock, upstreamCalls };
  }

  it('with no option, the 31st sign-up from one IP in an hour is a 429 with Retry-After; another IP is not affected', async () => {
    const { signUp, clock, upstreamCalls } = await setup();
    for (let i = 0; i < 30; i += 1) {
      expect((await signUp('203.0.113.9')).status).toBe(202);
    }
    clock.advance(60_000);
    const refused = await signUp('203.0.113.9');
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('3540');
    expect(refused.body).toEqual({
      error: { code: 'RATE_LIMITED', message: 'Too many requests. Please wait and try again.' },
    });
    expect(upstreamCalls()).toBe(30);
    expect((await signUp('198.51.100.7')).status).toBe(202);
    // The window ends an hour after the first attempt.
    clock.advance(3_540_000);
    expect((await signUp('203.0.113.9')).status).toBe(202);
  });

  it('signUpLimit is passed through: a smaller limit, or false to turn it off', async () => {
    const small = await setup({ signUpLimit: { maxPerIP: 2 } });
    expect((await small.signUp('203.0.113.9')).status).toBe(202);
    expect((await small.signUp('203.0.113.9')).status).toBe(202);
    expect((await small.signUp('203.0.113.9')).status).toBe(429);
    const off = await setup({ signUpLimit: false });
    for (let i = 0; i < 35; i += 1) expect((await off.signUp('203.0.113.9')).status).toBe(202);
    expect(off.upstreamCalls()).toBe(35);
  });

  it('a bad signUpLimit is a TypeError at start-up', async () => {
    const provider = notesProvider({ baseURL: 'http://127.0.0.1:9' });
    const sessions = new UpstreamSessions({
      store: new MemorySessionStore(),
      secret: SECRET,
      provider,
    });
    expect(() => createUpstreamAuth({ sessions, provider, signUpLimit: true as never })).toThrow(
      new TypeError('createUpstreamAuth: `signUpLimit` must be an object or false'),
    );
    expect(() => createUpstreamAuth({ sessions, provider, signUpLimit: { maxPerIP: 0 } })).toThrow(
      new TypeError(
        'createUpstreamAuth: signUpLimit.maxPerIP must be a whole number from 1 to 1000000, got 0',
      ),
    );
  });
});
