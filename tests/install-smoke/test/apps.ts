/**
 * The Express and Passport smoke apps: start one from a project, and sign a number in through it
 * as a browser's script would.
 */
import type { FakeTingTing } from '@tingting-auth/testing';
import { expect } from 'vitest';
import { Visitor } from './http.js';
import { type Started, start } from './processes.js';

/** What a fixture app prints once it listens. */
export interface AppReady {
  url: string;
  /** The @tingting-auth files it loaded (CommonJS) or its imports resolved to (ESM). */
  loaded: string[];
}

/** Start `file` from `project`, wired to `fake`. */
export function startApp(
  project: string,
  file: string,
  fake: FakeTingTing,
  extraEnv: Record<string, string> = {},
): Promise<Started<AppReady>> {
  return start([file], {
    cwd: project,
    env: {
      ...extraEnv,
      TINGTING_API_TOKEN: fake.apiToken,
      TINGTING_EMAIL: fake.account.email,
      TINGTING_PASSWORD: fake.account.password,
      TINGTING_BASE_URL: fake.url,
      OTP_SECRET: 'install-smoke-otp-secret-0123456789abcdef',
      SESSION_SECRET: 'install-smoke-session-secret',
      // express-session's MemoryStore warns under production; these apps are not production.
      NODE_ENV: 'development',
    },
    isReady: (output) => {
      // A whole line only: a chunk may end in the middle of it.
      const line = /^(\{"url".*)\n/m.exec(output)?.[1];
      return line === undefined ? undefined : (JSON.parse(line) as AppReady);
    },
  });
}

/** The app's routes. */
export interface SignInRoutes {
  send: string;
  verify: string;
  /** Answers 401 until signed in, then the signed-in `{ phone }`. */
  me: string;
}

/**
 * send -> the code from the fake's outbox -> a wrong code (401 INVALID_CODE) -> the right code ->
 * the protected route answers with the number, under a new session id.
 */
export async function signIn(
  url: string,
  fake: FakeTingTing,
  national: string,
  routes: SignInRoutes,
): Promise<void> {
  const e164 = `+977${national}`;
  const visitor = new Visitor(url);

  expect((await visitor.get(routes.me)).status).toBe(401);

  const sent = await visitor.postJSON(routes.send, { phone: national, channel: 'text' });
  expect(sent.status, sent.text).toBe(202);
  expect(sent.json()).toMatchObject({ phone: e164, channel: 'text' });
  const code = fake.outbox.last(national)?.otp;
  expect(code).toMatch(/^\d{6}$/);
  expect(sent.text).not.toContain(code);

  const wrong = await visitor.postJSON(routes.verify, {
    phone: national,
    code: code === '000000' ? '111111' : '000000',
  });
  expect(wrong.status, wrong.text).toBe(401);
  expect(wrong.json()).toMatchObject({ error: { code: 'INVALID_CODE' } });

  const before = visitor.cookie('connect.sid');
  const verified = await visitor.postJSON(routes.verify, { phone: national, code });
  expect(verified.status, verified.text).toBe(200);
  expect(verified.json()).toMatchObject({ phone: e164 });
  // A new session at sign-in (no session fixation).
  expect(visitor.cookie('connect.sid')).toBeDefined();
  expect(visitor.cookie('connect.sid')).not.toBe(before);

  const me = await visitor.get(routes.me);
  expect(me.status, me.text).toBe(200);
  expect(me.json()).toMatchObject({ phone: e164 });
}

/**
 * Password sign-in (createUpstreamAuth against a fake notes service): a wrong password (401
 * INVALID_CREDENTIALS), the right one (200 { user }, a new session id), the guarded route reading
 * the upstream with the session's token, then sign-out (204; the guard refuses again).
 */
export async function signInWithPassword(
  url: string,
  account: { username: string; password: string },
): Promise<void> {
  const visitor = new Visitor(url);
  expect((await visitor.get('/account')).status).toBe(401);
  const wrong = await visitor.postJSON('/auth/password/sign-in', {
    username: account.username,
    password: `${account.password}-wrong`,
  });
  expect(wrong.status, wrong.text).toBe(401);
  expect(wrong.json()).toMatchObject({ error: { code: 'INVALID_CREDENTIALS' } });
  const before = visitor.cookie('connect.sid');
  const signedIn = await visitor.postJSON('/auth/password/sign-in', account);
  expect(signedIn.status, signedIn.text).toBe(200);
  expect(signedIn.json()).toMatchObject({ user: { subject: account.username } });
  expect(visitor.cookie('connect.sid')).toBeDefined();
  expect(visitor.cookie('connect.sid')).not.toBe(before);
  const me = await visitor.get('/account');
  expect(me.status, me.text).toBe(200);
  expect(me.json()).toMatchObject({ username: account.username });
  expect((await visitor.postJSON('/auth/password/sign-out', {})).status).toBe(204);
  expect((await visitor.get('/account')).status).toBe(401);
}
