import { type FakeNotes, type FakeNotesOptions, startFakeNotes } from '@tingting-auth/testing';
import {
  MemorySessionStore,
  notesProvider,
  type UpstreamSessionEvent,
  UpstreamSessions,
  type UpstreamSessionsOptions,
} from '../../src/upstream/index.js';
import type { UpstreamProvider } from '../../src/upstream/types.js';
import { type ManualClock, manualClock, T0 } from '../helpers.js';

export { T0 };
export const SECRET = 'sessions-test-secret-0123456789-abcdefghij';
export const PASSWORD = 'right-password-123';

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
  // The real notes provider (seed 003) over real HTTP to the fake.
  const provider = notesProvider({ baseURL: fake.url });
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
    'sign-up.limited',
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
