/**
 * `strategy.signOut(req)` ends the session the strategy stored in `req.session`, whether or not
 * Passport still counts the request as signed in (a `deserializeUser` that dropped the user leaves
 * `isAuthenticated()` false but the session id stored): the session must not stay live and listed.
 * Both strategies share the method; each only ends a session it stored itself.
 */
import { MemorySessionStore, UpstreamSessions } from '@tingting-auth/core/upstream';
import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { Strategy, UPSTREAM_SESSION_KEY } from '../src/index.js';
import { makeEngine, SECRET } from './helpers.js';

function phoneStrategy(sessions: UpstreamSessions, name?: string) {
  const { engine } = makeEngine();
  return new Strategy(
    { engine, sessions, ...(name === undefined ? {} : { name }) },
    async (phone) => ({ phone }),
  );
}

function requestWith(stored: unknown, authenticated: boolean, headers = {}) {
  const session: Record<string, unknown> = { [UPSTREAM_SESSION_KEY]: stored };
  return { session, headers, isAuthenticated: () => authenticated } as unknown as Request & {
    session: Record<string, unknown>;
  };
}

const CROSS_SITE = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };

describe('strategy.signOut(req)', () => {
  for (const authenticated of [true, false]) {
    it(`ends the stored session (isAuthenticated() ${authenticated})`, async () => {
      const sessions = new UpstreamSessions({ store: new MemorySessionStore(), secret: SECRET });
      const { sid } = await sessions.create({ subject: '+9779812345678' });
      const req = requestWith({ strategy: 'tingting', sid }, authenticated);
      await expect(phoneStrategy(sessions).signOut(req)).resolves.toBe(true);
      expect((await sessions.status(sid)).active).toBe(false);
      expect(req.session[UPSTREAM_SESSION_KEY]).toBeUndefined();
    });
  }

  it('refuses a cross-site request with 403 CROSS_SITE_REQUEST and ends nothing', async () => {
    const sessions = new UpstreamSessions({ store: new MemorySessionStore(), secret: SECRET });
    const { sid } = await sessions.create({ subject: '+9779812345678' });
    const stored = { strategy: 'tingting', sid };
    for (const headers of [CROSS_SITE, { 'sec-fetch-site': 'same-site' }, { origin: 'null' }]) {
      const req = requestWith(stored, true, { host: 'app.example', ...headers });
      await expect(phoneStrategy(sessions).signOut(req)).rejects.toMatchObject({
        status: 403,
        code: 'CROSS_SITE_REQUEST',
      });
      expect(req.session[UPSTREAM_SESSION_KEY]).toEqual(stored);
    }
    expect((await sessions.status(sid)).active).toBe(true);
    // Without `sessions` too: an app that signs out after it logs nobody out from another site.
    const { engine } = makeEngine();
    const plain = new Strategy({ engine }, async (phone) => ({ phone }));
    await expect(plain.signOut(requestWith(undefined, true, CROSS_SITE))).rejects.toMatchObject({
      code: 'CROSS_SITE_REQUEST',
    });
    // The same-origin post goes through (the strategy's own check: `allowedOrigins` too).
    const sameOrigin = requestWith(stored, true, { 'sec-fetch-site': 'same-origin' });
    await expect(phoneStrategy(sessions).signOut(sameOrigin)).resolves.toBe(true);
    expect((await sessions.status(sid)).active).toBe(false);
  });

  it("leaves another strategy's session alone", async () => {
    const sessions = new UpstreamSessions({ store: new MemorySessionStore(), secret: SECRET });
    const { sid } = await sessions.create({ subject: '+9779812345678' });
    const req = requestWith({ strategy: 'other', sid }, true);
    await expect(phoneStrategy(sessions).signOut(req)).resolves.toBe(false);
    expect((await sessions.status(sid)).active).toBe(true);
    expect(req.session[UPSTREAM_SESSION_KEY]).toEqual({ strategy: 'other', sid });
  });

  it('resolves false with nothing stored, or without the sessions option', async () => {
    const sessions = new UpstreamSessions({ store: new MemorySessionStore(), secret: SECRET });
    await expect(phoneStrategy(sessions).signOut(requestWith(undefined, true))).resolves.toBe(
      false,
    );
    const { engine } = makeEngine();
    const plain = new Strategy({ engine }, async (phone) => ({ phone }));
    const { sid } = await sessions.create({ subject: '+9779812345678' });
    const req = requestWith({ strategy: 'tingting', sid }, true);
    await expect(plain.signOut(req)).resolves.toBe(false);
    expect((await sessions.status(sid)).active).toBe(true);
  });
});
