/**
 * createSessionsProtocol and sessionViewOf in detail, over a recording sessions object: which
 * store calls each handler makes (none for a refused request), the exact answers, the public-id
 * shape, the user agent cap and the configuration errors.
 */
import { describe, expect, it } from 'vitest';
import {
  createSessionsProtocol,
  type ProtocolRequest,
  type RevocableSessionStore,
  resolveRequestOptions,
  sessionViewOf,
} from '../../src/protocol/index.js';
import { PUBLIC_ERROR_MESSAGES } from '../../src/public-errors.js';

const ID = 'AAAAAAAAAAAAAAAAAAAAAA'; // 22 characters, the public-id shape
const OTHER_ID = 'abcdefghij_-0123456789';
const T = Date.UTC(2026, 0, 1);
const NO_CONTENT = { status: 204, headers: { 'cache-control': 'no-store' }, body: undefined };

function info(id: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    provider: 'phone',
    subject: '+9779841000001',
    createdAt: T,
    lastSeenAt: T + 60_000,
    expiresAt: T + 3_600_000,
    hasUpstreamTokens: false,
    ...extra,
  };
}

function recording(overrides: Partial<Record<keyof RevocableSessionStore, unknown>> = {}) {
  const calls: [string, ...unknown[]][] = [];
  const answers: Record<keyof RevocableSessionStore, (...args: unknown[]) => unknown> = {
    create: (input) => ({ sid: 'secret-sid', session: info(ID, input as Record<string, unknown>) }),
    status: (sid) =>
      sid === 'live' ? { active: true, ...info(ID) } : { active: false, reason: 'ended' },
    list: () => [
      info(ID, { userAgent: 'UA' }),
      info(OTHER_ID, { device: 'Phone', ip: '192.0.2.1' }),
    ],
    endById: () => true,
    endAll: () => 3,
  };
  const sessions = Object.fromEntries(
    (Object.keys(answers) as (keyof RevocableSessionStore)[]).map((method) => [
      method,
      async (...args: unknown[]) => {
        calls.push([method, ...args]);
        const override = overrides[method];
        if (override instanceof Error) throw override;
        return override === undefined ? answers[method](...args) : override;
      },
    ]),
  ) as unknown as RevocableSessionStore;
  return { sessions, calls };
}

function setup(
  overrides: Partial<Record<keyof RevocableSessionStore, unknown>> = {},
  options: Record<string, unknown> = {},
  signedOut?: 'NOT_VERIFIED' | 'SESSION_EXPIRED',
) {
  const rig = recording(overrides);
  const protocol = createSessionsProtocol(
    resolveRequestOptions('sessions', options, { clientIPFromHeaders: true }),
    { sessions: rig.sessions, ...(signedOut === undefined ? {} : { signedOut }) },
  );
  return { ...rig, protocol };
}

const post = (headers: Record<string, string> = {}, extra: Partial<ProtocolRequest> = {}) => ({
  method: 'POST',
  headers,
  ...extra,
});

describe('configuration', () => {
  it('needs every method of the sessions object, naming the missing one', () => {
    const options = resolveRequestOptions('c', {});
    for (const method of ['create', 'status', 'list', 'endById', 'endAll'] as const) {
      const { sessions } = recording();
      const broken = { ...sessions, [method]: 'not a function' };
      expect(() => createSessionsProtocol(options, { sessions: broken as never })).toThrow(
        new TypeError(
          `c: \`sessions\` must be an UpstreamSessions from @tingting-auth/core/upstream (${method})`,
        ),
      );
    }
    expect(() => createSessionsProtocol(options, { sessions: undefined as never })).toThrow(
      'c: `sessions` must be an UpstreamSessions from @tingting-auth/core/upstream (create)',
    );
    expect(() => createSessionsProtocol(options, undefined as never)).toThrow(
      'c: `sessions` must be an UpstreamSessions from @tingting-auth/core/upstream (create)',
    );
  });

  it('signedOut: SESSION_EXPIRED (default) or NOT_VERIFIED', () => {
    const options = resolveRequestOptions('c', {});
    const { sessions } = recording();
    expect(() =>
      createSessionsProtocol(options, { sessions, signedOut: 'INVALID_CODE' as never }),
    ).toThrow(new TypeError("c: signedOut must be 'SESSION_EXPIRED' or 'NOT_VERIFIED'"));
    expect(() =>
      createSessionsProtocol(options, { sessions, signedOut: 'NOT_VERIFIED' }),
    ).not.toThrow();
    expect(() =>
      createSessionsProtocol(options, { sessions, signedOut: 'SESSION_EXPIRED' }),
    ).not.toThrow();
  });
});

describe('sessionViewOf', () => {
  it('public fields only: device (else the user agent), ip when known, ISO times, current flag', () => {
    expect(
      sessionViewOf(
        info(ID, { userAgent: 'UA', device: 'My phone', ip: '192.0.2.1' }) as never,
        ID,
      ),
    ).toStrictEqual({
      id: ID,
      device: 'My phone',
      ip: '192.0.2.1',
      createdAt: '2026-01-01T00:00:00.000Z',
      lastSeenAt: '2026-01-01T00:01:00.000Z',
      current: true,
    });
    expect(sessionViewOf(info(ID, { userAgent: 'UA' }) as never, OTHER_ID)).toStrictEqual({
      id: ID,
      device: 'UA',
      createdAt: '2026-01-01T00:00:00.000Z',
      lastSeenAt: '2026-01-01T00:01:00.000Z',
      current: false,
    });
    const bare = sessionViewOf(info(ID) as never, undefined);
    expect(Object.keys(bare)).toEqual(['id', 'createdAt', 'lastSeenAt', 'current']);
    expect(bare.current).toBe(false);
  });
});

describe('start', () => {
  it('creates with the subject, the user agent (capped at 512) and the IP, only when known', async () => {
    const { protocol, calls } = setup({}, { trustProxy: true });
    await protocol.start(post({ 'user-agent': 'x'.repeat(600) }, { clientIP: '192.0.2.7' }), 's1');
    expect(calls[0]).toEqual([
      'create',
      { subject: 's1', userAgent: 'x'.repeat(512), ip: '192.0.2.7' },
    ]);
    await protocol.start(post({ 'user-agent': '', 'x-forwarded-for': '198.51.100.3' }), 's2');
    expect(calls[1]).toEqual(['create', { subject: 's2', ip: '198.51.100.3' }]);
    await protocol.start(post(), 's3');
    expect(calls[2]).toEqual(['create', { subject: 's3' }]);
    expect(Object.keys(calls[2]![1] as object)).toEqual(['subject']);
    const exact = 'y'.repeat(512);
    await protocol.start(post({ 'user-agent': exact }), 's4');
    expect((calls[3]![1] as { userAgent: string }).userAgent).toBe(exact);
  });

  it('the forwarded IP is ignored without trustProxy', async () => {
    const { protocol, calls } = setup();
    await protocol.start(post({ 'x-forwarded-for': '198.51.100.3' }), 's');
    expect(calls[0]).toEqual(['create', { subject: 's' }]);
  });

  it('returns what the store created, and rejects when the store fails', async () => {
    const created = await setup().protocol.start(post(), 's');
    expect(created.sid).toBe('secret-sid');
    const failure = new Error('store down');
    await expect(setup({ create: failure }).protocol.start(post(), 's')).rejects.toBe(failure);
  });
});

describe('current', () => {
  it('a live session: 204 no-store, its subject and public id', async () => {
    const { protocol, calls } = setup();
    expect(await protocol.current('live')).toStrictEqual({
      ok: true,
      answer: NO_CONTENT,
      value: { subject: '+9779841000001', id: ID },
    });
    expect(calls).toEqual([['status', 'live']]);
  });

  it('no sid or an empty one: the signed-out code without a store read', async () => {
    for (const signedOut of ['SESSION_EXPIRED', 'NOT_VERIFIED'] as const) {
      const { protocol, calls } = setup({}, {}, signedOut);
      for (const sid of [undefined, '', 5, null, {}]) {
        const result = await protocol.current(sid);
        expect(result.ok).toBe(false);
        expect(!result.ok && result.error.code).toBe(signedOut);
        expect(result.answer.status).toBe(401);
      }
      expect(calls).toHaveLength(0);
      const ended = await protocol.current('ended');
      expect(!ended.ok && ended.error.code).toBe(signedOut);
    }
  });

  it('a failing status read is 503 with Retry-After and the cause', async () => {
    const failure = new Error('down');
    const result = await setup({ status: failure }).protocol.current('live');
    expect(result.answer.status).toBe(503);
    expect(result.answer.headers['retry-after']).toBe('30');
    expect(!result.ok && result.error.cause).toBe(failure);
  });
});

describe('list', () => {
  it('200 { sessions } of the subject, the current one flagged', async () => {
    const { protocol, calls } = setup();
    const result = await protocol.list('live');
    const views = [
      {
        id: ID,
        device: 'UA',
        createdAt: '2026-01-01T00:00:00.000Z',
        lastSeenAt: '2026-01-01T00:01:00.000Z',
        current: true,
      },
      {
        id: OTHER_ID,
        device: 'Phone',
        ip: '192.0.2.1',
        createdAt: '2026-01-01T00:00:00.000Z',
        lastSeenAt: '2026-01-01T00:01:00.000Z',
        current: false,
      },
    ];
    expect(result).toStrictEqual({
      ok: true,
      answer: {
        status: 200,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
        body: { sessions: views },
      },
      value: views,
    });
    expect(calls).toEqual([
      ['status', 'live'],
      ['list', '+9779841000001'],
    ]);
  });

  it('signed out: the signed-out answer, no list read; a failing list is 503', async () => {
    const { protocol, calls } = setup({}, {}, 'NOT_VERIFIED');
    const out = await protocol.list('ended');
    expect(!out.ok && out.error.code).toBe('NOT_VERIFIED');
    expect(calls.map(([method]) => method)).toEqual(['status']);
    const failure = new Error('down');
    const failed = await setup({ list: failure }).protocol.list('live');
    expect(failed.answer.status).toBe(503);
    expect(!failed.ok && failed.error.cause).toBe(failure);
  });
});

describe('endOne', () => {
  it('204; the value says whether it was the current session', async () => {
    const { protocol, calls } = setup();
    expect(await protocol.endOne(post(), 'live', ID)).toStrictEqual({
      ok: true,
      answer: NO_CONTENT,
      value: true,
    });
    expect(await protocol.endOne(post(), 'live', OTHER_ID)).toMatchObject({
      ok: true,
      value: false,
    });
    expect(calls).toContainEqual(['endById', '+9779841000001', OTHER_ID]);
  });

  it('an id not of the public-id shape is 404 without asking the store', async () => {
    const { protocol, calls } = setup();
    for (const id of [
      undefined,
      5,
      '',
      'A'.repeat(21),
      'A'.repeat(23),
      `${'A'.repeat(21)}!`,
      `${'A'.repeat(21)}=`,
      ` ${'A'.repeat(22)}`,
      // Not a string, though it converts to one of the right shape.
      [ID],
      `${'A'.repeat(22)} `,
    ]) {
      const result = await protocol.endOne(post(), 'live', id);
      expect(result.answer.status).toBe(404);
      expect(result.answer.body).toStrictEqual({
        error: { code: 'SESSION_NOT_FOUND', message: PUBLIC_ERROR_MESSAGES.SESSION_NOT_FOUND },
      });
    }
    expect(calls.filter(([method]) => method === 'endById')).toHaveLength(0);
  });

  it('an id the store did not end is 404; a failing store is 503 with the cause', async () => {
    const notFound = await setup({ endById: false }).protocol.endOne(post(), 'live', ID);
    expect(!notFound.ok && notFound.error.code).toBe('SESSION_NOT_FOUND');
    const failure = new Error('down');
    const failed = await setup({ endById: failure }).protocol.endOne(post(), 'live', ID);
    expect(failed.answer.status).toBe(503);
    expect(!failed.ok && failed.error.cause).toBe(failure);
  });

  it('the method and cross-site checks come first; then the session must be live', async () => {
    const { protocol, calls } = setup();
    const get = await protocol.endOne({ method: 'GET', headers: {} }, 'live', ID);
    expect(get).toStrictEqual({
      ok: false,
      answer: {
        status: 405,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'cache-control': 'no-store',
          allow: 'POST',
        },
        body: {
          error: { code: 'METHOD_NOT_ALLOWED', message: PUBLIC_ERROR_MESSAGES.METHOD_NOT_ALLOWED },
        },
      },
      error: {
        code: 'METHOD_NOT_ALLOWED',
        status: 405,
        message: PUBLIC_ERROR_MESSAGES.METHOD_NOT_ALLOWED,
      },
    });
    const cross = await protocol.endOne(
      post({ host: 'app.example', origin: 'https://evil.example' }),
      'live',
      ID,
    );
    expect(cross.answer.status).toBe(403);
    expect(calls).toHaveLength(0);
    const out = await protocol.endOne(post(), 'ended', ID);
    expect(!out.ok && out.error.code).toBe('SESSION_EXPIRED');
    expect(calls.map(([method]) => method)).toEqual(['status']);
  });
});

describe('endAll', () => {
  it('204; the value is how many ended', async () => {
    const { protocol, calls } = setup();
    expect(await protocol.endAll(post(), 'live')).toStrictEqual({
      ok: true,
      answer: NO_CONTENT,
      value: 3,
    });
    expect(calls.at(-1)).toEqual(['endAll', '+9779841000001']);
  });

  it('the checks first, then a live session; a failing store is 503 with the cause', async () => {
    const { protocol, calls } = setup();
    const get = await protocol.endAll({ method: 'GET', headers: {} }, 'live');
    expect(!get.ok && get.error).toStrictEqual({
      code: 'METHOD_NOT_ALLOWED',
      status: 405,
      message: PUBLIC_ERROR_MESSAGES.METHOD_NOT_ALLOWED,
    });
    expect(get.answer.headers.allow).toBe('POST');
    const cross = await protocol.endAll(
      post({ host: 'app.example', origin: 'https://evil.example' }),
      'live',
    );
    expect(cross.answer.status).toBe(403);
    expect(calls).toHaveLength(0);
    const out = await protocol.endAll(post(), 'ended');
    expect(!out.ok && out.error.code).toBe('SESSION_EXPIRED');
    expect(calls.map(([method]) => method)).toEqual(['status']);
    const failure = new Error('down');
    const failed = await setup({ endAll: failure }).protocol.endAll(post(), 'live');
    expect(failed.answer.status).toBe(503);
    expect(!failed.ok && failed.error.cause).toBe(failure);
  });

  it('check: the method and cross-site checks alone', () => {
    const { protocol } = setup();
    expect(protocol.check(post())).toBeUndefined();
    expect(protocol.check({ method: 'GET', headers: {} })?.code).toBe('METHOD_NOT_ALLOWED');
  });
});
