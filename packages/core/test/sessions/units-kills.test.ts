/**
 * Behaviours the first mutation run of the sessions showed untested: a public id that is not a
 * string (an array stringifies to a valid id), the poll loop stopping as soon as the holder's
 * generation is stored, and the give-up deadline itself (not a millisecond later).
 */
import { afterEach, expect, it, vi } from 'vitest';
import { anotherProcess, makeTokens, unitSetup } from './units-helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

it('endById with an id that is not a string, even one that stringifies to a public id, ends nothing', async () => {
  const h = unitSetup();
  const a = await h.sessions.create({ subject: 'u' });
  h.store.calls.length = 0;
  expect(await h.sessions.endById('u', [a.session.id] as never)).toBe(false);
  expect(await h.sessions.endById('u', { toString: () => a.session.id } as never)).toBe(false);
  expect(h.store.calls).toEqual([]);
  expect(await h.sessions.status(a.sid)).toMatchObject({ active: true });
});

it('a waiter stops polling at the first read that shows the holder stored a new generation', async () => {
  const h = unitSetup();
  const other = anotherProcess(h);
  const tokens = makeTokens(h.clock);
  const sid = await h.session(tokens);
  h.clock.set(tokens.accessExpiresAt - 1);
  h.store.answer.lock = () => Promise.resolve(false);
  let rotated = false;
  const afterRotation: number[] = [];
  h.store.answer.get = () => {
    if (rotated) afterRotation.push(Date.now());
    return undefined;
  };
  // The holder stores generation 1 after about 120 ms (between the 2nd and 3rd poll).
  setTimeout(() => {
    void other.getAccessToken(sid).then(() => {
      rotated = true;
    });
  }, 120);
  const got = await h.sessions.getTokens(sid);
  expect(got.generation).toBe(1);
  // One read after the rotation (the one that saw it), one lock attempt per poll before it.
  expect(afterRotation).toHaveLength(1);
  expect(h.store.count('lock')).toBe(h.store.count('get') - 1);
});

it('the wait ends at the deadline exactly, not one poll later', async () => {
  // Only Date is faked (the poll timers are real): the deadline is on Date.now, and Date stands
  // still at exactly the deadline from the first poll on.
  vi.useFakeTimers({ toFake: ['Date'] });
  const start = Date.now();
  const h = unitSetup({ refreshTimeoutInMilliseconds: 1 });
  const tokens = makeTokens(h.clock);
  const sid = await h.session(tokens);
  h.clock.set(tokens.accessExpiresAt - 1);
  h.store.answer.lock = () => {
    // Lock lifetime 2 * 1 + 2,000 ms, plus a second: the deadline is start + 3,002 ms.
    vi.setSystemTime(start + 3_002);
    return Promise.resolve(false);
  };
  const outcome = await Promise.race([
    h.sessions.getTokens(sid).then((t) => t.accessToken),
    new Promise((resolve) => setTimeout(() => resolve('still polling'), 2_000)),
  ]);
  expect(outcome).toBe(tokens.accessToken);
  expect(h.store.count('lock')).toBe(1);
});
