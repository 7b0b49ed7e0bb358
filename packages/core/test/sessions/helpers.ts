import { type FakeNotes, type FakeNotesOptions, startFakeNotes } from '@tingting-auth/testing';
import {
  MemorySessionStore,
  type UpstreamSessionEvent,
  UpstreamSessions,
  type UpstreamSessionsOptions,
} from '../../src/upstream/index.js';
import { createTokenSet } from '../../src/upstream/token-set.js';
import type { CallCtx, TokenSet, UpstreamProvider } from '../../src/upstream/types.js';
import {
  RefreshRejectedError,
  RefreshUnknownOutcomeError,
  UpstreamAccountInactiveError,
  UpstreamInvalidCredentialsError,
  UpstreamMalformedError,
  UpstreamUnavailableError,
} from '../../src/upstream/upstream-errors.js';
import { type ManualClock, manualClock, T0 } from '../helpers.js';

export { T0 };
export const SECRET = 'sessions-test-secret-0123456789-abcdefghij';
export const PASSWORD = 'right-password-123';

const ERROR = { provider: 'notes' } as const;

function isRefused(error: unknown): boolean {
  const code = (error as { cause?: { code?: unknown } })?.cause?.code;
  return code === 'ECONNREFUSED';
}

/**
 * A minimal provider for the notes service (seed 003), over real HTTP, for the session tests:
 * form-encoded login and refresh, 406 → refused, 5xx/429 → unavailable, a connection lost after
 * the request left → unknown outcome.
 */
export function notesTestProvider(baseURL: string): UpstreamProvider {
  async function post(
    path: string,
    fields: Record<string, string>,
    ctx: CallCtx,
    endpoint: 'login' | 'refresh',
  ): Promise<{ status: number; body: Record<string, unknown>; retryAfter?: number }> {
    let response: Response;
    try {
      response = await fetch(new URL(path, baseURL), {
        method: 'POST',
        body: new URLSearchParams(fields),
        redirect: 'manual',
        signal: ctx.signal,
      });
    } catch (error) {
      if (endpoint === 'refresh' && !isRefused(error)) {
        throw new RefreshUnknownOutcomeError('The refresh answer was lost', {
          ...ERROR,
          endpoint,
          cause: error,
        });
      }
      throw new UpstreamUnavailableError('The notes service is unreachable', {
        ...ERROR,
        endpoint,
        reason: 'transport',
        cause: error,
      });
    }
    let body: Record<string, unknown>;
    try {
      body = (await response.json()) as Record<string, unknown>;
    } catch (error) {
      if (endpoint === 'refresh' && response.ok) {
        throw new RefreshUnknownOutcomeError('Unreadable refresh answer', { ...ERROR, endpoint });
      }
      throw new UpstreamMalformedError('Not JSON', {
        ...ERROR,
        endpoint,
        reason: 'not-json',
        cause: error,
      });
    }
    if (response.status >= 500 || response.status === 429) {
      const retry = Number(response.headers.get('retry-after'));
      throw new UpstreamUnavailableError('The notes service is unavailable', {
        ...ERROR,
        endpoint,
        status: response.status,
        reason: response.status === 429 ? 'rate-limited' : 'server-error',
        ...(Number.isFinite(retry) && retry > 0 ? { retryAfterInSeconds: retry } : {}),
      });
    }
    return { status: response.status, body };
  }

  function tokensOf(body: Record<string, unknown>, ctx: CallCtx, generation: number): TokenSet {
    const tokens = body.tokens as
      | { access_token?: unknown; valid_for?: unknown; refresh_token?: unknown }
      | undefined;
    if (typeof tokens?.access_token !== 'string' || typeof tokens.valid_for !== 'number') {
      throw new UpstreamMalformedError('No token', {
        ...ERROR,
        endpoint: 'login',
        reason: 'wrong-shape',
      });
    }
    const receivedAt = ctx.now();
    return createTokenSet({
      accessToken: tokens.access_token,
      ...(typeof tokens.refresh_token === 'string' ? { refreshToken: tokens.refresh_token } : {}),
      accessExpiresAt: receivedAt + tokens.valid_for * 1000,
      receivedAt,
      tokenType: 'Bearer',
      generation,
    });
  }

  return {
    id: 'notes',
    async login(credentials, ctx) {
      const { status, body } = await post(
        '/auth/login',
        { username: credentials.identifier, password: credentials.password },
        ctx,
        'login',
      );
      if (status === 406) {
        const inactive = /not verified/i.test(String(body.error));
        const Cls = inactive ? UpstreamAccountInactiveError : UpstreamInvalidCredentialsError;
        throw new Cls('Login refused', { ...ERROR, endpoint: 'login', status });
      }
      if (status !== 200) {
        throw new UpstreamMalformedError('Unexpected status', {
          ...ERROR,
          endpoint: 'login',
          status,
          reason: 'unexpected-status',
        });
      }
      return { tokens: tokensOf(body, ctx, 0), subject: credentials.identifier.trim() };
    },
    async refresh(current, ctx) {
      const { status, body } = await post(
        '/auth/refresh',
        { refresh_token: current.refreshToken ?? '' },
        ctx,
        'refresh',
      );
      if (status === 406) {
        throw new RefreshRejectedError('Refresh refused', {
          ...ERROR,
          endpoint: 'refresh',
          status,
        });
      }
      if (status !== 200) {
        throw new UpstreamMalformedError('Unexpected status', {
          ...ERROR,
          endpoint: 'refresh',
          status,
          reason: 'unexpected-status',
        });
      }
      return tokensOf(body, ctx, current.generation + 1);
    },
  };
}

/** What {@link setup} returns. */
export interface SessionsHarness {
  fake: FakeNotes;
  clock: ManualClock;
  sessions: UpstreamSessions;
  provider: UpstreamProvider;
  events: UpstreamSessionEvent[];
  warnings: string[];
  /** Sign in as the fake's first account; returns the session id. */
  signIn(ip?: string): Promise<string>;
  close(): Promise<void>;
}

/** A notes fake on a manual clock, and UpstreamSessions over it (memory store unless given). */
export async function setup(
  options: {
    fake?: Omit<FakeNotesOptions, 'now'>;
    sessions?: Partial<UpstreamSessionsOptions>;
    clock?: ManualClock;
    /** The fake's clock runs this far ahead of ours (negative: behind). */
    upstreamSkewInMilliseconds?: number;
  } = {},
): Promise<SessionsHarness> {
  const clock = options.clock ?? manualClock(T0);
  const fake = await startFakeNotes({
    accounts: [{ username: 'asha', email: 'asha@example.com', password: PASSWORD }],
    ...options.fake,
    now: () => clock() + (options.upstreamSkewInMilliseconds ?? 0),
  });
  const provider = notesTestProvider(fake.url);
  const warnings: string[] = [];
  const sessions = new UpstreamSessions({
    store: new MemorySessionStore(),
    secret: SECRET,
    provider,
    clock,
    logger: { warn: (message) => warnings.push(message) },
    ...options.sessions,
  });
  const events: UpstreamSessionEvent[] = [];
  for (const type of [
    'sign-in',
    'sign-in.failed',
    'refresh',
    'refresh.rejected',
    'refresh.failed',
    'ended',
  ] as const) {
    sessions.on(type, (event) => events.push(event));
  }
  return {
    fake,
    clock,
    sessions,
    provider,
    events,
    warnings,
    async signIn(ip = '203.0.113.7') {
      const result = await sessions.signIn({ identifier: 'asha', password: PASSWORD, ip });
      if (!result.ok) throw new Error(`sign-in failed: ${result.reason}`);
      return result.sid;
    },
    close: () => fake.close(),
  };
}
