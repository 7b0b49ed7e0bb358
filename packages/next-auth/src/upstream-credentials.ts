/**
 * Password sign-in against an upstream token API (Timbr, the notes service, TingTing accounts) as
 * a plain credentials provider both next-auth majors share. The request handling is core's
 * password protocol (`createPasswordProtocol`: fields, limiter, upstream login, sealed session);
 * this file only maps its result to next-auth (no runtime import of next-auth; each major's entry
 * hands in how a failure is thrown).
 */

import type { RequestHeaders } from '@tingting-auth/core';
import {
  type AdapterOptionKind,
  createPasswordProtocol,
  type PasswordUser,
  resolveRequestOptions,
} from '@tingting-auth/core/protocol';
import type { UpstreamSessions } from '@tingting-auth/core/upstream';
import type { PasswordSignInErrorCode } from './codes.js';
import { credentialsSpec, type ProxyOptions, platformIP } from './options.js';

/**
 * The signed-in upstream account `getUser` receives: the provider id, the upstream's stable
 * `subject`, the identifier as typed, and the profile fields the upstream's login answer carries.
 * Never a token, never the password, never the session id.
 */
export type UpstreamAccount = PasswordUser;

/** The user `authorize` resolves to (by default `{ id: subject, name?, email? }`). */
export interface UpstreamCredentialsUser {
  id: string;
  name?: string | null;
  email?: string | null;
  image?: string | null;
}

// `type` aliases: next-auth types `credentials` as a `Record`, which interfaces do not satisfy.
/** One field of the form next-auth's built-in sign-in page renders. */
export type UpstreamCredentialInput = { label: string; type: string; placeholder?: string };
/** The fields of next-auth's built-in form (the provider also reads `email` instead of `username`). */
export type UpstreamCredentialFields = {
  username: UpstreamCredentialInput;
  password: UpstreamCredentialInput;
};

/** What `UpstreamCredentials` needs of an `UpstreamSessions` (one built with a `provider`). */
export type UpstreamCredentialsSessions = Pick<
  UpstreamSessions,
  'providerId' | 'signIn' | 'end' | 'status'
>;

/** Options of `UpstreamCredentials()`, for both majors. */
export interface UpstreamCredentialsOptions extends ProxyOptions {
  /**
   * The sessions of one upstream (`new UpstreamSessions({ store, secret, provider })`): its
   * limiter, login and store. Pass the same object to `revocableSessions` and
   * `getUpstreamAccessToken`. Kept in a closure, never in the provider's `options`.
   */
  sessions: UpstreamCredentialsSessions;
  /** `signIn(id)` and `/api/auth/callback/<id>`. @default 'upstream' */
  id?: string;
  /** Shown on next-auth's built-in page. @default 'Password' */
  name?: string;
  /** Labels of next-auth's built-in form. */
  credentials?: Partial<UpstreamCredentialFields>;
  /**
   * Map the signed-in account to your user; `null` refuses (`ACCESS_DENIED`, and the upstream
   * session just started is ended). A throw is `SERVICE_UNAVAILABLE`.
   * @default (account) => ({ id: account.subject, name?, email? })
   */
  getUser?: (
    account: UpstreamAccount,
  ) => UpstreamCredentialsUser | null | Promise<UpstreamCredentialsUser | null>;
}

/**
 * The user `authorize` returns: yours, plus `upstream` (the sessions' provider id) and `sid` (the
 * session id, non-enumerable: not in a spread, `JSON.stringify` or a log line), which the
 * `revocableSessions` `jwt` callback moves into the token on sign-in.
 */
export type UpstreamSignedInUser = UpstreamCredentialsUser & {
  readonly sid: string;
  upstream: string;
};

/** The provider object, as both majors expect a credentials provider. */
export interface UpstreamCredentialsConfig {
  id: string;
  name: string;
  type: 'credentials';
  credentials: UpstreamCredentialFields;
  /** Sign in with `username` (or `email`) and `password`: the user, or the major's failure. */
  authorize: (credentials: unknown, request?: unknown) => Promise<UpstreamSignedInUser>;
}

const CODES: ReadonlySet<string> = new Set<PasswordSignInErrorCode>([
  'INVALID_REQUEST',
  'INVALID_CREDENTIALS',
  'RATE_LIMITED',
  'ACCESS_DENIED',
  'SERVICE_UNAVAILABLE',
]);

/** The shared provider; `fail` throws the major's failure, `extra` names its own options. */
export function createUpstreamCredentials(
  caller: string,
  options: UpstreamCredentialsOptions,
  fail: (code: PasswordSignInErrorCode, cause?: unknown) => never,
  extra: Readonly<Record<string, AdapterOptionKind>> = {},
): UpstreamCredentialsConfig {
  const given: Partial<UpstreamCredentialsOptions> = options ?? {};
  const resolved = resolveRequestOptions(caller, options, credentialsSpec(extra));
  const sessions = given.sessions;
  if (typeof sessions?.status !== 'function') {
    throw new TypeError(
      `${caller}: \`sessions\` must be an UpstreamSessions from @tingting-auth/core/upstream (with a provider)`,
    );
  }
  // Checks `sessions` (signIn, end, providerId) with core's own message.
  const password = createPasswordProtocol(
    { ...resolved, crossSiteProtection: false },
    { sessions: sessions as UpstreamSessions },
  );
  const { id = 'upstream', name = 'Password', credentials = {}, getUser = defaultUser } = given;
  if (!/^[a-z0-9][a-z0-9_-]*$/i.test(id)) {
    throw new TypeError(`${caller}: \`id\` must be a non-empty URL-safe string, e.g. "upstream"`);
  }
  const platformIPOf = platformIP(caller, given.trustProxy, false);
  const upstream = sessions.providerId;

  /** End a session just started for a sign-in that is refused after all (best effort). */
  const abandon = async (sid: string): Promise<void> => {
    try {
      await sessions.end(sid, 'ended_by_app');
    } catch {}
  };

  return {
    id,
    name,
    type: 'credentials',
    credentials: {
      username: { label: 'Username or email', type: 'text' },
      password: { label: 'Password', type: 'password' },
      ...credentials,
    },
    async authorize(fields, request) {
      const headers = (request as { headers?: RequestHeaders } | undefined)?.headers ?? {};
      const clientIP = platformIPOf(headers);
      const result = await password.signIn({
        headers,
        // v5 hands `unknown`: core reads only the shape (strings, exactly one identifier).
        fields: fields ?? {},
        ...(clientIP === undefined ? {} : { clientIP }),
      });
      if (!result.ok) {
        const { code, status, cause } = result.error;
        // Body-level refusals cannot happen with a parsed body; map any other 4xx generically.
        fail(
          CODES.has(code)
            ? (code as PasswordSignInErrorCode)
            : status < 500
              ? 'INVALID_REQUEST'
              : 'SERVICE_UNAVAILABLE',
          cause,
        );
      }
      const { sid, user: account } = result.value;
      let user: UpstreamCredentialsUser | null;
      try {
        user = await getUser(account);
      } catch (error) {
        await abandon(sid);
        fail('SERVICE_UNAVAILABLE', error);
      }
      if (user === null || typeof user !== 'object') {
        await abandon(sid);
        fail('ACCESS_DENIED');
      }
      const signedIn = { ...user, upstream } as UpstreamSignedInUser;
      Object.defineProperty(signedIn, 'sid', { value: sid, enumerable: false });
      return signedIn;
    },
  };
}

function defaultUser(account: UpstreamAccount): UpstreamCredentialsUser {
  return {
    id: account.subject,
    ...(account.name === undefined ? {} : { name: account.name }),
    ...(account.email === undefined ? {} : { email: account.email }),
  };
}
