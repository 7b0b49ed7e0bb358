import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  claimsOf,
  manualClock,
  postJSON,
  startTimbr,
  timbrLogin,
  timbrRefresh,
} from './upstream-helpers.js';

const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

describe('Timbr JWT create (seed 002 POST /api/auth/jwt/)', () => {
  it('answers 201 with an access/refresh JWT pair whose iat/exp come from the fake clock (simplejwt 5 min / 1 day)', async () => {
    const clock = manualClock();
    const fake = await startTimbr({ now: clock.now });
    const response = await postJSON(`${fake.url}/api/auth/jwt/`, {
      username: 'dev',
      password: 'dev-password',
    });
    expect(response.status).toBe(201);
    const body = await response.json();
    expect(Object.keys(body).sort()).toEqual(['access', 'refresh']);
    expect(body.access).toMatch(JWT);
    expect(body.refresh).toMatch(JWT);
    const iat = clock.now() / 1000;
    expect(claimsOf(body.access)).toMatchObject({ token_type: 'access', iat, exp: iat + 300 });
    expect(claimsOf(body.refresh)).toMatchObject({
      token_type: 'refresh',
      iat,
      exp: iat + 86_400,
    });
    expect(fake.stats.loginCalls).toBe(1);
  });

  it('answers the same 401 for an unknown user, a wrong password and an inactive account', async () => {
    const fake = await startTimbr({
      accounts: [
        { username: 'ram', password: 'ram-password' },
        { username: 'sita', password: 'sita-password', active: false },
      ],
    });
    const attempts = [
      { username: 'nobody', password: 'whatever' },
      { username: 'ram', password: 'wrong' },
      { username: 'sita', password: 'sita-password' },
    ];
    const answers = [];
    for (const attempt of attempts) {
      const response = await postJSON(`${fake.url}/api/auth/jwt/`, attempt);
      answers.push({
        status: response.status,
        body: await response.json(),
        authenticate: response.headers.get('www-authenticate'),
      });
    }
    expect(answers[0]).toEqual({
      status: 401,
      body: { detail: 'No active account found with the given credentials' },
      authenticate: 'Bearer realm="api"',
    });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(fake.stats.loginCalls).toBe(3);
  });

  it('usernames are case-sensitive; loginWith: "either" also takes the email', async () => {
    const strict = await startTimbr();
    const upper = await postJSON(`${strict.url}/api/auth/jwt/`, {
      username: 'DEV',
      password: 'dev-password',
    });
    expect(upper.status).toBe(401);
    const byEmail = await postJSON(`${strict.url}/api/auth/jwt/`, {
      username: 'dev@example.com',
      password: 'dev-password',
    });
    expect(byEmail.status).toBe(401);
    const either = await startTimbr({ loginWith: 'either' });
    const emailLogin = await postJSON(`${either.url}/api/auth/jwt/`, {
      username: 'DEV@example.com',
      password: 'dev-password',
    });
    expect(emailLogin.status).toBe(201);
  });

  it('answers DRF field errors (400) for missing or blank fields and a bad JSON body', async () => {
    const fake = await startTimbr();
    const missing = await postJSON(`${fake.url}/api/auth/jwt/`, { password: '' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({
      username: ['This field is required.'],
      password: ['This field may not be blank.'],
    });
    const list = await postJSON(`${fake.url}/api/auth/jwt/`, ['dev']);
    expect(list.status).toBe(400);
    expect(await list.json()).toEqual({
      non_field_errors: ['Invalid data. Expected a dictionary, but got list.'],
    });
    const broken = await fetch(`${fake.url}/api/auth/jwt/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username":',
    });
    expect(broken.status).toBe(400);
    expect((await broken.json()).detail).toMatch(/^JSON parse error/);
  });

  it('jwtCreateShape "echo" answers the request body, as the seed literally shows', async () => {
    const fake = await startTimbr({ jwtCreateShape: 'echo' });
    const response = await postJSON(`${fake.url}/api/auth/jwt/`, {
      username: 'dev',
      password: 'dev-password',
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ username: 'dev', password: 'dev-password' });
  });

  it('jwtSuccessStatus 200 answers as simplejwt does', async () => {
    const fake = await startTimbr({ jwtSuccessStatus: 200 });
    const response = await postJSON(`${fake.url}/api/auth/jwt/`, {
      username: 'dev',
      password: 'dev-password',
    });
    expect(response.status).toBe(200);
  });

  it('a wrong method is 405 and a path without its trailing slash is a 301', async () => {
    const fake = await startTimbr();
    const get = await fetch(`${fake.url}/api/auth/jwt/`);
    expect(get.status).toBe(405);
    expect(await get.json()).toEqual({ detail: 'Method "GET" not allowed.' });
    const unslashed = await fetch(`${fake.url}/api/auth/jwt/refresh`, { redirect: 'manual' });
    expect(unslashed.status).toBe(301);
    expect(unslashed.headers.get('location')).toBe('/api/auth/jwt/refresh/');
    const unknown = await fetch(`${fake.url}/api/auth/nothing/`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^text\/html/);
  });
});

describe('Timbr JWT refresh (seed 002 POST /api/auth/jwt/refresh/)', () => {
  it('rotation "none" (simplejwt default): answers {access} only and the refresh token keeps working', async () => {
    const fake = await startTimbr();
    const { refresh } = await timbrLogin(fake);
    for (let round = 0; round < 2; round++) {
      const response = await timbrRefresh(fake, refresh);
      expect(response.status).toBe(201);
      const body = await response.json();
      expect(Object.keys(body)).toEqual(['access']);
      expect(claimsOf(body.access).token_type).toBe('access');
    }
    expect(fake.stats).toMatchObject({ refreshCalls: 2, rotations: 0 });
    expect(fake.refreshTokensPresented.map((entry) => entry.outcome)).toEqual([
      'refreshed',
      'refreshed',
    ]);
    expect(fake.stats.duplicateRefreshPresentations).toBe(1);
  });

  it('refreshShape "access-and-refresh" answers the same refresh token back (the seed example shape)', async () => {
    const fake = await startTimbr({ refreshShape: 'access-and-refresh' });
    const { refresh } = await timbrLogin(fake);
    const body = await (await timbrRefresh(fake, refresh)).json();
    expect(body.refresh).toBe(refresh);
    expect(body.access).toMatch(JWT);
  });

  it('rotation "rotate": a new refresh token each time; the old one is refused as blacklisted, nothing more', async () => {
    const fake = await startTimbr({ rotation: 'rotate' });
    const first = await timbrLogin(fake);
    const rotated = await (await timbrRefresh(fake, first.refresh)).json();
    expect(rotated.refresh).toMatch(JWT);
    expect(rotated.refresh).not.toBe(first.refresh);
    const replay = await timbrRefresh(fake, first.refresh);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual({
      detail: 'Token is blacklisted',
      code: 'token_not_valid',
    });
    // The successor still works: plain rotation does not revoke the family.
    expect((await timbrRefresh(fake, rotated.refresh)).status).toBe(201);
    expect(fake.stats).toMatchObject({ refreshCalls: 3, rotations: 2, reuseDetected: 0 });
  });

  it('rotation "rotate-detect-reuse": replaying a rotated token revokes the whole family (RFC 9700)', async () => {
    const fake = await startTimbr({ rotation: 'rotate-detect-reuse' });
    const first = await timbrLogin(fake);
    const other = await timbrLogin(fake);
    const second = await (await timbrRefresh(fake, first.refresh)).json();
    const third = await (await timbrRefresh(fake, second.refresh)).json();
    const replay = await timbrRefresh(fake, first.refresh);
    expect(replay.status).toBe(401);
    expect(fake.stats.reuseDetected).toBe(1);
    // The active token of the family is revoked too; another login's family is untouched.
    const active = await timbrRefresh(fake, third.refresh);
    expect(active.status).toBe(401);
    expect(await active.json()).toEqual({
      detail: 'Token is blacklisted',
      code: 'token_not_valid',
    });
    expect((await timbrRefresh(fake, other.refresh)).status).toBe(201);
    expect(fake.refreshTokensPresented.map((entry) => entry.outcome)).toEqual([
      'rotated',
      'rotated',
      'reuse-detected',
      'revoked',
      'rotated',
    ]);
    expect(fake.refreshTokensPresented[0]).toMatchObject({ token: first.refresh, account: 'dev' });
  });

  it('100 parallel refreshes with one token (a client without single flight): 1 rotation, 1 reuse, the family gone', async () => {
    const fake = await startTimbr({ rotation: 'rotate-detect-reuse' });
    const { refresh } = await timbrLogin(fake);
    const answers = await Promise.all(
      Array.from({ length: 100 }, () =>
        timbrRefresh(fake, refresh).then((response) => response.status),
      ),
    );
    expect(answers.filter((status) => status === 201)).toHaveLength(1);
    expect(answers.filter((status) => status === 401)).toHaveLength(99);
    expect(fake.stats).toMatchObject({
      refreshCalls: 100,
      rotations: 1,
      reuseDetected: 1,
      duplicateRefreshPresentations: 99,
    });
    const outcomes = fake.refreshTokensPresented.map((entry) => entry.outcome);
    expect(outcomes.filter((outcome) => outcome === 'revoked')).toHaveLength(98);
  });

  it('graceSeconds: a rotated token replayed inside the window answers the same successor, once outside it is reuse', async () => {
    const clock = manualClock();
    const fake = await startTimbr({
      now: clock.now,
      rotation: 'rotate-detect-reuse',
      graceSeconds: 10,
    });
    const { refresh } = await timbrLogin(fake);
    const rotated = await (await timbrRefresh(fake, refresh)).json();
    clock.advance(9_999);
    const retried = await timbrRefresh(fake, refresh);
    expect(retried.status).toBe(201);
    expect((await retried.json()).refresh).toBe(rotated.refresh);
    clock.advance(1);
    expect((await timbrRefresh(fake, refresh)).status).toBe(401);
    expect(fake.stats.reuseDetected).toBe(1);
    expect(fake.refreshTokensPresented.map((entry) => entry.outcome)).toEqual([
      'rotated',
      'grace',
      'reuse-detected',
    ]);
  });

  it('graceSeconds does not cover a token whose successor was already used', async () => {
    const fake = await startTimbr({ rotation: 'rotate-detect-reuse', graceSeconds: 60 });
    const { refresh } = await timbrLogin(fake);
    const second = await (await timbrRefresh(fake, refresh)).json();
    expect((await timbrRefresh(fake, second.refresh)).status).toBe(201);
    expect((await timbrRefresh(fake, refresh)).status).toBe(401);
    expect(fake.stats.reuseDetected).toBe(1);
  });

  it('a refresh token lapses after its lifetime on the fake clock', async () => {
    const clock = manualClock();
    const fake = await startTimbr({ now: clock.now, lifetimes: { refreshSeconds: 600 } });
    const { refresh } = await timbrLogin(fake);
    clock.advance(599_999);
    expect((await timbrRefresh(fake, refresh)).status).toBe(201);
    clock.advance(1);
    const expired = await timbrRefresh(fake, refresh);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({
      detail: 'Token is invalid or expired',
      code: 'token_not_valid',
    });
  });

  it('refuses an access token, garbage, a missing field, and an inactive account', async () => {
    const fake = await startTimbr();
    const { access, refresh } = await timbrLogin(fake);
    const wrongType = await timbrRefresh(fake, access);
    expect(wrongType.status).toBe(401);
    expect(await wrongType.json()).toEqual({
      detail: 'Token has wrong type',
      code: 'token_not_valid',
    });
    const garbage = await timbrRefresh(fake, 'not-a-token');
    expect(await garbage.json()).toEqual({
      detail: 'Token is invalid or expired',
      code: 'token_not_valid',
    });
    const missing = await postJSON(`${fake.url}/api/auth/jwt/refresh/`, {});
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ refresh: ['This field is required.'] });
    fake.setAccountActive('dev', false);
    const inactive = await timbrRefresh(fake, refresh);
    expect(inactive.status).toBe(401);
    expect(await inactive.json()).toEqual({
      detail: 'No active account found for the given token.',
      code: 'no_active_account',
    });
  });

  it('revokeAll(username) ends every token of the account', async () => {
    const fake = await startTimbr();
    const { access, refresh } = await timbrLogin(fake);
    fake.revokeAll('dev');
    expect((await timbrRefresh(fake, refresh)).status).toBe(401);
    const verify = await postJSON(`${fake.url}/api/auth/jwt/verify/`, { token: access });
    expect(verify.status).toBe(401);
    expect((await timbrLogin(fake)).access).toMatch(JWT);
  });
});

describe('Timbr JWT verify (seed 002 POST /api/auth/jwt/verify/)', () => {
  it('answers 201 {token} for a valid token and 401 token_not_valid once it expired', async () => {
    const clock = manualClock();
    const fake = await startTimbr({ now: clock.now });
    const { access, refresh } = await timbrLogin(fake);
    const verify = (token: string) => postJSON(`${fake.url}/api/auth/jwt/verify/`, { token });
    const valid = await verify(access);
    expect(valid.status).toBe(201);
    expect(await valid.json()).toEqual({ token: access });
    expect((await verify(refresh)).status).toBe(201);
    clock.advance(300_000);
    const expired = await verify(access);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({
      detail: 'Token is invalid or expired',
      code: 'token_not_valid',
    });
    expect((await verify('x.y.z')).status).toBe(401);
  });

  it('verifyShape "empty" answers {} as simplejwt does; expireAccessTokens() stops access tokens', async () => {
    const fake = await startTimbr({ verifyShape: 'empty' });
    const { access } = await timbrLogin(fake);
    const valid = await postJSON(`${fake.url}/api/auth/jwt/verify/`, { token: access });
    expect(await valid.json()).toEqual({});
    fake.expireAccessTokens();
    expect((await postJSON(`${fake.url}/api/auth/jwt/verify/`, { token: access })).status).toBe(
      401,
    );
  });
});

describe('Timbr team API tokens (seed 002 /api/openapi/token/{team_uuid}/)', () => {
  it('issues, lists and deletes tokens with expires_at, answering {requested_count, deleted_count}', async () => {
    const clock = manualClock();
    const fake = await startTimbr({ now: clock.now, teamTokenLifetimeSeconds: 3600 });
    const team = fake.addTeam('5b0f7a4e-2c51-4a8e-9a62-0d3c4f1e8b71');
    const { access } = await timbrLogin(fake);
    const auth = { authorization: `Bearer ${access}` };
    const base = `${fake.url}/api/openapi/token/${team}/`;
    const issued = await fetch(base, { method: 'POST', headers: auth });
    expect(issued.status).toBe(201);
    const token = await issued.json();
    expect(token).toEqual({
      access_token: expect.stringMatching(/^[0-9a-f]{64}$/),
      token_issuer_uuid: fake.accountUUID('dev'),
      created_at: '2026-01-15T06:00:00.000000Z',
      updated_at: '2026-01-15T06:00:00.000000Z',
      expires_at: '2026-01-15T07:00:00.000000Z',
    });
    await fetch(base, { method: 'POST', headers: auth });
    const listed = await fetch(base, { headers: auth });
    expect(listed.status).toBe(200);
    const { tokens } = await listed.json();
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toEqual(token);
    expect(fake.teamTokens(team)).toHaveLength(2);

    const one = await postJSON(
      `${base}delete/`,
      { access_tokens: [token.access_token, 'nope'] },
      auth,
    );
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual({ requested_count: 2, deleted_count: 1 });
    const rest = await fetch(`${base}delete/`, { method: 'POST', headers: auth });
    expect(await rest.json()).toEqual({ requested_count: 1, deleted_count: 1 });
    expect((await (await fetch(base, { headers: auth })).json()).tokens).toEqual([]);
  });

  it('refuses a missing, refresh or expired access token the way simplejwt does', async () => {
    const clock = manualClock();
    const fake = await startTimbr({ now: clock.now });
    const team = fake.addTeam();
    const { access, refresh } = await timbrLogin(fake);
    const list = (headers: Record<string, string>) =>
      fetch(`${fake.url}/api/openapi/token/${team}/`, { headers });
    const none = await list({});
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    const withRefresh = await list({ authorization: `Bearer ${refresh}` });
    expect(withRefresh.status).toBe(401);
    expect(await withRefresh.json()).toMatchObject({
      detail: 'Given token not valid for any token type',
      code: 'token_not_valid',
    });
    expect((await list({ authorization: `Bearer ${access}` })).status).toBe(200);
    clock.advance(300_000);
    expect((await list({ authorization: `Bearer ${access}` })).status).toBe(401);
  });

  it('a team path that is not valid percent-encoding is a 404, not a crash', async () => {
    const fake = await startTimbr();
    const response = await fetch(`${fake.url}/api/openapi/token/%E0%A4%A/`);
    expect(response.status).toBe(404);
    expect(fake.requests.at(-1)).toMatchObject({ endpoint: undefined, status: 404 });
  });

  it('an unknown team is 404, a team the account is not in is 403', async () => {
    const fake = await startTimbr({ accounts: [{ username: 'ram', password: 'ram-password' }] });
    fake.addAccount({ username: 'hari', password: 'hari-password' });
    const team = fake.addTeam(undefined, ['hari']);
    const { access } = await timbrLogin(fake, { username: 'ram', password: 'ram-password' });
    const auth = { authorization: `Bearer ${access}` };
    const unknown = await fetch(`${fake.url}/api/openapi/token/no-such-team/`, { headers: auth });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ detail: 'Not found.' });
    const forbidden = await fetch(`${fake.url}/api/openapi/token/${team}/`, { headers: auth });
    expect(forbidden.status).toBe(403);
  });
});

describe('Timbr fake: secrets and options', () => {
  it('keeps passwords and tokens out of its log lines, requests, inspect() and JSON', async () => {
    const lines: string[] = [];
    const fake = await startTimbr({
      logger: (line) => lines.push(line),
      accounts: [{ username: 'ram', password: 'very-secret-password' }],
    });
    const { access, refresh } = await timbrLogin(fake, {
      username: 'ram',
      password: 'very-secret-password',
    });
    await timbrRefresh(fake, refresh);
    const outputs = [
      lines.join('\n'),
      JSON.stringify(fake.requests),
      inspect(fake),
      JSON.stringify(fake),
    ];
    for (const output of outputs) {
      expect(output).not.toContain('very-secret-password');
      expect(output).not.toContain(access);
      expect(output).not.toContain(refresh);
    }
    expect(lines).toEqual(['POST /api/auth/jwt/ 201', 'POST /api/auth/jwt/refresh/ 201']);
  });

  it('refuses nonsense options and faults with a TypeError', async () => {
    await expect(startTimbr({ rotation: 'sometimes' as never })).rejects.toThrow(TypeError);
    await expect(startTimbr({ lifetimes: { accessSeconds: 0 } })).rejects.toThrow(TypeError);
    await expect(startTimbr({ graceSeconds: -1 })).rejects.toThrow(TypeError);
    const fake = await startTimbr();
    // @ts-expect-error an unknown endpoint
    expect(() => fake.inject('jwtCreate', { status: 500 })).toThrow(TypeError);
    expect(() => fake.addAccount({ username: 'dev', password: 'x' })).toThrow(TypeError);
    expect(() => fake.revokeAll('nobody')).toThrow(TypeError);
  });
});
