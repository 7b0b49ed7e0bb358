// The TingTing fake's account endpoints (seed 000) as a token upstream: accounts, lifetimes,
// refresh-cookie rotation, reuse detection and the counters the token-session tests assert on.
import { describe, expect, it } from 'vitest';
import type { FakeTingTing } from '../src/index.js';
import { API, login, manualClock, postJSON, startFake } from './helpers.js';

function cookiesOf(response: Response): Map<string, string> {
  return new Map(
    response.headers.getSetCookie().map((line) => {
      const pair = line.split(';')[0]!;
      return [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)] as const;
    }),
  );
}

function refreshWith(fake: FakeTingTing, refresh: string): Promise<Response> {
  return fetch(`${fake.url}${API}/login/refresh/`, {
    method: 'POST',
    headers: { cookie: `refresh=${refresh}` },
  });
}

describe('TingTing accounts', () => {
  it('addAccount: another account logs in by email, has its own API token and profile', async () => {
    const fake = await startFake();
    const added = fake.addAccount({
      username: 'ramthapa',
      email: 'ram.thapa@example.com',
      password: 'ram-password',
    });
    expect(added.apiToken).toMatch(/^[0-9a-f]{64}$/);
    expect(added.apiToken).not.toBe(fake.apiToken);
    const response = await postJSON(`${fake.url}${API}/login/`, {
      email: 'RAM.THAPA@example.com',
      password: 'ram-password',
    });
    expect(response.status).toBe(200);
    const profile = await fetch(`${fake.url}${API}/user-profile/`, {
      headers: { authorization: `Bearer ${added.apiToken}` },
    });
    expect((await profile.json()).user).toMatchObject({
      username: 'ramthapa',
      email: 'ram.thapa@example.com',
    });
    expect(() =>
      fake.addAccount({ username: 'x', email: 'dev@example.com', password: 'p' }),
    ).toThrow(TypeError);
  });

  it('an inactive account: "Account is not activated." by default, the generic answer with inactiveLogin: "generic"', async () => {
    const fake = await startFake({
      accounts: [
        { username: 'sita', email: 'sita@example.com', password: 'sita-pw', active: false },
      ],
    });
    const inactive = await postJSON(`${fake.url}${API}/login/`, {
      email: 'sita@example.com',
      password: 'sita-pw',
    });
    expect(inactive.status).toBe(401);
    expect(await inactive.json()).toEqual({ detail: 'Account is not activated.' });
    // A wrong password on the same inactive account does not reveal that it is inactive.
    const wrong = await postJSON(`${fake.url}${API}/login/`, {
      email: 'sita@example.com',
      password: 'nope',
    });
    expect(await wrong.json()).toEqual({
      detail: 'No active account found with the given credentials',
    });
    const generic = await startFake({ inactiveLogin: 'generic' });
    generic.setAccountActive('dev@example.com', false);
    const answer = await postJSON(`${generic.url}${API}/login/`, generic.account);
    expect(await answer.json()).toEqual({
      detail: 'No active account found with the given credentials',
    });
  });

  it('lifetimes: the access and refresh cookies carry them and lapse on the fake clock', async () => {
    const clock = manualClock();
    const fake = await startFake({
      now: clock.now,
      lifetimes: { accessSeconds: 60, refreshSeconds: 120 },
    });
    const { response, refresh } = await login(fake);
    expect(response.headers.getSetCookie().join('\n')).toMatch(/access=[^;]+;.*Max-Age=60;/);
    expect(response.headers.getSetCookie().join('\n')).toMatch(/refresh=[^;]+;.*Max-Age=120;/);
    clock.advance(119_999);
    expect((await refreshWith(fake, refresh)).status).toBe(200);
    clock.advance(1);
    const lapsed = await refreshWith(fake, refresh);
    expect(lapsed.status).toBe(401);
    expect(await lapsed.json()).toEqual({ message: 'Failed To Refresh The Session' });
    expect(fake.refreshTokensPresented.map((entry) => entry.outcome)).toEqual([
      'refreshed',
      'expired',
    ]);
    expect(fake.refreshTokensPresented[0]!.account).toBe('dev@example.com');
  });
});

describe('TingTing refresh-cookie rotation', () => {
  it('"none" (default): only a new access cookie; the refresh cookie keeps working', async () => {
    const fake = await startFake();
    const { refresh } = await login(fake);
    const first = await refreshWith(fake, refresh);
    expect([...cookiesOf(first).keys()]).toEqual(['access']);
    expect((await refreshWith(fake, refresh)).status).toBe(200);
    expect(fake.stats).toMatchObject({ loginCalls: 1, refreshCalls: 2, rotations: 0 });
  });

  it('"rotate-detect-reuse": a new refresh cookie each time; replaying an old one revokes the family', async () => {
    const fake = await startFake({ rotation: 'rotate-detect-reuse' });
    const { refresh } = await login(fake);
    const rotated = await refreshWith(fake, refresh);
    const cookies = cookiesOf(rotated);
    expect([...cookies.keys()].sort()).toEqual(['access', 'refresh']);
    const successor = cookies.get('refresh')!;
    expect(successor).not.toBe(refresh);
    const replay = await refreshWith(fake, refresh);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual({ message: 'Failed To Refresh The Session' });
    expect((await refreshWith(fake, successor)).status).toBe(401);
    expect(fake.stats).toMatchObject({ reuseDetected: 1, duplicateRefreshPresentations: 1 });
  });

  it('graceSeconds: a lost answer can be retried inside the window and gets the same successor cookie', async () => {
    const clock = manualClock();
    const fake = await startFake({ now: clock.now, rotation: 'rotate', graceSeconds: 5 });
    const { refresh } = await login(fake);
    fake.inject('refresh', { kind: 'reset' });
    await expect(refreshWith(fake, refresh)).rejects.toThrow(TypeError);
    clock.advance(4_000);
    const retry = await refreshWith(fake, refresh);
    expect(retry.status).toBe(200);
    const successor = cookiesOf(retry).get('refresh');
    expect(successor).toBeDefined();
    expect((await refreshWith(fake, successor!)).status).toBe(200);
    expect(fake.refreshTokensPresented.map((entry) => entry.outcome)).toEqual([
      'rotated',
      'grace',
      'rotated',
    ]);
  });

  it('revokeAll(email) ends the access and refresh JWTs; a new login works', async () => {
    const fake = await startFake();
    const { access, refresh } = await login(fake);
    fake.revokeAll('dev@example.com');
    expect((await refreshWith(fake, refresh)).status).toBe(401);
    const apiKeys = await fetch(`${fake.url}${API}/get-api-keys/`, {
      headers: { authorization: `Bearer ${access}` },
    });
    expect(apiKeys.status).toBe(401);
    expect((await login(fake)).response.status).toBe(200);
  });

  it('setRotation switches modes for later refreshes; resetStats zeroes the counters', async () => {
    const fake = await startFake();
    const { refresh } = await login(fake);
    fake.setRotation('rotate');
    const rotated = await refreshWith(fake, refresh);
    expect(cookiesOf(rotated).has('refresh')).toBe(true);
    expect(fake.stats.rotations).toBe(1);
    fake.resetStats();
    expect(fake.stats).toMatchObject({ loginCalls: 0, refreshCalls: 0, rotations: 0 });
    expect(fake.refreshTokensPresented).toHaveLength(0);
    expect(() => fake.setRotation('always' as never)).toThrow(TypeError);
  });
});
