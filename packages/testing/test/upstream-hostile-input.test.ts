// The fakes must answer hostile input like the real services would (a 4xx), never crash with a
// 5xx or hang: a fake that breaks would make a client test fail for the wrong reason.
import { describe, expect, it } from 'vitest';
import { startFake } from './helpers.js';
import { startNotes, startTimbr } from './upstream-helpers.js';

const JSON_BODIES: readonly string[] = [
  '',
  'null',
  '[]',
  '"text"',
  '42',
  '{"username": ["dev"], "password": {"$ne": null}}',
  '{"username": true, "password": false, "refresh": 1, "token": [], "access_tokens": "all"}',
  `{"username": "${'x'.repeat(10_000)}", "password": "${'y'.repeat(10_000)}"}`,
  '{"refresh": "a.b.c", "token": "eyJ.eyJ.sig"}',
  '{"refresh": "\\u0000\\ud800", "token": "\\ud800"}',
  '{"__proto__": {"admin": true}, "constructor": {"prototype": {}}}',
  '{"username": "dev", "password": "dev-password"',
];

const OTHER_BODIES: readonly { type: string; body: string }[] = [
  { type: 'application/x-www-form-urlencoded', body: 'username=%E0%A4%A&password=%' },
  { type: 'application/x-www-form-urlencoded', body: 'refresh_token=&refresh_token=x' },
  { type: 'multipart/form-data; boundary=nope', body: '--wrong\r\n\r\n' },
  { type: 'multipart/form-data', body: 'no boundary' },
  { type: 'text/plain', body: 'username=dev' },
  { type: 'application/xml', body: '<username>dev</username>' },
];

async function sendAll(
  url: string,
  paths: readonly string[],
  headers: Record<string, string> = {},
): Promise<void> {
  for (const path of paths) {
    const requests: RequestInit[] = [
      ...JSON_BODIES.map((body) => ({
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      })),
      ...OTHER_BODIES.map(({ type, body }) => ({
        method: 'POST',
        headers: { 'content-type': type, ...headers },
        body,
      })),
      { method: 'PUT', headers },
      { method: 'DELETE', headers },
      { method: 'GET', headers: { authorization: 'Bearer \u00e9', ...headers } },
    ];
    for (const init of requests) {
      const response = await fetch(`${url}${path}`, init);
      const text = await response.text();
      expect(
        response.status,
        `${init.method} ${path} ${String(init.body).slice(0, 60)}`,
      ).toBeLessThan(500);
      expect(response.status).toBeGreaterThanOrEqual(200);
      if (response.headers.get('content-type')?.startsWith('application/json')) {
        expect(() => JSON.parse(text)).not.toThrow();
      }
    }
  }
}

describe('hostile input to the fakes: always a 4xx (or 2xx), never a 5xx', () => {
  it('Timbr', async () => {
    const fake = await startTimbr();
    const team = fake.addTeam();
    await sendAll(fake.url, ['/api/auth/jwt/', '/api/auth/jwt/refresh/', '/api/auth/jwt/verify/']);
    const login = await fetch(`${fake.url}/api/auth/jwt/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'dev', password: 'dev-password' }),
    });
    const { access } = await login.json();
    await sendAll(fake.url, [`/api/openapi/token/${team}/`, `/api/openapi/token/${team}/delete/`], {
      authorization: `Bearer ${access}`,
    });
  });

  it('notes', async () => {
    const fake = await startNotes();
    await sendAll(fake.url, ['/auth/login', '/auth/refresh', '/auth/signup', '/auth/user']);
  });

  it('TingTing account endpoints', async () => {
    const fake = await startFake();
    await sendAll(fake.url, ['/api/v1/auths/login/', '/api/v1/auths/login/refresh/']);
  });
});
