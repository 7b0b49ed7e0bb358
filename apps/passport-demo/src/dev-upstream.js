/**
 * The upstream token API the demo's password sign-in checks passwords with: `UPSTREAM=timbr` (the
 * default), `notes` or `tingting` (TingTing accounts). With `UPSTREAM_URL`, the real service at
 * that origin (users type their own credentials); without it, a fake of that service runs in this
 * process with the demo account (`demo` / `demo-password-1`, TingTing: `demo@example.com`) and
 * short access-token lifetimes (`UPSTREAM_ACCESS_SECONDS`, default 60), so refreshes are visible.
 *
 * The variables are read by the Express demo's readers (`express-demo/dev-upstream`), so both
 * demos take the same names and defaults.
 */

import {
  decodeJWTClaims,
  MemorySessionStore,
  notesProvider,
  timbrProvider,
  tingtingAccountsProvider,
  UpstreamSessions,
} from '@tingting-auth/core/upstream';
import { startFakeNotes, startFakeTimbr, startFakeTingTing } from '@tingting-auth/testing';
import { accessSecondsOf, DEMO_ACCOUNT, upstreamNameOf } from 'express-demo/dev-upstream';

/** @typedef {'timbr' | 'notes' | 'tingting'} UpstreamKind */

/** What each upstream is called on the pages, and what users sign in with. */
export const UPSTREAMS = Object.freeze({
  notes: { label: 'the notes service', identifier: 'Username or email' },
  timbr: { label: 'Timbr', identifier: 'Username' },
  tingting: { label: 'TingTing', identifier: 'Email' },
});

/**
 * @typedef {object} DevUpstreamOptions
 * @property {NodeJS.ProcessEnv} env `UPSTREAM`, `UPSTREAM_URL`, `UPSTREAM_ACCESS_SECONDS`.
 * @property {string} secret Seals the upstream tokens (`UPSTREAM_SESSION_SECRET`, read by the app).
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
export async function startDevUpstream({ env, secret, log, clock = Date.now }) {
  const kind = /** @type {UpstreamKind} */ (upstreamNameOf(env.UPSTREAM));
  const accessSeconds = accessSecondsOf(env.UPSTREAM_ACCESS_SECONDS);
  const lifetimes = { accessSeconds, refreshSeconds: 7 * 86_400 };
  const account = { ...DEMO_ACCOUNT };
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
