/**
 * A small harness for unit tests of UpstreamSessions: a scripted provider (no HTTP), a memory
 * store that records every call and can be made to answer otherwise, and a manual clock.
 */
import {
  type CallCtx,
  createTokenSet,
  MemorySessionStore,
  type TokenSet,
  type TokenSetRecord,
  type UpstreamCredentials,
  type UpstreamGrant,
  type UpstreamProvider,
  type UpstreamSessionEvent,
  UpstreamSessions,
  type UpstreamSessionsOptions,
} from '../../src/upstream/index.js';
import type {
  ListedSession,
  ReplaceOutcome,
  SessionEndReason,
  SessionKey,
  SessionLookup,
  SessionUpdate,
  StoredSession,
  UpstreamSessionStore,
} from '../../src/upstream/sessions-store.js';
import { type ManualClock, manualClock, T0 } from '../helpers.js';

export { T0 };
export const UNIT_SECRET = 'units-test-secret-0123456789-abcdefghijkl';
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** A token set received now on `clock`, valid for an hour. */
export function makeTokens(
  clock: () => number,
  generation = 0,
  over: Partial<TokenSetRecord> = {},
): TokenSet {
  const now = clock();
  return createTokenSet({
    accessToken: `access-${generation}-${now}`,
    refreshToken: `refresh-${generation}-${now}`,
    accessExpiresAt: now + HOUR,
    receivedAt: now,
    tokenType: 'Bearer',
    generation,
    ...over,
  });
}

/** An error shaped like the providers' (a `code`), with extra fields. */
export function codeError(code: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`failure ${code}`), { code, ...extra });
}

type RefreshStep = (tokens: TokenSet, ctx: CallCtx) => Promise<TokenSet>;
type LoginStep = (credentials: UpstreamCredentials, ctx: CallCtx) => Promise<UpstreamGrant>;

/** A provider whose refresh answers come from a queue (default: the next generation, fresh). */
export interface ScriptedProvider extends UpstreamProvider {
  refreshSteps: RefreshStep[];
  refreshCalls: { tokens: TokenSet; ctx: CallCtx }[];
  loginCalls: { credentials: UpstreamCredentials; ctx: CallCtx }[];
  loginStep: LoginStep | undefined;
}

export function scriptedProvider(clock: () => number, id = 'stub'): ScriptedProvider {
  const provider: ScriptedProvider = {
    id,
    refreshSteps: [],
    refreshCalls: [],
    loginCalls: [],
    loginStep: undefined,
    async login(credentials, ctx) {
      provider.loginCalls.push({ credentials, ctx });
      if (provider.loginStep) return provider.loginStep(credentials, ctx);
      return { subject: 'user-1', tokens: makeTokens(clock) };
    },
    async refresh(tokens, ctx) {
      provider.refreshCalls.push({ tokens, ctx });
      const step = provider.refreshSteps.shift();
      if (step) return step(tokens, ctx);
      return makeTokens(clock, tokens.generation + 1);
    },
  };
  return provider;
}

type Call = { method: string; args: unknown[] };

/** A MemorySessionStore that records calls; `answer.<method>` replaces a method's answer. */
export class SpyStore extends MemorySessionStore {
  readonly calls: Call[] = [];
  readonly answer: {
    get?: (key: SessionKey, now: number, touch?: number) => Promise<SessionLookup> | undefined;
    replace?: () => Promise<ReplaceOutcome>;
    lock?: (key: SessionKey, token: string, ttl: number) => Promise<boolean> | undefined;
    unlock?: () => Promise<void>;
    list?: () => Promise<ListedSession[]>;
  } = {};

  count(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  of(method: string): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  override create(key: SessionKey, session: StoredSession, now: number): Promise<void> {
    this.calls.push({ method: 'create', args: [key, session, now] });
    return super.create(key, session, now);
  }

  override get(key: SessionKey, now: number, touch?: number): Promise<SessionLookup> {
    this.calls.push({ method: 'get', args: [key, now, touch] });
    return this.answer.get?.(key, now, touch) ?? super.get(key, now, touch);
  }

  override replace(
    key: SessionKey,
    expected: number,
    next: SessionUpdate,
    now: number,
  ): Promise<ReplaceOutcome> {
    this.calls.push({ method: 'replace', args: [key, expected, next, now] });
    return this.answer.replace?.() ?? super.replace(key, expected, next, now);
  }

  override end(
    key: SessionKey,
    reason: SessionEndReason,
    now: number,
    keepReasonUntil: number,
  ): Promise<boolean> {
    this.calls.push({ method: 'end', args: [key, reason, now, keepReasonUntil] });
    return super.end(key, reason, now, keepReasonUntil);
  }

  override list(subject: string, now: number): Promise<ListedSession[]> {
    this.calls.push({ method: 'list', args: [subject, now] });
    return this.answer.list?.() ?? super.list(subject, now);
  }

  override endAll(
    subject: string,
    reason: SessionEndReason,
    now: number,
    keepReasonUntil: number,
    exceptId?: string,
  ): Promise<number> {
    this.calls.push({ method: 'endAll', args: [subject, reason, now, keepReasonUntil, exceptId] });
    return super.endAll(subject, reason, now, keepReasonUntil, exceptId);
  }

  override lock(key: SessionKey, token: string, ttl: number): Promise<boolean> {
    this.calls.push({ method: 'lock', args: [key, token, ttl] });
    return this.answer.lock?.(key, token, ttl) ?? super.lock(key, token, ttl);
  }

  override unlock(key: SessionKey, token: string): Promise<void> {
    this.calls.push({ method: 'unlock', args: [key, token] });
    return this.answer.unlock?.() ?? super.unlock(key, token);
  }
}

export interface UnitHarness {
  clock: ManualClock;
  store: SpyStore;
  provider: ScriptedProvider;
  sessions: UpstreamSessions;
  events: UpstreamSessionEvent[];
  warnings: string[];
  /** A session of `subject` holding `tokens` (default: fresh generation-0 tokens); its sid. */
  session(tokens?: TokenSet, subject?: string): Promise<string>;
}

export function unitSetup(options: Partial<UpstreamSessionsOptions> = {}): UnitHarness {
  const clock = manualClock(T0);
  const store = new SpyStore();
  const provider = scriptedProvider(clock);
  const warnings: string[] = [];
  const sessions = new UpstreamSessions({
    store,
    secret: UNIT_SECRET,
    provider,
    clock,
    throttle: false,
    logger: { warn: (message) => warnings.push(message) },
    ...options,
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
    clock,
    store,
    provider,
    sessions,
    events,
    warnings,
    async session(tokens = makeTokens(clock), subject = 'user-1') {
      const created = await sessions.create({ subject, tokens });
      return created.sid;
    },
  };
}

/**
 * A second `UpstreamSessions` on the harness's data, as another process sees it: the store's own
 * methods, none of the spy's scripted answers.
 */
export function anotherProcess(h: UnitHarness): UpstreamSessions {
  const methods = ['create', 'get', 'replace', 'end', 'list', 'endAll', 'lock', 'unlock'] as const;
  const store = Object.fromEntries(
    methods.map((m) => [
      m,
      (...args: unknown[]) =>
        (MemorySessionStore.prototype[m] as (...a: unknown[]) => unknown).apply(h.store, args),
    ]),
  ) as unknown as UpstreamSessionStore;
  return new UpstreamSessions({
    store,
    secret: UNIT_SECRET,
    provider: h.provider,
    clock: h.clock,
    throttle: false,
  });
}
