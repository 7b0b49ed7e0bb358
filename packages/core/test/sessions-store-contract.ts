/**
 * The shared contract suite of {@link UpstreamSessionStore} and {@link LoginThrottleStore}: every
 * rule documented in `src/upstream/sessions-store.ts` and `src/upstream/throttle-store.ts`, with
 * explicit `now` values on both sides of each boundary, plus the concurrency properties (one CAS
 * winner, one lock holder, exactly `limit` attempts counted out of many in parallel).
 *
 * Every test uses fresh random subjects and groups, so a store shared across tests (one Redis
 * database, a cluster) can run the suite; `makeStore` is called once, `cleanup` once at the end.
 */

import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  SessionKey,
  StoredSession,
  UpstreamSessionStore,
} from '../src/upstream/sessions-store.js';
import type {
  LoginThrottleStore,
  ThrottleEntry,
  ThrottleRule,
} from '../src/upstream/throttle-store.js';

/** Options of {@link describeSessionStoreContract}. */
export interface SessionStoreContractOptions {
  /** Called once after the suite (close connections, delete keys). */
  cleanup?: () => Promise<void>;
}

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

function opaque(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

function freshKey(subject = opaque(12)): SessionKey {
  return { subject, id: opaque(16) };
}

function sessionOf(overrides: Partial<StoredSession> = {}): StoredSession {
  return {
    provider: 'timbr',
    generation: 0,
    createdAt: T0,
    lastSeenAt: T0,
    expiresAt: T0 + HOUR,
    info: opaque(60),
    tokens: opaque(300),
    ...overrides,
  };
}

type Store = UpstreamSessionStore & LoginThrottleStore;

/**
 * Define a vitest `describe` block that checks `makeStore`'s store against the session and
 * throttle store contracts.
 */
export function describeSessionStoreContract(
  name: string,
  makeStore: () => Promise<Store> | Store,
  options: SessionStoreContractOptions = {},
): void {
  describe(`UpstreamSessionStore contract: ${name}`, () => {
    let store: Store;

    beforeAll(async () => {
      store = await makeStore();
    });

    afterAll(async () => {
      await options.cleanup?.();
    });

    describe('create and get', () => {
      it('keeps every field, with and without tokens', async () => {
        const a = freshKey();
        const b = freshKey();
        const withTokens = sessionOf();
        const { tokens: _, ...withoutTokens } = sessionOf({ provider: 'phone' });
        await store.create(a, withTokens, T0);
        await store.create(b, withoutTokens, T0);
        expect(await store.get(a, T0 + 1)).toEqual({ state: 'active', session: withTokens });
        expect(await store.get(b, T0 + 1)).toEqual({ state: 'active', session: withoutTokens });
      });

      it('answers none for an unknown key, and keys are separate per subject and id', async () => {
        const a = freshKey();
        await store.create(a, sessionOf(), T0);
        expect(await store.get(freshKey(), T0)).toEqual({ state: 'none' });
        expect(await store.get({ subject: a.subject, id: opaque(16) }, T0)).toEqual({
          state: 'none',
        });
        expect(await store.get({ subject: opaque(12), id: a.id }, T0)).toEqual({ state: 'none' });
      });

      it('is active while now < expiresAt and none from expiresAt on', async () => {
        const a = freshKey();
        await store.create(a, sessionOf({ expiresAt: T0 + 1_000 }), T0);
        expect((await store.get(a, T0 + 999)).state).toBe('active');
        expect(await store.get(a, T0 + 1_000)).toEqual({ state: 'none' });
      });

      it('touches lastSeenAt only from lastSeenAt + touchAfter on, and keeps it', async () => {
        const a = freshKey();
        await store.create(a, sessionOf(), T0);
        const early = await store.get(a, T0 + 59_999, 60_000);
        expect(early.state === 'active' && early.session.lastSeenAt).toBe(T0);
        const touched = await store.get(a, T0 + 60_000, 60_000);
        expect(touched.state === 'active' && touched.session.lastSeenAt).toBe(T0 + 60_000);
        const read = await store.get(a, T0 + 60_001);
        expect(read.state === 'active' && read.session.lastSeenAt).toBe(T0 + 60_000);
      });

      it('does not touch without touchAfter', async () => {
        const a = freshKey();
        await store.create(a, sessionOf(), T0);
        await store.get(a, T0 + HOUR - 1);
        const read = await store.get(a, T0 + HOUR - 1, HOUR);
        expect(read.state === 'active' && read.session.lastSeenAt).toBe(T0);
      });
    });

    describe('replace', () => {
      it('writes tokens, generation and expiry when the generation matches', async () => {
        const a = freshKey();
        const session = sessionOf();
        await store.create(a, session, T0);
        const next = { generation: 1, tokens: opaque(300), expiresAt: T0 + 2 * HOUR };
        expect(await store.replace(a, 0, next, T0 + 10)).toBe('ok');
        expect(await store.get(a, T0 + HOUR + 1)).toEqual({
          state: 'active',
          session: { ...session, ...next },
        });
      });

      it('refuses another generation and changes nothing', async () => {
        const a = freshKey();
        const session = sessionOf({ generation: 3 });
        await store.create(a, session, T0);
        const next = { generation: 3, tokens: opaque(300), expiresAt: T0 + HOUR };
        expect(await store.replace(a, 2, next, T0)).toBe('conflict');
        expect(await store.replace(a, 4, next, T0)).toBe('conflict');
        expect(await store.get(a, T0)).toEqual({ state: 'active', session });
      });

      it('answers missing for an unknown, expired or ended session', async () => {
        const next = { generation: 1, tokens: opaque(300), expiresAt: T0 + HOUR };
        expect(await store.replace(freshKey(), 0, next, T0)).toBe('missing');
        const expired = freshKey();
        await store.create(expired, sessionOf({ expiresAt: T0 + 100 }), T0);
        expect(await store.replace(expired, 0, next, T0 + 100)).toBe('missing');
        const ended = freshKey();
        await store.create(ended, sessionOf(), T0);
        await store.end(ended, 'signed_out', T0, T0 + HOUR);
        expect(await store.replace(ended, 0, next, T0)).toBe('missing');
      });

      it('lets exactly one of 20 parallel replaces of one generation win', async () => {
        const a = freshKey();
        await store.create(a, sessionOf(), T0);
        const outcomes = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.replace(a, 0, { generation: 1, tokens: `t${i}`, expiresAt: T0 + HOUR }, T0),
          ),
        );
        expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
        expect(outcomes.filter((o) => o === 'conflict')).toHaveLength(19);
      });
    });

    describe('end', () => {
      it('ends an active session and tells why until keepReasonUntil', async () => {
        const a = freshKey();
        await store.create(a, sessionOf(), T0);
        expect(await store.end(a, 'refresh_rejected', T0 + 10, T0 + 1_000)).toBe(true);
        expect(await store.get(a, T0 + 999)).toEqual({
          state: 'ended',
          reason: 'refresh_rejected',
        });
        // Ending again changes nothing (the first reason stays).
        expect(await store.end(a, 'signed_out', T0 + 999, T0 + 1_000)).toBe(false);
        expect(await store.get(a, T0 + 999)).toEqual({
          state: 'ended',
          reason: 'refresh_rejected',
        });
        expect(await store.get(a, T0 + 1_000)).toEqual({ state: 'none' });
      });

      it('answers false for an unknown or expired session and keeps no reason for it', async () => {
        expect(await store.end(freshKey(), 'signed_out', T0, T0 + HOUR)).toBe(false);
        const a = freshKey();
        await store.create(a, sessionOf({ expiresAt: T0 + 10 }), T0);
        expect(await store.end(a, 'signed_out', T0 + 10, T0 + HOUR)).toBe(false);
        expect(await store.get(a, T0 + 11)).toEqual({ state: 'none' });
      });

      it('releases the refresh lock with the session', async () => {
        const a = freshKey();
        await store.create(a, sessionOf(), T0);
        expect(await store.lock(a, 'holder', 60_000)).toBe(true);
        await store.end(a, 'signed_out', T0, T0 + HOUR);
        expect(await store.lock(a, 'next', 60_000)).toBe(true);
      });

      it('a new session under an ended key is active again', async () => {
        const a = freshKey();
        await store.create(a, sessionOf(), T0);
        await store.end(a, 'signed_out', T0, T0 + HOUR);
        await store.create(a, sessionOf({ createdAt: T0 + 5 }), T0 + 5);
        expect((await store.get(a, T0 + 6)).state).toBe('active');
      });
    });

    describe('list and endAll', () => {
      it('lists the active sessions of one subject, oldest first', async () => {
        const subject = opaque(12);
        const keys = [freshKey(subject), freshKey(subject), freshKey(subject), freshKey(subject)];
        await store.create(keys[2]!, sessionOf({ createdAt: T0 + 2 }), T0 + 2);
        const first = sessionOf({ createdAt: T0 });
        await store.create(keys[0]!, first, T0);
        await store.create(keys[1]!, sessionOf({ createdAt: T0 + 1, expiresAt: T0 + 50 }), T0 + 1);
        await store.create(keys[3]!, sessionOf({ createdAt: T0 + 3 }), T0 + 3);
        await store.create(freshKey(), sessionOf(), T0);
        await store.end(keys[3]!, 'signed_out', T0 + 4, T0 + HOUR);
        const listed = await store.list(subject, T0 + 50);
        expect(listed.map((l) => l.id)).toEqual([keys[0]!.id, keys[2]!.id]);
        expect(listed[0]!.session).toEqual(first);
        expect(await store.list(opaque(12), T0)).toEqual([]);
      });

      it('endAll ends every session of the subject but the one excepted, and only those', async () => {
        const subject = opaque(12);
        const keys = [freshKey(subject), freshKey(subject), freshKey(subject)];
        for (const key of keys) await store.create(key, sessionOf(), T0);
        const other = freshKey();
        await store.create(other, sessionOf(), T0);
        expect(
          await store.endAll(subject, 'ended_everywhere', T0 + 1, T0 + HOUR, keys[1]!.id),
        ).toBe(2);
        expect(await store.get(keys[0]!, T0 + 2)).toEqual({
          state: 'ended',
          reason: 'ended_everywhere',
        });
        expect(await store.get(keys[2]!, T0 + 2)).toEqual({
          state: 'ended',
          reason: 'ended_everywhere',
        });
        expect((await store.get(keys[1]!, T0 + 2)).state).toBe('active');
        expect((await store.get(other, T0 + 2)).state).toBe('active');
        expect((await store.list(subject, T0 + 2)).map((l) => l.id)).toEqual([keys[1]!.id]);
        expect(await store.endAll(subject, 'ended_everywhere', T0 + 3, T0 + HOUR)).toBe(1);
        expect(await store.list(subject, T0 + 3)).toEqual([]);
      });

      it('endAll of an unknown subject ends nothing', async () => {
        expect(await store.endAll(opaque(12), 'ended_everywhere', T0, T0 + HOUR)).toBe(0);
      });
    });

    describe('lock', () => {
      it('is held by one taker until released with its token (compare-and-delete)', async () => {
        const a = freshKey();
        expect(await store.lock(a, 'one', 60_000)).toBe(true);
        expect(await store.lock(a, 'two', 60_000)).toBe(false);
        await store.unlock(a, 'two');
        expect(await store.lock(a, 'three', 60_000)).toBe(false);
        await store.unlock(a, 'one');
        expect(await store.lock(a, 'four', 60_000)).toBe(true);
      });

      it('expires on its own after its time to live', async () => {
        const a = freshKey();
        expect(await store.lock(a, 'one', 40)).toBe(true);
        await sleep(120);
        expect(await store.lock(a, 'two', 60_000)).toBe(true);
      });

      it('goes to exactly one of 20 parallel takers', async () => {
        const a = freshKey();
        const taken = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.lock(a, `t${i}`, 60_000)),
        );
        expect(taken.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('throttle', () => {
      const entry = (rule: ThrottleRule, group = opaque(12), key = 'k'): ThrottleEntry => ({
        group,
        key,
        rule,
      });
      const consecutive: ThrottleRule = {
        kind: 'consecutive',
        limit: 3,
        blockInMilliseconds: 1_000,
        keepInMilliseconds: 10_000,
      };
      const window: ThrottleRule = { kind: 'window', limit: 3, windowInMilliseconds: 10_000 };
      const delay: ThrottleRule = {
        kind: 'delay',
        free: 2,
        windowInMilliseconds: 100_000,
        baseDelayInMilliseconds: 100,
        maxDelayInMilliseconds: 400,
      };

      it('window: limit attempts, then refused until the window ends', async () => {
        const e = [entry(window)];
        for (let i = 0; i < 3; i++) expect(await store.consume(e, T0 + i)).toEqual({ ok: true });
        expect(await store.consume(e, T0 + 9_999)).toEqual({
          ok: false,
          retryAfterInMilliseconds: 1,
        });
        expect(await store.consume(e, T0 + 10_000)).toEqual({ ok: true });
      });

      it('consecutive: limit attempts, blocked after the last for the block time, one per block after', async () => {
        const e = [entry(consecutive)];
        for (let i = 0; i < 3; i++) expect(await store.consume(e, T0 + i)).toEqual({ ok: true });
        expect(await store.consume(e, T0 + 1_001)).toEqual({
          ok: false,
          retryAfterInMilliseconds: 1,
        });
        expect(await store.consume(e, T0 + 1_002)).toEqual({ ok: true });
        expect(await store.consume(e, T0 + 1_003)).toEqual({
          ok: false,
          retryAfterInMilliseconds: 999,
        });
        // Forgotten keep time after the first attempt.
        expect(await store.consume(e, T0 + 10_000)).toEqual({ ok: true });
        expect(await store.consume(e, T0 + 10_001)).toEqual({ ok: true });
      });

      it('delay: free attempts, then a doubling delay after the last one, capped', async () => {
        const e = [entry(delay)];
        expect(await store.consume(e, T0)).toEqual({ ok: true });
        expect(await store.consume(e, T0)).toEqual({ ok: true });
        expect(await store.consume(e, T0 + 99)).toEqual({ ok: false, retryAfterInMilliseconds: 1 });
        expect(await store.consume(e, T0 + 100)).toEqual({ ok: true });
        expect(await store.consume(e, T0 + 299)).toEqual({
          ok: false,
          retryAfterInMilliseconds: 1,
        });
        expect(await store.consume(e, T0 + 300)).toEqual({ ok: true });
        expect(await store.consume(e, T0 + 699)).toEqual({
          ok: false,
          retryAfterInMilliseconds: 1,
        });
        expect(await store.consume(e, T0 + 700)).toEqual({ ok: true });
        // Capped at 400.
        expect(await store.consume(e, T0 + 1_099)).toEqual({
          ok: false,
          retryAfterInMilliseconds: 1,
        });
        expect(await store.consume(e, T0 + 1_100)).toEqual({ ok: true });
      });

      it('refund takes one attempt back; reset forgets', async () => {
        const e = [entry(window)];
        for (let i = 0; i < 3; i++) await store.consume(e, T0);
        expect((await store.consume(e, T0)).ok).toBe(false);
        await store.refund(e, T0);
        expect(await store.consume(e, T0)).toEqual({ ok: true });
        expect((await store.consume(e, T0)).ok).toBe(false);
        await store.reset(e, T0);
        for (let i = 0; i < 3; i++) expect(await store.consume(e, T0)).toEqual({ ok: true });
      });

      it('refund never goes below zero', async () => {
        const e = [entry(window)];
        await store.consume(e, T0);
        await store.refund(e, T0);
        await store.refund(e, T0);
        for (let i = 0; i < 3; i++) expect(await store.consume(e, T0)).toEqual({ ok: true });
        expect((await store.consume(e, T0)).ok).toBe(false);
      });

      it('counts nothing when one entry refuses (same group and across groups), and answers the longest wait', async () => {
        const group = opaque(12);
        const full = entry(window, group, 'full');
        const free = entry(window, group, 'free');
        const elsewhere = entry(window, opaque(12), 'x');
        for (let i = 0; i < 3; i++) await store.consume([full], T0);
        for (let i = 0; i < 2; i++) {
          expect(await store.consume([free, full, elsewhere], T0 + 5_000)).toEqual({
            ok: false,
            retryAfterInMilliseconds: 5_000,
          });
        }
        // `free` and `elsewhere` still have all three attempts.
        for (let i = 0; i < 3; i++) {
          expect(await store.consume([free, elsewhere], T0 + 5_000)).toEqual({ ok: true });
        }
        expect((await store.consume([free], T0 + 5_000)).ok).toBe(false);
        expect((await store.consume([elsewhere], T0 + 5_000)).ok).toBe(false);
      });

      it('50 parallel attempts against a limit of 10 count exactly 10', async () => {
        const e = [
          entry({ ...consecutive, limit: 10, blockInMilliseconds: HOUR }),
          entry({ ...delay, free: 1_000 }),
        ];
        e[1] = { ...e[1]!, group: e[0]!.group, key: 'id' };
        const outcomes = await Promise.all(Array.from({ length: 50 }, () => store.consume(e, T0)));
        expect(outcomes.filter((o) => o.ok)).toHaveLength(10);
      });
    });
  });
}
