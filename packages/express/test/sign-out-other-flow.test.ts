/**
 * Sign-out signs the browser out: when its cookie session also holds the revocable session of the
 * app's other router (phone and password in one app, both kept by a session that carries data
 * across a sign-in, as Passport's `keepSessionInfo` does), signing out of one router ends the
 * other's session too, in its store, before the cookie session is regenerated: no session is left
 * live and held by nobody. A store that cannot end it is a 503 with nothing dropped; the retry
 * signs out. The same when the cookie session is destroyed because this router's session ended
 * elsewhere (the guards, the session pages). Real Express 4 and 5, memory stores.
 */
import express5 from 'express';
import session from 'express-session';
import express4 from 'express4';
import request from 'supertest';
import {
  CROSS_PHONE,
  codeEngine,
  crossFlowSessions,
  crossFlowSteps,
  signInFakes,
} from 'test-support/sign-in-again';
import { describe, expect, it } from 'vitest';
import { createTingTingAuth, createUpstreamAuth } from '../src/index.js';

const SECRET = 'express-sign-out-other-flow-test-secret-0123456789';
const SUBJECT = `+977${CROSS_PHONE}`;
const fakes = signInFakes(['asha']);

type Done = (error?: unknown) => void;
type CarriedSession = Record<string, unknown> & { regenerate(done: Done): unknown };

describe.each([
  ['Express 5', express5],
  ['Express 4', express4],
])('%s', (_name, express) => {
  /** Both routers (phone at `/phone`, password at `/auth`), the browser signed in with both. */
  async function signedInTwice(first: 'phone' | 'password') {
    const stores = crossFlowSessions(fakes.notes, SECRET);
    const tingting = createTingTingAuth(codeEngine(fakes.tingting, SECRET), {
      sessions: stores.phone,
    });
    const auth = createUpstreamAuth({ sessions: stores.notes });
    // The app's session carries the sign-in data across `regenerate` while `carry` is on.
    let carry = true;
    const app = express();
    app.use(express.json(), session({ secret: SECRET, resave: false, saveUninitialized: false }));
    app.use((req, _res, next) => {
      const s = (req as unknown as { session: CarriedSession }).session;
      const regenerate = s.regenerate;
      s.regenerate = function (this: CarriedSession, done: Done) {
        const kept = carry ? { tingting: s.tingting, upstream: s.upstream } : {};
        return regenerate.call(this, (error) => {
          const fresh = (req as unknown as { session: CarriedSession }).session;
          if (!error) for (const [k, v] of Object.entries(kept)) if (v !== undefined) fresh[k] = v;
          done(error);
        });
      };
      next();
    });
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
    await steps[first]();
    await steps[first === 'phone' ? 'password' : 'phone']();
    carry = false;
    // Both held, both live: the second sign-in did not end the first (the session still names it).
    expect(await steps.signedIn('phone')).toBe(200);
    expect(await steps.signedIn('password')).toBe(200);
    expect([stores.phoneEnded, stores.notesEnded]).toEqual([[], []]);
    return { stores, browser, steps };
  }

  /** Both sessions ended in their stores (not listed; the password one's tokens gone). */
  async function expectBothEnded(stores: Awaited<ReturnType<typeof signedInTwice>>['stores']) {
    expect(await stores.phone.list(SUBJECT)).toEqual([]);
    expect(await stores.notes.list('asha')).toEqual([]);
    // Ended one by one unless "sign out everywhere" ended it with the account's other sessions.
    for (const sid of stores.notesEnded) {
      await expect(stores.notes.getTokens(sid)).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
    }
  }

  it.each([
    ['phone', '/phone/sign-out'],
    ['password', '/auth/sign-out'],
    ['phone', '/phone/sign-out-everywhere'],
    ['password', '/auth/sign-out-everywhere'],
  ] as const)('signing out of %s (%s) ends the other router’s session too', async (_flow, path) => {
    const { stores, browser, steps } = await signedInTwice('phone');
    expect((await browser.post(path)).status).toBe(204);
    await expectBothEnded(stores);
    expect(await steps.signedIn('phone')).toBe(401);
    expect(await steps.signedIn('password')).toBe(401);
  });

  it('the other store cannot end it: 503, nothing dropped, and the retry signs out', async () => {
    const { stores, browser, steps } = await signedInTwice('password');
    const end = stores.notes.end.bind(stores.notes);
    let down = true;
    stores.notes.end = async (sid, reason) => {
      if (down) throw new Error('store down');
      return end(sid, reason);
    };
    const refused = await browser.post('/phone/sign-out');
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('30');
    expect(refused.body.error.code).toBe('SERVICE_UNAVAILABLE');
    // Still held by the browser, so still live.
    expect(await steps.signedIn('password')).toBe(200);
    down = false;
    expect((await browser.post('/phone/sign-out')).status).toBe(204);
    await expectBothEnded(stores);
    expect(await steps.signedIn('password')).toBe(401);
  });

  it.each([
    ['phone', 'its guard', '/me/phone'],
    ['phone', 'its session list', '/phone/sessions'],
    ['password', 'its guard', '/me/password'],
    ['password', 'its session list', '/auth/sessions'],
  ] as const)(
    '%s session ended elsewhere, %s destroys the cookie session: the other ends too',
    async (flow, _what, path) => {
      const { stores, browser } = await signedInTwice('phone');
      const [own, ownSubject] = flow === 'phone' ? [stores.phone, SUBJECT] : [stores.notes, 'asha'];
      const [other, otherSubject] =
        flow === 'phone' ? [stores.notes, 'asha'] : [stores.phone, SUBJECT];
      // Ended elsewhere: "sign out everywhere" from another device.
      await own.endAll(ownSubject);
      expect((await browser.get(path)).status).toBe(401);
      expect(await other.list(otherSubject)).toEqual([]);
    },
  );

  it('the other store cannot end it: the guard keeps the cookie session, the next request ends it', async () => {
    const { stores, steps } = await signedInTwice('password');
    const end = stores.notes.end.bind(stores.notes);
    let down = true;
    stores.notes.end = async (sid, reason) => {
      if (down) throw new Error('store down');
      return end(sid, reason);
    };
    await stores.phone.endAll(SUBJECT);
    expect(await steps.signedIn('phone')).toBe(401);
    // Not destroyed: the password session is still held by the browser, and still live.
    expect(await steps.signedIn('password')).toBe(200);
    down = false;
    expect(await steps.signedIn('phone')).toBe(401);
    expect(await stores.notes.list('asha')).toEqual([]);
    expect(await steps.signedIn('password')).toBe(401);
  });
});
