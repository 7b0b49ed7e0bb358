// The README's token-upstream examples, kept runnable so they cannot drift from the package.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type FakeTimbr, startFakeNotes, startFakeTimbr } from '../src/index.js';

let now = Date.parse('2026-01-15T06:00:00Z');
let timbr: FakeTimbr;
beforeEach(async () => {
  timbr = await startFakeTimbr({ now: () => now, rotation: 'rotate-detect-reuse' });
});
afterEach(() => timbr.close());

const post = (path: string, body: unknown) =>
  fetch(`${timbr.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

it('rotates the refresh token and revokes the family on a replay', async () => {
  const login = await post('/api/auth/jwt/', { username: 'dev', password: 'dev-password' });
  const { refresh } = await login.json(); // and `access`, a JWT that expires in 300 s

  now += 301_000; // the access token has expired: your code under test refreshes it
  const rotated = await post('/api/auth/jwt/refresh/', { refresh });
  expect(rotated.status).toBe(201);

  // Presenting the old refresh token again is reuse: the whole family is revoked.
  expect((await post('/api/auth/jwt/refresh/', { refresh })).status).toBe(401);
  expect(timbr.stats).toMatchObject({ refreshCalls: 2, rotations: 1, reuseDetected: 1 });
  expect(timbr.stats.duplicateRefreshPresentations).toBe(1); // 0 is what your code should reach
});

it('logs in to the notes fake with a form body', async () => {
  const notes = await startFakeNotes();
  try {
    const response = await fetch(`${notes.url}/auth/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'dev', password: 'dev-password' }),
    });
    const { tokens } = await response.json(); // { access_token: 'a.…', valid_for: 7200, refresh_token: 'r.…', … }
    expect(tokens).toMatchObject({ valid_for: 7200, type: 'api' });
  } finally {
    await notes.close();
  }
});
