import { describe, expect, it } from 'vitest';
import {
  manualClock,
  notesLogin,
  notesRefresh,
  postForm,
  postJSON,
  startNotes,
  startTimbr,
  timbrLogin,
  timbrRefresh,
} from './upstream-helpers.js';

describe('faults on the Timbr and notes fakes', () => {
  it('status: 503 and 429 + Retry-After in each fake’s error style, without doing the work', async () => {
    const timbr = await startTimbr();
    timbr.inject('login', { status: 503, times: 2 });
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await postJSON(`${timbr.url}/api/auth/jwt/`, timbr.account);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ detail: 'Service Unavailable' });
    }
    expect((await postJSON(`${timbr.url}/api/auth/jwt/`, timbr.account)).status).toBe(201);
    expect(timbr.stats.loginCalls).toBe(3);

    const notes = await startNotes();
    const tokens = await notesLogin(notes);
    notes.inject('refresh', { status: 429, headers: { 'retry-after': '7' } });
    const throttled = await notesRefresh(notes, tokens.refresh_token);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('7');
    expect(await throttled.json()).toEqual({ error: 'Too Many Requests' });
    // Not rotated: the same refresh token still works once the fault is spent.
    expect((await notesRefresh(notes, tokens.refresh_token)).status).toBe(200);
    expect(notes.stats).toMatchObject({ refreshCalls: 2, rotations: 1 });
    expect(notes.requests.map((entry) => entry.fault)).toEqual([undefined, 'status', undefined]);
  });

  it('html, malformed-json and oversized answer 200 with a body a client must refuse', async () => {
    const timbr = await startTimbr();
    timbr.inject('login', { kind: 'html' });
    const html = await postJSON(`${timbr.url}/api/auth/jwt/`, timbr.account);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await html.text()).toContain('502 Bad Gateway');
    timbr.inject('refresh', { kind: 'malformed-json' });
    const { refresh } = await timbrLogin(timbr);
    const malformed = await timbrRefresh(timbr, refresh);
    expect(malformed.status).toBe(200);
    await expect(malformed.json()).rejects.toThrow(SyntaxError);

    const notes = await startNotes();
    notes.inject('login', { kind: 'oversized', sizeInBytes: 2 * 1024 * 1024 });
    const oversized = await postForm(`${notes.url}/auth/login`, {
      username: 'dev',
      password: 'dev-password',
    });
    const body = await oversized.arrayBuffer();
    expect(body.byteLength).toBe(2 * 1024 * 1024);
  });

  it('redirect: a 302 to another origin that records whether credentials followed', async () => {
    const timbr = await startTimbr();
    const team = timbr.addTeam();
    const { access } = await timbrLogin(timbr);
    timbr.inject('listTeamTokens', { kind: 'redirect' });
    const followed = await fetch(`${timbr.url}/api/openapi/token/${team}/`, {
      headers: { authorization: `Bearer ${access}` },
    });
    expect(followed.redirected).toBe(true);
    expect(new URL(followed.url).origin).not.toBe(timbr.url);
    // fetch drops Authorization on a cross-origin redirect; the trap reports what arrived.
    expect(timbr.redirectedRequests).toEqual([
      {
        method: 'GET',
        path: `/api/openapi/token/${team}/`,
        hadAuthorization: false,
        hadCookie: false,
      },
    ]);
    const notes = await startNotes();
    notes.inject('login', { kind: 'redirect' });
    const manual = await postForm(`${notes.url}/auth/login`, {}).catch(() => undefined);
    expect(manual?.redirected).toBe(true);
    expect(notes.redirectedRequests).toHaveLength(1);
  });

  it('delay: alone it delays the real answer (real time, not the fake clock)', async () => {
    const notes = await startNotes();
    notes.inject('login', { delayInMilliseconds: 200 });
    const started = performance.now();
    const tokens = await notesLogin(notes);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(tokens.access_token).toMatch(/^a\./);
    expect(notes.requests.at(-1)?.fault).toBe('delay');
  });
});

describe('reset on refresh: rotated upstream, answer lost', () => {
  it('the refresh token is rotated but the client never hears; a retry without grace is reuse and revokes the family', async () => {
    const timbr = await startTimbr({ rotation: 'rotate-detect-reuse' });
    const { refresh } = await timbrLogin(timbr);
    timbr.inject('refresh', { kind: 'reset' });
    await expect(timbrRefresh(timbr, refresh)).rejects.toThrow(TypeError);
    expect(timbr.stats).toMatchObject({ refreshCalls: 1, rotations: 1 });
    expect(timbr.requests.at(-1)).toMatchObject({ endpoint: 'refresh', status: 0, fault: 'reset' });
    const retry = await timbrRefresh(timbr, refresh);
    expect(retry.status).toBe(401);
    expect(timbr.stats).toMatchObject({ refreshCalls: 2, reuseDetected: 1 });
    expect(timbr.refreshTokensPresented.map((entry) => entry.outcome)).toEqual([
      'rotated',
      'reuse-detected',
    ]);
  });

  it('with graceSeconds the retry gets the successor the lost answer carried', async () => {
    const clock = manualClock();
    const notes = await startNotes({
      now: clock.now,
      rotation: 'rotate-detect-reuse',
      graceSeconds: 10,
    });
    const tokens = await notesLogin(notes);
    notes.inject('refresh', { kind: 'reset', afterWork: true });
    await expect(notesRefresh(notes, tokens.refresh_token)).rejects.toThrow(TypeError);
    clock.advance(2_000);
    const retry = await notesRefresh(notes, tokens.refresh_token);
    expect(retry.status).toBe(200);
    const successor = (await retry.json()).tokens.refresh_token;
    expect(successor).toMatch(/^d\./);
    // The successor is the live token: it rotates normally, and nothing was revoked.
    expect((await notesRefresh(notes, successor)).status).toBe(200);
    expect(notes.stats).toMatchObject({ refreshCalls: 3, rotations: 2, reuseDetected: 0 });
  });

  it('afterWork: false drops the connection before the work: nothing rotated, the retry succeeds', async () => {
    const timbr = await startTimbr({ rotation: 'rotate-detect-reuse' });
    const { refresh } = await timbrLogin(timbr);
    timbr.inject('refresh', { kind: 'reset', afterWork: false });
    await expect(timbrRefresh(timbr, refresh)).rejects.toThrow(TypeError);
    expect(timbr.stats).toMatchObject({ refreshCalls: 1, rotations: 0 });
    expect(timbr.refreshTokensPresented).toEqual([]);
    expect((await timbrRefresh(timbr, refresh)).status).toBe(201);
    expect(timbr.stats.reuseDetected).toBe(0);
  });

  it('a status fault with afterWork rotates upstream and answers the fault (the 200 was replaced)', async () => {
    const notes = await startNotes({ rotation: 'rotate-detect-reuse' });
    const tokens = await notesLogin(notes);
    notes.inject('refresh', { status: 502, afterWork: true });
    expect((await notesRefresh(notes, tokens.refresh_token)).status).toBe(502);
    expect(notes.stats.rotations).toBe(1);
  });
});

describe('perBranchDelay: an upstream timing difference between failed-login branches', () => {
  it('delays only the branch it names, with the same answer as the other branches', async () => {
    const timbr = await startTimbr({
      accounts: [
        { username: 'ram', password: 'ram-password' },
        { username: 'sita', password: 'sita-password', active: false },
      ],
      perBranchDelay: { inactive: 250 },
    });
    const timed = async (username: string, password: string) => {
      const started = performance.now();
      const response = await postJSON(`${timbr.url}/api/auth/jwt/`, { username, password });
      return {
        ms: performance.now() - started,
        status: response.status,
        body: await response.text(),
      };
    };
    const inactive = await timed('sita', 'sita-password');
    const wrong = await timed('ram', 'nope');
    expect(inactive.ms).toBeGreaterThanOrEqual(240);
    expect(inactive.status).toBe(401);
    expect(inactive.body).toBe(wrong.body);
    timbr.setPerBranchDelay({ unknownUser: 250 });
    expect((await timed('nobody', 'x')).ms).toBeGreaterThanOrEqual(240);
    expect(() => timbr.setPerBranchDelay({ wrongPassword: -1 })).toThrow(TypeError);
  });
});
