/**
 * The app's own `session` callback given as `revocableSessions(sessions, { session })`, through
 * next-auth's real request handling (v4 `AuthHandler`, v5 `Auth()`), for password and phone
 * sign-in. It runs after the session `revocableSessions` shaped (so `user.id`, `user.phone`,
 * `upstream` and `sessionId` are there), for an active session only, with a token whose `sid` is
 * not enumerable; what it answers is what the browser gets. A throw (next-auth then clears the
 * cookie) ends the session, so a copied cookie is dead.
 */

import { describe, expect, it, vi } from 'vitest';
import {
  type RevocableSessionCallback,
  type RevocableSessionParams,
  type RevocableSessionsStore,
  revocableSessions as revocableV4,
} from '../src/index.js';
import { revocableSessions as revocableV5 } from '../src/v5.js';
import { PHONE_E164 } from './helpers.js';
import {
  type MajorName,
  passwordSignIn,
  phoneSignIn,
  rigHooks,
  type SignInMethod,
  upstreamRig,
} from './upstream-rig.js';

const { rigs, warnings } = rigHooks();

/** What the app's callback was handed, as it would see and log it. */
interface Seen {
  session: RevocableSessionParams['session'];
  sid: unknown;
  role: unknown;
  logged: string;
}

function appSession(answer?: RevocableSessionCallback) {
  const seen: Seen[] = [];
  const session: RevocableSessionCallback = (params) => {
    const { session, token } = params;
    seen.push({
      session: structuredClone(session),
      sid: token.sid,
      role: token.role,
      logged: `${JSON.stringify(token)} ${JSON.stringify({ ...token })} ${Object.keys(token)} ${JSON.stringify(session)}`,
    });
    if (answer !== undefined) return answer(params);
    // What apps write: the role from the token into `session.user`, and a field of their own.
    return { ...session, user: { ...session.user, role: token.role }, plan: 'pro' };
  };
  return { session, seen };
}

const unsignedBody = (major: MajorName) => (major === 'v5' ? null : {});

describe.each<MajorName>(['v4', 'v5'])('the app’s session callback on next-auth %s', (major) => {
  describe.each<SignInMethod>([passwordSignIn, phoneSignIn])('$name sign-in', (method) => {
    async function rigWith(session: RevocableSessionCallback) {
      const rig = await upstreamRig(major, {
        phone: method.name === 'phone',
        revocable: {
          jwt: ({ token, user }) => (user === undefined ? token : { ...token, role: 'editor' }),
          session,
        },
      });
      rigs.push(rig);
      return { rig, sessions: method.sessionsOf(rig) };
    }

    it('runs after revocableSessions’ own: the browser gets its answer, with the session’s fields, and never the sid', async () => {
      const app = appSession();
      const { rig, sessions } = await rigWith(app.session);
      const { jar } = await method.signIn(rig);
      const claims = await rig.decode(jar);
      const sid = claims?.sid;
      expect(typeof sid).toBe('string');

      const reply = await rig.request(jar, 'session');
      const body = reply.body as Record<string, unknown>;
      const [listed] = await sessions.list(String(claims?.sub));
      // The app saw the session revocableSessions shaped…
      expect(app.seen).toHaveLength(1);
      const [seen] = app.seen as [Seen];
      expect(seen.session).toMatchObject({
        user: { id: claims?.sub },
        upstream: method.name === 'phone' ? 'phone' : 'timbr',
        sessionId: listed?.id,
        expires: expect.any(String),
      });
      if (method.name === 'phone') expect(seen.session.user).toMatchObject({ phone: PHONE_E164 });
      // …and the token its jwt callback made, whose sid it can read but not log or spread.
      expect(seen.role).toBe('editor');
      expect(seen.sid).toBe(sid);
      expect(seen.logged).not.toContain(String(sid));
      // The browser gets exactly what the app answered.
      expect(body).toEqual({
        ...seen.session,
        user: { ...(seen.session.user as object), role: 'editor' },
        plan: 'pro',
      });
      expect(JSON.stringify(reply)).not.toContain(String(sid));
      expect(warnings.mock.calls).toEqual([]);
    });

    it('is not run for an ended session, nor while the store is down: no session, as without it', async () => {
      const app = appSession();
      const { rig, sessions } = await rigWith(app.session);
      const { jar } = await method.signIn(rig);
      const copy = new Map(jar);
      await rig.session(jar);
      expect(app.seen).toHaveLength(1);

      const down = vi
        .spyOn(sessions, 'status')
        .mockRejectedValue(Object.assign(new Error('down'), { code: 'STORE_UNAVAILABLE' }));
      expect((await rig.request(jar, 'session')).body).toEqual(unsignedBody(major));
      down.mockRestore();

      await rig.signOut(jar);
      expect((await rig.request(copy, 'session')).body).toEqual(unsignedBody(major));
      expect(app.seen).toHaveLength(1);
    });

    it('throws on a later request: next-auth signs the browser out, and the session is ended (a copied cookie is dead)', async () => {
      let failing = false;
      const app = appSession((params) => {
        if (failing) throw new Error('roles database down');
        return params.session;
      });
      const { rig, sessions } = await rigWith(app.session);
      const { jar } = await method.signIn(rig);
      const sid = String((await rig.decode(jar))?.sid);
      const copy = new Map(jar);
      expect((await rig.session(jar))?.user).toBeDefined();
      const end = vi.spyOn(sessions, 'end');

      failing = true;
      const reply = await rig.request(jar, 'session');
      // Both majors log the throw, answer no session and clear the cookie.
      expect(reply.body).toEqual(unsignedBody(major));
      expect(jar.has(rig.cookie)).toBe(false);
      expect(end.mock.calls).toEqual([[sid, 'ended_by_app']]);
      expect(await sessions.status(sid)).toEqual({ active: false, reason: 'ended_by_app' });

      failing = false;
      const calls = app.seen.length;
      expect((await rig.request(copy, 'session')).body).toEqual(unsignedBody(major));
      expect(app.seen).toHaveLength(calls);
    });
  });
});

describe('revocableSessions({ session }) on its own', () => {
  const store = {
    providerId: 'phone',
    create: async () => {
      throw new Error('not used');
    },
    status: async () => ({ active: true as const, id: 'public-id' }),
    end: async () => true,
  } as unknown as RevocableSessionsStore;
  const token = { sub: 'asha', sid: 'secret-sid', upstream: 'phone' };

  it.each([
    ['v4', revocableV4],
    ['v5', revocableV5],
  ] as const)(
    '%s: without it the session callback answers at once (no promise), as before',
    async (_, revocable) => {
      const { callbacks } = revocable(store);
      const checked = await callbacks.jwt({ token });
      const shaped = callbacks.session({ session: { expires: 'x' }, token: checked });
      expect(shaped).not.toBeInstanceOf(Promise);
      expect(shaped).toEqual({
        expires: 'x',
        user: { id: 'asha' },
        upstream: 'phone',
        sessionId: 'public-id',
      });
    },
  );

  it.each([
    ['v4', revocableV4],
    ['v5', revocableV5],
  ] as const)(
    '%s: a null answer is the browser’s; a session callback that is not a function is refused at start-up',
    async (_, revocable) => {
      const { callbacks } = revocable(store, { session: () => null });
      const checked = await callbacks.jwt({ token });
      expect(await callbacks.session({ session: { expires: 'x' }, token: checked })).toBeNull();
      expect(() => revocable(store, { session: {} } as never)).toThrow(
        /^revocableSessions: `session` must be a function \(your session callback\)$/,
      );
    },
  );
});
