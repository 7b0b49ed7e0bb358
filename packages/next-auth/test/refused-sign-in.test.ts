/**
 * A sign-in the app's own `signIn` callback refuses, through next-auth's real request handling
 * (v4 `AuthHandler`, v5 `Auth()`), for password sign-in (`UpstreamCredentials` on the fake Timbr)
 * and phone sign-in with revocable sessions (`TingTing({ sessions })`). The providers start a
 * session in `authorize`, before next-auth asks `signIn`; a refusal (`false`, a redirect) or a
 * throw must end it, so the account's device list shows nothing and no upstream tokens stay
 * stored, while the browser gets next-auth's own refusal, the same as with the callback in
 * next-auth's config directly. An accepted sign-in works as before.
 */

import { describe, expect, it } from 'vitest';
import {
  type RevocableSessionsStore,
  type RevocableSignInParams,
  revocableSessions as revocableV4,
} from '../src/index.js';
import { revocableSessions as revocableV5 } from '../src/v5.js';
import { PHONE_E164 } from './helpers.js';
import {
  type MajorName,
  ORIGIN,
  PASSWORD,
  passwordSignIn,
  phoneSignIn,
  type Rig,
  rigHooks,
  type SignInMethod,
  seenByBrowser,
  upstreamRig,
} from './upstream-rig.js';

const { rigs, warnings } = rigHooks();

type AppSignIn = (params: RevocableSignInParams) => Promise<boolean | string>;

/** The app's callback, recording what it saw: the user, and whether its session was live then. */
function appCallback(answer: (params: RevocableSignInParams) => boolean | string) {
  const seen: { sid: string; subject: string; activeThen: boolean }[] = [];
  let sessionsOf: () => RevocableSessionsStore = () => {
    throw new Error('not wired');
  };
  const signIn: AppSignIn = async (params) => {
    const sid = (params.user as { sid?: unknown }).sid;
    if (typeof sid !== 'string') throw new Error('the user carries no session id');
    const status = await sessionsOf().status(sid);
    seen.push({ sid, subject: String(params.user.id), activeThen: status.active });
    return answer(params);
  };
  return { signIn, seen, wire: (of: () => RevocableSessionsStore) => (sessionsOf = of) };
}

/** A rig whose `revocableSessions` runs the app's callback (`revocableSessions(s, { signIn })`). */
async function rigWith(major: MajorName, method: SignInMethod, signIn: AppSignIn): Promise<Rig> {
  const rig = await upstreamRig(major, { phone: method.name === 'phone', revocable: { signIn } });
  rigs.push(rig);
  return rig;
}

/** The same app with the callback in next-auth's config directly: next-auth's own answer. */
async function controlRig(major: MajorName, method: SignInMethod, signIn: AppSignIn): Promise<Rig> {
  const rig = await upstreamRig(major, { phone: method.name === 'phone', signInBeside: signIn });
  rigs.push(rig);
  return rig;
}

const refusals: {
  name: string;
  answer: () => boolean | string;
  expected: (major: MajorName) => { status: number; location: string };
}[] = [
  {
    name: 'false',
    answer: () => false,
    expected: (major) => ({
      status: major === 'v4' ? 403 : 302,
      location: `${ORIGIN}/api/auth/error?error=AccessDenied`,
    }),
  },
  {
    name: 'a redirect URL',
    answer: () => '/suspended',
    expected: () => ({ status: 302, location: `${ORIGIN}/suspended` }),
  },
  {
    name: 'a throw',
    answer: () => {
      throw new Error('Suspended');
    },
    expected: (major) => ({
      status: 302,
      location: `${ORIGIN}/api/auth/error?error=${major === 'v4' ? 'Suspended' : 'AccessDenied'}`,
    }),
  },
];

describe.each<MajorName>(['v4', 'v5'])('the app’s signIn callback on next-auth %s', (major) => {
  describe.each([passwordSignIn, phoneSignIn])('$name sign-in', (method) => {
    it.each(refusals)(
      'refuses with $name: next-auth’s own refusal, and the session authorize started is ended',
      async ({ answer, expected }) => {
        const app = appCallback(answer);
        const rig = await rigWith(major, method, app.signIn);
        app.wire(() => method.sessionsOf(rig));
        const { jar, reply } = await method.signIn(rig);

        // The session existed while the app decided, and is over now: not listed, not active.
        expect(app.seen).toHaveLength(1);
        const [{ sid, subject, activeThen }] = app.seen as [(typeof app.seen)[0]];
        expect(activeThen).toBe(true);
        const sessions = method.sessionsOf(rig);
        expect(await sessions.list(subject)).toEqual([]);
        expect(await sessions.status(sid)).toEqual({ active: false, reason: 'ended_by_app' });
        // No upstream tokens are kept for it any more.
        await expect(sessions.getAccessToken(sid)).rejects.toMatchObject({
          code: 'SESSION_EXPIRED',
          reason: 'ended_by_app',
        });

        // The browser: no session cookie, and next-auth's answer, as without revocableSessions.
        expect(jar.has(rig.cookie)).toBe(false);
        expect(await rig.session(jar)).toSatisfy(
          (body: Record<string, unknown> | null) => body === null || body.user === undefined,
        );
        const { status, location } = expected(major);
        expect({ status: reply.status, location: reply.location?.href }).toEqual({
          status,
          location,
        });
        const control = appCallback(answer);
        const direct = await controlRig(major, method, control.signIn);
        control.wire(() => method.sessionsOf(direct));
        expect(seenByBrowser((await method.signIn(direct)).reply)).toEqual(seenByBrowser(reply));
      },
    );

    it('accepts: the session is listed and the JWT works as before', async () => {
      const app = appCallback(() => true);
      const rig = await rigWith(major, method, app.signIn);
      app.wire(() => method.sessionsOf(rig));
      const { jar, reply } = await method.signIn(rig);

      expect(app.seen).toHaveLength(1);
      const [{ sid, subject }] = app.seen as [(typeof app.seen)[0]];
      expect(reply.location?.href).toBe(`${ORIGIN}/account`);
      expect(jar.has(rig.cookie)).toBe(true);
      const claims = await rig.decode(jar);
      expect(claims?.sid).toBe(sid);
      expect(claims?.sub).toBe(subject);
      const sessions = method.sessionsOf(rig);
      const listed = await sessions.list(subject);
      expect(listed).toHaveLength(1);
      const session = await rig.session(jar);
      expect((session?.user as { id?: string } | undefined)?.id).toBe(subject);
      expect(session?.sessionId).toBe(listed[0]?.id);
      expect(session?.upstream).toBe(method.name === 'phone' ? 'phone' : 'timbr');
      if (method.name === 'phone') expect(subject).toBe(PHONE_E164);
      // Sign-out still ends it.
      await rig.signOut(jar);
      expect(await sessions.list(subject)).toEqual([]);
      expect(warnings.mock.calls).toEqual([]);
    });
  });

  it('a signIn callback put beside the returned ones is warned about once (its refusals leave sessions behind)', async () => {
    const refuse = appCallback(() => false);
    const rig = await controlRig(major, passwordSignIn, refuse.signIn);
    refuse.wire(() => rig.sessions);
    await rig.signIn({ username: 'asha', password: PASSWORD });
    // Refused beside: next-auth never calls revocableSessions again for this sign-in.
    const [{ subject }] = refuse.seen as [(typeof refuse.seen)[0]];
    expect(await rig.sessions.list(subject)).toHaveLength(1);
    expect(warnings.mock.calls).toEqual([]); // nothing reached the jwt callback to tell

    const accept = appCallback(() => true);
    const accepting = await controlRig(major, passwordSignIn, accept.signIn);
    accept.wire(() => accepting.sessions);
    await accepting.signIn({ username: 'asha', password: PASSWORD });
    await accepting.signIn({ username: 'asha', password: PASSWORD });
    expect(warnings.mock.calls).toEqual([
      [
        expect.stringMatching(/revocableSessions\(sessions, \{ signIn \}\)/),
        { code: 'TINGTING_SIGN_IN_CALLBACK_REPLACED' },
      ],
    ]);
  });
});

describe('revocableSessions({ signIn }) on its own', () => {
  /** A store with `providerId` that records what `end` was asked. */
  function store(providerId: string, end: (sid: string) => Promise<boolean> = async () => true) {
    const ended: [string, string | undefined][] = [];
    const sessions = {
      providerId,
      create: async () => {
        throw new Error('not used');
      },
      status: async () => ({ active: false as const, reason: 'unknown' as const }),
      end: async (sid: string, reason?: string) => {
        ended.push([sid, reason]);
        return end(sid);
      },
    } as unknown as RevocableSessionsStore;
    return { sessions, ended };
  }
  const userWith = (sid: string, upstream?: string) => {
    const user: Record<string, unknown> = { id: 'asha', ...(upstream ? { upstream } : {}) };
    Object.defineProperty(user, 'sid', { value: sid, enumerable: false });
    return user as unknown as RevocableSignInParams['user'];
  };

  it.each([
    ['v4', revocableV4],
    ['v5', revocableV5],
  ] as const)(
    '%s: without the app’s callback it accepts and ends nothing',
    async (_, revocable) => {
      const phoneStore = store('phone');
      const callbacks = revocable(phoneStore.sessions).callbacks;
      expect(await callbacks.signIn({ user: userWith('sid-1') })).toBe(true);
      expect(phoneStore.ended).toEqual([]);
    },
  );

  it('returns the app’s answer unchanged; a refusal ends the session of the store `upstream` names', async () => {
    const phoneStore = store('phone');
    const timbrStore = store('timbr');
    const answers: (boolean | string)[] = [false, '', '/suspended', `${ORIGIN}/x`, true];
    for (const answer of answers) {
      const { callbacks } = revocableV5([phoneStore.sessions, timbrStore.sessions], {
        signIn: async () => answer,
      });
      expect(await callbacks.signIn({ user: userWith(`t-${answer}`, 'timbr') })).toBe(answer);
      expect(await callbacks.signIn({ user: userWith(`p-${answer}`) })).toBe(answer);
    }
    const refused = answers.filter((answer) => answer !== true);
    expect(timbrStore.ended).toEqual(refused.map((answer) => [`t-${answer}`, 'ended_by_app']));
    expect(phoneStore.ended).toEqual(refused.map((answer) => [`p-${answer}`, 'ended_by_app']));

    // A user with no session (another provider), or of a store not configured: nothing to end.
    const { callbacks } = revocableV4([phoneStore.sessions, timbrStore.sessions], {
      signIn: () => false,
    });
    expect(await callbacks.signIn({ user: { id: 'oauth-user' } })).toBe(false);
    expect(await callbacks.signIn({ user: userWith('n-1', 'notes') })).toBe(false);
    expect(timbrStore.ended).toHaveLength(refused.length);
    expect(phoneStore.ended).toHaveLength(refused.length);
  });

  it('a throwing callback ends the session and rethrows the same error', async () => {
    const phoneStore = store('phone');
    const thrown = new Error('Suspended');
    const { callbacks } = revocableV4(phoneStore.sessions, {
      signIn() {
        throw thrown;
      },
    });
    await expect(callbacks.signIn({ user: userWith('sid-2') })).rejects.toBe(thrown);
    expect(phoneStore.ended).toEqual([['sid-2', 'ended_by_app']]);
  });

  it('the refusal stands when the store cannot end the session (best effort)', async () => {
    const down = store('phone', async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    });
    const refused = revocableV5(down.sessions, { signIn: () => '/suspended' }).callbacks;
    expect(await refused.signIn({ user: userWith('sid-3') })).toBe('/suspended');
    const thrown = new Error('Suspended');
    const throwing = revocableV5(down.sessions, {
      signIn: () => Promise.reject(thrown),
    }).callbacks;
    await expect(throwing.signIn({ user: userWith('sid-4') })).rejects.toBe(thrown);
    expect(down.ended.map(([sid]) => sid)).toEqual(['sid-3', 'sid-4']);
  });

  it.each([
    ['v4', revocableV4],
    ['v5', revocableV5],
  ] as const)(
    '%s: a sign-in whose store revocableSessions was not given is warned about once, without its sid',
    async (_, revocable) => {
      const { callbacks } = revocable(store('phone').sessions);
      for (const sid of ['secret-sid-1', 'secret-sid-2']) {
        const token = await callbacks.jwt({ token: { sub: 'asha' }, user: userWith(sid, 'notes') });
        // No session: v4 marks the token ended, v5 answers null.
        expect(token === null || (token as { ended?: unknown }).ended === true).toBe(true);
      }
      expect(warnings.mock.calls).toEqual([
        [expect.stringMatching(/providerId "notes"/), { code: 'TINGTING_SESSIONS_NOT_REVOCABLE' }],
      ]);
      expect(JSON.stringify(warnings.mock.calls)).not.toMatch(/secret-sid/);
    },
  );

  it('refuses options it does not know, with a TypeError at start-up', () => {
    const { sessions } = store('phone');
    expect(() => revocableV4(sessions, { signin: () => true } as never)).toThrow(
      /^revocableSessions: unknown option `signin`; known options: signIn, jwt, session$/,
    );
    expect(() => revocableV5(sessions, { signIn: true } as never)).toThrow(
      /^revocableSessions: `signIn` must be a function/,
    );
    expect(() => revocableV5(sessions, 'signIn' as never)).toThrow(
      /^revocableSessions: options must be an object/,
    );
    expect(() => revocableV4(sessions, undefined)).not.toThrow();
  });
});
