/**
 * A provider whose refresh rejects with a value that is not an Error (here `undefined`, as a bare
 * `Promise.reject()` or `throw undefined` gives): the rejection is passed on as it is, like any
 * other failure the manager does not know, and the session is kept. Before the fix, the manager
 * took `undefined` for "no failure", went on to store tokens it never got, and failed with a
 * TypeError of its own ("Cannot read properties of undefined").
 */
import { expect, it } from 'vitest';
import { codeError, makeTokens, unitSetup } from './units-helpers.js';

async function rejection(promise: Promise<unknown>): Promise<{ value: unknown }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (value: unknown) => ({ value }),
  );
}

it('a refresh that rejects with undefined: the caller gets that rejection, the session is kept', async () => {
  const h = unitSetup();
  const tokens = makeTokens(h.clock);
  const sid = await h.session(tokens);
  h.clock.set(tokens.accessExpiresAt - 1);
  h.provider.refreshSteps.push(() => Promise.reject(undefined));
  expect(await rejection(h.sessions.getAccessToken(sid))).toEqual({ value: undefined });
  expect(h.store.count('replace')).toBe(0);
  expect((await h.sessions.status(sid)).active).toBe(true);
  expect(h.events.filter((e) => e.type !== 'sign-in')).toEqual([]);
});

it('a lost answer, then a retry that rejects with undefined: that rejection, the session is kept', async () => {
  const h = unitSetup();
  const tokens = makeTokens(h.clock);
  const sid = await h.session(tokens);
  h.clock.set(tokens.accessExpiresAt - 1);
  h.provider.refreshSteps.push(
    () => Promise.reject(codeError('REFRESH_UNKNOWN_OUTCOME')),
    () => Promise.reject(undefined),
  );
  expect(await rejection(h.sessions.getAccessToken(sid))).toEqual({ value: undefined });
  expect(h.provider.refreshCalls).toHaveLength(2);
  expect(h.store.count('replace')).toBe(0);
  expect((await h.sessions.status(sid)).active).toBe(true);
});
