/**
 * upstreamFetch without a network: a recording `fetch` and a sessions object that hands out token
 * sets by generation. Pins what goes on the wire (which credential, which headers, which redirect
 * mode), when a 401 is retried (idempotent methods with a body that can be sent again, and only
 * with new tokens), and that a misuse fails before any credential is read.
 */
import { CookieJar } from 'tough-cookie';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTokenSet } from '../../src/upstream/token-set.js';
import type { TokenSet } from '../../src/upstream/types.js';
import { upstreamFetch } from '../../src/upstream/upstream-fetch.js';

const BASE = 'https://up.example/api/';

function bearer(generation: number): TokenSet {
  return createTokenSet({
    accessToken: `access-gen-${generation}`,
    accessExpiresAt: 2000,
    receivedAt: 1000,
    tokenType: 'Bearer',
    generation,
  });
}

/** Sessions whose tokens move on one generation each time a set is reported rejected. */
function sessionsOf(make: (generation: number) => TokenSet, options: { refreshes?: boolean } = {}) {
  let current = make(0);
  const calls: { sid: string; rejected: TokenSet | undefined }[] = [];
  return {
    calls,
    async getTokens(sid: string, opts?: { rejected?: TokenSet }): Promise<TokenSet> {
      calls.push({ sid, rejected: opts?.rejected });
      if (opts?.rejected !== undefined && options.refreshes !== false) {
        current = make(current.generation + 1);
      }
      return current;
    },
  };
}

interface Sent {
  url: string;
  method: string | undefined;
  authorization: string | null;
  cookie: string | null;
  other: string | null;
  redirect: RequestRedirect | undefined;
  body: unknown;
}

/** A fetch that records each request and answers with `answer(n)` for the n-th (0-based). */
function recorder(answer: (n: number) => Response) {
  const sent: Sent[] = [];
  const send = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers = new Headers(init?.headers);
    sent.push({
      url: String(input),
      method: init?.method,
      authorization: headers.get('authorization'),
      cookie: headers.get('cookie'),
      other: headers.get('x-other'),
      redirect: init?.redirect,
      body: init?.body,
    });
    return answer(sent.length - 1);
  };
  return { sent, send: send as typeof fetch };
}

const unauthorizedThenOK = (n: number) =>
  n === 0 ? new Response('expired', { status: 401 }) : new Response('ok', { status: 200 });

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('what upstreamFetch sends', () => {
  it('the Bearer token, over the caller headers, to the URL resolved against the base', async () => {
    const sessions = sessionsOf(bearer);
    const { sent, send } = recorder(() => new Response('ok'));
    const api = upstreamFetch(sessions, 'sid-1', { baseURL: BASE, fetch: send });
    const response = await api('notes?x=1', {
      headers: { authorization: 'Bearer forged', 'x-other': 'kept' },
    });
    expect(await response.text()).toBe('ok');
    expect(sent).toEqual([
      {
        url: 'https://up.example/api/notes?x=1',
        method: undefined,
        authorization: 'Bearer access-gen-0',
        cookie: null,
        other: 'kept',
        redirect: 'manual',
        body: undefined,
      },
    ]);
    expect(sessions.calls).toEqual([{ sid: 'sid-1', rejected: undefined }]);
  });

  it("keeps the caller's redirect mode and init fields", async () => {
    const { sent, send } = recorder(() => new Response('ok'));
    const api = upstreamFetch(sessionsOf(bearer), 's', { baseURL: new URL(BASE), fetch: send });
    await api('/api/x', { redirect: 'error', method: 'PATCH', body: 'b' });
    expect(sent[0]).toMatchObject({ redirect: 'error', method: 'PATCH', body: 'b' });
  });

  it('uses globalThis.fetch when no fetch is given', async () => {
    const { sent, send } = recorder(() => new Response('ok'));
    vi.stubGlobal('fetch', send);
    const api = upstreamFetch(sessionsOf(bearer), 's', { baseURL: BASE });
    expect((await api('/api/x')).status).toBe(200);
    expect(sent).toHaveLength(1);
  });
});

describe('cookie sessions (TingTing)', () => {
  async function cookieSet(setCookies: [string, string][], generation = 0): Promise<TokenSet> {
    const jar = new CookieJar();
    for (const [cookie, url] of setCookies) {
      await jar.setCookie(cookie, url, { now: new Date('1999-12-31T00:00:00Z') });
    }
    return createTokenSet({
      accessToken: `jwt-gen-${generation}`,
      accessExpiresAt: 2000,
      receivedAt: 1000,
      tokenType: 'Cookie',
      cookies: jar.serializeSync() as never,
      generation,
    });
  }

  it("sends the jar's cookies for the URL (path rules kept), and adds no Authorization header", async () => {
    const tokens = await cookieSet([
      ['access=AAA; Path=/api', 'https://up.example/api/'],
      ['refresh=RRR; Path=/api/auth', 'https://up.example/api/auth/'],
      ['other=OOO; Path=/', 'https://elsewhere.example/'],
    ]);
    const { sent, send } = recorder(() => new Response('ok'));
    const api = upstreamFetch({ getTokens: async () => tokens }, 's', {
      baseURL: BASE,
      fetch: send,
    });
    await api('/api/notes', { headers: { authorization: 'Bearer forged' } });
    await api('/api/auth/refresh');
    expect(sent.map((request) => [request.cookie, request.authorization])).toEqual([
      ['access=AAA', 'Bearer forged'],
      ['refresh=RRR; access=AAA', null],
    ]);
  });

  it('sends an expired cookie all the same (the upstream judges expiry, not our clock)', async () => {
    const tokens = await cookieSet([
      ['access=AAA; Path=/; Expires=Sat, 01 Jan 2000 00:00:00 GMT', 'https://up.example/'],
    ]);
    const { sent, send } = recorder(() => new Response('ok'));
    const api = upstreamFetch({ getTokens: async () => tokens }, 's', {
      baseURL: BASE,
      fetch: send,
    });
    await api('/api/notes');
    expect(sent[0]?.cookie).toBe('access=AAA');
  });

  it('sends no Cookie header at all when no cookie matches, or the set has no jar', async () => {
    const tokens = await cookieSet([['access=AAA; Path=/admin', 'https://up.example/admin/']]);
    const { sent, send } = recorder(() => new Response('ok'));
    const api = upstreamFetch({ getTokens: async () => tokens }, 's', {
      baseURL: BASE,
      fetch: send,
    });
    await api('/api/notes', { headers: { cookie: 'mine=1' } });
    await api('/api/notes');
    const jarless = createTokenSet({
      accessToken: 'jwt',
      accessExpiresAt: 2,
      receivedAt: 1,
      tokenType: 'Cookie',
      generation: 0,
    });
    const api2 = upstreamFetch({ getTokens: async () => jarless }, 's', {
      baseURL: BASE,
      fetch: send,
    });
    await api2('/api/notes');
    expect(sent.map((request) => [request.cookie, request.authorization])).toEqual([
      ['mine=1', null],
      [null, null],
      [null, null],
    ]);
  });

  it('a 401 retries with the new jar', async () => {
    let generation = 0;
    const sessions = {
      async getTokens(_sid: string, opts?: { rejected?: TokenSet }) {
        if (opts?.rejected) generation += 1;
        return cookieSet([[`access=gen${generation}; Path=/`, 'https://up.example/']], generation);
      },
    };
    const { sent, send } = recorder(unauthorizedThenOK);
    const api = upstreamFetch(sessions, 's', { baseURL: BASE, fetch: send });
    expect((await api('/api/notes')).status).toBe(200);
    expect(sent.map((request) => request.cookie)).toEqual(['access=gen0', 'access=gen1']);
  });
});

describe('a 401', () => {
  for (const method of ['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE', 'get', 'delete']) {
    it(`of an idempotent ${method} reports the rejected tokens and retries once with new ones`, async () => {
      const sessions = sessionsOf(bearer);
      const { sent, send } = recorder(unauthorizedThenOK);
      const api = upstreamFetch(sessions, 'sid-9', { baseURL: BASE, fetch: send });
      const response = await api('/api/x', { method });
      expect(response.status).toBe(200);
      expect(sent.map((request) => request.authorization)).toEqual([
        'Bearer access-gen-0',
        'Bearer access-gen-1',
      ]);
      expect(sessions.calls.map((call) => [call.sid, call.rejected?.generation])).toEqual([
        ['sid-9', undefined],
        ['sid-9', 0],
      ]);
    });
  }

  it('of a request with no init is retried (GET)', async () => {
    const { sent, send } = recorder(unauthorizedThenOK);
    const api = upstreamFetch(sessionsOf(bearer), 's', { baseURL: BASE, fetch: send });
    expect((await api('/api/x')).status).toBe(200);
    expect(sent).toHaveLength(2);
  });

  for (const method of ['POST', 'PATCH', 'post', 'CONNECT', 'PROPFIND']) {
    it(`of a ${method} refreshes but is returned, not sent again`, async () => {
      const sessions = sessionsOf(bearer);
      const { sent, send } = recorder(unauthorizedThenOK);
      const api = upstreamFetch(sessions, 's', { baseURL: BASE, fetch: send });
      const response = await api('/api/x', { method, body: 'x=1' });
      expect(response.status).toBe(401);
      expect(await response.text()).toBe('expired');
      expect(sent).toHaveLength(1);
      expect(sessions.calls).toHaveLength(2);
      // The next call has the new tokens.
      await api('/api/x', { method });
      expect(sent[1]?.authorization).toBe('Bearer access-gen-1');
    });
  }

  it('of a PUT whose body is a string, null or form data is retried with the same body', async () => {
    for (const body of ['x=2', null, new URLSearchParams({ a: '1' })]) {
      const { sent, send } = recorder(unauthorizedThenOK);
      const api = upstreamFetch(sessionsOf(bearer), 's', { baseURL: BASE, fetch: send });
      expect((await api('/api/x', { method: 'PUT', body })).status).toBe(200);
      expect(sent.map((request) => request.body)).toEqual([body, body]);
    }
  });

  it('of a PUT whose body is a stream is returned: a stream cannot be sent twice', async () => {
    const sessions = sessionsOf(bearer);
    const { sent, send } = recorder(unauthorizedThenOK);
    const api = upstreamFetch(sessions, 's', { baseURL: BASE, fetch: send });
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('x'));
        controller.close();
      },
    });
    const response = await api('/api/x', { method: 'PUT', body, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(401);
    expect(sent).toHaveLength(1);
    // Still reported: the next call has new tokens.
    expect(sessions.calls[1]?.rejected?.generation).toBe(0);
  });

  it('is returned, not retried, when the refresh gave no new tokens', async () => {
    const sessions = sessionsOf(bearer, { refreshes: false });
    const { sent, send } = recorder(unauthorizedThenOK);
    const api = upstreamFetch(sessions, 's', { baseURL: BASE, fetch: send });
    const response = await api('/api/x');
    expect(response.status).toBe(401);
    expect(await response.text()).toBe('expired');
    expect(sent).toHaveLength(1);
  });

  it('with no body is retried (nothing to cancel)', async () => {
    const { sent, send } = recorder((n) =>
      n === 0 ? new Response(null, { status: 401 }) : new Response('ok'),
    );
    const api = upstreamFetch(sessionsOf(bearer), 's', { baseURL: BASE, fetch: send });
    expect((await api('/api/x')).status).toBe(200);
    expect(sent).toHaveLength(2);
  });

  it('has its body cancelled before the retry (the connection is not left hanging)', async () => {
    let cancelled = false;
    const first = new Response(
      new ReadableStream({
        pull() {},
        cancel() {
          cancelled = true;
        },
      }),
      { status: 401 },
    );
    const { sent, send } = recorder((n) => (n === 0 ? first : new Response('ok')));
    const api = upstreamFetch(sessionsOf(bearer), 's', { baseURL: BASE, fetch: send });
    expect((await api('/api/x')).status).toBe(200);
    expect(cancelled).toBe(true);
    expect(sent).toHaveLength(2);
  });

  it('with a body already read is still retried', async () => {
    const { sent, send } = recorder((n) => {
      if (n > 0) return new Response('ok');
      const response = new Response('expired', { status: 401 });
      // Lock the body as a reader would: cancel() then rejects, and that must not matter.
      response.body?.getReader();
      return response;
    });
    const api = upstreamFetch(sessionsOf(bearer), 's', { baseURL: BASE, fetch: send });
    expect((await api('/api/x')).status).toBe(200);
    expect(sent).toHaveLength(2);
  });

  it('is the only status that refreshes: a 403 or a 500 is returned as it is', async () => {
    for (const status of [403, 500, 400]) {
      const sessions = sessionsOf(bearer);
      const { sent, send } = recorder(() => new Response('no', { status }));
      const api = upstreamFetch(sessions, 's', { baseURL: BASE, fetch: send });
      expect((await api('/api/x')).status).toBe(status);
      expect(sent).toHaveLength(1);
      expect(sessions.calls).toHaveLength(1);
    }
  });
});

describe('refusals, before any credential is read', () => {
  it('a URL on another origin, or not a URL', async () => {
    const sessions = sessionsOf(bearer);
    const { sent, send } = recorder(() => new Response('ok'));
    const api = upstreamFetch(sessions, 's', { baseURL: BASE, fetch: send });
    await expect(api('http://up.example/api/x')).rejects.toThrow(
      'upstreamFetch: http://up.example is not the upstream (https://up.example)',
    );
    await expect(api('https://up.example:8443/api/x')).rejects.toThrow(/is not the upstream/);
    await expect(api('http://[::1')).rejects.toThrow(new TypeError('upstreamFetch: not a URL'));
    expect(sent).toEqual([]);
    expect(sessions.calls).toEqual([]);
  });

  it('a base URL that is not an http(s) URL string or URL', () => {
    const sessions = sessionsOf(bearer);
    for (const [baseURL, got] of [
      ['ftp://up.example', 'a URL with protocol "ftp:"'],
      ['xhttp://up.example', 'a URL with protocol "xhttp:"'],
      ['httpsx://up.example', 'a URL with protocol "httpsx:"'],
      ['up.example', 'a string that is not a URL'],
      [42, 'number'],
      [undefined, 'undefined'],
      [{ href: BASE }, 'object'],
    ] as const) {
      expect(() => upstreamFetch(sessions, 's', { baseURL: baseURL as never })).toThrow(
        new TypeError(`upstreamFetch: baseURL must be the upstream API's http(s) URL, got ${got}`),
      );
    }
    expect(() => upstreamFetch(sessions, 's', undefined as never)).toThrow(/baseURL must be/);
    // The refused value is never echoed: a configured URL may carry credentials.
    for (const baseURL of ['ftp://ops:hunter2-secret@up.example', 'ops:hunter2-secret@up']) {
      expect(() => upstreamFetch(sessions, 's', { baseURL })).toThrow(
        expect.objectContaining({ message: expect.not.stringContaining('hunter2-secret') }),
      );
    }
    expect(() => upstreamFetch(sessions, 's', { baseURL: 'http://up.example' })).not.toThrow();
    expect(() =>
      upstreamFetch(sessions, 's', { baseURL: new URL('https://up.example') }),
    ).not.toThrow();
  });

  it('no sessions, or a fetch that is not a function', () => {
    for (const sessions of [undefined, null, {}, { getTokens: 'x' }]) {
      expect(() => upstreamFetch(sessions as never, 's', { baseURL: BASE })).toThrow(
        new TypeError('upstreamFetch: sessions must be an UpstreamSessions'),
      );
    }
    expect(() =>
      upstreamFetch(sessionsOf(bearer), 's', { baseURL: BASE, fetch: 5 as never }),
    ).toThrow(new TypeError('upstreamFetch: fetch must be a function'));
  });

  it("a refusal's message never names the session's token", async () => {
    const sessions = sessionsOf(bearer);
    const api = upstreamFetch(sessions, 's', {
      baseURL: BASE,
      fetch: recorder(() => new Response()).send,
    });
    await api('/api/x');
    const error = await api('https://evil.example/steal').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect(String((error as Error).message)).not.toContain('access-gen');
  });
});
