/**
 * upstreamFetch loads tough-cookie on the first cookie-based call only. A failed load (a transient
 * file-system error, a bundler's chunk not there yet) fails that call, and the next call tries
 * again: it must not keep the failure for the life of the process, every cookie session broken.
 */
import { afterEach, expect, it, vi } from 'vitest';
import type { SerializedCookieJar } from '../../src/upstream/types.js';

afterEach(() => {
  vi.doUnmock('tough-cookie');
  vi.resetModules();
});

it('a failed load of tough-cookie is tried again on the next call', async () => {
  let loads = 0;
  vi.doMock('tough-cookie', async () => {
    loads += 1;
    if (loads === 1) throw new Error('chunk not found');
    return vi.importActual('tough-cookie');
  });
  vi.resetModules();
  const { upstreamFetch } = await import('../../src/upstream/upstream-fetch.js');
  const { createTokenSet } = await import('../../src/upstream/token-set.js');
  const jar: SerializedCookieJar = {
    cookies: [{ key: 'access', value: 'AAA', domain: 'up.example', path: '/', hostOnly: true }],
  };
  const tokens = createTokenSet({
    accessToken: 'jwt',
    accessExpiresAt: 2,
    receivedAt: 1,
    tokenType: 'Cookie',
    cookies: jar,
    generation: 0,
  });
  const cookies: (string | null)[] = [];
  const api = upstreamFetch({ getTokens: async () => tokens }, 's', {
    baseURL: 'https://up.example',
    fetch: async (_input, init) => {
      cookies.push(new Headers(init?.headers).get('cookie'));
      return new Response('ok');
    },
  });
  await expect(api('/x')).rejects.toThrow();
  expect((await api('/x')).status).toBe(200);
  expect(cookies).toEqual(['access=AAA']);
  expect(loads).toBe(2);
});
