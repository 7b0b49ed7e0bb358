/**
 * `@tingting-auth/passport` as users install it: the tarballs (passport, and testing for the fake;
 * core only as passport's own dependency) with express 5, express-session and passport 0.7 from
 * the registry, in a project outside the workspace. The same app, once CommonJS and once ESM,
 * signs a number in through `passport.authenticate('tingting')`: send step -> code from the fake's
 * outbox -> verify step -> `req.login` -> a session Passport recognises; and signs in with a
 * password through `passport.authenticate('upstream')` (UpstreamStrategy over core's
 * `@tingting-auth/core/upstream`, against the fake notes service): a wrong password is 401
 * INVALID_CREDENTIALS, the right one a new session, the profile is read from the upstream with the
 * user's token, sign-out ends the upstream session.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Testing from '@tingting-auth/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppReady, signIn } from './apps.js';
import { Visitor } from './http.js';
import { runNode, type Started, start, stopAll } from './processes.js';
import { expectFromTarball, installedPackages, installProject } from './project.js';

// core for `@tingting-auth/core/upstream` (the sessions and providers of password sign-in).
const PACKAGES = ['@tingting-auth/core', '@tingting-auth/passport', '@tingting-auth/testing'];
const ROUTES = { send: '/login/send', verify: '/login/verify', me: '/me' };

let project: string;
let fake: Testing.FakeTingTing;
let notes: Testing.FakeNotes;
const PASSWORD = 'install-smoke-password-1';

/** Start a fixture app wired to the fake TingTing (phone) and the fake notes service (password). */
function startApp(
  project: string,
  file: string,
  tingting: Testing.FakeTingTing,
): Promise<Started<AppReady>> {
  return start([file], {
    cwd: project,
    env: {
      TINGTING_API_TOKEN: tingting.apiToken,
      TINGTING_BASE_URL: tingting.url,
      OTP_SECRET: 'install-smoke-otp-secret-0123456789abcdef',
      SESSION_SECRET: 'install-smoke-session-secret',
      NOTES_URL: notes.url,
      UPSTREAM_SECRET: 'install-smoke-upstream-secret-0123456789abcdef',
      // express-session's MemoryStore warns under production; these apps are not production.
      NODE_ENV: 'development',
    },
    isReady: (output) => {
      const line = /^(\{"url".*)\n/m.exec(output)?.[1];
      return line === undefined ? undefined : (JSON.parse(line) as AppReady);
    },
  });
}

/** Wrong password -> 401; right one -> a new session; the upstream profile; sign-out ends it. */
async function signInWithPassword(url: string, username: string): Promise<void> {
  const visitor = new Visitor(url);
  expect((await visitor.get('/profile')).status).toBe(401);
  const wrong = await visitor.postJSON('/login/password', { username, password: 'not-it-123' });
  expect(wrong.status, wrong.text).toBe(401);
  expect(wrong.json()).toMatchObject({ error: { code: 'INVALID_CREDENTIALS' } });
  const before = visitor.cookie('connect.sid');
  const ok = await visitor.postJSON('/login/password', { username, password: PASSWORD });
  expect(ok.status, ok.text).toBe(200);
  expect(ok.json()).toMatchObject({ user: { username } });
  expect(visitor.cookie('connect.sid')).toBeDefined();
  expect(visitor.cookie('connect.sid')).not.toBe(before);
  const profile = await visitor.get('/profile');
  expect(profile.status, profile.text).toBe(200);
  expect(profile.json()).toMatchObject({ username });
  // Query-string credentials are never read.
  const query = await new Visitor(url).postJSON(
    `/login/password?username=${username}&password=${PASSWORD}`,
    {},
  );
  expect(query.status).toBe(400);
  expect((await visitor.postJSON('/logout', {})).status).toBe(204);
  expect((await visitor.get('/profile')).status).toBe(401);
}

beforeAll(async () => {
  project = await installProject('passport', {
    tingting: PACKAGES,
    registry: { express: '5.3.0', 'express-session': '1.19.0', passport: '0.7.0' },
    fixture: 'passport',
  });
  const testing = createRequire(join(project, 'package.json'))(
    '@tingting-auth/testing',
  ) as typeof Testing;
  fake = await testing.startFakeTingTing();
  notes = await testing.startFakeNotes({
    accounts: [
      { username: 'cjs-user', password: PASSWORD },
      { username: 'esm-user', password: PASSWORD },
    ],
  });
}, 120_000);

afterAll(async () => {
  await stopAll();
  await fake?.close();
  await notes?.close();
});

describe(`Passport apps from the tarballs on Node ${process.version}`, () => {
  it('installs passport, and core as its dependency, from this run’s tarballs only', async () => {
    const installed = await installedPackages(project);
    expect(installed.map((p) => p.name)).toEqual([
      '@tingting-auth/core',
      '@tingting-auth/passport',
      '@tingting-auth/testing',
    ]);
    for (const p of installed) expectFromTarball(p);
  });

  it('exports the same names from require() and import', async () => {
    const script = `
      const cjs = Object.keys(require('@tingting-auth/passport')).sort();
      const esm = Object.keys(await import('@tingting-auth/passport'))
        .filter((key) => key !== 'default')
        .sort();
      const { Strategy, TingTingStrategy } = require('@tingting-auth/passport');
      console.log(JSON.stringify({ cjs, esm, alias: Strategy === TingTingStrategy }));`;
    const names = (await runNode(['-e', `(async () => {${script}})()`], project)) as {
      cjs: string[];
      esm: string[];
      alias: boolean;
    };
    expect(names.esm).toEqual(names.cjs);
    expect(names.cjs).toEqual(
      expect.arrayContaining(['Strategy', 'TingTingStrategy', 'OTPEngine', 'MemoryStore']),
    );
    expect(names.alias).toBe(true);
  });

  it('signs in through a CommonJS app (require)', async () => {
    const app = await startApp(project, 'app.cjs', fake);
    // The CommonJS builds only, passport's own copy of core included.
    expect(app.ready.loaded).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/node_modules\/@tingting-auth\/passport\/dist\/index\.cjs$/),
        expect.stringMatching(/node_modules\/@tingting-auth\/core\/dist\/index\.cjs$/),
      ]),
    );
    for (const file of app.ready.loaded) {
      expect(file.startsWith(project), file).toBe(true);
      expect(file, file).toMatch(/\.cjs$/);
    }
    await signIn(app.ready.url, fake, '9812345621', ROUTES);
    await signInWithPassword(app.ready.url, 'cjs-user');
  });

  it('signs in through an ES module app (import)', async () => {
    const app = await startApp(project, 'app.mjs', fake);
    expect(app.ready.loaded).toEqual([
      expect.stringMatching(/node_modules\/@tingting-auth\/passport\/dist\/index\.js$/),
    ]);
    expect(app.ready.loaded[0]?.startsWith(project)).toBe(true);
    await signIn(app.ready.url, fake, '9812345622', ROUTES);
    await signInWithPassword(app.ready.url, 'esm-user');
  });
});
