/**
 * No password, token or cookie in anything that can reach a log: token sets, client results,
 * errors (message, JSON, inspect, stack, cause), even when the upstream echoes a secret back in
 * its error text.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  createTokenSet,
  NotesClient,
  notesProvider,
  TimbrClient,
  timbrProvider,
  tingtingAccountsProvider,
  tokenSetRecord,
} from '../../src/upstream/index.js';
import { clock, ctxOf, expectNoSecrets, notes, rejectionOf, timbr, tingting } from './helpers.js';

const ACCESS = 'access-token-value-0123456789';
const REFRESH = 'refresh-token-value-0123456789';
const COOKIE = 'cookie-value-0123456789abcdef';

describe('TokenSet', () => {
  const tokens = createTokenSet({
    accessToken: ACCESS,
    refreshToken: REFRESH,
    accessExpiresAt: 2,
    refreshExpiresAt: 3,
    receivedAt: 1,
    tokenType: 'Cookie',
    cookies: { cookies: [{ key: 'access', value: COOKIE }] },
    generation: 4,
  });

  it('keeps the secrets readable but out of JSON, inspect, spread and keys', () => {
    expect(tokens.accessToken).toBe(ACCESS);
    expect(tokens.refreshToken).toBe(REFRESH);
    expect(tokens.cookies?.cookies[0]?.value).toBe(COOKIE);
    expectNoSecrets(tokens, [ACCESS, REFRESH, COOKIE]);
    expectNoSecrets({ ...tokens }, [ACCESS, REFRESH, COOKIE]);
    expect(Object.keys(tokens).sort()).toEqual([
      'accessExpiresAt',
      'generation',
      'receivedAt',
      'refreshExpiresAt',
      'tokenType',
    ]);
    expect(JSON.parse(JSON.stringify(tokens))).toMatchObject({
      accessToken: '[redacted]',
      refreshToken: '[redacted]',
      cookies: '[redacted]',
      generation: 4,
    });
    expect(inspect({ nested: { tokens } })).toContain('[redacted]');
  });

  it('tokenSetRecord carries every secret for sealing, and createTokenSet rebuilds an equal set', () => {
    const record = tokenSetRecord(tokens);
    expect(record).toMatchObject({ accessToken: ACCESS, refreshToken: REFRESH, generation: 4 });
    const rebuilt = createTokenSet(JSON.parse(JSON.stringify(record)));
    expect(tokenSetRecord(rebuilt)).toEqual(record);
    expect(rebuilt.cookies).toEqual(tokens.cookies);
    const pointing = createTokenSet({
      ...record,
      cookies: {
        cookies: [
          { key: 'access', value: ACCESS },
          { key: 'refresh', value: REFRESH },
        ],
      },
    });
    expect(tokenSetRecord(pointing).cookies?.cookies).toEqual([
      { key: 'access', valueFrom: 'accessToken' },
      { key: 'refresh', valueFrom: 'refreshToken' },
    ]);
    expect(createTokenSet(tokenSetRecord(pointing)).cookies?.cookies.map((c) => c.value)).toEqual([
      ACCESS,
      REFRESH,
    ]);
    expect(() =>
      createTokenSet({
        ...record,
        refreshToken: undefined,
        cookies: { cookies: [{ key: 'refresh', valueFrom: 'refreshToken' }] },
      }),
    ).toThrow(TypeError);
    expect(Object.isFrozen(rebuilt)).toBe(true);
  });

  it('refuses records of the wrong shape', () => {
    for (const bad of [
      { ...tokenSetRecord(tokens), accessToken: '' },
      { ...tokenSetRecord(tokens), tokenType: 'Basic' },
      { ...tokenSetRecord(tokens), generation: -1 },
      { ...tokenSetRecord(tokens), accessExpiresAt: Number.NaN },
      { ...tokenSetRecord(tokens), cookies: { cookies: 'x' } },
    ]) {
      expect(() => createTokenSet(bad as never)).toThrow(TypeError);
    }
  });
});

describe('errors built from upstream text', () => {
  it('scrub a password the upstream echoes in a login error (Timbr 400, notes 406, TingTing 401)', async () => {
    const now = clock();
    const password = 'hunter2-the-password';
    const timbrFake = await timbr({ now });
    timbrFake.inject('login', { status: 400, body: { password: [`"${password}" is too common`] } });
    const notesFake = await notes({ now });
    notesFake.inject('login', { status: 406, body: { error: `wrong password ${password}` } });
    const tingtingFake = await tingting({ now });
    tingtingFake.inject('login', { status: 401, body: { detail: `no account with ${password}` } });
    const errors = [
      await rejectionOf(
        timbrProvider({ baseURL: timbrFake.url }).login(
          { identifier: 'ram', password },
          ctxOf(now),
        ),
      ),
      await rejectionOf(
        notesProvider({ baseURL: notesFake.url }).login(
          { identifier: 'ram', password },
          ctxOf(now),
        ),
      ),
      await rejectionOf(
        tingtingAccountsProvider({ baseURL: tingtingFake.url }).login(
          { identifier: 'ram@example.com', password },
          ctxOf(now),
        ),
      ),
    ];
    expect(errors.map((error) => (error as { code?: string }).code)).toEqual([
      'UPSTREAM_BAD_REQUEST',
      'UPSTREAM_INVALID_CREDENTIALS',
      'UPSTREAM_INVALID_CREDENTIALS',
    ]);
    expect((errors[1] as { upstreamMessage?: string }).upstreamMessage).toBe(
      'wrong password [redacted]',
    );
    expectNoSecrets(errors, [password]);
  });

  it('scrub the refresh token and cookies a refresh error echoes', async () => {
    const now = clock();
    const notesFake = await notes({ now });
    const provider = notesProvider({ baseURL: notesFake.url });
    const { tokens } = await provider.login(
      { identifier: notesFake.account.username, password: notesFake.account.password },
      ctxOf(now),
    );
    notesFake.inject('refresh', {
      status: 406,
      body: { error: `token ${tokens.refreshToken} is expired (access ${tokens.accessToken})` },
    });
    const notesError = await rejectionOf(provider.refresh(tokens, ctxOf(now)));
    expect(notesError).toMatchObject({ code: 'REFRESH_REJECTED' });
    const tingtingFake = await tingting({ now });
    const tingtingProvider = tingtingAccountsProvider({ baseURL: tingtingFake.url });
    const session = await tingtingProvider.login(
      { identifier: tingtingFake.account.email, password: tingtingFake.account.password },
      ctxOf(now),
    );
    tingtingFake.inject('refresh', {
      status: 401,
      body: { message: `Failed To Refresh ${session.tokens.refreshToken}` },
    });
    const tingtingError = await rejectionOf(tingtingProvider.refresh(session.tokens, ctxOf(now)));
    expect(tingtingError).toMatchObject({ code: 'REFRESH_REJECTED' });
    expectNoSecrets(
      [notesError, tingtingError],
      [
        tokens.accessToken,
        tokens.refreshToken,
        session.tokens.accessToken,
        session.tokens.refreshToken,
        ...(session.tokens.cookies?.cookies.map((cookie) => String(cookie.value)) ?? []),
      ],
    );
  });

  it('client results and clients print no secret', async () => {
    const now = clock();
    const timbrFake = await timbr({ now });
    const timbrClient = new TimbrClient({ baseURL: timbrFake.url });
    const pair = await timbrClient.createJWT({
      username: timbrFake.account.username,
      password: timbrFake.account.password,
    });
    const notesFake = await notes({ now });
    const notesClient = new NotesClient({ baseURL: notesFake.url });
    const notesTokens = await notesClient.login({
      username: notesFake.account.username,
      password: notesFake.account.password,
    });
    expectNoSecrets(
      [pair, notesTokens, timbrClient, notesClient, timbrProvider({ baseURL: timbrFake.url })],
      [pair.access, pair.refresh, notesTokens.accessToken, notesTokens.refreshToken],
    );
    expect(inspect(pair)).toBe('TimbrTokenPair {"access":"[redacted]","refresh":"[redacted]"}');
  });
});
