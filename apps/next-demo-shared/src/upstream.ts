/**
 * A demo's password sign-in upstream, one per server process, on `globalThis` like the OTP engine.
 *
 * `UPSTREAM=timbr|notes|tingting` (default `timbr`) picks the upstream token API. With
 * `UPSTREAM_URL`, the real service at that origin (users type their own credentials); without it,
 * a fake of that service starts in this process on first use, with a demo account printed at
 * start-up and access tokens that live only `UPSTREAM_ACCESS_SECONDS` (default 60), so a refresh
 * happens while you watch. `UPSTREAM_SESSION_SECRET` seals the sessions (see `./sessions`). The
 * same names, defaults and demo account as the Express and Passport demos' `dev-upstream.js`.
 *
 * The password `UpstreamSessions` exists from the first import (`next build` evaluates the module)
 * but starts nothing: its provider hands each call to the real one, built on first use.
 */

import {
  type CallCtx,
  MemorySessionStore,
  notesProvider,
  type TokenSet,
  timbrProvider,
  tingtingAccountsProvider,
  type UpstreamCredentials,
  type UpstreamGrant,
  type UpstreamProvider,
  UpstreamSessions,
} from '@tingting-auth/core/upstream';
import {
  type FakeNotes,
  type FakeTimbr,
  type FakeTingTing,
  startFakeNotes,
  startFakeTimbr,
  startFakeTingTing,
} from '@tingting-auth/testing';
import { upstreamSessionSecretOf } from './sessions';

/** The upstream token APIs the demos sign in with. */
export type UpstreamName = 'timbr' | 'notes' | 'tingting';

/** A labelled value of the profile, as the upstream tells it. */
export interface ProfileDetail {
  label: string;
  value: string;
}

/** The embedded fake's counters (`stats` of `@tingting-auth/testing`'s fakes). */
export type FakeUpstreamStats = FakeTimbr['stats'];

/** The embedded fakes the demo may run. */
export type DemoFakeUpstream = FakeTimbr | FakeNotes | FakeTingTing;

/**
 * The demo account of the embedded fakes: the same in every demo (the Express and Passport demos'
 * `DEMO_ACCOUNT` in `express-demo/dev-upstream`; `test/demo-upstream.test.ts` pins it).
 */
export const DEMO_ACCOUNT: Readonly<{ username: string; email: string; password: string }> =
  Object.freeze({
    username: 'demo',
    email: 'demo@example.com',
    password: 'demo-password-1',
  });

/** The team the fake Timbr lists API tokens of on the account page. */
const DEMO_TEAM = '5f0c6a52-4b1e-4c1a-9a55-3f4f0e2c9d10';

/** One app's password upstream and sessions. */
export interface DemoUpstream {
  /** Which upstream (`UPSTREAM`). */
  name: UpstreamName;
  /** How pages name it ("Timbr", "the notes service", "TingTing"). */
  title: string;
  /** What the sign-in form asks for: TingTing accounts sign in with an email. */
  identifierField: 'username' | 'email';
  /** `true` without `UPSTREAM_URL`: a fake upstream runs in this process. */
  usesEmbeddedFake: boolean;
  /** The embedded fake's account, shown on the sign-in page (none with a real upstream). */
  demoAccount: { identifier: string; password: string } | undefined;
  /**
   * The password sessions (`providerId` = {@link DemoUpstream.name}): upstream tokens sealed in a
   * MemorySessionStore, server-side; the browser only ever holds the session id inside the JWT.
   */
  sessions: UpstreamSessions;
  /** `true` when the dev route (`/api/dev/upstream`: counters, clock) may be served. */
  isDevToolsEnabled: boolean;
  /** The embedded fake, started on first use; `undefined` with a real upstream. */
  getFake: () => Promise<DemoFakeUpstream> | undefined;
  /** The profile of the account behind `accessToken` (a Bearer token of this upstream). */
  profile: (accessToken: string) => Promise<ProfileDetail[]>;
  /**
   * Move the clock of the fake and of the sessions forward (dev route only: a test shows an
   * expiry without waiting for it). Throws with a real upstream.
   */
  advanceClock: (milliseconds: number) => void;
}

interface UpstreamState {
  provider: Promise<UpstreamProvider>;
  fake?: Promise<DemoFakeUpstream>;
  baseURL: Promise<string>;
}

interface GlobalUpstream {
  sessions: UpstreamSessions;
  /** Added to `Date.now()` by the fake's and the sessions' clock. */
  offset: { milliseconds: number };
  state?: UpstreamState;
}

const TITLES: Record<UpstreamName, string> = {
  timbr: 'Timbr',
  notes: 'the notes service',
  tingting: 'TingTing',
};

/** `UPSTREAM`, checked: an unknown name is a configuration mistake, said at start-up. */
export function upstreamNameOf(value: string | undefined): UpstreamName {
  const name = value === undefined || value === '' ? 'timbr' : value;
  if (name !== 'timbr' && name !== 'notes' && name !== 'tingting') {
    throw new TypeError(`UPSTREAM must be timbr, notes or tingting (got "${value}")`);
  }
  return name;
}

/** `UPSTREAM_ACCESS_SECONDS` when unset, as in the Express and Passport demos. */
export const DEFAULT_ACCESS_SECONDS = 60;

/** `UPSTREAM_ACCESS_SECONDS`, checked (default {@link DEFAULT_ACCESS_SECONDS}). */
export function accessSecondsOf(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_ACCESS_SECONDS;
  const seconds = Number(value);
  if (!Number.isSafeInteger(seconds) || seconds < 2) {
    throw new TypeError(`UPSTREAM_ACCESS_SECONDS must be a whole number >= 2 (got "${value}")`);
  }
  return seconds;
}

/**
 * A provider that builds the real one on first use (`next build` evaluates the module that holds
 * the sessions, and must start no server), then hands it every call.
 */
function deferredProvider(id: UpstreamName, real: () => Promise<UpstreamProvider>) {
  return {
    id,
    login: async (credentials: UpstreamCredentials, ctx: CallCtx): Promise<UpstreamGrant> =>
      (await real()).login(credentials, ctx),
    refresh: async (tokens: TokenSet, ctx: CallCtx): Promise<TokenSet> =>
      (await real()).refresh(tokens, ctx),
  } satisfies UpstreamProvider;
}

async function jsonOf(response: Response): Promise<Record<string, unknown>> {
  if (!response.ok) throw new Error(`the upstream answered ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}

/**
 * The password upstream of the demo app `name` (`name` prefixes its log lines and its development
 * secret). Reads the environment once, here; starts nothing until the first sign-in.
 */
export function createDemoUpstream(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): DemoUpstream {
  const which = upstreamNameOf(env.UPSTREAM);
  const accessSeconds = accessSecondsOf(env.UPSTREAM_ACCESS_SECONDS);
  const real = env.UPSTREAM_URL || undefined;
  const usesEmbeddedFake = real === undefined;
  const isDevToolsEnabled =
    usesEmbeddedFake && (env.NODE_ENV !== 'production' || env.TINGTING_DEMO_OUTBOX === '1');
  const identifierField = which === 'tingting' ? 'email' : 'username';
  const demoAccount = usesEmbeddedFake
    ? {
        identifier: which === 'tingting' ? DEMO_ACCOUNT.email : DEMO_ACCOUNT.username,
        password: DEMO_ACCOUNT.password,
      }
    : undefined;

  const key = Symbol.for(`tingting-auth.${name}.upstream.${which}`);
  const global = globalThis as typeof globalThis & { [key]?: GlobalUpstream };

  function start(shared: GlobalUpstream): UpstreamState {
    const now = () => Date.now() + shared.offset.milliseconds;
    const providerOf = (baseURL: string): UpstreamProvider =>
      which === 'timbr'
        ? timbrProvider({ baseURL })
        : which === 'notes'
          ? notesProvider({ baseURL })
          : tingtingAccountsProvider({ baseURL });
    if (real !== undefined) {
      return { provider: Promise.resolve(providerOf(real)), baseURL: Promise.resolve(real) };
    }
    const lifetimes = { accessSeconds, refreshSeconds: 86_400 };
    const accounts = [DEMO_ACCOUNT];
    const fake: Promise<DemoFakeUpstream> =
      which === 'timbr'
        ? startFakeTimbr({
            now,
            accounts,
            lifetimes,
            rotation: 'rotate-detect-reuse',
            loginWith: 'either',
            teams: [{ uuid: DEMO_TEAM }],
          })
        : which === 'notes'
          ? startFakeNotes({ now, accounts, lifetimes, rotation: 'rotate-detect-reuse' })
          : startFakeTingTing({
              now,
              account: { email: DEMO_ACCOUNT.email, password: DEMO_ACCOUNT.password },
              lifetimes,
              rotation: 'rotate-detect-reuse',
            });
    const baseURL = fake.then((server) => {
      // The demo's whole point on the fake: the developer reads the account here.
      console.log(
        `[${name}] No UPSTREAM_URL: password sign-in goes to an embedded fake ${which} (${server.url}); sign in as ${demoAccount?.identifier} / ${DEMO_ACCOUNT.password}. Access tokens live ${accessSeconds} s.`,
      );
      return server.url;
    });
    return { provider: baseURL.then(providerOf), fake, baseURL };
  }

  function shared(): GlobalUpstream {
    if (global[key] !== undefined) return global[key];
    const secret = upstreamSessionSecretOf(name, env);
    const offset = { milliseconds: 0 };
    const state: GlobalUpstream = {
      offset,
      sessions: new UpstreamSessions({
        store: new MemorySessionStore(),
        secret,
        provider: deferredProvider(which, () => {
          state.state ??= start(state);
          return state.state.provider;
        }),
        providerId: which,
        clock: () => Date.now() + offset.milliseconds,
      }),
    };
    global[key] = state;
    return state;
  }

  const teamUUID = real === undefined ? DEMO_TEAM : env.TIMBR_TEAM_UUID;

  async function profile(accessToken: string): Promise<ProfileDetail[]> {
    const state = shared();
    state.state ??= start(state);
    const base = await state.state.baseURL;
    const get = (path: string, token = accessToken) =>
      fetch(new URL(path, base), {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        redirect: 'manual',
      });
    if (which === 'notes') {
      const me = await jsonOf(await get('/auth/user'));
      return [
        { label: 'Username', value: String(me.username ?? '') },
        { label: 'Email', value: String(me.email ?? '') },
        { label: 'User id', value: String(me.userid ?? '') },
      ];
    }
    if (which === 'tingting') {
      // Seed 000: the user profile takes the API token, which get-api-keys (read-only) gives.
      const keys = await jsonOf(await get('/api/v1/auths/get-api-keys/'));
      if (typeof keys.token !== 'string') return [{ label: 'API token', value: 'none yet' }];
      const me = await jsonOf(await get('/api/v1/auths/user-profile/', keys.token));
      const user = (me.user ?? {}) as Record<string, unknown>;
      return [
        { label: 'Name', value: `${user.first_name ?? ''} ${user.last_name ?? ''}`.trim() },
        { label: 'Email', value: String(user.email ?? '') },
        { label: 'Account id', value: String(me.id ?? '') },
      ];
    }
    if (!teamUUID) return [{ label: 'Team API tokens', value: 'set TIMBR_TEAM_UUID to list them' }];
    const list = await jsonOf(await get(`/api/openapi/token/${encodeURIComponent(teamUUID)}/`));
    const tokens = Array.isArray(list.tokens) ? list.tokens : [];
    return [
      { label: 'Team', value: teamUUID },
      { label: 'Your team API tokens', value: String(tokens.length) },
    ];
  }

  return {
    name: which,
    title: TITLES[which],
    identifierField,
    usesEmbeddedFake,
    demoAccount,
    get sessions() {
      return shared().sessions;
    },
    isDevToolsEnabled,
    getFake: () => {
      if (!usesEmbeddedFake) return undefined;
      const state = shared();
      state.state ??= start(state);
      return state.state.fake;
    },
    profile,
    advanceClock: (milliseconds) => {
      if (!usesEmbeddedFake) throw new Error('the clock moves on the embedded fake only');
      if (!Number.isSafeInteger(milliseconds) || milliseconds < 0) {
        throw new RangeError('advance the clock by a whole, non-negative number of milliseconds');
      }
      shared().offset.milliseconds += milliseconds;
    },
  };
}
