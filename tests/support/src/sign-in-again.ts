/**
 * For the Express and Passport sign-in-again tests: the fakes a test file signs in against (the
 * fake TingTing, and the fake notes service with its accounts), an engine that sends codes to the
 * fake, and the two kinds of revocable sessions in memory (phone, and password over notes with
 * every `end` recorded).
 */
import { createTingTingSender, MemoryStore, OTPEngine, TingTingClient } from '@tingting-auth/core';
import { MemorySessionStore, notesProvider, UpstreamSessions } from '@tingting-auth/core/upstream';
import {
  type FakeNotes,
  type FakeTingTing,
  startFakeNotes,
  startFakeTingTing,
} from '@tingting-auth/testing';
import { afterAll, beforeAll } from 'vitest';
import { watchEnds } from './failing-session.js';

/** Every notes account's password. */
export const PASSWORD = 'right-password-123';

/** The fakes of a test file, there from `beforeAll` on. */
export interface SignInFakes {
  readonly tingting: FakeTingTing;
  readonly notes: FakeNotes;
}

/** Starts the fakes before the file's tests (notes with `usernames`, each with {@link PASSWORD}). */
export function signInFakes(usernames: readonly string[]): SignInFakes {
  let started: { tingting: FakeTingTing; notes: FakeNotes } | undefined;
  beforeAll(async () => {
    const accounts = usernames.map((username) => ({ username, password: PASSWORD }));
    started = { tingting: await startFakeTingTing(), notes: await startFakeNotes({ accounts }) };
  });
  afterAll(async () => {
    await started?.tingting.close();
    await started?.notes.close();
  });
  const get = () => {
    if (started === undefined) throw new Error('the fakes start in beforeAll');
    return started;
  };
  return {
    get tingting() {
      return get().tingting;
    },
    get notes() {
      return get().notes;
    },
  };
}

/** An engine sending through the real client to `fake`, with no resend cooldown. */
export function codeEngine(fake: FakeTingTing, secret: string): OTPEngine {
  const client = new TingTingClient({ apiToken: fake.apiToken, baseURL: fake.url });
  return new OTPEngine({
    sender: createTingTingSender(client),
    secret,
    store: new MemoryStore(),
    policy: { resendCooldownInSeconds: 0, maxSendsPerWindow: 50 },
  });
}

/** Revocable sessions for phone sign-in, in memory (no provider; the engine limits codes). */
export function phoneSessions(secret: string): UpstreamSessions {
  const store = new MemorySessionStore();
  return new UpstreamSessions({ store, secret, providerId: 'phone', throttle: false });
}

/** Password sessions over the fake notes service, in memory, with every `end` in `ended`. */
export function notesSessions(
  notes: FakeNotes,
  secret: string,
): { sessions: UpstreamSessions; ended: string[] } {
  const provider = notesProvider({ baseURL: notes.url });
  const sessions = new UpstreamSessions({ store: new MemorySessionStore(), secret, provider });
  return { sessions, ended: watchEnds(sessions) };
}
