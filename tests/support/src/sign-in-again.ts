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
import { afterAll, beforeAll, expect } from 'vitest';
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

/** The phone number (and its subject) of the cross-flow tests. */
export const CROSS_PHONE = '9812345699';
const CROSS_SUBJECT = '+9779812345699';

/** Both kinds of revocable sessions of one app, every `end` recorded. */
export interface CrossFlowSessions {
  phone: UpstreamSessions;
  phoneEnded: string[];
  notes: UpstreamSessions;
  notesEnded: string[];
}

/** Phone and password sessions for an app with both sign-ins. */
export function crossFlowSessions(notes: FakeNotes, secret: string): CrossFlowSessions {
  const phone = phoneSessions(secret);
  const phoneEnded = watchEnds(phone);
  const password = notesSessions(notes, secret);
  return { phone, phoneEnded, notes: password.sessions, notesEnded: password.ended };
}

type Flow = 'phone' | 'password';

/**
 * One browser signs in with `first` (phone: {@link CROSS_PHONE}; password: `asha`), then with the
 * other flow: the first session is ended in its store (inactive, not listed, tokens gone), the
 * second is active and the browser holds it (`signedIn` answers the guard's status for a flow).
 */
export async function expectCrossFlowEnds(
  first: Flow,
  s: CrossFlowSessions,
  steps: Record<Flow, () => Promise<void>> & { signedIn(flow: Flow): Promise<number> },
): Promise<void> {
  const second: Flow = first === 'phone' ? 'password' : 'phone';
  const of = (flow: Flow) =>
    flow === 'phone'
      ? { sessions: s.phone, ended: s.phoneEnded, subject: CROSS_SUBJECT }
      : { sessions: s.notes, ended: s.notesEnded, subject: 'asha' };
  const [old, now] = [of(first), of(second)];
  await steps[first]();
  expect(await old.sessions.list(old.subject)).toHaveLength(1);
  await steps[second]();
  expect(old.ended).toHaveLength(1);
  expect((await old.sessions.status(old.ended[0]!)).active).toBe(false);
  await expect(old.sessions.getTokens(old.ended[0]!)).rejects.toMatchObject({
    code: 'SESSION_EXPIRED',
  });
  expect(await old.sessions.list(old.subject)).toEqual([]);
  expect(now.ended).toEqual([]);
  expect(await now.sessions.list(now.subject)).toHaveLength(1);
  expect(await steps.signedIn(second)).toBe(200);
}

/** The parts of a supertest agent the cross-flow steps use. */
interface Browser {
  post(path: string): { send(body: object): PromiseLike<{ status: number }> };
  get(path: string): PromiseLike<{ status: number }>;
}

/** The two sign-ins of {@link expectCrossFlowEnds} over an app's paths, and its guards. */
export function crossFlowSteps(
  browser: Browser,
  fakes: SignInFakes,
  paths: { send: string; verify: string; signIn: string; guard: (flow: Flow) => string },
) {
  const phone = CROSS_PHONE;
  return {
    async phone() {
      expect((await browser.post(paths.send).send({ phone })).status).toBe(202);
      const code = fakes.tingting.outbox.last(phone)!.otp;
      expect((await browser.post(paths.verify).send({ phone, code })).status).toBe(200);
    },
    async password() {
      const sent = await browser.post(paths.signIn).send({ username: 'asha', password: PASSWORD });
      expect(sent.status).toBe(200);
    },
    signedIn: async (flow: Flow) => (await browser.get(paths.guard(flow))).status,
  };
}
