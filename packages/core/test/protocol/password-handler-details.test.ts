/**
 * createPasswordProtocol and refusalOfSessionError in detail, over a recording sessions object and
 * provider: what sessions.signIn / end and provider.signup are handed, how each outcome and error
 * is answered, which field a 400 names, field names and configuration errors.
 */
import { describe, expect, it } from 'vitest';
import {
  createPasswordProtocol,
  type PasswordSessions,
  type PasswordSignupProvider,
  type ProtocolRequest,
  refusalOfSessionError,
  resolveRequestOptions,
  SIGN_UP_ACCEPTED_MESSAGE,
} from '../../src/protocol/index.js';
import { PUBLIC_ERROR_MESSAGES } from '../../src/public-errors.js';

const NO_CONTENT = { status: 204, headers: { 'cache-control': 'no-store' }, body: undefined };
const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
};
const SESSION = { id: 'public-id', createdAt: 1 };

function sessionsRig(signIn: (input: unknown) => unknown = () => success(), end: unknown = true) {
  const calls: [string, unknown][] = [];
  const sessions = {
    providerId: 'timbr',
    async signIn(input: unknown) {
      calls.push(['signIn', input]);
      return signIn(input);
    },
    async end(sid: string) {
      calls.push(['end', sid]);
      if (end instanceof Error) throw end;
      return end;
    },
    async attemptSignUp(ip: string | undefined, limit: unknown) {
      calls.push(['attemptSignUp', { ip, limit }]);
      return { ok: true };
    },
  } as unknown as PasswordSessions;
  return { sessions, calls };
}

function success(profile?: Record<string, string>) {
  const result = {
    ok: true,
    subject: 'user-42',
    session: SESSION,
    ...(profile === undefined ? {} : { profile }),
  };
  Object.defineProperty(result, 'sid', { value: 'secret-sid', enumerable: false });
  return result;
}

function parsed(fields: unknown, extra: Partial<ProtocolRequest> = {}): ProtocolRequest {
  return { method: 'POST', headers: {}, fields, ...extra };
}

function setup(
  signIn?: (input: unknown) => unknown,
  extra: {
    options?: Record<string, unknown>;
    end?: unknown;
    config?: Record<string, unknown>;
  } = {},
) {
  const rig = sessionsRig(signIn, extra.end);
  const password = createPasswordProtocol(
    resolveRequestOptions('pw', extra.options ?? {}, { clientIPFromHeaders: true }),
    { sessions: rig.sessions, ...extra.config },
  );
  return { ...rig, password };
}

function signupRig(answer: () => unknown = () => ({ created: true })) {
  const calls: { account: unknown; ctx: { signal: AbortSignal; now: () => number } }[] = [];
  const provider: PasswordSignupProvider = {
    async signup(account, ctx) {
      calls.push({ account, ctx });
      return answer() as { created: boolean };
    },
  };
  return { provider, calls };
}

describe('refusalOfSessionError', () => {
  it('SESSION_EXPIRED: 401 without Retry-After', () => {
    expect(refusalOfSessionError({ code: 'SESSION_EXPIRED' })).toStrictEqual({
      code: 'SESSION_EXPIRED',
      status: 401,
      message: PUBLIC_ERROR_MESSAGES.SESSION_EXPIRED,
    });
  });

  it('an upstream outage: 503 with its positive finite Retry-After, else 30; no cause', () => {
    for (const code of ['UPSTREAM_UNAVAILABLE', 'UPSTREAM_MALFORMED']) {
      expect(refusalOfSessionError({ code, retryAfterInSeconds: 12 })).toStrictEqual({
        code: 'SERVICE_UNAVAILABLE',
        status: 503,
        message: PUBLIC_ERROR_MESSAGES.SERVICE_UNAVAILABLE,
        retryAfter: 12,
      });
      for (const retryAfterInSeconds of [0, -3, Infinity, Number.NaN, '12', undefined]) {
        expect(refusalOfSessionError({ code, retryAfterInSeconds }).retryAfter).toBe(30);
      }
      expect(refusalOfSessionError({ code, retryAfterInSeconds: 0.2 }).retryAfter).toBe(1);
    }
  });

  it('anything else: 503 with the error as cause', () => {
    for (const error of [new Error('bug'), { code: 'OTHER' }, { code: 5 }, 'text', null]) {
      expect(refusalOfSessionError(error)).toStrictEqual({
        code: 'SERVICE_UNAVAILABLE',
        status: 503,
        message: PUBLIC_ERROR_MESSAGES.SERVICE_UNAVAILABLE,
        retryAfter: 30,
        cause: error,
      });
    }
    expect(Object.hasOwn(refusalOfSessionError(undefined), 'cause')).toBe(false);
  });
});

describe('configuration', () => {
  const options = resolveRequestOptions('pw', {});
  const sessionsMessage =
    'pw: `sessions` must be an UpstreamSessions from @tingting-auth/core/upstream (with a provider)';

  it('needs a sessions object with signIn, end and a providerId', () => {
    const { sessions } = sessionsRig();
    for (const broken of [
      undefined,
      null,
      'sessions',
      { ...sessions, signIn: 1 },
      { ...sessions, end: undefined },
      { ...sessions, providerId: 5 },
      { signIn: sessions.signIn, end: sessions.end },
    ]) {
      expect(() => createPasswordProtocol(options, { sessions: broken as never })).toThrow(
        new TypeError(sessionsMessage),
      );
    }
    expect(() => createPasswordProtocol(options, undefined as never)).toThrow(
      new TypeError(sessionsMessage),
    );
  });

  it('field names: defaults, renamed ones, frozen; clashes and empty names refused', () => {
    const { sessions } = sessionsRig();
    const plain = createPasswordProtocol(options, { sessions });
    expect(plain.fieldNames).toEqual({
      identifier: ['username', 'email'],
      password: 'password',
      username: 'username',
      email: 'email',
    });
    expect(Object.isFrozen(plain.fieldNames)).toBe(true);
    expect(Object.isFrozen(plain.fieldNames.identifier)).toBe(true);
    expect(plain.options).toBe(options);
    const renamed = createPasswordProtocol(options, {
      sessions,
      fieldNames: { identifier: ['login'], password: 'pass', username: 'user', email: 'mail' },
    });
    expect(renamed.fieldNames).toEqual({
      identifier: ['login'],
      password: 'pass',
      username: 'user',
      email: 'mail',
    });
    const fail = (fieldNames: unknown, message: string) =>
      expect(() =>
        createPasswordProtocol(options, { sessions, fieldNames: fieldNames as never }),
      ).toThrow(new TypeError(`pw: ${message}`));
    fail({ identifier: [] }, 'the identifier field names must be a non-empty array of strings');
    fail(
      { identifier: 'login' },
      'the identifier field names must be a non-empty array of strings',
    );
    fail({ identifier: [''] }, 'the identifier field name must be a non-empty string');
    fail({ identifier: ['a', 5] }, 'the identifier field name must be a non-empty string');
    fail({ password: '' }, 'the password field name must be a non-empty string');
    fail({ username: 7 }, 'the username field name must be a non-empty string');
    fail({ email: '' }, 'the email field name must be a non-empty string');
    fail({ identifier: ['login', 'login'] }, 'the sign-in field names must differ');
    fail({ identifier: ['login'], password: 'login' }, 'the sign-in field names must differ');
    fail({ username: 'email' }, 'the sign-up field names must differ');
    fail({ identifier: ['login'], password: 'username' }, 'the sign-up field names must differ');
  });

  it('provider must be an object when given; sign-up only with its signup', () => {
    const { sessions } = sessionsRig();
    for (const provider of [null, 'notes', 5]) {
      expect(() =>
        createPasswordProtocol(options, { sessions, provider: provider as never }),
      ).toThrow(new TypeError('pw: `provider` must be an UpstreamProvider'));
    }
    expect(createPasswordProtocol(options, { sessions }).signUp).toBeUndefined();
    expect(createPasswordProtocol(options, { sessions, provider: {} }).signUp).toBeUndefined();
    expect(
      createPasswordProtocol(options, { sessions, provider: { signup: 'x' } as never }).signUp,
    ).toBeUndefined();
    expect(
      typeof createPasswordProtocol(options, { sessions, provider: signupRig().provider }).signUp,
    ).toBe('function');
  });

  it('signUpTimeoutInMilliseconds: a positive whole number', () => {
    const { sessions } = sessionsRig();
    for (const value of [0, -1, 1.5, Number.NaN, '1000', Infinity]) {
      expect(() =>
        createPasswordProtocol(options, { sessions, signUpTimeoutInMilliseconds: value as never }),
      ).toThrow(new TypeError('pw: signUpTimeoutInMilliseconds must be a positive integer'));
    }
    expect(() =>
      createPasswordProtocol(options, { sessions, signUpTimeoutInMilliseconds: 1 }),
    ).not.toThrow();
  });
});

describe('signIn', () => {
  it('hands sessions.signIn the identifier, password, IP and user agent (capped at 512)', async () => {
    const { password, calls } = setup(undefined, { options: { trustProxy: true } });
    await password.signIn(
      parsed(
        { username: ' alice ', password: ' pw ' },
        { headers: { 'user-agent': 'u'.repeat(700) }, clientIP: '192.0.2.5' },
      ),
    );
    expect(calls[0]).toEqual([
      'signIn',
      { identifier: ' alice ', password: ' pw ', ip: '192.0.2.5', userAgent: 'u'.repeat(512) },
    ]);
    await password.signIn(
      parsed(
        { email: 'a@example.com', password: 'pw' },
        { headers: { 'user-agent': '', 'x-forwarded-for': '198.51.100.1' } },
      ),
    );
    expect(calls[1]).toEqual([
      'signIn',
      { identifier: 'a@example.com', password: 'pw', ip: '198.51.100.1' },
    ]);
    await password.signIn(parsed({ username: 'bob', password: 'pw' }));
    expect(Object.keys(calls[2]![1] as object)).toEqual(['identifier', 'password']);
  });

  it('200 { user }: provider, subject, the trimmed identifier, profile fields when present', async () => {
    const { password } = setup(() =>
      success({ username: 'alice', email: 'a@example.com', name: 'Alice' }),
    );
    const result = await password.signIn(parsed({ username: ' alice ', password: 'pw' }));
    const user = {
      provider: 'timbr',
      subject: 'user-42',
      identifier: 'alice',
      username: 'alice',
      email: 'a@example.com',
      name: 'Alice',
    };
    expect(result.answer).toStrictEqual({ status: 200, headers: JSON_HEADERS, body: { user } });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.sid).toBe('secret-sid');
    expect(Object.keys(result.value)).toEqual([
      'subject',
      'provider',
      'user',
      'profile',
      'session',
    ]);
    expect(result.value).toMatchObject({
      subject: 'user-42',
      provider: 'timbr',
      user,
      profile: { username: 'alice', email: 'a@example.com', name: 'Alice' },
      session: SESSION,
    });
    expect(JSON.stringify(result)).not.toContain('secret-sid');
  });

  it('no profile: only provider, subject and identifier; no profile key', async () => {
    const { password } = setup();
    const result = await password.signIn(parsed({ email: 'a@example.com', password: 'pw' }));
    expect(result.answer.body).toStrictEqual({
      user: { provider: 'timbr', subject: 'user-42', identifier: 'a@example.com' },
    });
    expect(result.ok && Object.keys(result.value)).toEqual([
      'subject',
      'provider',
      'user',
      'session',
    ]);
    const partial = await setup(() => success({ email: 'e@example.com' })).password.signIn(
      parsed({ username: 'x', password: 'pw' }),
    );
    expect(partial.answer.body).toStrictEqual({
      user: { provider: 'timbr', subject: 'user-42', identifier: 'x', email: 'e@example.com' },
    });
  });

  it('400 INVALID_REQUEST naming the field, before sessions.signIn', async () => {
    const { password, calls } = setup();
    const cases: [Record<string, unknown>, string][] = [
      [{ password: 'pw' }, 'username'],
      [{ username: '', email: '', password: 'pw' }, 'username'],
      [{ username: 5, password: 'pw' }, 'username'],
      [{ email: ['a', 'b'], password: 'pw' }, 'email'],
      [{ username: 'a', email: 'b', password: 'pw' }, 'email'],
      [{ username: 'a', email: 5, password: 'pw' }, 'email'],
      [{ username: 'a' }, 'password'],
      [{ username: 'a', password: '' }, 'password'],
      [{ username: 'a', password: 1 }, 'password'],
    ];
    for (const [fields, field] of cases) {
      const result = await password.signIn(parsed(fields));
      expect(result.answer).toStrictEqual({
        status: 400,
        headers: JSON_HEADERS,
        body: {
          error: { code: 'INVALID_REQUEST', message: PUBLIC_ERROR_MESSAGES.INVALID_REQUEST, field },
        },
      });
    }
    expect(calls).toHaveLength(0);
    // The second identifier alone is enough; an empty first one is absent.
    await password.signIn(parsed({ username: '', email: 'a@example.com', password: 'pw' }));
    expect(calls).toHaveLength(1);
  });

  it('renamed identifier fields: the first names the missing one, the second the ambiguous one', async () => {
    const { password } = setup(undefined, {
      config: { fieldNames: { identifier: ['login', 'mail'], password: 'secret' } },
    });
    const missing = await password.signIn(parsed({ username: 'a', secret: 'pw' }));
    expect(!missing.ok && missing.error.field).toBe('login');
    const both = await password.signIn(parsed({ login: 'a', mail: 'b', secret: 'pw' }));
    expect(!both.ok && both.error.field).toBe('mail');
    const noPassword = await password.signIn(parsed({ login: 'a', password: 'pw' }));
    expect(!noPassword.ok && noPassword.error.field).toBe('secret');
  });

  it('each refusal of sessions.signIn has its answer', async () => {
    const answer = async (result: unknown, fieldNames?: unknown) => {
      const { password } = setup(() => result, {
        ...(fieldNames === undefined ? {} : { config: { fieldNames } }),
      });
      return password.signIn(parsed({ username: 'a', password: 'pw', login: 'a', secret: 'pw' }));
    };
    const badPassword = await answer({ ok: false, reason: 'invalid_request', field: 'password' });
    expect(!badPassword.ok && badPassword.error).toMatchObject({
      code: 'INVALID_REQUEST',
      field: 'password',
    });
    const renamed = { identifier: ['login'], password: 'secret' };
    const badRenamed = await answer(
      { ok: false, reason: 'invalid_request', field: 'password' },
      renamed,
    );
    expect(!badRenamed.ok && badRenamed.error.field).toBe('secret');
    const badId = await answer(
      { ok: false, reason: 'invalid_request', field: 'identifier' },
      renamed,
    );
    expect(!badId.ok && badId.error.field).toBe('login');

    const wrong = await answer({ ok: false, reason: 'invalid_credentials' });
    expect(wrong.answer).toStrictEqual({
      status: 401,
      headers: JSON_HEADERS,
      body: {
        error: { code: 'INVALID_CREDENTIALS', message: PUBLIC_ERROR_MESSAGES.INVALID_CREDENTIALS },
      },
    });
    const limited = await answer({
      ok: false,
      reason: 'rate_limited',
      retryAfterInMilliseconds: 1_001,
    });
    expect(limited.answer.status).toBe(429);
    expect(!limited.ok && limited.error.code).toBe('RATE_LIMITED');
    expect(limited.answer.headers['retry-after']).toBe('2');
    const down = await answer({
      ok: false,
      reason: 'unavailable',
      retryAfterInMilliseconds: 45_000,
    });
    expect(down.answer.status).toBe(503);
    expect(!down.ok && down.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(down.answer.headers['retry-after']).toBe('45');
    expect(!down.ok && Object.hasOwn(down.error, 'cause')).toBe(false);
  });

  it('a thrown error is 503 with the cause, never shown', async () => {
    const failure = new Error('store exploded');
    const { password } = setup(() => {
      throw failure;
    });
    const result = await password.signIn(parsed({ username: 'a', password: 'pw' }));
    expect(result.answer.status).toBe(503);
    expect(result.answer.headers['retry-after']).toBe('30');
    expect(!result.ok && result.error.cause).toBe(failure);
    expect(JSON.stringify(result.answer)).not.toContain('exploded');
  });

  it('the checks and body rules come first', async () => {
    const { password, calls } = setup();
    const get = await password.signIn(parsed({ username: 'a', password: 'pw' }, { method: 'GET' }));
    expect(get.answer.status).toBe(405);
    const cross = await password.signIn(
      parsed(
        { username: 'a', password: 'pw' },
        { headers: { host: 'app.example', origin: 'https://evil.example' } },
      ),
    );
    expect(cross.answer.status).toBe(403);
    const array = await password.signIn(parsed([]));
    expect(array.answer.status).toBe(400);
    expect(calls).toHaveLength(0);
    expect(password.check({ method: 'PUT', headers: {} })?.status).toBe(405);
    expect(password.check({ headers: {} })).toBeUndefined();
  });
});

describe('signOut', () => {
  it('ends the given session: 204, the value says whether it was active', async () => {
    const active = setup();
    expect(await active.password.signOut(parsed(undefined), 'sid-1')).toStrictEqual({
      ok: true,
      answer: NO_CONTENT,
      value: true,
    });
    expect(active.calls).toEqual([['end', 'sid-1']]);
    const inactive = setup(undefined, { end: false });
    expect(await inactive.password.signOut(parsed(undefined), 'sid-2')).toMatchObject({
      ok: true,
      value: false,
    });
  });

  it('no session id: 204, nothing ended', async () => {
    const { password, calls } = setup();
    for (const sid of [undefined, '', 5 as never]) {
      expect(await password.signOut(parsed(undefined), sid)).toStrictEqual({
        ok: true,
        answer: NO_CONTENT,
        value: false,
      });
    }
    expect(calls).toHaveLength(0);
  });

  it('the checks first; a failing store is 503 with the cause', async () => {
    const { password, calls } = setup();
    const get = await password.signOut({ method: 'GET', headers: {} }, 'sid');
    expect(!get.ok && get.error.code).toBe('METHOD_NOT_ALLOWED');
    expect(get.answer.headers.allow).toBe('POST');
    expect(calls).toHaveLength(0);
    const failure = new Error('down');
    const failed = await setup(undefined, { end: failure }).password.signOut(
      parsed(undefined),
      'sid',
    );
    expect(failed.answer.status).toBe(503);
    expect(!failed.ok && failed.error.cause).toBe(failure);
  });
});

describe('signUp', () => {
  function withSignup(answer?: () => unknown, config: Record<string, unknown> = {}) {
    const rig = signupRig(answer);
    const { password } = setup(undefined, { config: { provider: rig.provider, ...config } });
    return { signUp: password.signUp!, calls: rig.calls };
  }

  it('hands signup the trimmed username and email, the password as typed, a signal and the clock', async () => {
    const clock = () => 1234;
    const { signUp, calls } = withSignup(undefined, { clock });
    const result = await signUp(
      parsed({ username: ' alice ', email: ' a@example.com ', password: ' secret pw ' }),
    );
    expect(result).toStrictEqual({
      ok: true,
      answer: { status: 202, headers: JSON_HEADERS, body: { message: SIGN_UP_ACCEPTED_MESSAGE } },
      value: undefined,
    });
    // The one message for created and existing accounts, never empty.
    expect(result.answer.body).toStrictEqual({
      message: 'If the account can be created, it has been. You can sign in with it now.',
    });
    expect(calls[0]!.account).toEqual({
      username: 'alice',
      email: 'a@example.com',
      password: ' secret pw ',
    });
    expect(calls[0]!.ctx.now).toBe(clock);
    expect(calls[0]!.ctx.signal).toBeInstanceOf(AbortSignal);
    expect(calls[0]!.ctx.signal.aborted).toBe(false);
    const plain = withSignup();
    await plain.signUp(parsed({ username: 'a', email: 'e', password: 'p' }));
    expect(plain.calls[0]!.ctx.now).toBe(Date.now);
  });

  it('the signal aborts after signUpTimeoutInMilliseconds', async () => {
    const { signUp, calls } = withSignup(
      () => new Promise((resolve) => setTimeout(() => resolve({ created: true }), 200)),
      { signUpTimeoutInMilliseconds: 20 },
    );
    await signUp(parsed({ username: 'a', email: 'e', password: 'p' }));
    expect(calls[0]!.ctx.signal.aborted).toBe(true);
  });

  it('a missing, empty, blank or non-string field is 400 naming it, before the provider', async () => {
    const { signUp, calls } = withSignup();
    const cases: [Record<string, unknown>, string][] = [
      [{ email: 'e', password: 'p' }, 'username'],
      [{ username: '  ', email: 'e', password: 'p' }, 'username'],
      [{ username: 1, email: 'e', password: 'p' }, 'username'],
      [{ username: 'a', password: 'p' }, 'email'],
      [{ username: 'a', email: ' ', password: 'p' }, 'email'],
      [{ username: 'a', email: 'e' }, 'password'],
      [{ username: 'a', email: 'e', password: '' }, 'password'],
      [{ username: 'a', email: 'e', password: ['p'] }, 'password'],
    ];
    for (const [fields, field] of cases) {
      const result = await signUp(parsed(fields));
      expect(result.answer.status).toBe(400);
      expect(!result.ok && result.error).toMatchObject({ code: 'INVALID_REQUEST', field });
    }
    expect(calls).toHaveLength(0);
    // A blank password is the upstream's to judge.
    await signUp(parsed({ username: 'a', email: 'e', password: '   ' }));
    expect(calls).toHaveLength(1);
  });

  it('renamed sign-up fields are the ones read and named', async () => {
    const { signUp, calls } = withSignup(undefined, {
      fieldNames: { identifier: ['login'], username: 'user', email: 'mail', password: 'secret' },
    });
    const missing = await signUp(parsed({ username: 'a', email: 'e', password: 'p' }));
    expect(!missing.ok && missing.error.field).toBe('user');
    await signUp(parsed({ user: 'a', mail: 'e', secret: 'p' }));
    expect(calls[0]!.account).toEqual({ username: 'a', email: 'e', password: 'p' });
  });

  it('each signup error has its answer', async () => {
    const error =
      (code: string, extra: Record<string, unknown> = {}) =>
      () => {
        throw Object.assign(new Error(code), { code, ...extra });
      };
    const existing = await withSignup(error('SIGNUP_CONFLICT')).signUp(
      parsed({ username: 'a', email: 'e', password: 'p' }),
    );
    expect(existing).toStrictEqual({
      ok: true,
      answer: { status: 202, headers: JSON_HEADERS, body: { message: SIGN_UP_ACCEPTED_MESSAGE } },
      value: undefined,
    });
    for (const code of ['UPSTREAM_BAD_REQUEST', 'VALIDATION_ERROR']) {
      const result = await withSignup(error(code)).signUp(
        parsed({ username: 'a', email: 'e', password: 'p' }),
      );
      expect(!result.ok && result.error).toStrictEqual({
        code: 'INVALID_REQUEST',
        status: 400,
        message: PUBLIC_ERROR_MESSAGES.INVALID_REQUEST,
      });
    }
    for (const code of ['UPSTREAM_UNAVAILABLE', 'UPSTREAM_MALFORMED']) {
      const timed = await withSignup(error(code, { retryAfterInSeconds: 90 })).signUp(
        parsed({ username: 'a', email: 'e', password: 'p' }),
      );
      expect(!timed.ok && timed.error).toStrictEqual({
        code: 'SERVICE_UNAVAILABLE',
        status: 503,
        message: PUBLIC_ERROR_MESSAGES.SERVICE_UNAVAILABLE,
        retryAfter: 90,
      });
      const untimed = await withSignup(error(code)).signUp(
        parsed({ username: 'a', email: 'e', password: 'p' }),
      );
      expect(untimed.answer.headers['retry-after']).toBe('30');
      expect(!untimed.ok && Object.hasOwn(untimed.error, 'cause')).toBe(false);
    }
    const bug = new Error('bug');
    const other = await withSignup(() => {
      throw bug;
    }).signUp(parsed({ username: 'a', email: 'e', password: 'p' }));
    expect(!other.ok && other.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', cause: bug });
  });

  it('the checks and body rules come first', async () => {
    const { signUp, calls } = withSignup();
    const get = await signUp(
      parsed({ username: 'a', email: 'e', password: 'p' }, { method: 'GET' }),
    );
    expect(get.answer.status).toBe(405);
    const notObject = await signUp(parsed('username=a'));
    expect(notObject.answer.status).toBe(400);
    expect(calls).toHaveLength(0);
  });

  it('counts the attempt with sessions.attemptSignUp(ip, limit) after the body rules, before the provider', async () => {
    const order: string[] = [];
    let outcome: unknown = { ok: true };
    const rig = sessionsRig();
    const handed: unknown[] = [];
    const sessions = Object.assign(rig.sessions, {
      async attemptSignUp(ip: string | undefined, limit: unknown) {
        order.push('attemptSignUp');
        handed.push([ip, limit]);
        if (outcome instanceof Error) throw outcome;
        return outcome;
      },
    });
    const provider: PasswordSignupProvider = {
      async signup() {
        order.push('signup');
        return { created: true };
      },
    };
    const make = (options: Record<string, unknown> = {}) =>
      createPasswordProtocol(resolveRequestOptions('pw', options, { clientIPFromHeaders: true }), {
        sessions,
        provider,
        signUpLimit: { maxPerIP: 7 },
      }).signUp!;
    const fields = { username: 'a', email: 'e', password: 'p' };
    await make()(parsed({ username: 'a' }, { clientIP: '192.0.2.1' }));
    expect(order).toEqual([]);
    await make()(parsed(fields, { clientIP: '192.0.2.1' }));
    expect(order).toEqual(['attemptSignUp', 'signup']);
    const limit = { maxPerIP: 7, windowInMilliseconds: 3_600_000 };
    expect(handed).toEqual([['192.0.2.1', limit]]);
    // No host IP: the trusted proxy header, else none.
    await make({ trustProxy: true })(
      parsed(fields, { headers: { 'x-forwarded-for': '192.0.2.2' } }),
    );
    await make()(parsed(fields, { headers: { 'x-forwarded-for': '192.0.2.3' } }));
    expect(handed.slice(1)).toEqual([
      ['192.0.2.2', limit],
      [undefined, limit],
    ]);
    order.length = 0;
    outcome = { ok: false, retryAfterInMilliseconds: 1_500 };
    const limited = await make()(parsed(fields));
    expect(limited).toStrictEqual({
      ok: false,
      answer: {
        status: 429,
        headers: { ...JSON_HEADERS, 'retry-after': '2' },
        body: { error: { code: 'RATE_LIMITED', message: PUBLIC_ERROR_MESSAGES.RATE_LIMITED } },
      },
      error: {
        code: 'RATE_LIMITED',
        status: 429,
        message: PUBLIC_ERROR_MESSAGES.RATE_LIMITED,
        retryAfter: 2,
      },
    });
    outcome = new Error('store down');
    const failed = await make()(parsed(fields));
    expect(failed.answer.status).toBe(503);
    expect(!failed.ok && failed.error.cause).toBe(outcome);
    expect(order).toEqual(['attemptSignUp', 'attemptSignUp']);
  });
});
