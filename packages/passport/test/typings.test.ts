/**
 * The published typings, as an app with its own `Express.User` sees them (in a scratch project of
 * its own, since the augmentation is global): every verify callback form type-checks, and the
 * mistakes marked `@ts-expect-error` are refused (an unused `@ts-expect-error` is an error too).
 */

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const APP = `
import type { Request } from 'express';
import passport from 'passport';
import { type OTPEngine, Strategy, type VerifyFunction } from '@tingting-auth/passport';

declare global {
  namespace Express {
    interface User {
      id: string;
      phone: string;
    }
  }
}
declare const engine: OTPEngine;
declare function find(phone: string): Promise<Express.User | undefined>;

// Every form of verify callback.
new Strategy({ engine }, async () => false);
new Strategy({ engine }, async () => null);
new Strategy({ engine }, async (phone) => ({ id: phone, phone }));
new Strategy({ engine }, async (phone) => (phone.endsWith('0') ? false : { id: phone, phone }));
new Strategy({ engine }, (phone) => find(phone));
new Strategy({ engine }, async (phone) => (await find(phone)) ?? false);
new Strategy({ engine }, (phone, done) => done(null, { id: phone, phone }));
new Strategy({ engine }, (phone, done) => done(null, false, { message: 'no' }));
new Strategy({ engine }, async (phone, done) => {
  done(null, (await find(phone)) ?? false);
});
new Strategy({ engine, passReqToCallback: true }, async () => false);
new Strategy({ engine, passReqToCallback: true }, async (req: Request, phone) =>
  req.user?.phone === phone ? req.user : false,
);
new Strategy({ engine, passReqToCallback: true }, (req, phone, done) => done(null, req.user));
declare const verify: VerifyFunction;
new Strategy({ engine }, verify);

// The augmentations.
passport.authenticate('tingting', { tingtingAction: 'send', tingtingCallback: true });
export function sent(req: Request): string | undefined {
  return req.tingtingSent?.expiresAt.toISOString();
}

// Mistakes.
// @ts-expect-error \`true\` is not a user
new Strategy({ engine }, async () => true);
// @ts-expect-error not the app's user
new Strategy({ engine }, async (phone) => ({ name: phone }));
// @ts-expect-error a user returned without a promise: nothing would ever answer
new Strategy({ engine }, (phone) => ({ id: phone, phone }));
// @ts-expect-error the request comes first only with passReqToCallback: true
new Strategy({ engine }, async (req: Request, phone: string) => ({ id: phone, phone }));
// @ts-expect-error a misspelled option
new Strategy({ engine, purpse: 'sign-in' }, async () => false);
// @ts-expect-error a step that does not exist
passport.authenticate('tingting', { tingtingAction: 'sned' });
`;

it('every verify callback form type-checks with Express.User augmented; the mistakes do not', () => {
  const dir = join(root, 'node_modules', '.typings-check');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
  const file = join(dir, 'app.ts');
  writeFileSync(file, APP);
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts'],
    types: ['node'],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    esModuleInterop: true,
    baseUrl: dir,
    paths: { '@tingting-auth/passport': [join(root, 'src/index.ts')] },
  });
  const errors = ts
    .getPreEmitDiagnostics(program)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  expect(errors).toEqual([]);
}, 60_000);
