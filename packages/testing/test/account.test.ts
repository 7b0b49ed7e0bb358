import { describe, expect, it } from 'vitest';
import { API, login, manualClock, postJSON, startFake } from './helpers.js';

describe('login (seed 000)', () => {
  it('answers 200 with the documented body and sets HttpOnly access (1 day) and refresh cookies', async () => {
    const fake = await startFake();
    const { response, access, refresh } = await login(fake);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ has_logged_in: true, message: 'Login Successful' });
    const cookies = response.headers.getSetCookie();
    const accessCookie = cookies.find((line) => line.startsWith('access='))!;
    const refreshCookie = cookies.find((line) => line.startsWith('refresh='))!;
    expect(accessCookie).toMatch(/; HttpOnly/);
    expect(accessCookie).toMatch(/; Max-Age=86400(;|$)/);
    expect(accessCookie).toMatch(/; Path=\//);
    expect(refreshCookie).toMatch(/; HttpOnly/);
    expect(Number(/Max-Age=(\d+)/.exec(refreshCookie)![1])).toBeGreaterThan(86400);
    expect(access.split('.')).toHaveLength(3);
    expect(refresh).not.toBe(access);
  });

  it('refuses wrong credentials with 401 and missing fields with DRF field errors', async () => {
    const fake = await startFake({ account: { email: 'ram@example.com', password: 's3cret' } });
    const wrong = await postJSON(`${fake.url}${API}/login/`, {
      email: 'ram@example.com',
      password: 'nope',
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({
      detail: 'No active account found with the given credentials',
    });
    expect(wrong.headers.getSetCookie()).toEqual([]);
    const missing = await postJSON(`${fake.url}${API}/login/`, { password: '' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({
      email: ['This field is required.'],
      password: ['This field may not be blank.'],
    });
    const broken = await fetch(`${fake.url}${API}/login/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":',
    });
    expect(broken.status).toBe(400);
    expect((await broken.json()).detail).toMatch(/^JSON parse error/);
  });

  it('accepts a form-encoded login too, as DRF does', async () => {
    const fake = await startFake();
    const response = await fetch(`${fake.url}${API}/login/`, {
      method: 'POST',
      body: new URLSearchParams(fake.account),
    });
    expect(response.status).toBe(200);
  });
});

describe('refresh (seed 000)', () => {
  it('exchanges the refresh cookie for a new access cookie', async () => {
    const fake = await startFake();
    const { refresh } = await login(fake);
    const response = await fetch(`${fake.url}${API}/login/refresh/`, {
      method: 'POST',
      headers: { cookie: `refresh=${refresh}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: 'Session Refreshed Successfully' });
    const [cookie] = response.headers.getSetCookie();
    expect(cookie).toMatch(/^access=[^;]+; .*HttpOnly; Max-Age=86400/);
  });

  it('answers each documented error', async () => {
    const fake = await startFake();
    const refreshWith = (cookie?: string) =>
      fetch(`${fake.url}${API}/login/refresh/`, {
        method: 'POST',
        headers: cookie === undefined ? {} : { cookie },
      });
    const none = await refreshWith();
    expect(none.status).toBe(400);
    expect(await none.json()).toEqual({ message: 'No refresh token provided' });
    const malformed = await refreshWith('refresh=not-a-jwt');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ detail: 'Invalid token payload.' });
    const { refresh, access } = await login(fake);
    const forged = await refreshWith(`refresh=${refresh.slice(0, -4)}AAAA`);
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ message: 'Failed To Refresh The Session' });
    const accessAsRefresh = await refreshWith(`refresh=${access}`);
    expect(accessAsRefresh.status).toBe(400);
    fake.setAccountActive(false);
    const inactive = await refreshWith(`refresh=${refresh}`);
    expect(inactive.status).toBe(401);
    expect(await inactive.json()).toEqual({ detail: 'Account is not activated.' });
  });

  it('lets the access JWT lapse after one day of the injected clock, while refresh still works', async () => {
    const clock = manualClock();
    const fake = await startFake({ now: clock.now });
    const { access, refresh } = await login(fake);
    const getToken = (jwt: string) =>
      fetch(`${fake.url}${API}/get-api-keys/`, { headers: { authorization: `Bearer ${jwt}` } });
    clock.advance(86_400_000 - 1000);
    expect((await getToken(access)).status).toBe(200);
    clock.advance(1000);
    const expired = await getToken(access);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({ detail: 'Invalid token.' });
    const refreshed = await fetch(`${fake.url}${API}/login/refresh/`, {
      method: 'POST',
      headers: { cookie: `refresh=${refresh}` },
    });
    const fresh = /^access=([^;]+)/.exec(refreshed.headers.getSetCookie()[0]!)![1]!;
    expect((await getToken(fresh)).status).toBe(200);
  });

  it('expireAccessTokens() stops every issued access JWT at once', async () => {
    const fake = await startFake();
    const { access } = await login(fake);
    fake.expireAccessTokens();
    const response = await fetch(`${fake.url}${API}/get-api-keys/`, {
      headers: { authorization: `Bearer ${access}` },
    });
    expect(response.status).toBe(401);
  });
});

describe('API tokens (seed 000)', () => {
  it('generates a new token with the access JWT as Bearer and invalidates the previous one at once', async () => {
    const fake = await startFake();
    const old = fake.apiToken;
    const profile = (token: string) =>
      fetch(`${fake.url}${API}/user-profile/`, { headers: { authorization: `Bearer ${token}` } });
    expect((await profile(old)).status).toBe(200);
    const { access } = await login(fake);
    const response = await fetch(`${fake.url}${API}/generate-api-keys/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access}` },
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toEqual({
      token: expect.stringMatching(/^[0-9a-f]{64}$/),
      message: 'New API token generated successfully',
    });
    expect(body.token).not.toBe(old);
    expect(fake.apiToken).toBe(body.token);
    const stale = await profile(old);
    expect(stale.status).toBe(401);
    expect(await stale.json()).toEqual({ detail: 'Invalid token.' });
    expect((await profile(body.token)).status).toBe(200);
  });

  it('accepts the access cookie instead of the Bearer header', async () => {
    const fake = await startFake();
    const { access } = await login(fake);
    const response = await fetch(`${fake.url}${API}/generate-api-keys/`, {
      method: 'POST',
      headers: { cookie: `access=${access}` },
    });
    expect(response.status).toBe(200);
  });

  it('gets the current token with its timestamps, or the documented "no token" answer', async () => {
    const clock = manualClock();
    const fake = await startFake({ now: clock.now, apiToken: 'fixed-token' });
    const { access } = await login(fake);
    const getToken = () =>
      fetch(`${fake.url}${API}/get-api-keys/`, { headers: { authorization: `Bearer ${access}` } });
    expect(await (await getToken()).json()).toEqual({
      token: 'fixed-token',
      last_used: null,
      created_at: '2026-01-15T06:00:00.000Z',
    });
    clock.advance(60_000);
    await fetch(`${fake.url}${API}/user-profile/`, {
      headers: { authorization: 'Bearer fixed-token' },
    });
    expect((await (await getToken()).json()).last_used).toBe('2026-01-15T06:01:00.000Z');
    fake.revokeAPIToken();
    const none = await getToken();
    expect(none.status).toBe(200);
    expect(await none.json()).toEqual({
      message: 'No API token found. Please generate one first.',
    });
  });

  it('refuses missing, API-token and malformed credentials on the JWT endpoints', async () => {
    const fake = await startFake();
    const call = (headers: Record<string, string>) =>
      fetch(`${fake.url}${API}/generate-api-keys/`, { method: 'POST', headers });
    const none = await call({});
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const apiToken = await call({ authorization: `Bearer ${fake.apiToken}` });
    expect(apiToken.status).toBe(401);
    expect(await apiToken.json()).toEqual({ detail: 'Invalid token.' });
    const bare = await call({ authorization: 'Bearer' });
    expect(await bare.json()).toEqual({ detail: 'Invalid token header. No credentials provided.' });
  });
});

describe('user profile (seed 000)', () => {
  it('answers the documented shape for the API token and refuses the access JWT', async () => {
    const fake = await startFake({ account: { email: 'ram@example.com', password: 'pw' } });
    const response = await fetch(`${fake.url}${API}/user-profile/`, {
      headers: { authorization: `Bearer ${fake.apiToken}` },
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(Object.keys(body).sort()).toEqual(
      ['address', 'contact_no', 'id', 'is_verified_contact', 'profile_picture', 'user'].sort(),
    );
    expect(body.user).toEqual({
      first_name: expect.any(String),
      last_name: expect.any(String),
      username: expect.any(String),
      email: 'ram@example.com',
    });
    const { access } = await login(fake);
    const withJWT = await fetch(`${fake.url}${API}/user-profile/`, {
      headers: { authorization: `Bearer ${access}` },
    });
    expect(withJWT.status).toBe(401);
  });
});

describe('routing', () => {
  it('answers a wrong method with DRF’s 405 and an unknown path with 404', async () => {
    const fake = await startFake();
    const wrong = await fetch(`${fake.url}${API}/login/`);
    expect(wrong.status).toBe(405);
    expect(await wrong.json()).toEqual({ detail: 'Method "GET" not allowed.' });
    expect(wrong.headers.get('allow')).toBe('POST, OPTIONS');
    const wrongWithAuth = await fetch(`${fake.url}${API}/send/otp/`, {
      headers: { authorization: `Bearer ${fake.apiToken}` },
    });
    expect(wrongWithAuth.status).toBe(405);
    expect(await wrongWithAuth.json()).toEqual({ detail: 'Method "GET" not allowed.' });
    const unknown = await fetch(`${fake.url}/api/v1/auths/nothing-here/`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('redirects a path missing its trailing slash, as Django’s APPEND_SLASH does', async () => {
    const fake = await startFake();
    const response = await fetch(`${fake.url}${API}/user-profile?x=1`, { redirect: 'manual' });
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe(`${API}/user-profile/?x=1`);
  });

  it('logs every request without secrets in inspect or JSON output', async () => {
    const lines: string[] = [];
    const fake = await startFake({
      logger: (line) => lines.push(line),
      apiToken: 'very-secret-token',
    });
    await login(fake);
    expect(fake.requests).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: `${API}/login/`,
        endpoint: 'login',
        status: 200,
      }),
    ]);
    const { inspect } = await import('node:util');
    expect(inspect(fake)).not.toContain('very-secret-token');
    expect(JSON.stringify(fake)).not.toContain('very-secret-token');
    expect(lines.join('\n')).not.toMatch(/very-secret-token|dev-password/);
  });
});

describe('request bodies', () => {
  it('answers 413 to a body over 1 MB and 415 to an unsupported media type', async () => {
    const fake = await startFake();
    const large = await fetch(`${fake.url}${API}/login/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'x'.repeat(1024 * 1024 + 1), password: 'p' }),
    });
    expect(large.status).toBe(413);
    const text = await fetch(`${fake.url}${API}/login/`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'email=dev@example.com',
    });
    expect(text.status).toBe(415);
    expect(await text.json()).toEqual({
      detail: 'Unsupported media type "text/plain" in request.',
    });
  });
});
