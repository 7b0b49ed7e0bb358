/**
 * A sign-in the app's own `jwt` callback fails, through next-auth's real request handling (v4
 * `AuthHandler`, v5 `Auth()`), for password sign-in (`UpstreamCredentials` on the fake Timbr) and
 * phone sign-in (`TingTing({ sessions })`). The providers start a session in `authorize`; when the
 * app's `jwt` callback then throws or answers no token, next-auth sets no cookie, so nothing would
 * ever name that session again. Given as `revocableSessions(sessions, { jwt })`, its failure during
 * the sign-in ends the session (once, `ended_by_app`) and next-auth answers as it would with the
 * callback in its config directly; a failure on a later request (next-auth clears the cookie)
 * ends it too, so a copied cookie is dead; a sign-in it lets
 * through works as before, with the app's claims in the token. Asserted against the real store.
 */

import { describe, expect, it, vi } from 'vitest';
import {
  type RevocableJWT,
  type RevocableJWTParams,
  type RevocableSessionsStore,
  revocableSessions as revocableV4,
} from '../src/index.js';
import { revocableSessions as revocableV5 } from '../src/v5.js';
import { PHONE_E164 } from './helpers.js';
import {
  type MajorName,
  ORIGIN,
  passwordSignIn,
  phoneSignIn,
  type Rig,
  rigHooks,
  type SignInMethod,
  seenByBrowser,
  upstreamRig,
} from './upstream-rig.js';

const { rigs, warnings } = rigHooks();

type Sessions = ReturnType<SignInMethod['sessionsOf']>;

interface Seen {
  /** The session id on the token the app's callback was handed (sign-in) or `undefined`. */
  sid: unknown;
  sub: unknown;
  signingIn: boolean;
  trigger: unknown;
  /** Whether the token's session was active while the app's callback ran. */
  activeThen: boolean;
  /** The token as the app would log it. */
  logged: string;
}

/** The app's `jwt` callback, recording what it saw, answering as `answer` says. */
function appJWT(answer: (params: RevocableJWTParams) => ReturnType<RevocableJWT>) {
  const seen: Seen[] = [];
  let sessionsOf: () => Sessions = () => {
    throw new Error('not wired');
  };
  const jwt: RevocableJWT = async (params) => {
    const { token, user } = params;
    const sid = token.sid;
    const active = typeof sid === 'string' && (await sessionsOf().status(sid)).active;
    seen.push({
      sid,
      sub: token.sub,
      signingIn: user !== undefined,
      trigger: params.trigger,
      activeThen: active,
      logged: `${JSON.stringify(token)} ${JSON.stringify({ ...token })} ${Object.keys(token)}`,
    });
    return answer(params);
  };
  return { jwt, seen, wire: (of: () => Sessions) => (sessionsOf = of) };
}

/** A rig whose `revocableSessions` runs the app's callback, its store's `end` watched. */
async function rigWith(major: MajorName, method: SignInMethod, jwt: RevocableJWT) {
  const rig = await upstreamRig(major, { phone: method.name === 'phone', revocable: { jwt } });
  rigs.push(rig);
  const sessions = method.sessionsOf(rig);
  const end = vi.spyOn(sessions, 'end');
  return { rig, sessions, end };
}

/** The same app with the callback in next-auth's config directly: next-auth's own answer. */
async function controlRig(major: MajorName, method: SignInMethod, jwt: RevocableJWT): Promise<Rig> {
  const rig = await upstreamRig(major, { phone: method.name === 'phone', jwtBeside: jwt });
  rigs.push(rig);
  return rig;
}

/** How the app's callback fails the sign-in, and the same app's answer next-auth is compared to. */
const failures: {
  name: string;
  answer: () => Record<string, unknown> | null;
  control?: () => Record<string, unknown> | null;
  /** next-auth's answer: v4's handler throws (Next.js answers 500) for both. */
  expected: (major: MajorName) => { status: number; location?: string };
}[] = [
  {
    name: 'throws',
    answer: () => {
      throw new Error('accounts database down');
    },
    expected: (major) =>
      major === 'v4'
        ? { status: 500 }
        : { status: 302, location: `${ORIGIN}/api/auth/error?error=Configuration` },
  },
  {
    name: 'returns null',
    answer: () => null,
    // v5: to the callback URL, with no session cookie.
    expected: (major) =>
      major === 'v4' ? { status: 500 } : { status: 302, location: `${ORIGIN}/account` },
  },
  // No token at all: answered as `null` (v5 would otherwise set a cookie of an empty token).
  {
    name: 'returns undefined',
    answer: () => undefined as never,
    control: () => null,
    expected: (major) =>
      major === 'v4' ? { status: 500 } : { status: 302, location: `${ORIGIN}/account` },
  },
];

describe.each<MajorName>(['v4', 'v5'])('the app’s jwt callback on next-auth %s', (major) => {
  describe.each([passwordSignIn, phoneSignIn])('$name sign-in', (method) => {
    it.each(failures)(
      'fails the sign-in (it $name): the session is ended once, and next-auth answers as without revocableSessions',
      async ({ answer, control: controlAnswer = answer, expected }) => {
        const app = appJWT((params) => (params.user === undefined ? params.token : answer()));
        const { rig, sessions, end } = await rigWith(major, method, app.jwt);
        app.wire(() => sessions);
        const { jar, reply } = await method.signIn(rig);

        // The app's callback ran once, on the sign-in, while the session was live.
        expect(app.seen).toHaveLength(1);
        const [{ sid, sub, signingIn, activeThen }] = app.seen as [Seen];
        expect({ signingIn, activeThen }).toEqual({ signingIn: true, activeThen: true });
        expect(typeof sid).toBe('string');
        if (method.name === 'phone') expect(sub).toBe(PHONE_E164);

        // The session is over: not listed, not active, ended once by revocableSessions.
        expect(await sessions.list(String(sub))).toEqual([]);
        expect(await sessions.status(String(sid))).toEqual({
          active: false,
          reason: 'ended_by_app',
        });
        expect(end.mock.calls).toEqual([[sid, 'ended_by_app']]);
        // No upstream tokens are kept for it any more.
        await expect(sessions.getAccessToken(String(sid))).rejects.toMatchObject({
          code: 'SESSION_EXPIRED',
          reason: 'ended_by_app',
        });
        if (method === passwordSignIn)
          expect(rig.calls.filter((call) => call === 'end')).toHaveLength(1);

        // The browser: no session cookie, and next-auth's own answer to the failing callback.
        expect(jar.has(rig.cookie)).toBe(false);
        expect(await rig.session(jar)).toSatisfy(
          (body: Record<string, unknown> | null) => body === null || body.user === undefined,
        );
        const { status, location } = expected(major);
        expect({ status: reply.status, location: reply.location?.href }).toEqual({
          status,
          location,
        });
        const control = appJWT((params) =>
          params.user === undefined ? params.token : controlAnswer(),
        );
        const direct = await controlRig(major, method, control.jwt);
        control.wire(() => method.sessionsOf(direct));
        expect(seenByBrowser((await method.signIn(direct)).reply)).toEqual(seenByBrowser(reply));
        // Nothing more was ended by the requests since.
        expect(end).toHaveBeenCalledTimes(1);
      },
    );

    it('lets the sign-in through: the session is kept, the app’s claims reach the cookie, sid and upstream are kept', async () => {
      // A new token without `sid` or `upstream`: revocableSessions keeps the claims naming the session.
      const app = appJWT(({ token, user }) =>
        user === undefined
          ? { ...token, seenLater: true }
          : { sub: token.sub, phone: token.phone, plan: 'pro' },
      );
      const { rig, sessions, end } = await rigWith(major, method, app.jwt);
      app.wire(() => sessions);
      const { jar, reply } = await method.signIn(rig);

      expect(reply.location?.href).toBe(`${ORIGIN}/account`);
      expect(jar.has(rig.cookie)).toBe(true);
      const [{ sid, sub, trigger }] = app.seen as [Seen];
      expect(trigger).toBe('signIn');
      // The app's callback reads the session id, but its logs and spreads of the token leave it out.
      expect(typeof sid).toBe('string');
      for (const { logged } of app.seen) expect(logged).not.toContain(String(sid));
      const claims = await rig.decode(jar);
      expect(claims).toMatchObject({
        sid,
        sub,
        plan: 'pro',
        upstream: method.name === 'phone' ? 'phone' : 'timbr',
      });
      const listed = await sessions.list(String(sub));
      expect(listed).toHaveLength(1);
      expect(await sessions.status(String(sid))).toMatchObject({ active: true });

      // Later requests: the app's callback runs on the checked token; the session works.
      const session = await rig.session(jar);
      expect((session?.user as { id?: string } | undefined)?.id).toBe(sub);
      expect(session?.sessionId).toBe(listed[0]?.id);
      expect(app.seen.at(-1)).toMatchObject({ sid, signingIn: false, activeThen: true });
      expect(app.seen.at(-1)?.logged).not.toContain(String(sid));
      expect(end).not.toHaveBeenCalled();

      // Sign-out still ends it; the ended session's token no longer reaches the app's callback.
      await rig.signOut(jar);
      expect(await sessions.list(String(sub))).toEqual([]);
      const calls = app.seen.length;
      await rig.session(jar);
      expect(app.seen).toHaveLength(calls);
      expect(warnings.mock.calls).toEqual([]);
    });

    const laterFailures: [string, () => null][] = [
      [
        'throws',
        () => {
          throw new Error('accounts database down');
        },
      ],
      ['returns null', () => null],
    ];
    it.each(laterFailures)(
      'on a later request it %s: next-auth signs the browser out, and the session is ended too (a copied cookie is dead)',
      async (_, fail) => {
        let failing = false;
        const app = appJWT(({ token, user }) => (user === undefined && failing ? fail() : token));
        const { rig, sessions, end } = await rigWith(major, method, app.jwt);
        app.wire(() => sessions);
        const { jar } = await method.signIn(rig);
        const [{ sid, sub }] = app.seen as [Seen];
        const copied = new Map(jar);
        expect(await sessions.list(String(sub))).toHaveLength(1);

        failing = true;
        const failed = await rig.session(jar);
        expect(failed?.user).toBeUndefined();
        expect(app.seen.at(-1)).toMatchObject({ sid, signingIn: false, activeThen: true });
        // next-auth's own answer: the browser's session cookie is cleared.
        expect(jar.has(rig.cookie)).toBe(false);
        // So the session is ended, once, and its upstream tokens dropped.
        expect(end.mock.calls).toEqual([[sid, 'ended_by_app']]);
        expect(await sessions.status(String(sid))).toEqual({
          active: false,
          reason: 'ended_by_app',
        });
        expect(await sessions.list(String(sub))).toEqual([]);

        // A copy of the cookie taken before no longer signs anyone in, even once the app recovers.
        failing = false;
        const again = await rig.session(copied);
        expect(again?.user).toBeUndefined();
        expect(end).toHaveBeenCalledTimes(1);
      },
    );
  });
});

describe('revocableSessions({ jwt }) on its own', () => {
  /** A store with `providerId` that records what `end` was asked. */
  function store(providerId: string) {
    const ended: [string, string | undefined][] = [];
    const sessions = {
      providerId,
      create: async () => {
        throw new Error('not used');
      },
      status: async () => ({ active: true as const, id: 'public-id' }),
      end: async (sid: string, reason?: string) => {
        ended.push([sid, reason]);
        return true;
      },
    } as unknown as RevocableSessionsStore;
    return { sessions, ended };
  }
  const userWith = (sid: string) => {
    const user: Record<string, unknown> = { id: 'asha' };
    Object.defineProperty(user, 'sid', { value: sid, enumerable: false });
    return user;
  };

  it.each([
    ['v4', revocableV4],
    ['v5', revocableV5],
  ] as const)(
    '%s: the same sign-in failing twice ends its session once, and rethrows each time',
    async (_, revocable) => {
      const phoneStore = store('phone');
      const thrown = new Error('accounts database down');
      const { callbacks } = revocable(phoneStore.sessions, {
        jwt() {
          throw thrown;
        },
      });
      const user = userWith('sid-1');
      await expect(callbacks.jwt({ token: {}, user, trigger: 'signIn' })).rejects.toBe(thrown);
      await expect(callbacks.jwt({ token: {}, user, trigger: 'signIn' })).rejects.toBe(thrown);
      expect(phoneStore.ended).toEqual([['sid-1', 'ended_by_app']]);
      // A later request's throw (no user): next-auth clears the cookie, so that session ends too.
      await expect(
        callbacks.jwt({ token: { sub: 'asha', sid: 'sid-2', upstream: 'phone' } }),
      ).rejects.toBe(thrown);
      expect(phoneStore.ended).toEqual([
        ['sid-1', 'ended_by_app'],
        ['sid-2', 'ended_by_app'],
      ]);
    },
  );

  it('refuses a jwt option that is not a function, with a TypeError at start-up', () => {
    const { sessions } = store('phone');
    expect(() => revocableV4(sessions, { jwt: {} } as never)).toThrow(
      /^revocableSessions: `jwt` must be a function \(your jwt callback\)$/,
    );
    expect(() => revocableV5(sessions, { jwt: () => null, events: {} } as never)).toThrow(
      /^revocableSessions: unknown option `events`; known options: signIn, jwt, session$/,
    );
  });
});
