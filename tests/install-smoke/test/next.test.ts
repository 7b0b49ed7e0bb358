/**
 * `@tingting-auth/next-auth` as users install it: a Next.js 16 App Router app with next-auth v4,
 * in a project outside the workspace, the @tingting-auth packages from the tarballs. `next build`,
 * `next start`, then a sign-in over plain HTTP as next-auth's own client does it: POST the send
 * route, read the code from the fake TingTing's outbox, fetch the CSRF token, POST the
 * credentials callback, and read the phone back from /api/auth/session. The same app signs in with
 * a password (`UpstreamCredentials` over the fake notes service from the tarball) and reads the
 * upstream profile in a route handler with `getUpstreamAccessToken`.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type * as Testing from '@tingting-auth/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Visitor } from './http.js';
import { runNode, start, stopAll } from './processes.js';
import { expectFromTarball, installedPackages, installProject } from './project.js';

const PACKAGES = ['@tingting-auth/core', '@tingting-auth/next-auth', '@tingting-auth/testing'];
const NATIONAL = '9812345610';
const E164 = `+977${NATIONAL}`;

let project: string;
let fake: Testing.FakeTingTing;
let notes: Testing.FakeNotes;
const ACCOUNT = { username: 'smoke', email: 'smoke@example.com', password: 'smoke-password-1' };
let origin: string;
let env: Record<string, string>;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

beforeAll(async () => {
  project = await installProject('next', {
    tingting: PACKAGES,
    registry: { next: '16.4.6', react: '19.3.1', 'react-dom': '19.3.1', 'next-auth': '4.24.15' },
    fixture: 'next',
  });
  // The fake TingTing from the installed tarball, loaded with `import` (the Express suite uses
  // `require`, so both builds of @tingting-auth/testing run).
  const testingURL = (await runNode(
    [
      '--input-type=module',
      '-e',
      `console.log(JSON.stringify(import.meta.resolve('@tingting-auth/testing')))`,
    ],
    project,
  )) as string;
  expect(testingURL).toMatch(/\/node_modules\/@tingting-auth\/testing\/dist\/index\.js$/);
  const testing = (await import(testingURL)) as typeof Testing;
  fake = await testing.startFakeTingTing();
  notes = await testing.startFakeNotes({ accounts: [ACCOUNT] });
  const port = await freePort();
  origin = `http://localhost:${port}`;
  env = {
    PORT: String(port),
    NEXTAUTH_URL: origin,
    NEXTAUTH_SECRET: 'install-smoke-nextauth-secret-0123456789',
    OTP_SECRET: 'install-smoke-otp-secret-0123456789abcdef',
    SESSION_SECRET: 'install-smoke-session-secret-0123456789abcdef',
    UPSTREAM_URL: notes.url,
    TINGTING_API_TOKEN: fake.apiToken,
    TINGTING_BASE_URL: fake.url,
    NEXT_TELEMETRY_DISABLED: '1',
  };
  const next = join(project, 'node_modules', 'next', 'dist', 'bin', 'next');
  try {
    await promisify(execFile)(process.execPath, [next, 'build'], {
      cwd: project,
      env: { ...process.env, ...env, NODE_ENV: 'production' },
      timeout: 170_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`next build failed:\n${stdout}\n${stderr}`);
  }
  await start([next, 'start', '-p', String(port)], {
    cwd: project,
    env,
    // "✓ Ready in 300ms"; the first request compiles nothing in production, so this is enough.
    isReady: (output) => (/Ready in/.test(output) ? true : undefined),
  });
}, 180_000);

afterAll(async () => {
  await stopAll();
  await fake?.close();
  await notes?.close();
});

describe(`a Next.js app from the tarballs on Node ${process.version}`, () => {
  it('installs every @tingting-auth package from this run’s tarballs, none from elsewhere', async () => {
    const installed = await installedPackages(project);
    expect(installed.map((p) => p.name)).toEqual(PACKAGES);
    for (const p of installed) expectFromTarball(p);
  });

  it('exports the same names from require() and import, for every entry of next-auth', async () => {
    const entries = [
      '@tingting-auth/next-auth',
      '@tingting-auth/next-auth/v5',
      '@tingting-auth/next-auth/client',
    ];
    const script = `
      const names = {};
      for (const name of ${JSON.stringify(entries)}) {
        const cjs = Object.keys(require(name)).sort();
        const esm = Object.keys(await import(name)).filter((key) => key !== 'default').sort();
        names[name] = { cjs, esm };
      }
      console.log(JSON.stringify(names));`;
    const names = (await runNode(['-e', `(async () => {${script}})()`], project)) as Record<
      string,
      { cjs: string[]; esm: string[] }
    >;
    for (const name of entries) {
      expect(names[name]?.cjs.length, name).toBeGreaterThan(0);
      expect(names[name]?.esm, name).toEqual(names[name]?.cjs);
    }
    expect(names['@tingting-auth/next-auth']?.cjs).toEqual(
      expect.arrayContaining([
        'TingTing',
        'createSendHandler',
        'callbacks',
        'UpstreamCredentials',
        'getUpstreamAccessToken',
      ]),
    );
    expect(names['@tingting-auth/next-auth/v5']?.cjs).toEqual(
      expect.arrayContaining([
        'TingTing',
        'createSendHandler',
        'UpstreamCredentials',
        'getUpstreamAccessToken',
      ]),
    );
    expect(names['@tingting-auth/next-auth/client']?.cjs).toEqual(
      expect.arrayContaining(['sendCode', 'verifyCode']),
    );
  });

  it('signs in: send route -> code from the outbox -> CSRF token -> credentials callback -> session', async () => {
    const visitor = new Visitor(origin);
    expect((await visitor.get('/api/auth/session')).json()).toEqual({});

    const sent = await visitor.postJSON('/api/auth/otp/send', { phone: NATIONAL, channel: 'text' });
    expect(sent.status, sent.text).toBe(202);
    expect(sent.json()).toMatchObject({ phone: E164, channel: 'text' });
    const code = fake.outbox.last(NATIONAL)?.otp;
    expect(code).toMatch(/^\d{6}$/);
    expect(sent.text).not.toContain(code);

    const csrf = await visitor.get('/api/auth/csrf');
    expect(csrf.status).toBe(200);
    const { csrfToken } = csrf.json<{ csrfToken: string }>();
    expect(csrfToken).toMatch(/^[0-9a-f]{32,}$/);

    // A wrong code: next-auth v4 redirects back with the provider's generic error code.
    const wrong = await visitor.postForm('/api/auth/callback/tingting', {
      csrfToken,
      phone: NATIONAL,
      code: code === '000000' ? '111111' : '000000',
    });
    expect(wrong.status).toBe(302);
    expect(wrong.headers.get('location')).toContain('error=INVALID_CODE');
    expect(visitor.cookieNames).not.toContain('next-auth.session-token');

    const signedIn = await visitor.postForm('/api/auth/callback/tingting', {
      csrfToken,
      phone: NATIONAL,
      code: code as string,
    });
    expect(signedIn.status, signedIn.text).toBe(302);
    expect(signedIn.headers.get('location')).not.toContain('error=');
    expect(visitor.cookieNames).toContain('next-auth.session-token');

    const session = await visitor.get('/api/auth/session');
    expect(session.status).toBe(200);
    expect(session.json()).toMatchObject({ user: { phone: E164 } });
  });

  it('signs in with a password: CSRF token -> credentials callback -> session -> upstream profile', async () => {
    const visitor = new Visitor(origin);
    const { csrfToken } = (await visitor.get('/api/auth/csrf')).json<{ csrfToken: string }>();
    expect((await visitor.get('/api/profile')).status).toBe(401);

    const wrong = await visitor.postForm('/api/auth/callback/upstream', {
      csrfToken,
      username: ACCOUNT.username,
      password: 'not-the-password-1',
    });
    expect(wrong.status).toBe(302);
    expect(wrong.headers.get('location')).toContain('error=INVALID_CREDENTIALS');
    expect(visitor.cookieNames).not.toContain('next-auth.session-token');

    const signedIn = await visitor.postForm('/api/auth/callback/upstream', {
      csrfToken,
      username: ACCOUNT.username,
      password: ACCOUNT.password,
    });
    expect(signedIn.status, signedIn.text).toBe(302);
    expect(signedIn.headers.get('location')).not.toContain('error=');
    expect(visitor.cookieNames).toContain('next-auth.session-token');
    // The cookie names the session; the upstream's tokens never reach the browser.
    expect(JSON.stringify(visitor.cookieNames.map((name) => visitor.cookie(name)))).not.toContain(
      ACCOUNT.password,
    );

    const session = (await visitor.get('/api/auth/session')).json<{ upstream?: string }>();
    expect(session.upstream).toBe('notes');
    const profile = await visitor.get('/api/profile');
    expect(profile.status, profile.text).toBe(200);
    expect(profile.json()).toMatchObject({ username: ACCOUNT.username, email: ACCOUNT.email });
  });
});
