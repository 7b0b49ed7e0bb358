/**
 * The README's complete app, run as written against the fake TingTing. The code block is read from
 * README.md; three substitutions only: the package import points at this package's source, the
 * client gets the fake's `baseURL`, and `app.listen(3000)` becomes `export default app`.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FakeTingTing, startFakeTingTing } from '@tingting-auth/testing';
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const module = join(here, `readme-example.${process.pid}.tmp.ts`);

function replaceOnce(text: string, from: string, to: string): string {
  const parts = text.split(from);
  if (parts.length !== 2) throw new Error(`README example: expected one "${from}"`);
  return parts.join(to);
}

let fake: FakeTingTing;
let app: Express;
const saved = { ...process.env };

beforeAll(async () => {
  fake = await startFakeTingTing();
  const readme = await readFile(join(here, '..', 'README.md'), 'utf8');
  const block = /## A complete app\n\n```ts\n([\s\S]*?)\n```/.exec(readme)?.[1];
  if (block === undefined) throw new Error('README has no "A complete app" ts block');
  let code = replaceOnce(block, "from '@tingting-auth/passport'", "from '../src/index.ts'");
  code = replaceOnce(
    code,
    "apiToken: env('TINGTING_API_TOKEN') }",
    "apiToken: env('TINGTING_API_TOKEN'), baseURL: env('TINGTING_BASE_URL') }",
  );
  code = replaceOnce(code, 'app.listen(3000);', 'export default app;');
  Object.assign(process.env, {
    TINGTING_API_TOKEN: fake.apiToken,
    TINGTING_BASE_URL: fake.url,
    OTP_SECRET: 'readme-otp-secret-of-at-least-32-bytes!',
    SESSION_SECRET: 'readme-session-secret',
  });
  await writeFile(module, code);
  app = ((await import(module)) as { default: Express }).default;
});

afterAll(async () => {
  process.env = saved;
  await rm(module, { force: true });
  await fake.close();
});

it('sends a code, signs in with it, shows the user, and signs out', async () => {
  const agent = request.agent(app);

  const sent = await agent.post('/auth/send').send({ phone: '9812345678' });
  expect(sent.status).toBe(202);
  expect(sent.body).toMatchObject({ phone: '+9779812345678', channel: 'text' });
  const code = fake.outbox.last('9812345678')?.otp;
  expect(code).toMatch(/^\d{6}$/);

  const wrongCode = code === '000000' ? '111111' : '000000';
  const wrong = await agent.post('/auth/verify').send({ phone: '9812345678', code: wrongCode });
  expect(wrong.status).toBe(401);

  const verified = await agent.post('/auth/verify').send({ phone: '9812345678', code });
  expect(verified.status).toBe(200);
  expect(verified.body).toEqual({ user: { id: '+9779812345678', phone: '+9779812345678' } });
  expect((await agent.get('/me')).body.user).toEqual(verified.body.user);

  const crossSite = await agent.post('/auth/sign-out').set('Sec-Fetch-Site', 'cross-site');
  expect(crossSite.status).toBe(403);
  expect(crossSite.body).toEqual({ error: { code: 'CROSS_SITE_REQUEST' } });
  expect((await agent.get('/me')).body.user).toEqual(verified.body.user);

  expect((await agent.post('/auth/sign-out')).status).toBe(204);
  expect((await agent.get('/me')).body).toEqual({ user: null });
});

it('refuses a cross-site send, and answers TingTing failures with the error handler', async () => {
  const agent = request.agent(app);
  const crossSite = await agent
    .post('/auth/send')
    .set('Sec-Fetch-Site', 'cross-site')
    .send({ phone: '9812345670' });
  expect(crossSite.status).toBe(403);
  expect(fake.outbox.last('9812345670')).toBeUndefined();

  fake.setCredits({ sms: 0 });
  const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
  const failed = await agent.post('/auth/send').send({ phone: '9812345671' });
  fake.setCredits({ sms: 100 });
  expect(failed.status).toBe(502);
  expect(failed.body).toEqual({ error: { code: 'DELIVERY_FAILED' } });
  expect(logged).toHaveBeenCalledWith(expect.objectContaining({ code: 'DELIVERY_FAILED' }));
  logged.mockRestore();
});

it('limits verifies per IP: one guess sprayed across 61 pending numbers ends in 429', async () => {
  const numbers = Array.from({ length: 61 }, (_, i) => `9841${200_000 + i}`);
  for (const [i, phone] of numbers.entries()) {
    // Each number's owner asks for a code from their own address (behind the one trusted proxy).
    const sent = await request(app)
      .post('/auth/send')
      .set('X-Forwarded-For', `10.1.${i >> 8}.${i & 255}`)
      .send({ phone });
    expect(sent.status).toBe(202);
  }
  const codeOf = (phone: string): string => fake.outbox.last(phone)?.otp ?? '';
  const wrongOf = (code: string): string => (code === '000000' ? '111111' : '000000');

  const statuses: number[] = [];
  for (const phone of numbers) {
    const guess = await request(app)
      .post('/auth/verify')
      .set('X-Forwarded-For', '203.0.113.7')
      .send({ phone, code: wrongOf(codeOf(phone)) });
    statuses.push(guess.status);
    if (guess.status === 429) {
      expect(guess.body).toEqual({
        error: { code: 'RATE_LIMITED', message: 'Too many requests. Please wait and try again.' },
      });
      expect(Number(guess.headers['retry-after'])).toBeGreaterThan(0);
    }
  }
  expect(statuses.slice(0, 60)).toEqual(Array(60).fill(401));
  expect(statuses[60]).toBe(429);

  // Another address is not limited: the owner of the last number signs in.
  const last = numbers[60] as string;
  const owner = await request(app)
    .post('/auth/verify')
    .set('X-Forwarded-For', '198.51.100.9')
    .send({ phone: last, code: codeOf(last) });
  expect(owner.status).toBe(200);
});
