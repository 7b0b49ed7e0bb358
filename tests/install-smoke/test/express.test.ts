/**
 * `@tingting-auth/express` as users install it: the tarballs (core, express, redis, testing) and
 * express 5 / express-session from the registry, in a project outside the workspace. The same
 * tiny app, written once as CommonJS (`require`) and once as ESM (`import`), signs a phone number
 * in end to end against the packed fake TingTing: send -> code from the fake's outbox -> verify
 * -> a session that the guard accepts; and with a password against the packed fake notes service
 * (createUpstreamAuth, core's upstream entry).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Testing from '@tingting-auth/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, signInWithPassword, startApp } from './apps.js';
import { runNode, stopAll } from './processes.js';
import { expectFromTarball, installedPackages, installProject } from './project.js';

const PACKAGES = [
  '@tingting-auth/core',
  '@tingting-auth/express',
  '@tingting-auth/redis',
  '@tingting-auth/testing',
];

const ROUTES = { send: '/auth/otp/send', verify: '/auth/otp/verify', me: '/me' };

let project: string;
let fake: Testing.FakeTingTing;
let notes: Testing.FakeNotes;
const ACCOUNT = { username: 'asha', password: 'install-smoke-password-1' };
const upstreamEnv = () => ({
  UPSTREAM_URL: notes.url,
  UPSTREAM_SESSION_SECRET: 'install-smoke-upstream-secret-0123456789abcdef',
});

beforeAll(async () => {
  project = await installProject('express', {
    tingting: PACKAGES,
    registry: { express: '5.3.0', 'express-session': '1.19.0' },
    fixture: 'express',
  });
  // The fake TingTing from the installed tarball, loaded the CommonJS way (the Next.js suite
  // loads it with `import`, so both builds of @tingting-auth/testing run).
  const testing = createRequire(join(project, 'package.json'))(
    '@tingting-auth/testing',
  ) as typeof Testing;
  fake = await testing.startFakeTingTing();
  notes = await testing.startFakeNotes({ accounts: [ACCOUNT] });
}, 120_000);

afterAll(async () => {
  await stopAll();
  await fake?.close();
  await notes?.close();
});

describe(`Express apps from the tarballs on Node ${process.version}`, () => {
  it('installs every @tingting-auth package from this run’s tarballs, none from elsewhere', async () => {
    const installed = await installedPackages(project);
    expect(installed.map((p) => p.name)).toEqual(PACKAGES);
    for (const p of installed) expectFromTarball(p);
  });

  it('exports the same names from require() and import, for every package', async () => {
    const script = `
      const names = {};
      for (const name of ${JSON.stringify(PACKAGES)}) {
        const cjs = Object.keys(require(name)).sort();
        const esm = Object.keys(await import(name)).filter((key) => key !== 'default').sort();
        names[name] = { cjs, esm };
      }
      // The User-Agent the packed client sends (USER_AGENT itself is not exported).
      const http = require('node:http');
      names.userAgent = await new Promise((resolve) => {
        const server = http.createServer((req, res) => {
          resolve(req.headers['user-agent']);
          res.end('{}');
          server.close();
        });
        server.listen(0, '127.0.0.1', () => {
          const baseURL = 'http://127.0.0.1:' + server.address().port;
          const { TingTingClient } = require('@tingting-auth/core');
          new TingTingClient({ apiToken: 'smoke', baseURL }).getUserProfile().catch(() => {});
        });
      });
      console.log(JSON.stringify(names));`;
    const { userAgent, ...names } = (await runNode(
      ['-e', `(async () => {${script}})()`],
      project,
    )) as { userAgent: string } & Record<string, { cjs: string[]; esm: string[] }>;
    // The version users report in TingTing's logs comes from the packed package.json.
    expect(userAgent).toMatch(/^tingting-auth\/\d+\.\d+\.\d+/);
    for (const name of PACKAGES) {
      expect(names[name]?.cjs.length, name).toBeGreaterThan(0);
      expect(names[name]?.esm, name).toEqual(names[name]?.cjs);
    }
    // The names users reach for first (these were @tingting-auth/core's packaging test).
    expect(names['@tingting-auth/core']?.cjs).toEqual(
      expect.arrayContaining([
        'TingTingClient',
        'createTingTingSender',
        'OTPEngine',
        'MemoryStore',
        'parsePhoneNumber',
        'TingTingUnknownOutcomeError',
        'TingTingAPIError',
        'ValidationError',
      ]),
    );
    expect(names['@tingting-auth/express']?.cjs).toEqual(
      expect.arrayContaining([
        'createTingTingAuth',
        'createUpstreamAuth',
        'OTPEngine',
        'MemoryStore',
        'ErrorCode',
      ]),
    );
    expect(names['@tingting-auth/redis']?.cjs).toContain('RedisStore');
    expect(names['@tingting-auth/testing']?.cjs).toContain('startFakeTingTing');
  });

  it('signs in through a CommonJS app (require)', async () => {
    const app = await startApp(project, 'server.cjs', fake, upstreamEnv());
    // A CommonJS app must get the CommonJS builds only: no ESM copy, no dual-package hazard
    // (express also loads core's ./protocol and ./public-errors entries, the app ./upstream).
    expect(app.ready.loaded.length).toBeGreaterThanOrEqual(2);
    for (const file of app.ready.loaded) {
      expect(file.startsWith(project), file).toBe(true);
      expect(file).toMatch(
        /node_modules\/@tingting-auth\/(core|express)\/dist\/(index|protocol\/index|upstream\/index|public-errors)\.cjs$/,
      );
    }
    await signIn(app.ready.url, fake, '9812345601', ROUTES);
    // It logged in with email and password: the CommonJS client's cookie jar works.
    expect(fake.requests).toContainEqual(
      expect.objectContaining({ endpoint: 'login', status: 200 }),
    );
    await signInWithPassword(app.ready.url, ACCOUNT);
  });

  it('signs in through an ES module app (import)', async () => {
    const app = await startApp(project, 'server.mjs', fake, upstreamEnv());
    expect(app.ready.loaded).toEqual([
      expect.stringMatching(/node_modules\/@tingting-auth\/core\/dist\/index\.js$/),
      expect.stringMatching(/node_modules\/@tingting-auth\/core\/dist\/upstream\/index\.js$/),
      expect.stringMatching(/node_modules\/@tingting-auth\/express\/dist\/index\.js$/),
    ]);
    for (const file of app.ready.loaded) expect(file.startsWith(project), file).toBe(true);
    await signIn(app.ready.url, fake, '9812345602', ROUTES);
    await signInWithPassword(app.ready.url, ACCOUNT);
  });
});
