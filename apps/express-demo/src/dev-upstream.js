/**
 * The upstream the Express-based demos (this one and the Passport demo) check passwords against:
 * Timbr, the notes service or TingTing accounts, picked with `UPSTREAM=timbr|notes|tingting`
 * (default `timbr`). With `UPSTREAM_URL`, the real service at that URL; without it, a fake one runs
 * in this process with a demo account, and access tokens that live only `UPSTREAM_ACCESS_SECONDS`
 * (default 60) so that a refresh happens while you watch.
 */

import {
  notesProvider,
  timbrProvider,
  tingtingAccountsProvider,
} from '@tingting-auth/core/upstream';
import { startFakeNotes, startFakeTimbr, startFakeTingTing } from '@tingting-auth/testing';

/** The demo account of the embedded fakes. */
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

/**
 * Start the upstream: the real one's provider, or an embedded fake.
 * @param {{ env: NodeJS.ProcessEnv; log: (line: string) => void; name: string; clock?: () => number }} options
 *   `clock`: the fake's clock (tests move it; the sessions must use the same one).
 * @returns {Promise<DevUpstream>}
 */
export async function startDevUpstream({ env, log, name, clock }) {
  const which = /** @type {UpstreamName} */ (env.UPSTREAM || 'timbr');
  if (!['timbr', 'notes', 'tingting'].includes(which)) {
    throw new TypeError(`UPSTREAM must be timbr, notes or tingting (got "${env.UPSTREAM}")`);
  }
  const accessSeconds = Number(env.UPSTREAM_ACCESS_SECONDS || 60);
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
