/**
 * The manager keeps the last token set it opened per session id, for at most 10,000 ids: a read
 * whose sealed blob is unchanged hands out the same (frozen) TokenSet object without decrypting
 * again; past 10,000 ids the oldest is forgotten (bounded memory) and its next read opens the blob
 * again (a new object, the same tokens). Object identity is how a caller can tell the two apart.
 */
import { expect, it } from 'vitest';
import { makeTokens, unitSetup } from './units-helpers.js';

it('an unchanged blob: the same TokenSet object; a rotated one: opened anew', async () => {
  const h = unitSetup();
  const tokens = makeTokens(h.clock);
  const sid = await h.session(tokens);
  const first = await h.sessions.getTokens(sid);
  expect(await h.sessions.getTokens(sid)).toBe(first);
  h.clock.set(tokens.accessExpiresAt);
  const rotated = await h.sessions.getTokens(sid);
  expect(rotated.generation).toBe(1);
  const read = await h.sessions.getTokens(sid);
  expect(read).not.toBe(first);
  expect(read.accessToken).toBe(rotated.accessToken);
  expect(await h.sessions.getTokens(sid)).toBe(read);
});

it('keeps 10,000 session ids; the 10,001st pushes the oldest out', async () => {
  const h = unitSetup();
  const sid = await h.session();
  const first = await h.sessions.getTokens(sid);
  // 9,999 more well-formed ids (unknown to the store): the cache is full, the first still in.
  const other = (i: number) => `${'s'.repeat(16)}.${i.toString(36).padStart(22, '_')}`;
  for (let i = 0; i < 9_999; i++) {
    expect(await h.sessions.status(other(i))).toEqual({ active: false, reason: 'unknown' });
  }
  expect(await h.sessions.getTokens(sid)).toBe(first);
  await h.sessions.status(other(9_999));
  const again = await h.sessions.getTokens(sid);
  expect(again).not.toBe(first);
  expect(again.accessToken).toBe(first.accessToken);
});

it('ending a session forgets what was opened for it', async () => {
  const h = unitSetup();
  const sid = await h.session();
  await h.sessions.getTokens(sid);
  expect(await h.sessions.end(sid)).toBe(true);
  await expect(h.sessions.getTokens(sid)).rejects.toMatchObject({ reason: 'signed_out' });
});
