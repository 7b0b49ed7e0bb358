/**
 * The upstream token API the demo's password sign-in checks passwords with: `UPSTREAM=timbr`,
 * `notes` (the default) or `tingting` (TingTing accounts). With `UPSTREAM_URL`, the real service
 * at that origin (users type their own credentials); without it, a fake of that service runs in
 * this process with one account (`dev` / `dev-password`, TingTing: `dev@example.com`) and short
 * access-token lifetimes (`UPSTREAM_ACCESS_SECONDS`, default 60), so refreshes are visible.
 */

import { randomBytes } from 'node:crypto';
import {
  decodeJWTClaims,
  MemorySessionStore,
  notesProvider,
  timbrProvider,
  tingtingAccountsProvider,
  UpstreamSessions,
} from '@tingting-auth/core/upstream';
import { startFakeNotes, startFakeTimbr, startFakeTingTing } from '@tingting-auth/testing';

/** @typedef {'timbr' | 'notes' | 'tingting'} UpstreamKind */

/** What each upstream is called on the pages, and what users sign in with. */
export const UPSTREAMS = Object.freeze({
  notes: { label: 'the notes service', identifier: 'Username or email' },
  timbr: { label: 'Timbr', identifier: 'Username' },
  tingting: { label: 'TingTing', identifier: 'Email' },
});

/**
 * @typedef {object} DevUpstreamOptions
 * @property {NodeJS.ProcessEnv} env `UPSTREAM`, `UPSTREAM_URL`, `UPSTREAM_ACCESS_SECONDS`, `UPSTREAM_SECRET`.
 * @property {(line: string) => void} log
 * @property {() => number} [clock] The clock of the fake and of the sessions (tests move it).
 */

/**
 * @typedef {object} DevUpstream
 * @property {UpstreamKind} kind
 * @property {string} label How the pages name the upstream.
 * @property {string} identifierLabel The label of the username field.
 * @property {string} baseURL The upstream's origin.
 * @property {import('@tingting-auth/core/upstream').UpstreamProvider} provider
 * @property {UpstreamSessions} sessions Sealed server-side token sessions over a memory store.
 * @property {{ identifier: string; password: string } | undefined} devAccount The fake's account.
 * @property {{ stats: { loginCalls: number; refreshCalls: number; reuseDetected: number } } | undefined} fake
 * @property {(tokens: import('@tingting-auth/core/upstream').TokenSet) => Promise<{ label: string; value: string }[]>} describe
 *   What the account page shows, read from the upstream with the access token.
 * @property {() => Promise<void>} close
 */

/**
 * @param {DevUpstreamOptions} options
 * @returns {Promise<DevUpstream>}
 */
export async function startDevUpstream({ env, log, clock = Date.now }) {
  const kind = /** @type {UpstreamKind} */ (env.UPSTREAM || 'notes');
  if (!Object.hasOwn(UPSTREAMS, kind)) {
    throw new TypeError(`UPSTREAM must be timbr, notes or tingting, not ${JSON.stringify(kind)}`);
  }
  const secret = env.UPSTREAM_SECRET || randomBytes(32).toString('base64url');
  const accessSeconds = Number(env.UPSTREAM_ACCESS_SECONDS || 60);
  const lifetimes = { accessSeconds, refreshSeconds: 7 * 86_400 };
  const account = {
    username: 'dev',
    email: 'dev@example.com',
    password: 'dev-password',
  };
  /** @type {{ url: string; stats: any; close(): Promise<void> } | undefined} */
  let fake;
  let baseURL = env.UPSTREAM_URL;
  if (!baseURL) {
    const common = {
      now: clock,
      lifetimes,
      rotation: /** @type {const} */ ('rotate-detect-reuse'),
    };
    fake =
      kind === 'timbr'
        ? await startFakeTimbr({ ...common, accounts: [account] })
        : kind === 'notes'
          ? await startFakeNotes({ ...common, accounts: [account] })
          : await startFakeTingTing({ ...common, account });
    baseURL = fake.url;
    log(
      `[passport-demo] No UPSTREAM_URL: password sign-in goes to an embedded fake ${UPSTREAMS[kind].label} (${baseURL}); sign in as ${kind === 'tingting' ? account.email : account.username} / ${account.password}. Access tokens live ${accessSeconds} s.`,
    );
  }
  const provider =
    kind === 'timbr'
      ? timbrProvider({ baseURL })
      : kind === 'notes'
        ? notesProvider({ baseURL })
        : tingtingAccountsProvider({ baseURL });
  const sessions = new UpstreamSessions({
    store: new MemorySessionStore(),
    secret,
    provider,
    clock,
    logger: { warn: (message) => log(`[passport-demo] ${message}`) },
  });

  /** @type {DevUpstream['describe']} */
  async function describe(tokens) {
    const ctx = { signal: AbortSignal.timeout(10_000), now: clock };
    if (kind === 'notes') {
      const answer = await fetch(new URL('/auth/user', baseURL), {
        headers: { authorization: `Bearer ${tokens.accessToken}` },
        redirect: 'manual',
        signal: ctx.signal,
      });
      if (!answer.ok) throw new Error(`the notes service answered ${answer.status}`);
      const user = /** @type {{ userid?: unknown; username?: unknown; email?: unknown }} */ (
        await answer.json()
      );
      return [
        { label: 'Username', value: String(user.username ?? '') },
        { label: 'Email', value: String(user.email ?? '') },
        { label: 'Notes user id', value: String(user.userid ?? '') },
      ];
    }
    if (kind === 'timbr') {
      const answer = await fetch(new URL('/api/auth/jwt/verify/', baseURL), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: tokens.accessToken }),
        redirect: 'manual',
        signal: ctx.signal,
      });
      const claims = decodeJWTClaims(tokens.accessToken);
      return [
        { label: 'Timbr user id', value: String(claims?.user_id ?? '') },
        {
          label: 'Token checked by Timbr',
          value: answer.ok ? 'valid' : `refused (${answer.status})`,
        },
      ];
    }
    const profile = await /** @type {Required<typeof provider>} */ (provider).profile(tokens, ctx);
    return [
      { label: 'TingTing user id', value: profile.subject },
      ...(profile.email ? [{ label: 'Email', value: profile.email }] : []),
      ...(profile.name ? [{ label: 'Name', value: profile.name }] : []),
    ];
  }

  return {
    kind,
    label: UPSTREAMS[kind].label,
    identifierLabel: UPSTREAMS[kind].identifier,
    baseURL,
    provider,
    sessions,
    devAccount: fake
      ? {
          identifier: kind === 'tingting' ? account.email : account.username,
          password: account.password,
        }
      : undefined,
    fake,
    describe,
    close: async () => {
      await fake?.close();
    },
  };
}
