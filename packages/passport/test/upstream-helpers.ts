/**
 * Password sign-in test rig: a fake upstream (notes, Timbr or TingTing accounts, seeds 003/002/000)
 * over real HTTP on a hand-moved clock, the real provider, `UpstreamSessions` on a memory store,
 * and the {@link UpstreamStrategy} over them.
 */
import {
  MemorySessionStore,
  notesProvider,
  timbrProvider,
  tingtingAccountsProvider,
  type UpstreamProvider,
  UpstreamSessions,
  type UpstreamSessionsOptions,
} from '@tingting-auth/core/upstream';
import { startFakeNotes, startFakeTimbr, startFakeTingTing } from '@tingting-auth/testing';
import type { Strategy } from '../src/index.js';
import { UpstreamStrategy, type UpstreamStrategyOptions } from '../src/index.js';
import { type Attempt, type ManualClock, manualClock, type Ran, run, T0 } from './helpers.js';

/** `run` (chai-passport-strategy) for the UpstreamStrategy. */
export function runUpstream(strategy: UpstreamStrategy, attempt: Attempt = {}): Promise<Ran> {
  return run(strategy as unknown as Strategy, attempt);
}

export const UPSTREAM_SECRET = 'passport-upstream-test-secret-0123456789abcdef';
export const PASSWORD = 'right-password-123';
export const WRONG = 'wrong-password-456';

export type UpstreamKind = 'notes' | 'timbr' | 'tingting';

/** The few parts of a fake the tests read, whichever upstream it is. */
export interface AnyFake {
  url: string;
  stats: { loginCalls: number; refreshCalls: number; reuseDetected: number };
  setAccountActive(identifier: string, active: boolean): void;
  close(): Promise<void>;
}

export interface UpstreamRig {
  kind: UpstreamKind;
  fake: AnyFake;
  clock: ManualClock;
  provider: UpstreamProvider;
  sessions: UpstreamSessions;
  /** The identifier of the active account ('asha' / 'asha@example.com'). */
  user: string;
  /** An account that exists, with the right password, but is inactive. */
  inactive: string;
  /** A fresh strategy over the rig's sessions. */
  strategy(
    options?: Partial<UpstreamStrategyOptions>,
    verify?: ConstructorParameters<typeof UpstreamStrategy>[1],
  ): UpstreamStrategy;
  close(): Promise<void>;
}

const ACCOUNTS = [
  { username: 'asha', email: 'asha@example.com', password: PASSWORD },
  { username: 'bikash', email: 'bikash@example.com', password: PASSWORD, active: false },
];

/** A rig for one upstream; `accessSeconds` short lifetimes let a test cross an expiry. */
export async function upstreamRig(
  kind: UpstreamKind = 'notes',
  options: { accessSeconds?: number; sessions?: Partial<UpstreamSessionsOptions> } = {},
): Promise<UpstreamRig> {
  const clock = manualClock(T0);
  const lifetimes = { accessSeconds: options.accessSeconds ?? 300, refreshSeconds: 86_400 };
  let fake: AnyFake;
  let provider: UpstreamProvider;
  if (kind === 'notes') {
    const notes = await startFakeNotes({ accounts: ACCOUNTS, now: clock, lifetimes });
    fake = notes;
    provider = notesProvider({ baseURL: notes.url });
  } else if (kind === 'timbr') {
    const timbr = await startFakeTimbr({ accounts: ACCOUNTS, now: clock, lifetimes });
    fake = timbr;
    provider = timbrProvider({ baseURL: timbr.url });
  } else {
    const tingting = await startFakeTingTing({ accounts: ACCOUNTS, now: clock, lifetimes });
    fake = tingting;
    provider = tingtingAccountsProvider({ baseURL: tingting.url });
  }
  const sessions = new UpstreamSessions({
    store: new MemorySessionStore(),
    secret: UPSTREAM_SECRET,
    provider,
    clock,
    logger: { warn: () => {} },
    ...options.sessions,
  });
  const email = kind === 'tingting';
  return {
    kind,
    fake,
    clock,
    provider,
    sessions,
    user: email ? 'asha@example.com' : 'asha',
    inactive: email ? 'bikash@example.com' : 'bikash',
    strategy: (strategyOptions = {}, verify = async (account) => ({ id: account.subject })) =>
      new UpstreamStrategy(
        { sessions, ...strategyOptions } as UpstreamStrategyOptions,
        verify as never,
      ),
    close: () => fake.close(),
  };
}

export { T0 };
