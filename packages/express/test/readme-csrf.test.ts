/**
 * The README's `csrf.ts` runs as written: one app, cookie-parser in front of the router that has
 * csrf-csrf's middleware, and a token that carries a browser through send, verify and sign-out
 * (`readme.test.ts` type-checks it; this runs it). Edits to the block: this package's source for
 * the import, the fake TingTing's URL for the client, and the app exported instead of listening.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type FakeTingTing, startFakeTingTing } from '@tingting-auth/testing';
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const block = /```ts\n(\/\/ csrf\.ts[\s\S]*?)```/.exec(readme)?.[1] ?? '';
const scratch = fileURLToPath(new URL(`./csrf-${process.pid}.tmp.ts`, import.meta.url));

/** The block with each of `edits` made exactly once (a README that changed shape fails here). */
function edited(edits: [string, string][]): string {
  return edits.reduce((code, [from, to]) => {
    expect(code.split(from)).toHaveLength(2);
    return code.replace(from, to);
  }, block);
}

let fake: FakeTingTing;
let app: Express;
const env = { ...process.env };

beforeAll(async () => {
  fake = await startFakeTingTing();
  process.env.TINGTING_API_TOKEN = fake.apiToken;
  process.env.OTP_SECRET = 'readme-csrf-otp-secret-of-at-least-32-bytes';
  process.env.CSRF_SECRET = 'readme-csrf-secret';
  process.env.SESSION_SECRET = 'readme-csrf-session-secret';
  writeFileSync(
    scratch,
    edited([
      ["from '@tingting-auth/express'", "from '../src/index.js'"],
      [
        "apiToken: env('TINGTING_API_TOKEN') }",
        `apiToken: env('TINGTING_API_TOKEN'), baseURL: '${fake.url}' }`,
      ],
      ['app.listen(3000);', 'export default app;'],
    ]),
  );
  app = ((await import(scratch)) as { default: Express }).default;
});
afterAll(async () => {
  process.env = env;
  rmSync(scratch, { force: true });
  await fake.close();
});

it('csrf.ts: posts need the token; with it a browser sends, verifies and signs out', async () => {
  const browser = request.agent(app);
  const phone = '9812345690';
  const refused = await browser.post('/auth/otp/send').send({ phone });
  expect(refused.status).toBe(403);
  expect(refused.body.error.code).toBe('CROSS_SITE_REQUEST');
  expect(fake.outbox.last(phone)).toBeUndefined();

  const token = async () => (await browser.get('/csrf-token')).body.token as string;
  let csrf = await token();
  expect(
    (await browser.post('/auth/otp/send').set('x-csrf-token', csrf).send({ phone })).status,
  ).toBe(202);
  const code = fake.outbox.last(phone)!.otp;
  const verified = await browser
    .post('/auth/otp/verify')
    .set('x-csrf-token', csrf)
    .send({ phone, code });
  expect(verified.status).toBe(200);
  // The session id changed at sign-in: the old token is dead, a new one works.
  expect((await browser.post('/auth/otp/sign-out').set('x-csrf-token', csrf)).status).toBe(403);
  csrf = await token();
  expect((await browser.post('/auth/otp/sign-out').set('x-csrf-token', csrf)).status).toBe(204);
});
