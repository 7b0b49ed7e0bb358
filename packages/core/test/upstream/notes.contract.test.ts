/**
 * Seed 003 (notes service) against the fake over real HTTP on a fake clock: login, refresh and
 * signup, all form-encoded; each documented status maps to its result or typed error.
 */
import { describe, expect, it } from 'vitest';
import { NotesClient, notesProvider } from '../../src/upstream/index.js';
import { clock, ctxOf, expectNoSecrets, notes, recordingFetch, rejectionOf } from './helpers.js';

describe('Notes client (seed 003)', () => {
  it('sends every call as a form, never JSON (the fake answers JSON with 400)', async () => {
    const fake = await notes();
    const recorder = recordingFetch();
    const client = new NotesClient({ baseURL: fake.url, fetch: recorder.fetch });
    const login = await client.login({
      username: fake.account.username,
      password: fake.account.password,
    });
    await client.refresh(login.refreshToken!);
    await client.signup({
      username: 'hari',
      email: 'hari@example.com',
      password: 'a-long-password',
    });
    expect(recorder.seen.map((request) => [request.path, request.contentType])).toEqual([
      ['/auth/login', 'application/x-www-form-urlencoded'],
      ['/auth/refresh', 'application/x-www-form-urlencoded'],
      ['/auth/signup', 'application/x-www-form-urlencoded'],
    ]);
    expect(recorder.seen.every((request) => !request.body?.trim().startsWith('{'))).toBe(true);
  });

  it('login answers the tokens with valid_for; username or email both work', async () => {
    const fake = await notes();
    const client = new NotesClient({ baseURL: fake.url });
    for (const username of [fake.account.username, fake.account.email]) {
      const tokens = await client.login({ username, password: fake.account.password });
      expect(tokens.accessToken).toMatch(/^a\./);
      expect(tokens.refreshToken).toMatch(/^r\./);
      expect(tokens.validForInSeconds).toBe(7200);
      expect(JSON.stringify(tokens)).not.toContain(tokens.accessToken);
    }
  });

  it('406 on login is UPSTREAM_INVALID_CREDENTIALS for a wrong password, an unknown user and an inactive account', async () => {
    const fake = await notes();
    fake.addAccount({ username: 'sita', password: 'sita-password-1', active: false });
    const client = new NotesClient({ baseURL: fake.url });
    for (const credentials of [
      { username: fake.account.username, password: 'wrong-password' },
      { username: 'nobody', password: 'nobody-password' },
      { username: 'sita', password: 'sita-password-1' },
    ]) {
      const error = await rejectionOf(client.login(credentials));
      expect(error).toMatchObject({ code: 'UPSTREAM_INVALID_CREDENTIALS', status: 406 });
      expectNoSecrets(error, [credentials.password]);
    }
  });

  it('refresh rotates the refresh token; 406 for a used or unknown one is REFRESH_REJECTED', async () => {
    const fake = await notes();
    const client = new NotesClient({ baseURL: fake.url });
    const login = await client.login({
      username: fake.account.username,
      password: fake.account.password,
    });
    const refreshed = await client.refresh(login.refreshToken!);
    expect(refreshed.refreshToken).toBeDefined();
    expect(refreshed.refreshToken).not.toBe(login.refreshToken);
    expect(refreshed.accessToken).not.toBe(login.accessToken);
    const replay = await rejectionOf(client.refresh(login.refreshToken!));
    expect(replay).toMatchObject({ code: 'REFRESH_REJECTED', status: 406 });
    expectNoSecrets(replay, [login.refreshToken, refreshed.refreshToken]);
    expect(await rejectionOf(client.refresh('r.unknown'))).toMatchObject({
      code: 'REFRESH_REJECTED',
    });
  });

  it('signup: 200 → userId, 409 → SIGNUP_CONFLICT, a short password → UPSTREAM_BAD_REQUEST (400)', async () => {
    const fake = await notes();
    const client = new NotesClient({ baseURL: fake.url });
    const created = await client.signup({
      username: 'hari',
      email: 'hari@example.com',
      password: 'a-long-password',
    });
    expect(created.userId).toBe(String(fake.signups[0]?.id));
    const conflict = await rejectionOf(
      client.signup({ username: 'hari', email: 'hari2@example.com', password: 'another-long-one' }),
    );
    expect(conflict).toMatchObject({ code: 'SIGNUP_CONFLICT', status: 409 });
    const short = await rejectionOf(
      client.signup({ username: 'gita', email: 'gita@example.com', password: '12345678' }),
    );
    expect(short).toMatchObject({ code: 'UPSTREAM_BAD_REQUEST', status: 400 });
    expectNoSecrets(short, ['12345678']);
  });

  it('refuses empty fields before any request (VALIDATION_ERROR)', async () => {
    const fake = await notes();
    const client = new NotesClient({ baseURL: fake.url });
    expect(await rejectionOf(client.login({ username: '', password: 'x' }))).toMatchObject({
      code: 'VALIDATION_ERROR',
      field: 'username',
    });
    expect(await rejectionOf(client.refresh(''))).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(fake.requests).toHaveLength(0);
  });
});

describe('notesProvider', () => {
  it('login: accessExpiresAt = our clock + valid_for, subject = the identifier, generation 0', async () => {
    const now = clock();
    const fake = await notes({ now, lifetimes: { accessSeconds: 7200 } });
    const provider = notesProvider({ baseURL: fake.url });
    const grant = await provider.login(
      { identifier: ` ${fake.account.username} `, password: fake.account.password },
      ctxOf(now),
    );
    expect(grant.subject).toBe(fake.account.username);
    expect(grant.tokens).toMatchObject({
      tokenType: 'Bearer',
      generation: 0,
      receivedAt: now(),
      accessExpiresAt: now() + 7_200_000,
    });
    expect(grant.tokens.refreshExpiresAt).toBeUndefined();
  });

  it('refresh: the rotated refresh token, generation + 1; each refresh token presented once', async () => {
    const now = clock();
    const fake = await notes({ now, rotation: 'rotate-detect-reuse' });
    const provider = notesProvider({ baseURL: fake.url });
    let { tokens } = await provider.login(
      { identifier: fake.account.username, password: fake.account.password },
      ctxOf(now),
    );
    const seen = new Set([tokens.refreshToken]);
    for (let round = 1; round <= 3; round++) {
      now.advance(7_000_000);
      tokens = await provider.refresh(tokens, ctxOf(now));
      expect(tokens.generation).toBe(round);
      expect(tokens.accessExpiresAt).toBe(now() + 7_200_000);
      expect(seen.has(tokens.refreshToken)).toBe(false);
      seen.add(tokens.refreshToken);
    }
    expect(fake.stats).toMatchObject({
      refreshCalls: 3,
      rotations: 3,
      reuseDetected: 0,
      duplicateRefreshPresentations: 0,
    });
  });

  it('signup resolves { created: true }, and a conflict rejects with SIGNUP_CONFLICT', async () => {
    const now = clock();
    const fake = await notes({ now });
    const provider = notesProvider({ baseURL: fake.url });
    const account = { username: 'hari', email: 'hari@example.com', password: 'a-long-password' };
    expect(await provider.signup(account, ctxOf(now))).toEqual({ created: true });
    expect(await rejectionOf(provider.signup(account, ctxOf(now)))).toMatchObject({
      code: 'SIGNUP_CONFLICT',
    });
  });

  it('a revoked account ends in REFRESH_REJECTED', async () => {
    const now = clock();
    const fake = await notes({ now });
    const provider = notesProvider({ baseURL: fake.url });
    const { tokens } = await provider.login(
      { identifier: fake.account.username, password: fake.account.password },
      ctxOf(now),
    );
    fake.revokeAll(fake.account.username);
    expect(await rejectionOf(provider.refresh(tokens, ctxOf(now)))).toMatchObject({
      code: 'REFRESH_REJECTED',
    });
  });
});
