/**
 * The sessions store fails (Redis down) while a signed-in browser reads its session, through
 * next-auth's real request handling (v4 `AuthHandler`, v5 `Auth()`). The read fails closed (no
 * session), but the cookie is kept: a throw from the `jwt` callback would make next-auth clear it,
 * signing the browser out for good while its session (and, for password sign-in, its upstream
 * tokens) stayed in the store. Once the store answers, the same cookie works again; nothing is
 * ended; the outage is told once, without the error's message or a session id.
 */

import { StoreUnavailableError } from '@tingting-auth/core';
import { describe, expect, it, vi } from 'vitest';
import type { RevocableJWT } from '../src/index.js';
import { type MajorName, PASSWORD, rigHooks, upstreamRig } from './upstream-rig.js';

const { rigs, warnings } = rigHooks();

/** A store failure whose message, as some clients' do, holds the connection URL. */
const outage = () =>
  new StoreUnavailableError('connect ECONNREFUSED redis://:hunter2-secret@10.0.0.5:6379');

describe.each<MajorName>(['v4', 'v5'])(
  'revocable sessions on next-auth %s, store down',
  (major) => {
    it('a session read answers no session but keeps the cookie; the same cookie works once the store is back', async () => {
      const appCalls: boolean[] = [];
      const jwt: RevocableJWT = ({ token, user }) => {
        appCalls.push(user !== undefined);
        return token;
      };
      const rig = await upstreamRig(major, { revocable: { jwt } });
      rigs.push(rig);
      const { jar } = await rig.signIn({ username: 'asha', password: PASSWORD });
      const before = await rig.decode(jar);
      const sid = before?.sid;
      expect(typeof sid).toBe('string');
      const end = vi.spyOn(rig.sessions, 'end');

      const down = vi.spyOn(rig.sessions, 'status').mockRejectedValue(outage());
      for (let read = 0; read < 2; read++) {
        const reply = await rig.request(jar, 'session');
        expect(reply.status).toBe(200);
        // No session: v5 `null` (`auth()` answers null), v4 `{}` (`getServerSession` answers null).
        expect(reply.body).toEqual(major === 'v5' ? null : {});
        // The cookie is still there, still naming the session.
        expect(jar.has(rig.cookie)).toBe(true);
        expect((await rig.decode(jar))?.sid).toBe(sid);
      }
      expect(down).toHaveBeenCalledTimes(2);
      // The app's callback is not run for a session that could not be checked.
      expect(appCalls).toEqual([true]);
      // Told once for the outage, with the error's name and code only.
      expect(warnings.mock.calls).toEqual([
        [
          expect.stringMatching(
            /sessions store failed \(StoreUnavailableError STORE_UNAVAILABLE\)/,
          ),
          { code: 'TINGTING_SESSIONS_STORE_UNAVAILABLE' },
        ],
      ]);
      expect(JSON.stringify(warnings.mock.calls)).not.toMatch(/hunter2|10\.0\.0\.5/);
      expect(JSON.stringify(warnings.mock.calls)).not.toContain(String(sid));

      // The store is back: the same cookie gives the session; nothing was ended.
      down.mockRestore();
      const session = await rig.session(jar);
      expect((session?.user as { id?: string } | undefined)?.id).toBe(before?.sub);
      expect(end).not.toHaveBeenCalled();
      expect(await rig.sessions.status(String(sid))).toMatchObject({ active: true });
      expect(appCalls).toEqual([true, false]);

      // A second outage is told again.
      vi.spyOn(rig.sessions, 'status').mockRejectedValueOnce(outage());
      await rig.request(jar, 'session');
      expect(warnings).toHaveBeenCalledTimes(2);
    });

    it('a session ended during the outage is refused once the store answers', async () => {
      const rig = await upstreamRig(major);
      rigs.push(rig);
      const { jar } = await rig.signIn({ username: 'asha', password: PASSWORD });
      const sid = String((await rig.decode(jar))?.sid);
      const down = vi.spyOn(rig.sessions, 'status').mockRejectedValue(outage());
      await rig.request(jar, 'session');
      expect(jar.has(rig.cookie)).toBe(true);
      down.mockRestore();
      await rig.sessions.end(sid, 'ended_by_app');
      const reply = await rig.request(jar, 'session');
      expect(reply.body).toEqual(major === 'v5' ? null : {});
    });
  },
);
