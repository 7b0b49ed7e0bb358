/**
 * The upstream the Express-based demos (this one and the Passport demo) check passwords against:
 * Timbr, the notes service or TingTing accounts, picked with `UPSTREAM=timbr|notes|tingting`
 * (default `timbr`). With `UPSTREAM_URL`, the real service at that URL; without it, a fake one runs
 * in this process with the demo account (`demo` / `demo-password-1`, TingTing: `demo@example.com`),
 * and access tokens that live only `UPSTREAM_ACCESS_SECONDS` (default 60) so that a refresh happens
 * while you watch. `UPSTREAM_SESSION_SECRET` seals the phone and password sessions.
 *
 * The readers of those variables ({@link upstreamNameOf}, {@link accessSecondsOf},
 * {@link upstreamSessionSecretOf}) and {@link DEMO_ACCOUNT} are the Passport demo's too, so the two
 * demos take the same knobs (the Next demos' `next-demo-shared/upstream` has the same names and
 * defaults).
 */

import { randomBytes } from 'node:crypto';
import {
  notesProvider,
  timbrProvider,
  tingtingAccountsProvider,
} from '@tingting-auth/core/upstream';
import { startFakeNotes, startFakeTimbr, startFakeTingTing } from '@tingting-auth/testing';

/** The demo account of the embedded fakes (the same in every demo). */
export const DEMO_ACCOUNT = Object.freeze({
  username: 'demo',
  email: 'demo@example.com',
  password: 'demo-password-1',
});

/** The team the fake Timbr lists API tokens of on the profile page. */
const DEMO_TEAM = '5f0c6a52-4b1e-4c1a-9a55-3f4f0e2c9d10';

/**
 * @typedef {'timbr' | 'notes' | 'tingting'} UpstreamName
 * @typedef {{ label: string; value: string; datetime?: string }} Detail
 * @typedef {{ fetch(input: string, init?: RequestInit): Promise<Response> }} UpstreamFetcher
 */

/**
 * @typedef {object} DevUpstream
 * @property {UpstreamName} name
 * @property {string} title How pages name it ("Timbr", "the notes service", "TingTing").
 * @property {import('@tingting-auth/core/upstream').UpstreamProvider} provider
 * @property {string} baseURL The API origin `req.upstream.fetch` resolves against.
 * @property {'username' | 'email'} identifierField What the sign-in form asks for.
 * @property {import('@tingting-auth/testing').FakeTimbr | import('@tingting-auth/testing').FakeNotes | import('@tingting-auth/testing').FakeTingTing | undefined} fake
 * @property {{ identifier: string; password: string } | undefined} demoAccount The fake's account, shown on the sign-in page.
 * @property {(upstream: UpstreamFetcher) => Promise<Detail[]>} profile The account's profile, read from the upstream with the session's token.
 * @property {() => Promise<void>} close
 */

/** The upstreams `UPSTREAM` may name; the first is the default. */
export const UPSTREAM_NAMES = Object.freeze(/** @type {const} */ (['timbr', 'notes', 'tingting']));

/** `UPSTREAM_ACCESS_SECONDS` when unset: the embedded fake's access tokens live a minute. */
export const DEFAULT_ACCESS_SECONDS = 60;

/**
 * `UPSTREAM`, checked (default `timbr`): an unknown name is a configuration mistake, said at
 * start-up.
 * @param {string | undefined} value
 * @returns {UpstreamName}
 */
export function upstreamNameOf(value) {
  const name = value === undefined || value === '' ? UPSTREAM_NAMES[0] : value;
  if (!(/** @type {readonly string[]} */ (UPSTREAM_NAMES).includes(name))) {
    throw new TypeError(`UPSTREAM must be timbr, notes or tingting (got "${value}")`);
  }
  return /** @type {UpstreamName} */ (name);
}

/**
 * `UPSTREAM_ACCESS_SECONDS`, checked (default {@link DEFAULT_ACCESS_SECONDS}).
 * @param {string | undefined} value
 * @returns {number}
 */
export function accessSecondsOf(value) {
  if (value === undefined || value === '') return DEFAULT_ACCESS_SECONDS;
  const seconds = Number(value);
  if (!Number.isSafeInteger(seconds) || seconds < 2) {
    throw new TypeError(`UPSTREAM_ACCESS_SECONDS must be a whole number >= 2 (got "${value}")`);
  }
  return seconds;
}

/**
 * The secret that seals the demo's phone and password sessions: `UPSTREAM_SESSION_SECRET`, else
 * `legacy` variables (the old names a demo still takes, each with a warning), else a random one for
 * this process (with a notice: the sessions end on restart).
 * @param {{ env: NodeJS.ProcessEnv; log: (line: string) => void; name: string; legacy?: readonly string[] }} options
 * @returns {string}
 */
export function upstreamSessionSecretOf({ env, log, name, legacy = [] }) {
  if (env.UPSTREAM_SESSION_SECRET) return env.UPSTREAM_SESSION_SECRET;
  for (const old of legacy) {
    const value = env[old];
    if (value) {
      log(`[${name}] ${old} is deprecated: rename it to UPSTREAM_SESSION_SECRET.`);
      return value;
    }
  }
  log(
    `[${name}] UPSTREAM_SESSION_SECRET is not set: using a random secret for this process (sessions end on restart).`,
  );
  return randomBytes(32).toString('base64url');
}

/**
 * Start the upstream: the real one's provider, or an embedded fake.
 * @param {{ env: NodeJS.ProcessEnv; log: (line: string) => void; name: string; clock?: () => number }} options
 *   `clock`: the fake's clock (tests move it; the sessions must use the same one).
 * @returns {Promise<DevUpstream>}
 */
export async function startDevUpstream({ env, log, name, clock }) {
  const which = upstreamNameOf(env.UPSTREAM);
  const accessSeconds = accessSecondsOf(env.UPSTREAM_ACCESS_SECONDS);
  const real = env.UPSTREAM_URL;
  const now = clock ? { now: clock } : {};
  const lifetimes = { accessSeconds, refreshSeconds: 86_400 };
  const accounts = [DEMO_ACCOUNT];

  /** @type {DevUpstream['fake']} */
  let fake;
  let baseURL = real ?? '';
  if (!real) {
    if (which === 'timbr') {
      fake = await startFakeTimbr({
        ...now,
        accounts,
        lifetimes,
        rotation: 'rotate-detect-reuse',
        loginWith: 'either',
        teams: [{ uuid: DEMO_TEAM }],
      });
    } else if (which === 'notes') {
      fake = await startFakeNotes({ ...now, accounts, lifetimes, rotation: 'rotate-detect-reuse' });
    } else {
      fake = await startFakeTingTing({
        ...now,
        account: { email: DEMO_ACCOUNT.email, password: DEMO_ACCOUNT.password },
        lifetimes,
        rotation: 'rotate-detect-reuse',
      });
    }
    baseURL = fake.url;
    log(
      `[${name}] No UPSTREAM_URL: password sign-in goes to an embedded fake ${which} (${baseURL}); sign in as ${which === 'tingting' ? DEMO_ACCOUNT.email : DEMO_ACCOUNT.username} / ${DEMO_ACCOUNT.password}. Access tokens live ${accessSeconds} s.`,
    );
  }
  const http = { baseURL };
  const provider =
    which === 'timbr'
      ? timbrProvider(http)
      : which === 'notes'
        ? notesProvider(http)
        : tingtingAccountsProvider(http);
  const teamUUID = real ? env.TIMBR_TEAM_UUID : DEMO_TEAM;

  /** @param {Response} response */
  const jsonOf = async (response) => {
    if (!response.ok) throw new Error(`the upstream answered ${response.status}`);
    return /** @type {Record<string, unknown>} */ (await response.json());
  };

  /** @type {DevUpstream['profile']} */
  const profile = async (upstream) => {
    if (which === 'notes') {
      const me = await jsonOf(await upstream.fetch('/auth/user'));
      return [
        { label: 'Username', value: String(me.username ?? '') },
        { label: 'Email', value: String(me.email ?? '') },
        { label: 'User id', value: String(me.userid ?? '') },
      ];
    }
    if (which === 'tingting') {
      const keys = await jsonOf(await upstream.fetch('/api/v1/auths/get-api-keys/'));
      if (typeof keys.token !== 'string') return [{ label: 'API token', value: 'none yet' }];
      const me = await jsonOf(
        await upstream.fetch('/api/v1/auths/user-profile/', {
          headers: { authorization: `Bearer ${keys.token}` },
        }),
      );
      const user = /** @type {Record<string, unknown>} */ (me.user ?? {});
      return [
        { label: 'Name', value: `${user.first_name ?? ''} ${user.last_name ?? ''}`.trim() },
        { label: 'Email', value: String(user.email ?? '') },
        { label: 'Account id', value: String(me.id ?? '') },
      ];
    }
    if (!teamUUID) return [{ label: 'Team API tokens', value: 'set TIMBR_TEAM_UUID to list them' }];
    const list = await jsonOf(await upstream.fetch(`/api/openapi/token/${teamUUID}/`));
    const tokens = Array.isArray(list.tokens) ? list.tokens : [];
    return [
      { label: 'Team', value: teamUUID },
      { label: 'Your team API tokens', value: String(tokens.length) },
    ];
  };

  return {
    name: which,
    title: which === 'timbr' ? 'Timbr' : which === 'notes' ? 'the notes service' : 'TingTing',
    provider,
    baseURL,
    identifierField: which === 'tingting' ? 'email' : 'username',
    fake,
    demoAccount: fake
      ? {
          identifier: which === 'tingting' ? DEMO_ACCOUNT.email : DEMO_ACCOUNT.username,
          password: DEMO_ACCOUNT.password,
        }
      : undefined,
    profile,
    close: async () => {
      await fake?.close();
    },
  };
}
