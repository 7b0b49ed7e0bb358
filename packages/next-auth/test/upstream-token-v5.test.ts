/**
 * `getUpstreamAccessToken` of the v5 entry against next-auth v5's own `next-auth/jwt` (the app's
 * next-auth is v5 here: the module name is pointed at the real next-auth 5.0.0-beta.32), with
 * sessions signed in through Auth.js's real request handling.
 */

import { beforeAll, describe, expect, it, vi } from 'vitest';
import { getUpstreamAccessToken } from '../src/v5.js';
import { AUTH_SECRET, type Codec, headersOf, PASSWORD, upstreamRig } from './upstream-rig.js';

vi.mock('next-auth/jwt', async () => await import('next-auth-v5/jwt'));

beforeAll(() => {
  vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});

describe('getUpstreamAccessToken (next-auth v5)', () => {
  it('refreshes once for concurrent calls, with no cookie write; RefreshTokenError after a refused refresh', async () => {
    const rig = await upstreamRig('v5', { kind: 'notes', accessSeconds: 300 });
    try {
      const { jar } = await rig.signIn({ username: 'asha', password: PASSWORD });
      const cookie = jar.get(rig.cookie);
      const tokenOf = () =>
        getUpstreamAccessToken({
          sessions: rig.sessions,
          headers: new Headers(headersOf(jar, false)),
          secret: AUTH_SECRET,
        });
      const first = await tokenOf();
      const sid = (await rig.decode(jar))?.sid as string;
      expect(first).toBe(await rig.sessions.getAccessToken(sid));

      rig.clock.advance(301_000);
      const tokens = await Promise.all(Array.from({ length: 8 }, tokenOf));
      expect(rig.fake.stats.refreshCalls).toBe(1);
      expect(new Set(tokens).size).toBe(1);
      expect(tokens[0]).not.toBe(first);
      expect(jar.get(rig.cookie)).toBe(cookie);
      expect(await tokenOf()).toBe(tokens[0]);

      // A renamed cookie is found with `cookieName` (and its salt), and not without it.
      const renamed = new Map([['my-session', cookie ?? '']]);
      const withName = (cookieName?: string) =>
        getUpstreamAccessToken({
          sessions: rig.sessions,
          headers: new Headers(headersOf(renamed, false)),
          secret: AUTH_SECRET,
          ...(cookieName ? { cookieName, salt: rig.cookie } : {}),
        });
      expect(await withName('my-session')).toBe(tokens[0]);
      expect(await withName()).toBeNull();
      // The wrong salt does not decode.
      expect(
        await getUpstreamAccessToken({
          sessions: rig.sessions,
          headers: new Headers(headersOf(jar, false)),
          secret: AUTH_SECRET,
          salt: 'another-salt',
        }),
      ).toBeNull();

      rig.fake.revokeAll('asha');
      rig.clock.advance(7_300_000);
      expect(await tokenOf()).toBeNull();
      expect(rig.fake.stats.refreshCalls).toBe(2);
      const session = await rig.session(jar);
      expect(session?.error).toBe('RefreshTokenError');
      expect(session?.user).toBeUndefined();
    } finally {
      await rig.close();
    }
  });

  it('a `__Secure-` cookie is read by default when the request carries one', async () => {
    const rig = await upstreamRig('v5');
    try {
      const { jar } = await rig.signIn({ username: 'asha', password: PASSWORD });
      // Auth.js salts a JWT with its cookie's name: re-issue it as the https app would.
      const { encode } = await import('@auth/core/jwt');
      const claims = await rig.decode(jar);
      const secureName = `__Secure-${rig.cookie}`;
      const secure = await encode({ token: claims ?? {}, secret: AUTH_SECRET, salt: secureName });
      const headers = new Headers(headersOf(new Map([[secureName, secure]]), false));
      const token = await getUpstreamAccessToken({
        sessions: rig.sessions,
        headers,
        secret: AUTH_SECRET,
      });
      expect(token).toBe(await rig.sessions.getAccessToken(claims?.sid as string));
      expect(
        await getUpstreamAccessToken({
          sessions: rig.sessions,
          headers,
          secret: AUTH_SECRET,
          secureCookie: false,
        }),
      ).toBeNull();
    } finally {
      await rig.close();
    }
  });

  it('the app’s own jwt.decode (a custom JWT encoding) is used given `decode`, with the salt', async () => {
    const salts: (string | undefined)[] = [];
    const codec: Codec = {
      encode: async ({ token = {}, salt }) =>
        `${salt}~${Buffer.from(JSON.stringify(token)).toString('base64url')}`,
      decode: async ({ token = '', salt }) => {
        salts.push(salt);
        const [prefix, body = ''] = token.split('~');
        return prefix === salt ? JSON.parse(Buffer.from(body, 'base64url').toString()) : null;
      },
    };
    const rig = await upstreamRig('v5', { codec });
    try {
      const { jar } = await rig.signIn({ username: 'asha', password: PASSWORD });
      const sid = String((await rig.decode(jar))?.sid);
      const tokenOf = (decode?: Codec['decode']) =>
        getUpstreamAccessToken({
          sessions: rig.sessions,
          headers: new Headers(headersOf(jar, false)),
          secret: AUTH_SECRET,
          ...(decode === undefined ? {} : { decode }),
        });
      salts.length = 0;
      expect(await tokenOf(codec.decode)).toBe(await rig.sessions.getAccessToken(sid));
      expect(salts).toEqual([rig.cookie]);
      expect(await tokenOf()).toBeNull();
    } finally {
      await rig.close();
    }
  });
});
