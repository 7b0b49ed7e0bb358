/**
 * The Next demos' password upstream, on each embedded fake: the demo account signs in through the
 * password sessions, the profile is read with the session's access token, the dev route moves the
 * clock past the refresh time and shows exactly one upstream refresh for many readers, and the
 * wiring refuses a bad `UPSTREAM` / bad dev-route input with a clear answer.
 */

import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { upstreamControlResponse, upstreamStatsResponse } from '../src/dev-upstream.js';
import { upstreamSessionSecretOf } from '../src/sessions.js';
import {
  accessSecondsOf,
  createDemoUpstream,
  DEMO_ACCOUNT,
  upstreamNameOf,
} from '../src/upstream.js';

const devEnv = (upstream: string) => ({ NODE_ENV: 'test', UPSTREAM: upstream }) as const;

const post = (body: unknown) =>
  new Request('http://localhost/api/dev/upstream', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe.each([
  ['timbr', DEMO_ACCOUNT.username, 'Your team API tokens'],
  ['notes', DEMO_ACCOUNT.username, 'Username'],
  ['tingting', DEMO_ACCOUNT.email, 'Email'],
] as const)('UPSTREAM=%s', (name, identifier, detail) => {
  const upstream = createDemoUpstream(`next-demo-upstream-test-${name}`, devEnv(name));

  afterAll(async () => {
    await (await upstream.getFake())?.close();
  });

  it('names the demo account and asks for the right field', () => {
    expect(upstream.name).toBe(name);
    expect(upstream.usesEmbeddedFake).toBe(true);
    expect(upstream.demoAccount).toEqual({ identifier, password: DEMO_ACCOUNT.password });
    expect(upstream.identifierField).toBe(name === 'tingting' ? 'email' : 'username');
    expect(upstream.sessions.providerId).toBe(name);
  });

  it('signs the demo account in, refuses a wrong password, reads the profile', async () => {
    const wrong = await upstream.sessions.signIn({ identifier, password: 'not-the-password-1' });
    expect(wrong.ok).toBe(false);
    const result = await upstream.sessions.signIn({ identifier, password: DEMO_ACCOUNT.password });
    if (!result.ok) throw new Error(`sign-in failed: ${result.reason}`);
    const token = await upstream.sessions.getAccessToken(result.sid);
    const details = await upstream.profile(token);
    const row = details.find((d) => d.label === detail);
    expect(row?.value).toBe(
      name === 'timbr' ? '0' : name === 'notes' ? DEMO_ACCOUNT.username : DEMO_ACCOUNT.email,
    );
  });

  it('the dev route moves the clock: ten readers past the refresh time cause one refresh', async () => {
    const result = await upstream.sessions.signIn({ identifier, password: DEMO_ACCOUNT.password });
    if (!result.ok) throw new Error(`sign-in failed: ${result.reason}`);
    const sid = result.sid;
    const first = await upstream.sessions.getAccessToken(sid);
    const reset = await upstreamControlResponse(upstream, post({ resetStats: true }));
    expect(((await reset.json()) as { stats: { refreshCalls: number } }).stats.refreshCalls).toBe(
      0,
    );
    // The tokens live 60 s (the default) and are due for a refresh 30 s before they end: 55 s
    // later, they are.
    const moved = await upstreamControlResponse(upstream, post({ advanceSeconds: 55 }));
    expect(moved.status).toBe(200);
    const tokens = await Promise.all(
      Array.from({ length: 10 }, () => upstream.sessions.getAccessToken(sid)),
    );
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(first);
    const stats = (await (await upstreamStatsResponse(upstream)).json()) as {
      upstream: string;
      stats: { refreshCalls: number; reuseDetected: number };
    };
    expect(stats.upstream).toBe(name);
    expect(stats.stats.refreshCalls).toBe(1);
    expect(stats.stats.reuseDetected).toBe(0);
    expect((await upstream.profile(tokens[0] ?? '')).length).toBeGreaterThan(0);
  });

  it.each([
    ['a negative step', { advanceSeconds: -1 }],
    ['a fraction', { advanceSeconds: 1.5 }],
    ['a string', { advanceSeconds: '10' }],
    ['more than a day', { advanceSeconds: 86_401 }],
    ['resetStats not a boolean', { resetStats: 'yes' }],
  ])('the dev route refuses %s with 400 INVALID_REQUEST', async (_label, body) => {
    const response = await upstreamControlResponse(upstream, post(body));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'INVALID_REQUEST',
    );
  });
});

describe('configuration', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('has the demo account of every demo: demo / demo-password-1 (TingTing: demo@example.com)', () => {
    expect(DEMO_ACCOUNT).toEqual({
      username: 'demo',
      email: 'demo@example.com',
      password: 'demo-password-1',
    });
  });

  it('UPSTREAM_ACCESS_SECONDS defaults to 60, as in the Express and Passport demos', () => {
    expect(accessSecondsOf(undefined)).toBe(60);
    expect(accessSecondsOf('')).toBe(60);
    expect(accessSecondsOf('20')).toBe(20);
  });

  it('UPSTREAM_SESSION_SECRET seals the sessions; SESSION_SECRET still works, with a warning', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const secret = 's'.repeat(43);
    expect(upstreamSessionSecretOf('secret-test-a', { UPSTREAM_SESSION_SECRET: secret })).toBe(
      secret,
    );
    expect(warn).not.toHaveBeenCalled();
    expect(upstreamSessionSecretOf('secret-test-b', { SESSION_SECRET: secret })).toBe(secret);
    expect(warn).toHaveBeenCalledWith(
      '[secret-test-b] SESSION_SECRET is deprecated here: rename it to UPSTREAM_SESSION_SECRET.',
    );
    expect(upstreamSessionSecretOf('secret-test-c', {})).toMatch(/^secret-test-c-dev-only-/);
    expect(warn).toHaveBeenLastCalledWith(
      '[secret-test-c] UPSTREAM_SESSION_SECRET is not set: using a development secret. Set it in production.',
    );
  });

  it('defaults to Timbr and refuses an unknown UPSTREAM', () => {
    expect(upstreamNameOf(undefined)).toBe('timbr');
    expect(upstreamNameOf('')).toBe('timbr');
    expect(() => upstreamNameOf('github')).toThrow(/UPSTREAM must be timbr, notes or tingting/);
  });

  it('refuses a bad UPSTREAM_ACCESS_SECONDS at start-up', () => {
    expect(() =>
      createDemoUpstream('next-demo-upstream-test-bad', { UPSTREAM_ACCESS_SECONDS: 'soon' }),
    ).toThrow(/UPSTREAM_ACCESS_SECONDS/);
  });

  it('with UPSTREAM_URL: no fake, no demo account, the dev route answers 404', async () => {
    const real = createDemoUpstream('next-demo-upstream-test-real', {
      NODE_ENV: 'test',
      UPSTREAM: 'notes',
      UPSTREAM_URL: 'https://notes.example.com',
    });
    expect(real.usesEmbeddedFake).toBe(false);
    expect(real.demoAccount).toBeUndefined();
    expect(real.getFake()).toBeUndefined();
    expect((await upstreamStatsResponse(real)).status).toBe(404);
    expect((await upstreamControlResponse(real, post({ advanceSeconds: 1 }))).status).toBe(404);
    expect(() => real.advanceClock(1000)).toThrow(/embedded fake/);
  });

  it('in production without TINGTING_DEMO_OUTBOX=1 the dev route answers 404', async () => {
    const prod = createDemoUpstream('next-demo-upstream-test-prod', {
      NODE_ENV: 'production',
      UPSTREAM: 'notes',
    });
    expect((await upstreamStatsResponse(prod)).status).toBe(404);
  });
});
