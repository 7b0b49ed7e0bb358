/**
 * Seed 002 (Timbr) against the fake over real HTTP on a fake clock: every endpoint has a client
 * method, and each documented status and shape maps to its result or typed error.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeJWTClaims,
  TimbrClient,
  TimbrTeamTokens,
  timbrProvider,
} from '../../src/upstream/index.js';
import { clock, ctxOf, expectNoSecrets, recordingFetch, rejectionOf, timbr } from './helpers.js';

describe('Timbr client (seed 002)', () => {
  it('JWT create answers the pair (201 as the seed says, and 200 as simplejwt does)', async () => {
    for (const jwtSuccessStatus of [201, 200] as const) {
      const now = clock();
      const fake = await timbr({ now, jwtSuccessStatus });
      const client = new TimbrClient({ baseURL: fake.url });
      const pair = await client.createJWT({
        username: fake.account.username,
        password: fake.account.password,
      });
      expect(decodeJWTClaims(pair.access)?.token_type).toBe('access');
      expect(decodeJWTClaims(pair.refresh!)?.token_type).toBe('refresh');
      expect(fake.requests.at(-1)).toMatchObject({ endpoint: 'login', status: jwtSuccessStatus });
    }
  });

  it("treats the seed's echo of the request body as UPSTREAM_MALFORMED (reason echo), password not in the error", async () => {
    const fake = await timbr({ jwtCreateShape: 'echo' });
    const client = new TimbrClient({ baseURL: fake.url });
    const error = await rejectionOf(
      client.createJWT({ username: fake.account.username, password: fake.account.password }),
    );
    expect(error).toMatchObject({ code: 'UPSTREAM_MALFORMED', reason: 'echo', status: 201 });
    expectNoSecrets(error, [fake.account.password]);
  });

  it('a wrong password, an unknown user and an inactive account are all UPSTREAM_INVALID_CREDENTIALS (401)', async () => {
    const fake = await timbr();
    fake.addAccount({ username: 'sita', password: 'sita-password-1', active: false });
    const client = new TimbrClient({ baseURL: fake.url });
    for (const credentials of [
      { username: fake.account.username, password: 'wrong-password' },
      { username: 'nobody', password: 'whatever-password' },
      { username: 'sita', password: 'sita-password-1' },
    ]) {
      const error = await rejectionOf(client.createJWT(credentials));
      expect(error).toMatchObject({ code: 'UPSTREAM_INVALID_CREDENTIALS', status: 401 });
      expectNoSecrets(error, [credentials.password]);
    }
  });

  it('sends JSON (the JWT endpoints) and never an Authorization header before there is a token', async () => {
    const fake = await timbr();
    const recorder = recordingFetch();
    const client = new TimbrClient({ baseURL: fake.url, fetch: recorder.fetch });
    await client.createJWT({ username: fake.account.username, password: fake.account.password });
    expect(recorder.seen[0]).toMatchObject({
      method: 'POST',
      path: '/api/auth/jwt/',
      contentType: 'application/json',
    });
  });

  it('refresh without rotation answers an access token only; with rotation a new refresh token too', async () => {
    const fake = await timbr();
    const client = new TimbrClient({ baseURL: fake.url });
    const pair = await client.createJWT({
      username: fake.account.username,
      password: fake.account.password,
    });
    const kept = await client.refreshJWT(pair.refresh!);
    expect(kept.refresh).toBeUndefined();
    expect(kept.access).not.toBe(pair.access);
    fake.setRotation('rotate');
    const rotated = await client.refreshJWT(pair.refresh!);
    expect(rotated.refresh).toBeDefined();
    expect(rotated.refresh).not.toBe(pair.refresh);
  });

  it("accepts the seed's refresh shape { refresh, access } with the same refresh token", async () => {
    const fake = await timbr({ refreshShape: 'access-and-refresh' });
    const client = new TimbrClient({ baseURL: fake.url });
    const pair = await client.createJWT({
      username: fake.account.username,
      password: fake.account.password,
    });
    const refreshed = await client.refreshJWT(pair.refresh!);
    expect(refreshed.refresh).toBe(pair.refresh);
  });

  it('a refused refresh token is REFRESH_REJECTED (401 token_not_valid)', async () => {
    const fake = await timbr({ rotation: 'rotate' });
    const client = new TimbrClient({ baseURL: fake.url });
    const pair = await client.createJWT({
      username: fake.account.username,
      password: fake.account.password,
    });
    await client.refreshJWT(pair.refresh!);
    const error = await rejectionOf(client.refreshJWT(pair.refresh!));
    expect(error).toMatchObject({ code: 'REFRESH_REJECTED', status: 401 });
    expectNoSecrets(error, [pair.refresh, pair.access]);
    expect(await rejectionOf(client.refreshJWT('not-a-jwt'))).toMatchObject({
      code: 'REFRESH_REJECTED',
    });
  });

  it('verify answers true for a live token (echo or empty body) and false for a dead one', async () => {
    for (const verifyShape of ['echo', 'empty'] as const) {
      const fake = await timbr({ verifyShape });
      const client = new TimbrClient({ baseURL: fake.url });
      const pair = await client.createJWT({
        username: fake.account.username,
        password: fake.account.password,
      });
      expect(await client.verifyJWT(pair.access)).toBe(true);
      expect(await client.verifyJWT(pair.refresh!)).toBe(true);
      fake.expireAccessTokens();
      expect(await client.verifyJWT(pair.access)).toBe(false);
      expect(await client.verifyJWT('garbage.token.here')).toBe(false);
    }
  });

  it('team API tokens: issue, list, delete, with expires_at parsed and the token redacted', async () => {
    const now = clock();
    const fake = await timbr({ now, teamTokenLifetimeSeconds: 3600 });
    const team = fake.addTeam();
    const client = new TimbrClient({ baseURL: fake.url });
    const { access } = await client.createJWT({
      username: fake.account.username,
      password: fake.account.password,
    });
    expect(await client.listTeamTokens(access, team)).toEqual([]);
    const issued = await client.issueTeamToken(access, team);
    expect(issued.accessToken).toBe(fake.teamTokens(team)[0]?.accessToken);
    expect(issued.expiresAt?.getTime()).toBe(now() + 3_600_000);
    expect(issued.tokenIssuerUUID).toBe(fake.accountUUID(fake.account.username));
    expectNoSecrets(issued, [issued.accessToken]);
    expect(JSON.stringify(issued)).toContain('[redacted]');
    const listed = await client.listTeamTokens(access, team);
    expect(listed.map((token) => token.accessToken)).toEqual([issued.accessToken]);
    expect(await client.deleteTeamTokens(access, team)).toEqual({
      requestedCount: 1,
      deletedCount: 1,
    });
    expect(await client.listTeamTokens(access, team)).toEqual([]);
  });

  it('team endpoints: a dead access token is ACCESS_TOKEN_REJECTED; another team, UPSTREAM_BAD_REQUEST; a bad UUID never leaves', async () => {
    const fake = await timbr();
    const team = fake.addTeam();
    const foreign = fake.addTeam(undefined, []);
    const client = new TimbrClient({ baseURL: fake.url });
    const { access } = await client.createJWT({
      username: fake.account.username,
      password: fake.account.password,
    });
    const notMember = await rejectionOf(client.listTeamTokens(access, foreign));
    expect(notMember).toMatchObject({ code: 'UPSTREAM_BAD_REQUEST' });
    fake.expireAccessTokens();
    const dead = await rejectionOf(client.issueTeamToken(access, team));
    expect(dead).toMatchObject({ code: 'ACCESS_TOKEN_REJECTED', status: 401 });
    expectNoSecrets(dead, [access]);
    const requests = fake.requests.length;
    for (const bad of ['../jwt', 'a/b', '', '%2e%2e']) {
      expect(await rejectionOf(client.listTeamTokens(access, bad))).toMatchObject({
        code: 'VALIDATION_ERROR',
        field: 'teamUUID',
      });
    }
    expect(fake.requests.length).toBe(requests);
  });
});

describe('timbrProvider', () => {
  it('login: expiry from exp − iat on our clock, subject from user_id, generation 0', async () => {
    const now = clock();
    const fake = await timbr({ now, lifetimes: { accessSeconds: 300, refreshSeconds: 86_400 } });
    const provider = timbrProvider({ baseURL: fake.url });
    const grant = await provider.login(
      { identifier: ` ${fake.account.username} `, password: fake.account.password },
      ctxOf(now),
    );
    expect(grant.subject).toBe(String(fake.account.id));
    expect(grant.tokens).toMatchObject({
      tokenType: 'Bearer',
      generation: 0,
      receivedAt: now(),
      accessExpiresAt: now() + 300_000,
      refreshExpiresAt: now() + 86_400_000,
    });
  });

  it('an upstream clock 10 minutes off does not move the expiry (durations only, added to ours)', async () => {
    const ours = clock();
    for (const skew of [-600_000, 600_000]) {
      const fake = await timbr({ now: () => ours() + skew });
      const provider = timbrProvider({ baseURL: fake.url });
      const { tokens } = await provider.login(
        { identifier: fake.account.username, password: fake.account.password },
        ctxOf(ours),
      );
      expect(tokens.accessExpiresAt).toBe(ours() + 300_000);
      expect(decodeJWTClaims(tokens.accessToken)?.exp).toBe((ours() + skew) / 1000 + 300);
    }
  });

  it('refresh: generation + 1, the old refresh token kept without rotation, the new one with', async () => {
    const now = clock();
    const fake = await timbr({ now });
    const provider = timbrProvider({ baseURL: fake.url });
    const { tokens } = await provider.login(
      { identifier: fake.account.username, password: fake.account.password },
      ctxOf(now),
    );
    now.advance(290_000);
    const kept = await provider.refresh(tokens, ctxOf(now));
    expect(kept.generation).toBe(1);
    expect(kept.refreshToken).toBe(tokens.refreshToken);
    expect(kept.refreshExpiresAt).toBe(tokens.refreshExpiresAt);
    expect(kept.accessExpiresAt).toBe(now() + 300_000);
    fake.setRotation('rotate-detect-reuse');
    const rotated = await provider.refresh(kept, ctxOf(now));
    expect(rotated.generation).toBe(2);
    expect(rotated.refreshToken).not.toBe(tokens.refreshToken);
    expect(fake.stats.reuseDetected).toBe(0);
    expect(fake.stats.duplicateRefreshPresentations).toBe(1);
  });

  it('verify asks /jwt/verify/', async () => {
    const now = clock();
    const fake = await timbr({ now });
    const provider = timbrProvider({ baseURL: fake.url });
    const { tokens } = await provider.login(
      { identifier: fake.account.username, password: fake.account.password },
      ctxOf(now),
    );
    expect(await provider.verify(tokens, ctxOf(now))).toBe(true);
    fake.revokeAll(fake.account.username);
    expect(await provider.verify(tokens, ctxOf(now))).toBe(false);
    expect(fake.requests.filter((request) => request.endpoint === 'verify')).toHaveLength(2);
  });

  it('TimbrTeamTokens works over a token getter and never keeps the team token', async () => {
    const now = clock();
    const fake = await timbr({ now });
    const team = fake.addTeam();
    const provider = timbrProvider({ baseURL: fake.url });
    const { tokens } = await provider.login(
      { identifier: fake.account.username, password: fake.account.password },
      ctxOf(now),
    );
    const teamTokens = new TimbrTeamTokens(provider.client, async () => tokens.accessToken);
    const issued = await teamTokens.issue(team);
    expect((await teamTokens.list(team)).map((token) => token.accessToken)).toEqual([
      issued.accessToken,
    ]);
    expect(await teamTokens.delete(team)).toEqual({ requestedCount: 1, deletedCount: 1 });
  });
});
