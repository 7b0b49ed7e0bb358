import { inspect } from 'node:util';
import {
  type FakeNotes,
  type FakeTimbr,
  startFakeNotes,
  startFakeTimbr,
} from '@tingting-auth/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/errors.js';
import {
  createPasswordProtocol,
  type ProtocolRequest,
  refusalOfSessionError,
  resolveRequestOptions,
  SIGN_UP_ACCEPTED_MESSAGE,
} from '../../src/protocol/index.js';
import {
  MemorySessionStore,
  notesProvider,
  SessionExpiredError,
  SessionUnavailableError,
  timbrProvider,
  UpstreamSessions,
} from '../../src/upstream/index.js';
import { manualClock, T0 } from '../helpers.js';

const SECRET = 'password-protocol-test-secret-0123456789abcdef';
const PASSWORD = 'right-password-123';
const HOST = 'app.example.com';

function json(fields: unknown, headers: Record<string, string> = {}): ProtocolRequest {
  const text = JSON.stringify(fields);
  return {
    method: 'POST',
    headers: {
      host: HOST,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      ...headers,
    },
    body: new TextEncoder().encode(text),
    clientIP: '203.0.113.9',
  };
}

function form(text: string): ProtocolRequest {
  return {
    method: 'POST',
    headers: {
      host: HOST,
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(text)),
    },
    body: new TextEncoder().encode(text),
    clientIP: '203.0.113.9',
  };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

async function timbrRig(options: { throttle?: false } = {}) {
  const clock = manualClock(T0);
  const fake: FakeTimbr = await startFakeTimbr({
    now: clock,
    accounts: [
      { username: 'asha', password: PASSWORD },
      { username: 'bikash', password: PASSWORD, active: false },
    ],
  });
  closers.push(() => fake.close());
  const store = new MemorySessionStore();
  const sessions = new UpstreamSessions({
    store,
    secret: SECRET,
    provider: timbrProvider({ baseURL: fake.url }),
    clock,
    ...(options.throttle === false ? { throttle: false as const } : {}),
  });
  const password = createPasswordProtocol(resolveRequestOptions('test', {}), { sessions });
  return { clock, fake, store, sessions, password };
}

async function notesRig() {
  const clock = manualClock(T0);
  const fake: FakeNotes = await startFakeNotes({
    now: clock,
    accounts: [{ username: 'asha', email: 'asha@example.com', password: PASSWORD }],
  });
  closers.push(() => fake.close());
  const provider = notesProvider({ baseURL: fake.url });
  const sessions = new UpstreamSessions({
    store: new MemorySessionStore(),
    secret: SECRET,
    provider,
    clock,
  });
  const password = createPasswordProtocol(resolveRequestOptions('test', {}), {
    sessions,
    provider,
  });
  return { clock, fake, sessions, password };
}

/** Everything about an answer a client can observe. */
function observed(answer: { status: number; headers: object; body: unknown }) {
  return { status: answer.status, headers: answer.headers, body: JSON.stringify(answer.body) };
}

describe('signIn', () => {
  it('200 { user } with the session id kept out of the answer, JSON and inspect', async () => {
    const { password, sessions, fake } = await timbrRig();
    const result = await password.signIn(json({ username: 'asha', password: PASSWORD }));
    expect(result.answer.status).toBe(200);
    expect(result.answer.headers).toMatchObject({ 'cache-control': 'no-store' });
    if (!result.ok) throw new Error('expected a sign-in');
    const { sid, user } = result.value;
    expect(user).toEqual({
      provider: 'timbr',
      subject: String(fake.account.id),
      identifier: 'asha',
    });
    expect(result.answer.body).toEqual({ user });
    expect(typeof sid).toBe('string');
    expect((await sessions.status(sid)).active).toBe(true);
    for (const text of [
      JSON.stringify(result.answer),
      JSON.stringify(result.value),
      inspect(result.value, { depth: 5 }),
      inspect(result, { depth: 5 }),
    ]) {
      expect(text).not.toContain(sid);
      expect(text).not.toContain(PASSWORD);
    }
    expect(Object.keys(result.value)).not.toContain('sid');
  });

  it('accepts the email field instead of the username, and a form body', async () => {
    const { password } = await notesRig();
    const result = await password.signIn(form(`email=asha%40example.com&password=${PASSWORD}`));
    expect(result.answer.status).toBe(200);
    expect((result.answer.body as { user: { identifier: string } }).user.identifier).toBe(
      'asha@example.com',
    );
  });

  it('unknown user, wrong password and inactive account: identical status, body and headers', async () => {
    const { password, fake } = await timbrRig();
    const answers = [
      await password.signIn(json({ username: 'nobody', password: PASSWORD })),
      await password.signIn(json({ username: 'asha', password: 'wrong-password-1' })),
      await password.signIn(json({ username: 'bikash', password: PASSWORD })),
    ].map((result) => observed(result.answer));
    expect(answers[0]).toEqual({
      status: 401,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      body: JSON.stringify({
        error: { code: 'INVALID_CREDENTIALS', message: 'The username or password is not right.' },
      }),
    });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    // Each one really reached the upstream (the same work on every path).
    expect(fake.stats.loginCalls).toBe(3);
  });

  it('400 INVALID_REQUEST naming the field, before the upstream is asked', async () => {
    const { password, fake } = await timbrRig();
    const cases: [unknown, string][] = [
      [{ password: PASSWORD }, 'username'],
      [{ username: '', password: PASSWORD }, 'username'],
      [{ username: 'asha' }, 'password'],
      [{ username: 'asha', password: '' }, 'password'],
      [{ username: ['asha'], password: PASSWORD }, 'username'],
      [{ username: { $ne: 1 }, password: PASSWORD }, 'username'],
      [{ username: 'asha', password: 123456 }, 'password'],
      [{ username: 'asha', password: [PASSWORD] }, 'password'],
      [{ username: 'asha', password: true }, 'password'],
      [{ email: 7, password: PASSWORD }, 'email'],
      // Two identifiers at once: which account is meant?
      [{ username: 'asha', email: 'asha@example.com', password: PASSWORD }, 'email'],
      // Only whitespace reaches the sessions' own check.
      [{ username: '   ', password: PASSWORD }, 'username'],
      // ...and names the field the user filled in, not the first identifier field.
      [{ email: '   ', password: PASSWORD }, 'email'],
      [{ email: `${'a'.repeat(400)}@example.com`, password: PASSWORD }, 'email'],
    ];
    for (const [fields, field] of cases) {
      const result = await password.signIn(json(fields));
      expect(result.answer.status, JSON.stringify(fields)).toBe(400);
      expect(result.answer.body).toEqual({
        error: { code: 'INVALID_REQUEST', message: 'The request is not valid.', field },
      });
    }
    // A repeated form field is a list: refused.
    const repeated = await password.signIn(form(`username=asha&username=bikash&password=x`));
    expect(repeated.answer.body).toMatchObject({ error: { field: 'username' } });
    expect(fake.stats.loginCalls).toBe(0);
  });

  it('the body rules and the cross-site check of every handler, before the upstream is asked', async () => {
    const { password, fake } = await timbrRig();
    const good = { username: 'asha', password: PASSWORD };
    const status = async (request: ProtocolRequest) => (await password.signIn(request)).answer;
    expect((await status({ ...json(good), method: 'GET' })).status).toBe(405);
    expect((await status(json(good, { 'sec-fetch-site': 'cross-site' }))).status).toBe(403);
    expect((await status(json(good, { origin: 'https://evil.example' }))).status).toBe(403);
    expect((await status(json(good, { 'content-type': 'text/plain' }))).status).toBe(415);
    expect((await status(json([good]))).status).toBe(400);
    expect((await status(json({ ...good, pad: 'x'.repeat(5000) }))).status).toBe(413);
    expect(
      (await status({ ...json(good), body: new TextEncoder().encode('{"username":') })).body,
    ).toMatchObject({ error: { code: 'MALFORMED_BODY' } });
    // A prototype-polluting key is an ordinary (unknown) field.
    expect(
      (await status(json(JSON.parse(`{"__proto__":{"password":"x"},"username":"asha"}`)))).body,
    ).toMatchObject({ error: { code: 'INVALID_REQUEST', field: 'password' } });
    // A parsed body (Passport, NextAuth) gets the same field checks.
    expect(
      (await status({ method: 'POST', headers: { host: HOST }, fields: { username: 'asha' } }))
        .body,
    ).toMatchObject({ error: { field: 'password' } });
    expect(fake.stats.loginCalls).toBe(0);
  });

  it('429 RATE_LIMITED with Retry-After once the (identifier, IP) limit is spent; the upstream is not asked', async () => {
    const { password, fake } = await timbrRig();
    for (let i = 0; i < 10; i++) {
      const result = await password.signIn(json({ username: 'asha', password: `wrong-${i}` }));
      expect(result.answer.status).toBe(401);
    }
    const calls = fake.stats.loginCalls;
    const blocked = await password.signIn(json({ username: 'asha', password: PASSWORD }));
    expect(blocked.answer.status).toBe(429);
    expect(blocked.answer.body).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(Number(blocked.answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(fake.stats.loginCalls).toBe(calls);
    // Unknown user: the same 429 after as many failures (no oracle for the account's existence).
    for (let i = 0; i < 10; i++) {
      await password.signIn(json({ username: 'nobody', password: `wrong-${i}` }));
    }
    const unknown = await password.signIn(json({ username: 'nobody', password: PASSWORD }));
    expect(observed(unknown.answer).status).toBe(429);
    expect(unknown.answer.body).toEqual(blocked.answer.body);
  });

  it('503 SERVICE_UNAVAILABLE with the upstream Retry-After when it is down', async () => {
    const { password, fake } = await timbrRig();
    fake.inject('login', { status: 503, headers: { 'retry-after': '7' } });
    const result = await password.signIn(json({ username: 'asha', password: PASSWORD }));
    expect(result.answer.status).toBe(503);
    expect(result.answer.headers['retry-after']).toBe('7');
    expect(result.answer.body).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE' } });
    fake.inject('login', { kind: 'html' });
    const malformed = await password.signIn(json({ username: 'asha', password: PASSWORD }));
    expect(malformed.answer.status).toBe(503);
    expect(malformed.answer.headers['retry-after']).toBe('30');
  });

  it('a store failure is a 503 whose cause is kept for logs, never shown', async () => {
    const { password, store } = await timbrRig({ throttle: false });
    const failure = new StoreUnavailableError('down');
    store.create = () => Promise.reject(failure);
    const result = await password.signIn(json({ username: 'asha', password: PASSWORD }));
    expect(result.answer.status).toBe(503);
    if (result.ok) throw new Error('expected a refusal');
    expect(result.error.cause).toBe(failure);
    expect(JSON.stringify(result.answer)).not.toContain('down');
  });

  it('renamed fields (Passport usernameField) are the only ones read', async () => {
    const { sessions } = await timbrRig();
    const password = createPasswordProtocol(resolveRequestOptions('test', {}), {
      sessions,
      fieldNames: { identifier: ['login'], password: 'secret' },
    });
    expect((await password.signIn(json({ login: 'asha', secret: PASSWORD }))).answer.status).toBe(
      200,
    );
    expect(
      (await password.signIn(json({ username: 'asha', password: PASSWORD }))).answer.body,
    ).toMatchObject({ error: { field: 'login' } });
  });
});

describe('signOut', () => {
  it('ends the upstream session and answers 204; a cross-site request ends nothing', async () => {
    const { password, sessions } = await timbrRig();
    const signedIn = await password.signIn(json({ username: 'asha', password: PASSWORD }));
    if (!signedIn.ok) throw new Error('expected a sign-in');
    const { sid } = signedIn.value;
    const forged = await password.signOut(
      { method: 'POST', headers: { host: HOST, 'sec-fetch-site': 'cross-site' } },
      sid,
    );
    expect(forged.answer.status).toBe(403);
    expect((await sessions.status(sid)).active).toBe(true);
    const result = await password.signOut({ method: 'POST', headers: { host: HOST } }, sid);
    expect(result.answer).toEqual({
      status: 204,
      headers: { 'cache-control': 'no-store' },
      body: undefined,
    });
    expect(result.ok && result.value).toBe(true);
    expect(await sessions.status(sid)).toEqual({ active: false, reason: 'signed_out' });
    await expect(sessions.getAccessToken(sid)).rejects.toBeInstanceOf(SessionExpiredError);
    // Signing out without a session is still a 204.
    const none = await password.signOut({ method: 'POST', headers: { host: HOST } }, undefined);
    expect(none.answer.status).toBe(204);
  });
});

describe('signUp', () => {
  let rig: Awaited<ReturnType<typeof notesRig>>;
  const post = (fields: unknown) => rig.password.signUp!(json(fields));

  it('created and already-existing answer the same 202', async () => {
    rig = await notesRig();
    const created = await post({
      username: 'new1',
      email: 'new1@example.com',
      password: 'long-password-1',
    });
    const existing = await post({
      username: 'asha',
      email: 'asha@example.com',
      password: 'long-password-1',
    });
    expect(observed(created.answer)).toEqual(observed(existing.answer));
    expect(created.answer.status).toBe(202);
    expect(created.answer.body).toEqual({ message: SIGN_UP_ACCEPTED_MESSAGE });
    expect(rig.fake.signups.map((account) => account.username)).toEqual(['new1']);
  });

  it('missing or non-string fields are a 400 naming the field; an upstream refusal is a 400', async () => {
    rig = await notesRig();
    expect(
      (await post({ email: 'x@example.com', password: 'long-password-1' })).answer.body,
    ).toMatchObject({ error: { field: 'username' } });
    expect(
      (await post({ username: 'x', email: ['x@example.com'], password: 'long-password-1' })).answer
        .body,
    ).toMatchObject({ error: { field: 'email' } });
    expect((await post({ username: 'x', email: 'x@example.com' })).answer.body).toMatchObject({
      error: { field: 'password' },
    });
    expect(rig.fake.stats.loginCalls + rig.fake.signups.length).toBe(0);
    // Notes refuses a password of 8 characters or fewer.
    const short = await post({ username: 'x', email: 'x@example.com', password: 'short' });
    expect(short.answer.status).toBe(400);
    expect(short.answer.body).toMatchObject({ error: { code: 'INVALID_REQUEST' } });
  });

  it('503 with Retry-After when the upstream is down', async () => {
    rig = await notesRig();
    rig.fake.inject('signup', { status: 502 });
    const result = await post({
      username: 'x',
      email: 'x@example.com',
      password: 'long-password-1',
    });
    expect(result.answer.status).toBe(503);
    expect(result.answer.headers['retry-after']).toBe('30');
  });

  it('is undefined when the provider cannot sign up (Timbr)', async () => {
    const { password } = await timbrRig();
    expect(password.signUp).toBeUndefined();
  });
});

describe('options', () => {
  it('resolveRequestOptions refuses the engine options and typos, as resolveProtocolOptions does', () => {
    expect(() => resolveRequestOptions('createUpstreamAuth', { engine: {} })).toThrow(
      /createUpstreamAuth: unknown option `engine`/,
    );
    expect(() => resolveRequestOptions('createUpstreamAuth', { maxBodyInBytes: 1 })).toThrow(
      /maxBodyInBytes/,
    );
    expect(
      resolveRequestOptions('x', { sessions: 1 }, { adapterOptions: ['sessions'] }).maxBodyInBytes,
    ).toBe(4096);
  });

  it('createPasswordProtocol refuses a missing sessions manager and clashing field names', async () => {
    const options = resolveRequestOptions('x', {});
    expect(() => createPasswordProtocol(options, {} as never)).toThrow(/x: `sessions` must be/);
    const { sessions } = await timbrRig();
    expect(() =>
      createPasswordProtocol(options, { sessions, fieldNames: { identifier: ['password'] } }),
    ).toThrow(/field names must differ/);
    expect(() =>
      createPasswordProtocol(options, { sessions, fieldNames: { identifier: [] } }),
    ).toThrow(/identifier field names/);
  });
});

describe('refusalOfSessionError', () => {
  it('maps an ended session to 401 SESSION_EXPIRED and an outage to 503 with its Retry-After', () => {
    expect(refusalOfSessionError(new SessionExpiredError('refresh_rejected'))).toEqual({
      code: 'SESSION_EXPIRED',
      status: 401,
      message: 'Your session has ended. Please sign in again.',
    });
    expect(refusalOfSessionError(new SessionUnavailableError('timbr', 12))).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      status: 503,
      retryAfter: 12,
    });
    const bug = new Error('store down');
    expect(refusalOfSessionError(bug)).toMatchObject({ status: 503, retryAfter: 30, cause: bug });
  });
});
