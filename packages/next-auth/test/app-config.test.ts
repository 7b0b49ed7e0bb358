/**
 * Revocable sessions under the rest of the app's next-auth config, through next-auth's real
 * request handling (v4 `AuthHandler`, v5 `Auth()`): the app's own `events.signIn` that throws
 * (both majors log it and complete the sign-in: the session is the browser's, and sign-out still
 * ends it), and the app's own JWT encoding (`jwt: { encode, decode }`): one that keeps the claims
 * works as next-auth's own, `getUpstreamAccessToken` reads it given `decode`; one that drops
 * claims fails closed (no session) and is told once.
 */

import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { getUpstreamAccessToken } from '../src/index.js';
import {
  AUTH_SECRET,
  type Codec,
  headersOf,
  type MajorName,
  ORIGIN,
  PASSWORD,
  rigHooks,
  upstreamRig,
} from './upstream-rig.js';

const { rigs, warnings } = rigHooks();

/** An app's own encoding: base64url JSON, signed with HMAC-SHA256 (salted as v5 salts). */
function signedJSON(keep: (token: Record<string, unknown>) => Record<string, unknown> = (t) => t) {
  const mac = (body: string, salt: string | undefined) =>
    createHmac('sha256', `${AUTH_SECRET}:${salt ?? ''}`)
      .update(body)
      .digest('base64url');
  const codec: Codec = {
    async encode({ token = {}, salt }) {
      const body = Buffer.from(JSON.stringify(keep(token))).toString('base64url');
      return `${body}.${mac(body, salt)}`;
    },
    async decode({ token, salt }) {
      const [body = '', signature = ''] = (token ?? '').split('.');
      const expected = Buffer.from(mac(body, salt));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      return JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    },
  };
  return codec;
}

const noSession = (major: MajorName) => (major === 'v5' ? null : {});

describe.each<MajorName>(['v4', 'v5'])('revocable sessions on next-auth %s', (major) => {
  it('the app’s events.signIn throws: the sign-in completes, the session is the browser’s, and sign-out still ends it', async () => {
    const signIn = vi.fn(() => {
      throw new Error('analytics down');
    });
    const rig = await upstreamRig(major, { eventsBeside: { signIn } });
    rigs.push(rig);
    const { jar, reply } = await rig.signIn({ username: 'asha', password: PASSWORD });
    expect(signIn).toHaveBeenCalledTimes(1);
    expect(reply.location?.href).toBe(`${ORIGIN}/account`);
    const sid = String((await rig.decode(jar))?.sid);
    expect(await rig.sessions.status(sid)).toMatchObject({ active: true });
    expect((await rig.session(jar))?.user).toBeDefined();

    const copy = new Map(jar);
    await rig.signOut(jar);
    expect(await rig.sessions.status(sid)).toEqual({ active: false, reason: 'signed_out' });
    expect((await rig.request(copy, 'session')).body).toEqual(noSession(major));
  });

  it('the app’s own jwt.encode/decode that keep the claims: sessions work, sign-out ends them, getUpstreamAccessToken reads them given decode', async () => {
    const codec = signedJSON();
    const rig = await upstreamRig(major, { codec });
    rigs.push(rig);
    const { jar, reply } = await rig.signIn({ username: 'asha', password: PASSWORD });
    expect(reply.location?.href).toBe(`${ORIGIN}/account`);
    // The cookie is the app's encoding, and names the session.
    const claims = await rig.decode(jar);
    const sid = String(claims?.sid);
    expect(claims).toMatchObject({ sub: expect.any(String), upstream: 'timbr' });
    expect(await rig.sessions.status(sid)).toMatchObject({ active: true });
    const [listed] = await rig.sessions.list(String(claims?.sub));
    expect(await rig.session(jar)).toMatchObject({
      user: { id: claims?.sub },
      sessionId: listed?.id,
    });

    if (major === 'v4') {
      // `next-auth/jwt` is v4's here; v5's getToken takes `decode` the same way.
      const tokenOf = (decode?: Codec['decode']) =>
        getUpstreamAccessToken({
          sessions: rig.sessions,
          headers: new Headers(headersOf(jar, false)),
          secret: AUTH_SECRET,
          ...(decode === undefined ? {} : { decode }),
        });
      expect(await tokenOf(codec.decode)).toBe(await rig.sessions.getAccessToken(sid));
      // Without it the app's cookie does not decode: no token (fail closed).
      expect(await tokenOf()).toBeNull();
      await expect(tokenOf({} as never)).rejects.toThrow(
        /^getUpstreamAccessToken: `decode` must be a function/,
      );
    }

    const copy = new Map(jar);
    await rig.signOut(jar);
    expect(await rig.sessions.status(sid)).toEqual({ active: false, reason: 'signed_out' });
    expect((await rig.request(copy, 'session')).body).toEqual(noSession(major));
    expect(warnings.mock.calls).toEqual([]);
  });

  it('the app’s own jwt.encode that drops claims it does not know (sid): no session (fails closed), told once', async () => {
    const codec = signedJSON(({ sub, name, email }) => ({ sub, name, email }));
    const rig = await upstreamRig(major, { codec });
    rigs.push(rig);
    const { jar } = await rig.signIn({ username: 'asha', password: PASSWORD });
    expect(await rig.decode(jar)).not.toHaveProperty('sid');
    for (let read = 0; read < 2; read++) {
      expect((await rig.request(jar, 'session')).body).toEqual(noSession(major));
    }
    expect(warnings.mock.calls).toEqual([
      [expect.stringMatching(/no session id \(sid\)/), { code: 'TINGTING_SESSION_ID_MISSING' }],
    ]);
  });
});
