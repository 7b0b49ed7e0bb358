/**
 * `@tingting-auth/passport` as users install it: the tarballs (passport, and testing for the fake;
 * core only as passport's own dependency) with express 5, express-session and passport 0.7 from
 * the registry, in a project outside the workspace. The same app, once CommonJS and once ESM,
 * signs a number in through `passport.authenticate('tingting')`: send step -> code from the fake's
 * outbox -> verify step -> `req.login` -> a session Passport recognises.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Testing from '@tingting-auth/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, startApp } from './apps.js';
import { runNode, stopAll } from './processes.js';
import { expectFromTarball, installedPackages, installProject } from './project.js';

const PACKAGES = ['@tingting-auth/passport', '@tingting-auth/testing'];
const ROUTES = { send: '/login/send', verify: '/login/verify', me: '/me' };

let project: string;
let fake: Testing.FakeTingTing;

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
}, 120_000);

afterAll(async () => {
  await stopAll();
  await fake?.close();
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
  });

  it('signs in through an ES module app (import)', async () => {
    const app = await startApp(project, 'app.mjs', fake);
    expect(app.ready.loaded).toEqual([
      expect.stringMatching(/node_modules\/@tingting-auth\/passport\/dist\/index\.js$/),
    ]);
    expect(app.ready.loaded[0]?.startsWith(project)).toBe(true);
    await signIn(app.ready.url, fake, '9812345622', ROUTES);
  });
});
