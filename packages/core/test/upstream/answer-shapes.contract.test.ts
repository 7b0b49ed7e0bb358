/**
 * 2xx bodies of the wrong shape, injected into the fakes' answers: the clients accept the shapes
 * the seeds allow (numbers as strings, extra fields, a bare list) and refuse the rest with
 * UPSTREAM_MALFORMED (or, for a refresh, REFRESH_UNKNOWN_OUTCOME: the upstream may have rotated).
 */
import { describe, expect, it } from 'vitest';
import { NotesClient, TimbrClient } from '../../src/upstream/index.js';
import { notes, rejectionOf, timbr } from './helpers.js';

const ok = (body: unknown) => ({ status: 200, body });

describe('Timbr answer shapes', () => {
  it('JWT create: access must be a non-empty string; refresh may be missing', async () => {
    const fake = await timbr();
    const client = new TimbrClient({ baseURL: fake.url });
    const credentials = { username: fake.account.username, password: fake.account.password };
    fake.inject('login', ok({ access: 'a-token', extra: true }));
    const pair = await client.createJWT(credentials);
    expect([pair.access, pair.refresh]).toEqual(['a-token', undefined]);
    for (const body of [{ access: 123 }, { access: '' }, {}, [], 'text', null]) {
      fake.inject('login', ok(body));
      expect(await rejectionOf(client.createJWT(credentials)), JSON.stringify(body)).toMatchObject({
        code: 'UPSTREAM_MALFORMED',
        reason: 'wrong-shape',
      });
    }
  });

  it('team tokens: a bare list is accepted, a token without access_token is not; dates may be null', async () => {
    const fake = await timbr();
    const team = fake.addTeam();
    const client = new TimbrClient({ baseURL: fake.url });
    const { access } = await client.createJWT({
      username: fake.account.username,
      password: fake.account.password,
    });
    fake.inject('listTeamTokens', ok([{ access_token: 't1', expires_at: null, created_at: 'x' }]));
    const [listed] = await client.listTeamTokens(access, team);
    expect(listed).toMatchObject({ expiresAt: null, createdAt: null, tokenIssuerUUID: null });
    expect(listed?.accessToken).toBe('t1');
    fake.inject('listTeamTokens', ok({ tokens: [{ token_issuer_uuid: 'u' }] }));
    expect(await rejectionOf(client.listTeamTokens(access, team))).toMatchObject({
      code: 'UPSTREAM_MALFORMED',
    });
    fake.inject('deleteTeamTokens', ok({ requested_count: '1', deleted_count: 1 }));
    expect(await rejectionOf(client.deleteTeamTokens(access, team))).toMatchObject({
      code: 'UPSTREAM_MALFORMED',
    });
  });

  it('refresh: a 2xx without access is an unknown outcome, not a definite failure', async () => {
    const fake = await timbr();
    const client = new TimbrClient({ baseURL: fake.url });
    const pair = await client.createJWT({
      username: fake.account.username,
      password: fake.account.password,
    });
    fake.inject('refresh', ok({ refresh: 'r' }));
    const error = await rejectionOf(client.refreshJWT(pair.refresh!));
    expect(error).toMatchObject({ code: 'REFRESH_UNKNOWN_OUTCOME' });
    expect((error.cause as { reason?: string }).reason).toBe('wrong-shape');
  });
});

describe('notes answer shapes', () => {
  it('valid_for may be a numeric string; a negative, fractional or missing one is refused', async () => {
    const fake = await notes();
    const client = new NotesClient({ baseURL: fake.url });
    const credentials = { username: fake.account.username, password: fake.account.password };
    fake.inject(
      'login',
      ok({ tokens: { access_token: 'a.x', valid_for: '7200', refresh_token: 'r.x' } }),
    );
    expect((await client.login(credentials)).validForInSeconds).toBe(7200);
    for (const tokens of [
      { access_token: 'a.x', valid_for: -1, refresh_token: 'r.x' },
      { access_token: 'a.x', valid_for: 1.5, refresh_token: 'r.x' },
      { access_token: 'a.x', refresh_token: 'r.x' },
      { valid_for: 7200, refresh_token: 'r.x' },
    ]) {
      fake.inject('login', ok({ message: 'Login success', tokens }));
      expect(await rejectionOf(client.login(credentials)), JSON.stringify(tokens)).toMatchObject({
        code: 'UPSTREAM_MALFORMED',
      });
    }
  });

  it('signup: userid as a number or a string', async () => {
    const fake = await notes();
    const client = new NotesClient({ baseURL: fake.url });
    const account = { username: 'hari', email: 'hari@example.com', password: 'a-long-password' };
    fake.inject('signup', ok({ message: 'Signup success', userid: '26' }));
    expect(await client.signup(account)).toEqual({ userId: '26' });
    fake.inject('signup', ok({ message: 'Signup success', userid: 27 }));
    expect(await client.signup(account)).toEqual({ userId: '27' });
  });
});
