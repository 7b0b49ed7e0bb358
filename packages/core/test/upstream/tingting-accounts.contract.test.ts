/**
 * Seed 000 (TingTing accounts) through `tingtingAccountsProvider` against the fake over real HTTP:
 * a per-login cookie jar that round-trips through `TokenSet.cookies` (and through a store's JSON),
 * refresh keeping whatever Set-Cookie comes back, a read-only profile, and never a call to
 * generate-api-keys.
 */
import { describe, expect, it } from 'vitest';
import {
  createTokenSet,
  decodeJWTClaims,
  tingtingAccountsProvider,
  tokenSetRecord,
} from '../../src/upstream/index.js';
import { clock, ctxOf, expectNoSecrets, recordingFetch, rejectionOf, tingting } from './helpers.js';

/** Through a store: the record as JSON text and back (what a sealed session holds). */
function throughStore(
  tokens: ReturnType<typeof createTokenSet>,
): ReturnType<typeof createTokenSet> {
  return createTokenSet(JSON.parse(JSON.stringify(tokenSetRecord(tokens))));
}

describe('tingtingAccountsProvider (seed 000)', () => {
  it('login: the access and refresh cookies in TokenSet.cookies, the access JWT as accessToken, expiry from Max-Age on our clock', async () => {
    const now = clock();
    const fake = await tingting({
      now,
      lifetimes: { accessSeconds: 86_400, refreshSeconds: 604_800 },
    });
    const provider = tingtingAccountsProvider({ baseURL: fake.url });
    const grant = await provider.login(
      { identifier: fake.account.email, password: fake.account.password },
      ctxOf(now),
    );
    const { tokens } = grant;
    expect(tokens).toMatchObject({
      tokenType: 'Cookie',
      generation: 0,
      accessExpiresAt: now() + 86_400_000,
      refreshExpiresAt: now() + 604_800_000,
    });
    expect(decodeJWTClaims(tokens.accessToken)?.token_type).toBe('access');
    const keys = tokens.cookies?.cookies.map((cookie) => cookie.key).sort();
    expect(keys).toEqual(['access', 'refresh']);
    expect(grant.subject).toBe(String(decodeJWTClaims(tokens.accessToken)?.user_id));
    expect(Object.keys(tokens)).not.toContain('cookies');
    // The record a store seals carries each token once (the cookies point at them).
    const record = JSON.stringify(tokenSetRecord(tokens));
    expect(record.split(tokens.accessToken)).toHaveLength(2);
    expect(record.split(tokens.refreshToken!)).toHaveLength(2);
    expect(record.length).toBeLessThan(1000);
    expectNoSecrets(tokens, [tokens.accessToken, tokens.refreshToken]);
  });

  it('the jar round-trips through TokenSet.cookies and a store: refresh sends the stored refresh cookie', async () => {
    const now = clock();
    const fake = await tingting({ now });
    const provider = tingtingAccountsProvider({ baseURL: fake.url });
    const { tokens } = await provider.login(
      { identifier: fake.account.email, password: fake.account.password },
      ctxOf(now),
    );
    now.advance(86_000_000);
    const refreshed = await provider.refresh(throughStore(tokens), ctxOf(now));
    expect(fake.refreshTokensPresented.map((presented) => presented.token)).toEqual([
      tokens.refreshToken,
    ]);
    expect(refreshed.generation).toBe(1);
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    expect(refreshed.accessExpiresAt).toBe(now() + 86_400_000);
    // No rotation by default: the refresh cookie stays, with its expiry.
    expect(refreshed.refreshToken).toBe(tokens.refreshToken);
    expect(refreshed.refreshExpiresAt).toBe(tokens.refreshExpiresAt);
    const again = await provider.refresh(throughStore(refreshed), ctxOf(now));
    expect(again.generation).toBe(2);
  });

  it('a rotated refresh cookie is kept; with reuse detection, no refresh cookie is ever presented twice', async () => {
    const now = clock();
    const fake = await tingting({ now, rotation: 'rotate-detect-reuse' });
    const provider = tingtingAccountsProvider({ baseURL: fake.url });
    let { tokens } = await provider.login(
      { identifier: fake.account.email, password: fake.account.password },
      ctxOf(now),
    );
    for (let round = 1; round <= 3; round++) {
      const before = tokens.refreshToken;
      tokens = await provider.refresh(throughStore(tokens), ctxOf(now));
      expect(tokens.refreshToken).not.toBe(before);
      expect(tokens.cookies?.cookies.filter((cookie) => cookie.key === 'refresh')).toHaveLength(1);
    }
    expect(fake.stats).toMatchObject({
      rotations: 3,
      reuseDetected: 0,
      duplicateRefreshPresentations: 0,
    });
  });

  it('each login has its own jar: two users signed in at once keep their own cookies', async () => {
    const now = clock();
    const fake = await tingting({ now });
    const other = fake.addAccount({
      username: 'sita',
      email: 'sita@example.com',
      password: 'sita-password-1',
    });
    const provider = tingtingAccountsProvider({ baseURL: fake.url });
    const [first, second] = await Promise.all([
      provider.login(
        { identifier: fake.account.email, password: fake.account.password },
        ctxOf(now),
      ),
      provider.login({ identifier: other.email, password: other.password }, ctxOf(now)),
    ]);
    expect(first.subject).not.toBe(second.subject);
    const refreshedSecond = await provider.refresh(second.tokens, ctxOf(now));
    expect(decodeJWTClaims(refreshedSecond.accessToken)?.user_id).toBe(Number(second.subject));
    expect(fake.refreshTokensPresented.map((presented) => presented.account)).toEqual([
      other.email,
    ]);
  });

  it('a wrong password is UPSTREAM_INVALID_CREDENTIALS; an inactive account UPSTREAM_ACCOUNT_INACTIVE (both 401)', async () => {
    const now = clock();
    const fake = await tingting({ now });
    const provider = tingtingAccountsProvider({ baseURL: fake.url });
    const wrong = await rejectionOf(
      provider.login({ identifier: fake.account.email, password: 'wrong-password' }, ctxOf(now)),
    );
    expect(wrong).toMatchObject({ code: 'UPSTREAM_INVALID_CREDENTIALS', status: 401 });
    const unknown = await rejectionOf(
      provider.login({ identifier: 'nobody@example.com', password: 'whatever' }, ctxOf(now)),
    );
    expect(unknown).toMatchObject({ code: 'UPSTREAM_INVALID_CREDENTIALS', status: 401 });
    fake.setAccountActive(false);
    const inactive = await rejectionOf(
      provider.login(
        { identifier: fake.account.email, password: fake.account.password },
        ctxOf(now),
      ),
    );
    expect(inactive).toMatchObject({ code: 'UPSTREAM_ACCOUNT_INACTIVE', status: 401 });
    expectNoSecrets([wrong, unknown, inactive], [fake.account.password, 'wrong-password']);
  });

  it('refresh refused (revoked, inactive, no cookie) is REFRESH_REJECTED', async () => {
    const now = clock();
    const fake = await tingting({ now });
    const provider = tingtingAccountsProvider({ baseURL: fake.url });
    const { tokens } = await provider.login(
      { identifier: fake.account.email, password: fake.account.password },
      ctxOf(now),
    );
    fake.setAccountActive(false);
    const inactive = await rejectionOf(provider.refresh(tokens, ctxOf(now)));
    expect(inactive).toMatchObject({ code: 'REFRESH_REJECTED', status: 401 });
    fake.setAccountActive(true);
    fake.revokeAll(fake.account.email);
    const revoked = await rejectionOf(provider.refresh(tokens, ctxOf(now)));
    expect(revoked).toMatchObject({ code: 'REFRESH_REJECTED', status: 401 });
    const record = tokenSetRecord(tokens);
    const withoutRefresh = createTokenSet({
      ...record,
      cookies: {
        ...record.cookies!,
        cookies: record.cookies!.cookies.filter((c) => c.key !== 'refresh'),
      },
    });
    const missing = await rejectionOf(provider.refresh(withoutRefresh, ctxOf(now)));
    expect(missing).toMatchObject({ code: 'REFRESH_REJECTED', status: 400 });
    expectNoSecrets([inactive, revoked, missing], [tokens.accessToken, tokens.refreshToken]);
  });

  it('profile: get-api-keys then user-profile, read-only; never generate-api-keys, even with no API token', async () => {
    const now = clock();
    const fake = await tingting({ now });
    const recorder = recordingFetch();
    const provider = tingtingAccountsProvider({ baseURL: fake.url, fetch: recorder.fetch });
    const { tokens, subject } = await provider.login(
      { identifier: fake.account.email, password: fake.account.password },
      ctxOf(now),
    );
    const profile = await provider.profile(tokens, ctxOf(now));
    expect(profile).toMatchObject({ subject, email: fake.account.email });
    expectNoSecrets(profile, [fake.apiToken, tokens.accessToken]);
    fake.revokeAPIToken();
    const bare = await provider.profile(tokens, ctxOf(now));
    expect(bare).toEqual({ subject });
    await provider.refresh(tokens, ctxOf(now));
    expect(recorder.seen.map((request) => request.path)).toEqual([
      '/api/v1/auths/login/',
      '/api/v1/auths/get-api-keys/',
      '/api/v1/auths/user-profile/',
      '/api/v1/auths/get-api-keys/',
      '/api/v1/auths/login/refresh/',
    ]);
    expect(fake.requests.filter((request) => request.endpoint === 'generateAPIToken')).toEqual([]);
  });

  it('profile with an expired access token is ACCESS_TOKEN_REJECTED', async () => {
    const now = clock();
    const fake = await tingting({ now });
    const provider = tingtingAccountsProvider({ baseURL: fake.url });
    const { tokens } = await provider.login(
      { identifier: fake.account.email, password: fake.account.password },
      ctxOf(now),
    );
    fake.expireAccessTokens();
    const error = await rejectionOf(provider.profile(tokens, ctxOf(now)));
    expect(error).toMatchObject({ code: 'ACCESS_TOKEN_REJECTED', status: 401 });
    expectNoSecrets(error, [tokens.accessToken]);
  });
});
