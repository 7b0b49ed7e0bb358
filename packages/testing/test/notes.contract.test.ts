import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  manualClock,
  notesLogin,
  notesRefresh,
  postForm,
  postJSON,
  startNotes,
} from './upstream-helpers.js';

describe('notes login (seed 003 POST /auth/login)', () => {
  it('answers 200 with the seed’s token shape: a.<64 hex>, valid_for 7200, r.<64 hex>, auth_grant, api', async () => {
    const fake = await startNotes();
    const response = await postForm(`${fake.url}/auth/login`, {
      username: 'dev',
      password: 'dev-password',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      message: 'Login success',
      tokens: {
        access_token: expect.stringMatching(/^a\.[0-9a-f]{64}$/),
        valid_for: 7200,
        refresh_token: expect.stringMatching(/^r\.[0-9a-f]{64}$/),
        reference_token: 'auth_grant',
        type: 'api',
      },
    });
    expect(fake.stats.loginCalls).toBe(1);
  });

  it('takes the email instead of the username, and multipart form data too', async () => {
    const fake = await startNotes();
    const byEmail = await postForm(`${fake.url}/auth/login`, {
      username: 'DEV@example.com',
      password: 'dev-password',
    });
    expect(byEmail.status).toBe(200);
    const form = new FormData();
    form.set('username', 'dev');
    form.set('password', 'dev-password');
    const multipart = await fetch(`${fake.url}/auth/login`, { method: 'POST', body: form });
    expect(multipart.status).toBe(200);
  });

  it('refuses JSON, a missing field and no body with 400 {"error": "Bad request"}', async () => {
    const fake = await startNotes();
    const asJSON = await postJSON(`${fake.url}/auth/login`, {
      username: 'dev',
      password: 'dev-password',
    });
    expect(asJSON.status).toBe(400);
    expect(await asJSON.json()).toEqual({ error: 'Bad request' });
    const missing = await postForm(`${fake.url}/auth/login`, { username: 'dev' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: 'Bad request' });
    const empty = await fetch(`${fake.url}/auth/login`, { method: 'POST' });
    expect(empty.status).toBe(400);
  });

  it('answers 406 {error} for an unknown user, a wrong password and an inactive account', async () => {
    const fake = await startNotes({
      accounts: [
        { username: 'ram', password: 'ram-password' },
        { username: 'sita', password: 'sita-password', active: false },
      ],
    });
    const attempt = async (username: string, password: string) => {
      const response = await postForm(`${fake.url}/auth/login`, { username, password });
      return { status: response.status, body: await response.json() };
    };
    expect(await attempt('nobody', 'whatever-pass')).toEqual({
      status: 406,
      body: { error: 'Invalid username or password.' },
    });
    expect(await attempt('ram', 'wrong-password')).toEqual({
      status: 406,
      body: { error: 'Invalid username or password.' },
    });
    expect(await attempt('sita', 'sita-password')).toEqual({
      status: 406,
      body: { error: 'Account is not verified.' },
    });
    const custom = await startNotes({ loginErrors: { wrongPassword: 'Wrong password.' } });
    const wrong = await postForm(`${custom.url}/auth/login`, { username: 'dev', password: 'x' });
    expect(await wrong.json()).toEqual({ error: 'Wrong password.' });
  });
});

describe('notes refresh (seed 003 POST /auth/refresh)', () => {
  it('rotates by default: a d.<32 hex> refresh token, reference_token = the token presented; the old one is refused', async () => {
    const fake = await startNotes();
    const tokens = await notesLogin(fake);
    const response = await notesRefresh(fake, tokens.refresh_token);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toEqual({
      message: 'Refresh Success',
      tokens: {
        access_token: expect.stringMatching(/^a\.[0-9a-f]{64}$/),
        valid_for: 7200,
        refresh_token: expect.stringMatching(/^d\.[0-9a-f]{32}$/),
        reference_token: tokens.refresh_token,
        type: 'api',
      },
    });
    expect(body.tokens.access_token).not.toBe(tokens.access_token);
    const replay = await notesRefresh(fake, tokens.refresh_token);
    expect(replay.status).toBe(406);
    expect(await replay.json()).toEqual({ error: 'Invalid refresh token.' });
    const next = await notesRefresh(fake, body.tokens.refresh_token);
    expect(next.status).toBe(200);
    expect(fake.stats).toMatchObject({ refreshCalls: 3, rotations: 2, reuseDetected: 0 });
  });

  it('rotate-detect-reuse: a replay revokes the family; the fake records each presentation', async () => {
    const fake = await startNotes({ rotation: 'rotate-detect-reuse' });
    const tokens = await notesLogin(fake);
    const second = (await (await notesRefresh(fake, tokens.refresh_token)).json()).tokens;
    expect((await notesRefresh(fake, tokens.refresh_token)).status).toBe(406);
    expect((await notesRefresh(fake, second.refresh_token)).status).toBe(406);
    expect(fake.stats.reuseDetected).toBe(1);
    expect(fake.refreshTokensPresented.map(({ token, outcome }) => ({ token, outcome }))).toEqual([
      { token: tokens.refresh_token, outcome: 'rotated' },
      { token: tokens.refresh_token, outcome: 'reuse-detected' },
      { token: second.refresh_token, outcome: 'revoked' },
    ]);
    expect(fake.stats.duplicateRefreshPresentations).toBe(1);
    fake.resetStats();
    expect(fake.stats).toEqual({
      loginCalls: 0,
      refreshCalls: 0,
      reuseDetected: 0,
      rotations: 0,
      duplicateRefreshPresentations: 0,
    });
    expect(fake.refreshTokensPresented).toEqual([]);
  });

  it('rotation "none" answers the same refresh token back', async () => {
    const fake = await startNotes({ rotation: 'none' });
    const tokens = await notesLogin(fake);
    const body = await (await notesRefresh(fake, tokens.refresh_token)).json();
    expect(body.tokens.refresh_token).toBe(tokens.refresh_token);
  });

  it('lifetimes run on the fake clock: the access token after valid_for, the refresh token after 7 days', async () => {
    const clock = manualClock();
    const fake = await startNotes({ now: clock.now, rotation: 'none' });
    const tokens = await notesLogin(fake);
    const me = (token: string) =>
      fetch(`${fake.url}/auth/user`, { headers: { authorization: `Bearer ${token}` } });
    clock.advance(7_199_999);
    expect((await me(tokens.access_token)).status).toBe(200);
    clock.advance(1);
    const expired = await me(tokens.access_token);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({ error: 'Unauthorized' });
    clock.advance(7 * 86_400_000 - 7_200_000 - 1);
    expect((await notesRefresh(fake, tokens.refresh_token)).status).toBe(200);
    clock.advance(1);
    const lapsed = await notesRefresh(fake, tokens.refresh_token);
    expect(lapsed.status).toBe(406);
    expect(await lapsed.json()).toEqual({ error: 'Refresh token expired.' });
  });

  it('refuses JSON and a missing token with 400, an inactive account with 406', async () => {
    const fake = await startNotes();
    const tokens = await notesLogin(fake);
    const asJSON = await postJSON(`${fake.url}/auth/refresh`, {
      refresh_token: tokens.refresh_token,
    });
    expect(asJSON.status).toBe(400);
    expect(await asJSON.json()).toEqual({ error: 'Bad request' });
    expect((await postForm(`${fake.url}/auth/refresh`, {})).status).toBe(400);
    fake.setAccountActive('dev', false);
    const inactive = await notesRefresh(fake, tokens.refresh_token);
    expect(inactive.status).toBe(406);
    expect(await inactive.json()).toEqual({ error: 'Account is not verified.' });
    // A JSON body never reached the token logic: only the form requests were presentations.
    expect(fake.refreshTokensPresented).toHaveLength(1);
  });
});

describe('notes signup (seed 003 POST /auth/signup)', () => {
  it('answers 200 {message, userid}; the account cannot log in until it is verified', async () => {
    const fake = await startNotes();
    const response = await postForm(`${fake.url}/auth/signup`, {
      username: 'ram.thapa',
      password: 'nine-char',
      email: 'ram@example.com',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: 'Signup success', userid: 2 });
    expect(fake.signups).toEqual([
      expect.objectContaining({ username: 'ram.thapa', active: false }),
    ]);
    const login = await postForm(`${fake.url}/auth/login`, {
      username: 'ram.thapa',
      password: 'nine-char',
    });
    expect(login.status).toBe(406);
    fake.setAccountActive('ram@example.com', true);
    expect(
      (await notesLogin(fake, { username: 'ram.thapa', password: 'nine-char' })).valid_for,
    ).toBe(7200);
  });

  it('answers 400 for a password of 8 characters or fewer, a bad username or email, JSON; 409 for a taken one', async () => {
    const fake = await startNotes();
    const signup = (fields: Record<string, string>) => postForm(`${fake.url}/auth/signup`, fields);
    const good = { username: 'hari', password: 'long-enough', email: 'hari@example.com' };
    const bad = [
      { ...good, password: 'eight-ch' },
      { ...good, username: 'has space' },
      { ...good, email: 'not-an-email' },
      { username: 'hari', password: 'long-enough' },
    ];
    for (const fields of bad) {
      const response = await signup(fields);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: 'Bad request' });
    }
    expect((await postJSON(`${fake.url}/auth/signup`, good)).status).toBe(400);
    expect((await signup(good)).status).toBe(200);
    for (const taken of [
      good,
      { ...good, email: 'other@example.com' },
      { ...good, username: 'hari2', email: 'HARI@example.com' },
    ]) {
      const response = await signup(taken);
      expect(response.status).toBe(409);
      expect(await response.json()).toEqual({ error: 'Unable to signup.' });
    }
    const active = await startNotes({ signupActive: true });
    await postForm(`${active.url}/auth/signup`, good);
    expect((await notesLogin(active, good)).access_token).toMatch(/^a\./);
  });
});

describe('notes fake: routing and secrets', () => {
  it('answers JSON 404 for unknown paths and 405 for a wrong method', async () => {
    const fake = await startNotes();
    const unknown = await fetch(`${fake.url}/auth/logout`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'Not found' });
    const get = await fetch(`${fake.url}/auth/login`);
    expect(get.status).toBe(405);
    expect(await get.json()).toEqual({ error: 'Method not allowed' });
  });

  it('keeps passwords and tokens out of its log lines, requests, inspect() and JSON', async () => {
    const lines: string[] = [];
    const fake = await startNotes({
      logger: (line) => lines.push(line),
      accounts: [{ username: 'ram', password: 'very-secret-password' }],
    });
    const tokens = await notesLogin(fake, { username: 'ram', password: 'very-secret-password' });
    await notesRefresh(fake, tokens.refresh_token);
    for (const output of [
      lines.join('\n'),
      JSON.stringify(fake.requests),
      inspect(fake),
      JSON.stringify(fake),
    ]) {
      expect(output).not.toContain('very-secret-password');
      expect(output).not.toContain(tokens.access_token);
      expect(output).not.toContain(tokens.refresh_token);
    }
    expect(lines).toEqual(['POST /auth/login 200', 'POST /auth/refresh 200']);
  });
});
