/**
 * Password sign-in (`UpstreamCredentials` + `revocableSessions`) through next-auth's real request
 * handling, v4 and v5, against the fake Timbr and notes upstreams on a hand-moved clock: sign-in,
 * identical refusals, the limiter, hostile inputs, what the JWT holds, one store read per request,
 * sign-out; and (v4's `next-auth/jwt`) `getUpstreamAccessToken`: single-flight refresh with no
 * cookie write, `RefreshTokenError` after the upstream refused the refresh.
 */

import { CredentialsSignin } from 'next-auth-v5';
import { secretsIn } from 'test-support/secrets';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  getUpstreamAccessToken,
  TingTingSignInError,
  UpstreamCredentials as UpstreamCredentialsV4,
} from '../src/index.js';
import { UpstreamCredentials as UpstreamCredentialsV5 } from '../src/v5.js';
import {
  AUTH_SECRET,
  headersOf,
  type MajorName,
  PASSWORD,
  type Rig,
  upstreamRig,
  WRONG,
} from './upstream-rig.js';

beforeAll(() => {
  process.env.NEXTAUTH_URL = 'http://localhost:3000';
  // next-auth logs every failed sign-in; the assertions are on its answers.
  vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});

const rigs: Rig[] = [];
afterEach(async () => {
  await Promise.all(rigs.splice(0).map((rig) => rig.close()));
});
async function rigFor(...args: Parameters<typeof upstreamRig>): Promise<Rig> {
  const rig = await upstreamRig(...args);
  rigs.push(rig);
  return rig;
}

describe.each<MajorName>(['v4', 'v5'])('UpstreamCredentials on next-auth %s', (major) => {
  it.each(['timbr', 'notes'] as const)(
    'signs in with the %s password: session cookie, user id and provider in the session',
    async (kind) => {
      const rig = await rigFor(major, { kind });
      const { jar, reply } = await rig.signIn({ username: 'asha', password: PASSWORD });
      expect(rig.codeOf(reply)).toBeNull();
      expect(reply.location?.href).toBe('http://localhost:3000/account');
      expect(jar.has(rig.cookie)).toBe(true);
      const claims = await rig.decode(jar);
      const session = await rig.session(jar);
      expect(session?.upstream).toBe(kind);
      expect((session?.user as { id?: string } | undefined)?.id).toBe(claims?.sub);
      expect(typeof claims?.sub).toBe('string');
      expect(rig.fake.stats.loginCalls).toBe(1);
      const [listed] = await rig.sessions.list(claims?.sub as string);
      expect(listed?.ip).toBe('198.51.100.9');
    },
  );

  it('signs in with `email` instead of `username`', async () => {
    const rig = await rigFor(major, { kind: 'notes' });
    const { jar, reply } = await rig.signIn({ email: 'asha@example.com', password: PASSWORD });
    expect(rig.codeOf(reply)).toBeNull();
    expect((await rig.session(jar))?.upstream).toBe('notes');
  });

  it('wrong password, unknown user and inactive account give the same INVALID_CREDENTIALS', async () => {
    const rig = await rigFor(major);
    const replies = [
      await rig.signIn({ username: 'asha', password: WRONG }),
      await rig.signIn({ username: 'nobody', password: PASSWORD }),
      await rig.signIn({ username: 'bikash', password: PASSWORD }),
    ];
    for (const { jar, reply } of replies) {
      expect(rig.codeOf(reply)).toBe('INVALID_CREDENTIALS');
      expect(jar.has(rig.cookie)).toBe(false);
    }
    const [first, ...others] = replies.map(({ reply }) => ({
      status: reply.status,
      location: reply.location?.href,
      cookies: reply.setCookies.map((pair) => pair.split('=')[0]).sort(),
    }));
    for (const other of others) expect(other).toEqual(first);
    expect(rig.fake.stats.loginCalls).toBe(3);
  });

  it('throttles: the 11th wrong password is RATE_LIMITED without an upstream call', async () => {
    const rig = await rigFor(major);
    for (let i = 0; i < 10; i++) {
      const { reply } = await rig.signIn({ username: 'asha', password: WRONG });
      expect(rig.codeOf(reply)).toBe('INVALID_CREDENTIALS');
    }
    const calls = rig.fake.stats.loginCalls;
    const { reply, jar } = await rig.signIn({ username: 'asha', password: PASSWORD });
    expect(rig.codeOf(reply)).toBe('RATE_LIMITED');
    expect(jar.has(rig.cookie)).toBe(false);
    expect(rig.fake.stats.loginCalls).toBe(calls);
  });

  it('hostile inputs are INVALID_REQUEST, never a 500, and never reach the upstream', async () => {
    const rig = await rigFor(major);
    const bodies: Record<string, unknown>[] = [
      { username: ['asha', 'asha'], password: PASSWORD },
      { username: { $ne: '' }, password: PASSWORD },
      { username: 'asha', password: ['a', 'b'] },
      { username: 'asha', password: { toString: 'x' } },
      { username: 'asha', password: 12345678 },
      { username: 'asha' },
      { password: PASSWORD },
      {},
      { username: 'asha', email: 'asha@example.com', password: PASSWORD },
      { username: '   ', password: PASSWORD },
    ];
    for (const body of bodies) {
      const { reply, jar } = await rig.signIn(body);
      expect(reply.status, JSON.stringify(body)).toBeLessThan(500);
      expect(rig.codeOf(reply), JSON.stringify(body)).toBe('INVALID_REQUEST');
      expect(jar.has(rig.cookie)).toBe(false);
    }
    expect(rig.fake.stats.loginCalls).toBe(0);
  });

  it('the JWT holds sid, sub and upstream only: no upstream token, no password', async () => {
    const rig = await rigFor(major);
    const { jar, reply } = await rig.signIn({ username: 'asha', password: PASSWORD });
    const claims = await rig.decode(jar);
    expect(Object.keys(claims ?? {}).sort()).toEqual([
      'exp',
      'iat',
      'jti',
      'sid',
      'sub',
      'upstream',
    ]);
    expect(claims?.upstream).toBe('timbr');
    const tokens = await rig.sessions.getTokens(claims?.sid as string);
    const secrets = [PASSWORD, tokens.accessToken, tokens.refreshToken ?? ''];
    expect(tokens.accessToken.length).toBeGreaterThan(20);
    const session = await rig.session(jar);
    const seen = [
      JSON.stringify(claims),
      ...reply.setCookies,
      JSON.stringify(session),
      reply.location?.href ?? '',
    ];
    expect(secretsIn(seen.join('\n'), secrets)).toEqual([]);
    // The session id (a bearer value) stays in the encrypted cookie, not the session object.
    expect(JSON.stringify(session)).not.toContain(claims?.sid as string);
  });

  it('the jwt callback costs exactly one store read (status) per request', async () => {
    const rig = await rigFor(major);
    const { jar } = await rig.signIn({ username: 'asha', password: PASSWORD });
    const status = vi.spyOn(rig.sessions, 'status');
    for (let i = 0; i < 3; i++) {
      rig.calls.length = 0;
      status.mockClear();
      expect((await rig.session(jar))?.upstream).toBe('timbr');
      expect(rig.calls).toEqual(['get']);
      expect(status).toHaveBeenCalledTimes(1);
    }
    expect(rig.fake.stats.refreshCalls).toBe(0);
  });

  it('sign-out ends the upstream session: a copied cookie is refused after it', async () => {
    const rig = await rigFor(major);
    const { jar } = await rig.signIn({ username: 'asha', password: PASSWORD });
    const copy = new Map(jar);
    const sub = (await rig.decode(jar))?.sub as string;
    expect(await rig.sessions.list(sub)).toHaveLength(1);
    await rig.signOut(jar);
    expect(jar.has(rig.cookie)).toBe(false);
    expect(await rig.sessions.list(sub)).toEqual([]);
    const after = await rig.session(copy);
    expect(after?.user).toBeUndefined();
    expect(after?.upstream).toBeUndefined();
  });

  it('getUser: the app maps the account; null refuses with ACCESS_DENIED and ends the session', async () => {
    const refuse = await rigFor(major, { provider: { getUser: () => null } });
    const signIn = vi.spyOn(refuse.sessions, 'signIn');
    const { reply, jar } = await refuse.signIn({ username: 'asha', password: PASSWORD });
    expect(refuse.codeOf(reply)).toBe('ACCESS_DENIED');
    expect(jar.has(refuse.cookie)).toBe(false);
    expect(refuse.fake.stats.loginCalls).toBe(1);
    // The session signIn started was ended: nothing is left to list for the subject.
    const started = await signIn.mock.results[0]?.value;
    expect(started?.ok).toBe(true);
    const subject = (started as { subject: string }).subject;
    expect(await refuse.sessions.list(subject)).toEqual([]);
    expect(await refuse.sessions.status((started as { sid: string }).sid)).toEqual({
      active: false,
      reason: 'ended_by_app',
    });

    const seen: unknown[] = [];
    const mapped = await rigFor(major, {
      provider: {
        getUser: (account) => {
          seen.push(account);
          return { id: `user-${account.subject}`, name: 'Asha' };
        },
      },
    });
    const ok = await mapped.signIn({ username: 'asha', password: PASSWORD });
    expect(mapped.codeOf(ok.reply)).toBeNull();
    expect(seen).toEqual([
      expect.objectContaining({
        provider: 'timbr',
        identifier: 'asha',
        subject: expect.any(String),
      }),
    ]);
    expect(JSON.stringify(seen)).not.toContain(PASSWORD);
    expect((await mapped.decode(ok.jar))?.sub).toMatch(/^user-/);
  });

  it('the upstream down is SERVICE_UNAVAILABLE, with nothing of the cause in the URL', async () => {
    const rig = await rigFor(major);
    await rig.fake.close();
    const { reply, jar } = await rig.signIn({ username: 'asha', password: PASSWORD });
    expect(rig.codeOf(reply)).toBe('SERVICE_UNAVAILABLE');
    expect(reply.location?.href).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    expect(jar.has(rig.cookie)).toBe(false);
  });
});

describe('UpstreamCredentials options', () => {
  const fakeSessions = {
    providerId: 'timbr',
    signIn: async () => ({ ok: false as const, reason: 'invalid_credentials' as const }),
    end: async () => false,
    status: async () => ({ active: false as const, reason: 'unknown' as const }),
  };

  it('refuses unknown or mistyped options with the shared TypeError', () => {
    expect(() =>
      UpstreamCredentialsV4({ sessions: fakeSessions, trustproxy: true } as never),
    ).toThrow(/^UpstreamCredentials: unknown option `trustproxy`; known options: .*trustProxy/);
    expect(() =>
      UpstreamCredentialsV5({ sessions: fakeSessions, CredentialsSignin, engine: {} } as never),
    ).toThrow(/unknown option `engine`/);
    expect(() => UpstreamCredentialsV4({ sessions: fakeSessions, getUser: 'x' } as never)).toThrow(
      /`getUser` must be a function/,
    );
    expect(() => UpstreamCredentialsV4({ sessions: fakeSessions, id: 'has space' })).toThrow(
      /`id` must be a non-empty URL-safe string/,
    );
    expect(() => UpstreamCredentialsV4({} as never)).toThrow(
      /`sessions` must be an UpstreamSessions/,
    );
    expect(() => UpstreamCredentialsV4(undefined as never)).toThrow(TypeError);
    expect(() => UpstreamCredentialsV5({ sessions: fakeSessions } as never)).toThrow(
      /`CredentialsSignin` must be the class from your app/,
    );
  });

  it('is a plain credentials provider: defaults, and nothing of the sessions in it', () => {
    const provider = UpstreamCredentialsV4({ sessions: fakeSessions });
    expect(provider).toMatchObject({ id: 'upstream', name: 'Password', type: 'credentials' });
    expect(Object.keys(provider.credentials)).toEqual(['username', 'password']);
    expect(JSON.stringify(provider)).not.toContain('providerId');
  });

  it('authorize throws the major’s failure with a code, for input next-auth never sends too', async () => {
    const v4 = UpstreamCredentialsV4({ sessions: fakeSessions });
    const v5 = UpstreamCredentialsV5({ sessions: fakeSessions, CredentialsSignin });
    for (const input of [undefined, null, 'username=asha', 42, ['asha', PASSWORD]]) {
      const failure4 = await v4.authorize(input).catch((error: unknown) => error);
      expect(failure4).toBeInstanceOf(TingTingSignInError);
      expect((failure4 as Error).message).toBe('INVALID_REQUEST');
      const failure5 = await v5.authorize(input).catch((error: unknown) => error);
      expect(failure5).toBeInstanceOf(CredentialsSignin);
      expect((failure5 as CredentialsSignin).code).toBe('INVALID_REQUEST');
    }
    const refused = await v5
      .authorize({ username: 'asha', password: PASSWORD })
      .catch((error: unknown) => error);
    expect((refused as CredentialsSignin).code).toBe('INVALID_CREDENTIALS');
    expect(String((refused as Error).message)).not.toContain(PASSWORD);
  });
});

describe('getUpstreamAccessToken (next-auth v4)', () => {
  const tokenOf = (rig: Rig, jar: Map<string, string>) =>
    getUpstreamAccessToken({
      sessions: rig.sessions,
      headers: new Headers(headersOf(jar, false)),
      secret: AUTH_SECRET,
    });

  it('gives the access token; after expiry, concurrent calls share one refresh and need no new cookie', async () => {
    const rig = await rigFor('v4', { accessSeconds: 300 });
    const { jar } = await rig.signIn({ username: 'asha', password: PASSWORD });
    const cookieBefore = jar.get(rig.cookie);
    const first = await tokenOf(rig, jar);
    const sid = (await rig.decode(jar))?.sid as string;
    expect(first).toBe(await rig.sessions.getAccessToken(sid));

    rig.clock.advance(301_000);
    rig.fake.expireAccessTokens();
    const tokens = await Promise.all(Array.from({ length: 8 }, () => tokenOf(rig, jar)));
    expect(rig.fake.stats.refreshCalls).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(first);
    expect(typeof tokens[0]).toBe('string');
    // The same, unchanged cookie keeps working: the new tokens live in the store.
    expect(jar.get(rig.cookie)).toBe(cookieBefore);
    expect(await tokenOf(rig, jar)).toBe(tokens[0]);
    expect(rig.fake.stats.refreshCalls).toBe(1);
    expect((await rig.session(jar))?.upstream).toBe('timbr');
  });

  it('refresh rejected (upstream revoked the grant): null, then session.error = RefreshTokenError', async () => {
    const rig = await rigFor('v4');
    const { jar } = await rig.signIn({ username: 'asha', password: PASSWORD });
    rig.fake.revokeAll('asha');
    rig.clock.advance(301_000);
    expect(await tokenOf(rig, jar)).toBeNull();
    expect(rig.fake.stats.refreshCalls).toBe(1);
    const session = await rig.session(jar);
    expect(session?.error).toBe('RefreshTokenError');
    expect(session?.user).toBeUndefined();
    // Told once more without a store read; the token no longer names a session.
    rig.calls.length = 0;
    expect((await rig.session(jar))?.error).toBe('RefreshTokenError');
    expect(rig.calls).toEqual([]);
    expect(Object.keys((await rig.decode(jar)) ?? {}).sort()).toEqual([
      'error',
      'exp',
      'iat',
      'jti',
      'sub',
      'upstream',
    ]);
  });

  it('null with no cookie, a foreign cookie, or after sign-out; an outage rethrows', async () => {
    const rig = await rigFor('v4');
    expect(await tokenOf(rig, new Map())).toBeNull();
    expect(await tokenOf(rig, new Map([[rig.cookie, 'not-a-jwt']]))).toBeNull();
    const { jar } = await rig.signIn({ username: 'asha', password: PASSWORD });
    const copy = new Map(jar);
    expect(typeof (await tokenOf(rig, jar))).toBe('string');
    // A plain-object headers bag works too (Pages Router's `req.headers`).
    expect(
      typeof (await getUpstreamAccessToken({
        sessions: rig.sessions,
        headers: headersOf(jar, false),
        secret: AUTH_SECRET,
      })),
    ).toBe('string');

    // The upstream answers 503 to the refresh: the app answers 503 too; the session is kept.
    rig.clock.advance(301_000);
    rig.fake.inject('refresh' as never, { status: 503, headers: { 'retry-after': '7' } });
    await expect(tokenOf(rig, jar)).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryAfterInSeconds: 7,
    });
    expect(typeof (await tokenOf(rig, jar))).toBe('string');

    await rig.signOut(jar);
    expect(await tokenOf(rig, copy)).toBeNull();
    await expect(
      getUpstreamAccessToken({ sessions: rig.sessions, headers: new Headers() }),
    ).rejects.toThrow(/no secret/);
  });
});
