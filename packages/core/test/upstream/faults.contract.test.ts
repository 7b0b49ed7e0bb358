/**
 * Every way a call to an upstream can fail, for each of the three providers against its fake over
 * real HTTP: the typed error and its code, `Retry-After` kept, redirects never followed, and a
 * refresh whose answer was lost reported as an unknown outcome (never as a definite failure).
 */
import type { Fault, RedirectedRequest } from '@tingting-auth/testing';
import { describe, expect, it } from 'vitest';
import {
  notesProvider,
  type TokenSet,
  timbrProvider,
  tingtingAccountsProvider,
  type UpstreamCredentials,
  type UpstreamProvider,
} from '../../src/upstream/index.js';
import { closedPort } from '../client/helpers.js';
import { clock, ctxOf, expectNoSecrets, notes, rejectionOf, timbr, tingting } from './helpers.js';

interface Setup {
  fake: {
    inject(endpoint: 'login' | 'refresh', fault: Fault): void;
    readonly redirectedRequests: readonly RedirectedRequest[];
    readonly stats: { readonly refreshCalls: number; readonly rotations: number };
    setRotation(rotation: 'none' | 'rotate' | 'rotate-detect-reuse', graceSeconds?: number): void;
  };
  provider: UpstreamProvider;
  credentials: UpstreamCredentials;
}

const TIMEOUTS = { timeoutInMilliseconds: 1_000, connectTimeoutInMilliseconds: 1_000 };

const PROVIDERS: Record<string, (now: () => number) => Promise<Setup>> = {
  timbr: async (now) => {
    const fake = await timbr({ now, rotation: 'rotate' });
    return {
      fake,
      provider: timbrProvider({ baseURL: fake.url, ...TIMEOUTS }),
      credentials: { identifier: fake.account.username, password: fake.account.password },
    };
  },
  notes: async (now) => {
    const fake = await notes({ now, rotation: 'rotate' });
    return {
      fake,
      provider: notesProvider({ baseURL: fake.url, ...TIMEOUTS }),
      credentials: { identifier: fake.account.username, password: fake.account.password },
    };
  },
  tingting: async (now) => {
    const fake = await tingting({ now, rotation: 'rotate' });
    return {
      fake,
      provider: tingtingAccountsProvider({ baseURL: fake.url, ...TIMEOUTS }),
      credentials: { identifier: fake.account.email, password: fake.account.password },
    };
  },
};

describe.each(Object.keys(PROVIDERS))('%s: upstream faults', (name) => {
  const setup = async (): Promise<Setup & { now: ReturnType<typeof clock>; tokens: TokenSet }> => {
    const now = clock();
    const parts = await PROVIDERS[name]!(now);
    const { tokens } = await parts.provider.login(parts.credentials, ctxOf(now));
    return { ...parts, now, tokens };
  };

  it('503 and 429 are UPSTREAM_UNAVAILABLE with Retry-After kept (login and refresh)', async () => {
    const { fake, provider, credentials, now, tokens } = await setup();
    fake.inject('login', { status: 503, headers: { 'retry-after': '7' } });
    const down = await rejectionOf(provider.login(credentials, ctxOf(now)));
    expect(down).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      reason: 'server-error',
      retryAfterInSeconds: 7,
      status: 503,
    });
    fake.inject('refresh', { status: 429, headers: { 'retry-after': '12' } });
    const limited = await rejectionOf(provider.refresh(tokens, ctxOf(now)));
    expect(limited).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      reason: 'rate-limited',
      retryAfterInSeconds: 12,
    });
    fake.inject('refresh', { status: 500 });
    expect(await rejectionOf(provider.refresh(tokens, ctxOf(now)))).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
    expectNoSecrets(
      [down, limited],
      [credentials.password, tokens.accessToken, tokens.refreshToken],
    );
  });

  it('an HTML page, truncated JSON or an oversized body on login is UPSTREAM_MALFORMED', async () => {
    const { fake, provider, credentials, now } = await setup();
    fake.inject('login', { kind: 'html' });
    expect(await rejectionOf(provider.login(credentials, ctxOf(now)))).toMatchObject({
      code: 'UPSTREAM_MALFORMED',
      reason: 'not-json',
    });
    fake.inject('login', { kind: 'malformed-json' });
    expect(await rejectionOf(provider.login(credentials, ctxOf(now)))).toMatchObject({
      code: 'UPSTREAM_MALFORMED',
      reason: 'not-json',
    });
    fake.inject('login', { kind: 'oversized' });
    expect(await rejectionOf(provider.login(credentials, ctxOf(now)))).toMatchObject({
      code: 'UPSTREAM_MALFORMED',
      reason: 'too-large',
    });
    fake.inject('login', { status: 502, body: '<html>bad gateway</html>' });
    expect(await rejectionOf(provider.login(credentials, ctxOf(now)))).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
  });

  it('a redirect is never followed: no password, token or cookie reaches the other origin', async () => {
    const { fake, provider, credentials, now, tokens } = await setup();
    fake.inject('login', { kind: 'redirect' });
    expect(await rejectionOf(provider.login(credentials, ctxOf(now)))).toMatchObject({
      code: 'UPSTREAM_MALFORMED',
      reason: 'redirect',
    });
    fake.inject('refresh', { kind: 'redirect' });
    // A redirect is an answer instead of the refresh: definite, the session is not lost.
    expect(await rejectionOf(provider.refresh(tokens, ctxOf(now)))).toMatchObject({
      code: 'UPSTREAM_MALFORMED',
      reason: 'redirect',
    });
    expect(fake.redirectedRequests).toEqual([]);
  });

  it('a refresh whose answer was lost (reset after rotating, garbled 2xx, gateway 502/504) is REFRESH_UNKNOWN_OUTCOME', async () => {
    const { fake, provider, now, tokens } = await setup();
    // No rotation here, so each fault can be tried on the same token; the work is done each time.
    fake.setRotation('none');
    const faults = [
      { kind: 'reset' },
      { kind: 'malformed-json', afterWork: true },
      { kind: 'html', afterWork: true },
      { status: 502, afterWork: true },
      { status: 504, afterWork: true },
    ] satisfies Fault[];
    const before = fake.stats.refreshCalls;
    for (const fault of faults) {
      fake.inject('refresh', fault);
      const error = await rejectionOf(provider.refresh(tokens, ctxOf(now)));
      expect(error, JSON.stringify(fault)).toMatchObject({ code: 'REFRESH_UNKNOWN_OUTCOME' });
      expectNoSecrets(error, [tokens.accessToken, tokens.refreshToken]);
    }
    expect(fake.stats.refreshCalls - before).toBe(faults.length);
  });

  it('after a lost answer, the retry with the same token works within a grace window and is REFRESH_REJECTED without one', async () => {
    const { fake, provider, now, tokens } = await setup();
    fake.setRotation('rotate', 10);
    fake.inject('refresh', { kind: 'reset' });
    expect(await rejectionOf(provider.refresh(tokens, ctxOf(now)))).toMatchObject({
      code: 'REFRESH_UNKNOWN_OUTCOME',
    });
    const retried = await provider.refresh(tokens, ctxOf(now));
    expect(retried.generation).toBe(1);
    fake.setRotation('rotate', 0);
    fake.inject('refresh', { kind: 'reset' });
    expect(await rejectionOf(provider.refresh(retried, ctxOf(now)))).toMatchObject({
      code: 'REFRESH_UNKNOWN_OUTCOME',
    });
    expect(await rejectionOf(provider.refresh(retried, ctxOf(now)))).toMatchObject({
      code: 'REFRESH_REJECTED',
    });
  });

  it('a reset on login is UPSTREAM_UNAVAILABLE (a login may be sent again)', async () => {
    const { fake, provider, credentials, now } = await setup();
    fake.inject('login', { kind: 'reset' });
    expect(await rejectionOf(provider.login(credentials, ctxOf(now)))).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
  });

  it('no answer within the timeout: login UPSTREAM_UNAVAILABLE (timeout), refresh REFRESH_UNKNOWN_OUTCOME', async () => {
    const { fake, provider, credentials, now, tokens } = await setup();
    fake.inject('login', { delayInMilliseconds: 1_500 });
    expect(await rejectionOf(provider.login(credentials, ctxOf(now)))).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      reason: 'timeout',
    });
    fake.inject('refresh', { delayInMilliseconds: 1_500 });
    expect(await rejectionOf(provider.refresh(tokens, ctxOf(now)))).toMatchObject({
      code: 'REFRESH_UNKNOWN_OUTCOME',
    });
  });

  it("the caller's signal aborts the call; an already aborted one sends nothing", async () => {
    const { fake, provider, credentials, now } = await setup();
    fake.inject('login', { delayInMilliseconds: 800 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const aborted = await rejectionOf(provider.login(credentials, ctxOf(now, controller.signal)));
    expect(aborted).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', reason: 'timeout' });
    expect(aborted.message).toContain('aborted');
    const before = (fake as unknown as { requests: unknown[] }).requests.length;
    await rejectionOf(provider.login(credentials, ctxOf(now, AbortSignal.abort())));
    expect((fake as unknown as { requests: unknown[] }).requests.length).toBe(before);
  });
});

describe('an upstream that cannot be reached', () => {
  it('connection refused is UPSTREAM_UNAVAILABLE (transport), for a refresh too (it was never sent)', async () => {
    const port = await closedPort();
    const now = clock();
    const baseURL = `http://127.0.0.1:${port}`;
    const timbrTokens = await (async () => {
      const fake = await timbr({ now });
      return (
        await timbrProvider({ baseURL: fake.url }).login(
          { identifier: fake.account.username, password: fake.account.password },
          ctxOf(now),
        )
      ).tokens;
    })();
    for (const provider of [
      timbrProvider({ baseURL }),
      notesProvider({ baseURL }),
      tingtingAccountsProvider({ baseURL }),
    ]) {
      expect(
        await rejectionOf(
          provider.login({ identifier: 'ram', password: 'secret-pass' }, ctxOf(now)),
        ),
      ).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', reason: 'transport' });
    }
    expect(
      await rejectionOf(timbrProvider({ baseURL }).refresh(timbrTokens, ctxOf(now))),
    ).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', reason: 'transport' });
  });
});
