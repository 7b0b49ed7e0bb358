/**
 * The sessions store fails (Redis down) while a signed-in browser reads its session, through
 * next-auth's real request handling (v4 `AuthHandler`, v5 `Auth()`). The read fails closed (no
 * session), but the cookie is kept: a throw from the `jwt` callback would make next-auth clear it,
 * signing the browser out for good while its session (and, for password sign-in, its upstream
 * tokens) stayed in the store. Once the store answers, the same cookie works again; nothing is
 * ended; the outage is told once, without the error's message or a session id. A sign-out while
 * the store cannot end the session still clears the cookie; this process then refuses copies of
 * it at once and ends the session in the background (backoff, an `unref`ed timer, bounded memory)
 * or at the first session read that shows the store is back.
 */

import { StoreUnavailableError } from '@tingting-auth/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type RevocableJWT,
  type RevocableSessionsStore,
  revocableSessions as revocableV4,
} from '../src/index.js';
import { revocableSessions as revocableV5 } from '../src/v5.js';
import { type MajorName, ORIGIN, PASSWORD, rigHooks, upstreamRig } from './upstream-rig.js';

const { rigs, warnings } = rigHooks();

afterEach(() => {
  vi.useRealTimers();
});

/** Let the work a request left running (not awaited by next-auth) settle. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

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

    it('a sign-out the store cannot end: the cookie is cleared, this process refuses a copy at once, and the end goes through in the background once the store is back', async () => {
      const rig = await upstreamRig(major);
      rigs.push(rig);
      const { jar } = await rig.signIn({ username: 'asha', password: PASSWORD });
      const copy = new Map(jar);
      const sid = String((await rig.decode(jar))?.sid);
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const timers = vi.spyOn(globalThis, 'setTimeout');
      const end = vi.spyOn(rig.sessions, 'end').mockRejectedValue(outage());
      const status = vi.spyOn(rig.sessions, 'status');

      await rig.signOut(jar);
      // next-auth cleared the cookie as usual.
      expect(jar.has(rig.cookie)).toBe(false);
      expect(end).toHaveBeenCalledTimes(1);
      expect(await rig.sessions.status(sid)).toMatchObject({ active: true });
      status.mockClear();
      // A copy of the cookie is refused by this process, with no store read.
      expect((await rig.request(copy, 'session')).body).toEqual(major === 'v5' ? null : {});
      expect(status).not.toHaveBeenCalled();
      // Told once, without the error's message or the session id.
      expect(warnings.mock.calls).toEqual([
        [
          expect.stringMatching(
            /failed to end a session \(StoreUnavailableError STORE_UNAVAILABLE\)/,
          ),
          { code: 'TINGTING_SESSION_END_FAILED' },
        ],
      ]);
      expect(JSON.stringify(warnings.mock.calls)).not.toMatch(/hunter2|10\.0\.0\.5/);
      expect(JSON.stringify(warnings.mock.calls)).not.toContain(sid);
      // One retry timer, which does not keep the process alive.
      expect(timers).toHaveBeenCalledTimes(1);
      const [timer] = timers.mock.results;
      expect((timer?.value as NodeJS.Timeout | undefined)?.hasRef()).toBe(false);

      // Still down at the first retry: tried again, later.
      await vi.advanceTimersByTimeAsync(1_000);
      expect(end).toHaveBeenCalledTimes(2);
      expect(await rig.sessions.status(sid)).toMatchObject({ active: true });

      // Back: the next retry ends the session, for every process sharing the store.
      end.mockRestore();
      await vi.advanceTimersByTimeAsync(2_000);
      expect(await rig.sessions.status(sid)).toEqual({ active: false, reason: 'signed_out' });
      expect(vi.getTimerCount()).toBe(0);
      expect(warnings).toHaveBeenCalledTimes(1);
    });

    it('a sign-out the store cannot end is ended at the first session read that shows the store is back', async () => {
      const rig = await upstreamRig(major);
      rigs.push(rig);
      const { jar } = await rig.signIn({ username: 'asha', password: PASSWORD });
      const { jar: other } = await rig.signIn({ username: 'asha', password: PASSWORD });
      const sid = String((await rig.decode(jar))?.sid);
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const end = vi.spyOn(rig.sessions, 'end').mockRejectedValue(outage());
      await rig.signOut(jar);
      end.mockRestore();
      // No timer has fired; another browser's session read works, so the end is retried now.
      expect((await rig.session(other))?.user).toBeDefined();
      await settle();
      expect(await rig.sessions.status(sid)).toEqual({ active: false, reason: 'signed_out' });
      expect(vi.getTimerCount()).toBe(0);
    });

    it('next-auth answers the sign-out as usual when an events.signOut throws', async () => {
      const rig = await upstreamRig(major, {
        eventsBeside: {
          signOut: () => {
            throw new Error('audit log down');
          },
        },
      });
      rigs.push(rig);
      const { jar } = await rig.signIn({ username: 'asha', password: PASSWORD });
      const { csrfToken } = (await rig.request(jar, 'csrf')).body as { csrfToken: string };
      const reply = await rig.request(jar, 'signout', {
        csrfToken,
        callbackUrl: `${ORIGIN}/signin`,
      });
      // Both majors catch and log what an event throws: the sign-out answers and clears the cookie.
      expect({ status: reply.status, location: reply.location?.href }).toEqual({
        status: 302,
        location: `${ORIGIN}/signin`,
      });
      expect(jar.has(rig.cookie)).toBe(false);
    });
  },
);

describe('revocableSessions: failed ends, on its own', () => {
  /** A store whose `end` fails while `down` says so; every session is active. */
  function store() {
    const state = { down: true, tries: 0, ended: [] as [string, string | undefined][] };
    const sessions = {
      providerId: 'phone',
      create: async () => {
        throw new Error('not used');
      },
      status: async () => ({ active: true as const, id: 'public-id' }),
      end: async (sid: string, reason?: string) => {
        state.tries += 1;
        if (state.down) throw outage();
        state.ended.push([sid, reason]);
        return true;
      },
    } as unknown as RevocableSessionsStore;
    return { sessions, state };
  }
  const token = (sid: string) => ({ sub: 'asha', sid, upstream: 'phone' });

  it.each([
    ['v4', revocableV4],
    ['v5', revocableV5],
  ] as const)(
    '%s: at most 10,000 are kept (and refused); past that the oldest is dropped',
    async (_, revocable) => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const { sessions } = store();
      const { callbacks, events } = revocable(sessions);
      for (let i = 0; i <= 10_000; i++) await events.signOut({ token: token(`sid-${i}`) });
      const refused = async (sid: string) => {
        const checked: object | null = await callbacks.jwt({ token: token(sid) });
        return checked === null || (checked as { ended?: boolean }).ended === true;
      };
      // The oldest was dropped: its cookie is checked against the store again.
      expect(await refused('sid-0')).toBe(false);
      expect(await refused('sid-1')).toBe(true);
      expect(await refused('sid-10000')).toBe(true);
      expect(vi.getTimerCount()).toBe(1);
      expect(warnings).toHaveBeenCalledTimes(1);
    },
  );

  it.each([
    ['v4', revocableV4],
    ['v5', revocableV5],
  ] as const)(
    '%s: a refused sign-in whose end fails is ended later with its reason; retries stop after about five minutes',
    async (_, revocable) => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const { sessions, state } = store();
      const { callbacks } = revocable(sessions, { signIn: () => false });
      const user = { id: 'asha' };
      Object.defineProperty(user, 'sid', { value: 'refused-sid', enumerable: false });
      expect(await callbacks.signIn({ user })).toBe(false);
      // Ten retries with backoff (about five minutes), then no timer is left.
      expect(vi.getTimerCount()).toBe(1);
      for (let minute = 0; minute < 20; minute++) await vi.advanceTimersByTimeAsync(60_000);
      expect(state.tries).toBe(11);
      expect(vi.getTimerCount()).toBe(0);
      expect(state.ended).toEqual([]);
      // A later session read that works retries it again: ended with the sign-in's reason.
      state.down = false;
      await callbacks.jwt({ token: token('another-sid') });
      await settle();
      expect(state.ended).toEqual([['refused-sid', 'ended_by_app']]);
    },
  );

  it.each([
    ['v4', revocableV4],
    ['v5', revocableV5],
  ] as const)(
    '%s: a store that reads but cannot end is retried once at the next read, not at every read',
    async (_, revocable) => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const { sessions, state } = store();
      const { callbacks, events } = revocable(sessions);
      await events.signOut({ token: token('signed-out-sid') });
      expect(state.tries).toBe(1);
      for (let read = 0; read < 5; read++) {
        await callbacks.jwt({ token: token('another-sid') });
        await settle();
      }
      expect(state.tries).toBe(2);
      // The backoff goes on: the next try is the timer's.
      await vi.advanceTimersByTimeAsync(1_000);
      expect(state.tries).toBe(3);
    },
  );
});
