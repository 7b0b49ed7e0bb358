/**
 * upstreamFetch: credentials go to the upstream only, a 401 refreshes once (one refresh however
 * many requests see it at once), and only idempotent requests are retried.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeNotes, startFakeTingTing } from '@tingting-auth/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MemorySessionStore,
  notesProvider,
  SessionExpiredError,
  tingtingAccountsProvider,
  UpstreamSessions,
  upstreamFetch,
} from '../../src/upstream/index.js';
import { manualClock, T0 } from '../helpers.js';

const SECRET = 'upstream-fetch-test-secret-0123456789abcdefgh';
const PASSWORD = 'right-password-123';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

async function notesRig() {
  const clock = manualClock(T0);
  const fake = await startFakeNotes({
    now: clock,
    accounts: [{ username: 'asha', email: 'asha@example.com', password: PASSWORD }],
  });
  closers.push(() => fake.close());
  const sessions = new UpstreamSessions({
    store: new MemorySessionStore(),
    secret: SECRET,
    provider: notesProvider({ baseURL: fake.url }),
    clock,
  });
  const signedIn = await sessions.signIn({ identifier: 'asha', password: PASSWORD });
  if (!signedIn.ok) throw new Error('sign-in failed');
  const api = upstreamFetch(sessions, signedIn.sid, { baseURL: fake.url });
  return { clock, fake, sessions, sid: signedIn.sid, api };
}

describe('upstreamFetch', () => {
  it('presents the Bearer token: the upstream answers for the signed-in account', async () => {
    const { api } = await notesRig();
    const response = await api('/auth/user');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ username: 'asha' });
  });

  it('a 401 refreshes once and retries a GET; parallel requests share the one refresh', async () => {
    const { api, fake } = await notesRig();
    fake.expireAccessTokens();
    const answers = await Promise.all([api('/auth/user'), api('/auth/user'), api('/auth/user')]);
    expect(answers.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(fake.stats.refreshCalls).toBe(1);
    expect(fake.stats.duplicateRefreshPresentations).toBe(0);
    expect(fake.stats.reuseDetected).toBe(0);
  });

  it('a non-idempotent request is not retried: its 401 is returned, and the next call has new tokens', async () => {
    const { fake, sessions, sid } = await notesRig();
    // An upstream resource that takes POSTs, checking the token as the fake's /auth/user does.
    const methods: string[] = [];
    const resource = createServer(async (req, res) => {
      methods.push(req.method ?? '');
      const check = await fetch(`${fake.url}/auth/user`, {
        headers: { authorization: req.headers.authorization ?? '' },
      });
      res.writeHead(check.status).end();
    });
    await new Promise<void>((resolve) => resource.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => resource.close(() => resolve())));
    const api = upstreamFetch(sessions, sid, {
      baseURL: `http://127.0.0.1:${(resource.address() as AddressInfo).port}`,
    });
    fake.expireAccessTokens();
    const posted = await api('/notes', { method: 'POST', body: 'x=1' });
    expect(posted.status).toBe(401);
    expect(methods).toEqual(['POST']);
    expect(fake.stats.refreshCalls).toBe(1);
    expect((await api('/notes', { method: 'POST', body: 'x=1' })).status).toBe(200);
    // A PUT is idempotent: retried once after the refresh.
    fake.expireAccessTokens();
    expect((await api('/notes/1', { method: 'PUT', body: 'x=2' })).status).toBe(200);
    expect(methods).toEqual(['POST', 'POST', 'PUT', 'PUT']);
    expect(fake.stats.refreshCalls).toBe(2);
  });

  it('a refused refresh ends the session: SessionExpiredError', async () => {
    const { api, fake, sessions, sid } = await notesRig();
    fake.revokeAll('asha');
    await expect(api('/auth/user')).rejects.toBeInstanceOf(SessionExpiredError);
    expect((await sessions.status(sid)).active).toBe(false);
  });

  it('never sends the credentials to another origin, nor follows a redirect with them', async () => {
    const { api, sessions, sid } = await notesRig();
    const seen: (string | undefined)[] = [];
    const other = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.end('{}');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => other.close(() => resolve())));
    const elsewhere = `http://127.0.0.1:${(other.address() as AddressInfo).port}/`;
    await expect(api(elsewhere)).rejects.toThrow(TypeError);
    await expect(api('//evil.example/x')).rejects.toThrow(/is not the upstream/);
    const token = await sessions.getAccessToken(sid);
    // A redirect to the other server is returned as it is (`redirect: 'manual'`).
    const redirecting = createServer((_req, res) => {
      res.writeHead(302, { location: elsewhere }).end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => redirecting.close(() => resolve())));
    const viaRedirect = upstreamFetch(sessions, sid, {
      baseURL: `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}`,
    });
    expect((await viaRedirect('/')).status).toBe(302);
    expect(seen).toEqual([]);
    expect(token).not.toBe('');
  });

  it("TingTing accounts: the session's cookies, not a Bearer header", async () => {
    const clock = manualClock(T0);
    const fake = await startFakeTingTing({ now: clock });
    closers.push(() => fake.close());
    const sessions = new UpstreamSessions({
      store: new MemorySessionStore(),
      secret: SECRET,
      provider: tingtingAccountsProvider({ baseURL: fake.url }),
      clock,
    });
    const signedIn = await sessions.signIn({
      identifier: fake.account.email,
      password: fake.account.password,
    });
    if (!signedIn.ok) throw new Error(`sign-in failed: ${signedIn.reason}`);
    const headers: Record<string, string | undefined>[] = [];
    const send: typeof fetch = async (input, init) => {
      const seen = new Headers(init?.headers);
      headers.push({
        cookie: seen.get('cookie') ?? undefined,
        auth: seen.get('authorization') ?? undefined,
      });
      return fetch(input, init);
    };
    const api = upstreamFetch(sessions, signedIn.sid, { baseURL: fake.url, fetch: send });
    await api('/api/v1/auths/get-api-keys/');
    expect(headers[0]?.auth).toBeUndefined();
    expect(headers[0]?.cookie).toMatch(/access=/);
  });

  it('refuses a base URL that is not http(s)', async () => {
    const { sessions, sid } = await notesRig();
    expect(() => upstreamFetch(sessions, sid, { baseURL: 'ftp://x' })).toThrow(TypeError);
    expect(() => upstreamFetch(sessions, sid, { baseURL: 'nope' })).toThrow(/baseURL/);
  });
});
