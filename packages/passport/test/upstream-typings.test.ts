/**
 * The UpstreamStrategy's typings, as an app with its own `Express.User` sees them (in a scratch
 * project of its own, since the augmentation is global): every verify callback form type-checks,
 * the later-request helpers too, and the mistakes marked `@ts-expect-error` are refused (an unused
 * `@ts-expect-error` is an error too).
 */

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const APP = `
import type { Request } from 'express';
import type { UpstreamSessions } from '@tingting-auth/core/upstream';
import { type UpstreamAccount, UpstreamStrategy, type UpstreamVerifyFunction } from '@tingting-auth/passport';

declare global {
  namespace Express {
    interface User {
      id: string;
      username: string;
    }
  }
}
declare const sessions: UpstreamSessions;
declare function find(account: UpstreamAccount): Promise<Express.User | undefined>;

// Every form of verify callback.
new UpstreamStrategy({ sessions }, async () => false);
new UpstreamStrategy({ sessions }, async (account) => ({ id: account.subject, username: account.username }));
new UpstreamStrategy({ sessions }, (account) => find(account));
new UpstreamStrategy({ sessions }, async (account) => (await find(account)) ?? false);
new UpstreamStrategy({ sessions }, (account, done) => done(null, { id: account.subject, username: account.username }));
new UpstreamStrategy({ sessions }, (_account, done) => done(null, false, { message: 'no' }));
new UpstreamStrategy({ sessions, passReqToCallback: true }, async (req: Request, account) =>
  req.user?.id === account.subject ? req.user : false,
);
new UpstreamStrategy({ sessions, passReqToCallback: true }, (req, _account, done) => done(null, req.user));
new UpstreamStrategy({ sessions, usernameField: 'email', baseURL: 'https://notes.example.com', name: 'notes' }, async () => false);
declare const verify: UpstreamVerifyFunction;
const strategy = new UpstreamStrategy({ sessions }, verify);
export async function later(req: Request): Promise<string> {
  const answer = await strategy.fetch(req, '/auth/user', { method: 'GET' });
  await strategy.signOut(req);
  return (await strategy.accessToken(req)) + answer.status + (strategy.sessionIdOf(req) ?? '');
}
export function noToken(account: UpstreamAccount): string {
  // @ts-expect-error the account never carries a token
  return account.accessToken;
}

// Mistakes.
// @ts-expect-error \`true\` is not a user
new UpstreamStrategy({ sessions }, async () => true);
// @ts-expect-error not the app's user
new UpstreamStrategy({ sessions }, async (account) => ({ name: account.username }));
// @ts-expect-error a user returned without a promise: nothing would ever answer
new UpstreamStrategy({ sessions }, (account) => ({ id: account.subject, username: account.username }));
// @ts-expect-error a misspelled option
new UpstreamStrategy({ sessions, usernameFeild: 'email' }, async () => false);
// @ts-expect-error the sessions are required
new UpstreamStrategy({}, async () => false);
`;

it('every upstream verify callback form type-checks with Express.User augmented; the mistakes do not', () => {
  const dir = join(root, 'node_modules', '.upstream-typings-check');
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
