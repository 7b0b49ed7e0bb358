/**
 * The provider both next-auth majors share: a plain credentials provider over core's protocol
 * (no runtime import of next-auth; each major's entry hands in how a failure is thrown).
 */

import type { Purpose, RequestHeaders } from '@tingting-auth/core';
import {
  type AdapterOptionKind,
  clientIPFromHeaders,
  createOTPProtocol,
  resolveProtocolOptions,
} from '@tingting-auth/core/protocol';
import type { SignInErrorCode } from './codes.js';
import {
  credentialsSpec,
  type EngineOption,
  lazyEngine,
  type ProxyOptions,
  platformIP,
} from './options.js';
import { type RevocableSessionsStore, startSession } from './revocable.js';

/** The user `authorize` resolves to; by default `id` and `phone` are the E.164 number. */
export interface TingTingUser {
  id: string;
  /** The verified number, E.164. */
  phone: string;
  name?: string | null;
  email?: string | null;
  image?: string | null;
}

// `type` aliases: next-auth types `credentials` as a `Record`, which interfaces do not satisfy.
/** One field of the form next-auth's built-in sign-in page renders. */
export type TingTingCredentialInput = { label: string; type: string; placeholder?: string };
/** The two fields the provider reads. */
export type TingTingCredentials = { phone: TingTingCredentialInput; code: TingTingCredentialInput };

/** Options of `TingTing()`, for both majors. */
export interface TingTingProviderOptions extends ProxyOptions {
  /** The engine, or a function that builds it on first use; kept in a closure, never in `options`. */
  engine: EngineOption;
  /** `signIn(id)` and `/api/auth/callback/<id>`. @default 'tingting' */
  id?: string;
  /** Shown on next-auth's built-in page. @default 'TingTing' */
  name?: string;
  /** Must match the send route's. @default 'sign-in' */
  purpose?: Purpose;
  /** Map the verified number to your user; `null` refuses (`ACCESS_DENIED`). @default (phone) => ({ id: phone, phone }) */
  getUser?: (phone: string) => TingTingUser | null | Promise<TingTingUser | null>;
  /** Labels of next-auth's built-in form. */
  credentials?: Partial<TingTingCredentials>;
  /**
   * Revocable sessions: each sign-in starts a session here (subject: the number), and the JWT
   * carries its id; use with `revocableSessions(sessions)`'s callbacks and events. @default off
   */
  sessions?: RevocableSessionsStore;
}

/** The provider object, as both majors expect a credentials provider. */
export interface TingTingProviderConfig {
  id: string;
  name: string;
  type: 'credentials';
  credentials: TingTingCredentials;
  /** Verify `phone` and `code`: the user, or the major's failure with a {@link SignInErrorCode}. */
  authorize: (credentials: unknown, request?: unknown) => Promise<TingTingUser>;
}

/** The shared provider; `fail` throws the major's failure, `extra` names its own options. */
export function createProvider(
  options: TingTingProviderOptions,
  fail: (code: SignInErrorCode, cause?: unknown) => never,
  extra: Readonly<Record<string, AdapterOptionKind>> = {},
): TingTingProviderConfig {
  const given: Partial<TingTingProviderOptions> = options ?? {};
  const resolved = resolveProtocolOptions(
    'TingTing',
    { ...given, engine: lazyEngine(given.engine) },
    { ...credentialsSpec(extra), engineUsage: 'pass one, or a function that returns one' },
  );
  const otp = createOTPProtocol({ ...resolved, crossSiteProtection: false });
  const {
    id = 'tingting',
    name = 'TingTing',
    getUser = defaultUser,
    credentials = {},
    sessions,
  } = given;
  if (!/^[a-z0-9][a-z0-9_-]*$/i.test(id)) {
    throw new TypeError('TingTing: `id` must be a non-empty URL-safe string, e.g. "tingting"');
  }
  const platformIPOf = platformIP('TingTing', given.trustProxy, false);
  return {
    id,
    name,
    type: 'credentials',
    credentials: {
      phone: { label: 'Mobile number', type: 'tel', placeholder: '98XXXXXXXX' },
      code: { label: 'Code', type: 'text' },
      ...credentials,
    },
    async authorize(fields, request) {
      const headers = (request as { headers?: RequestHeaders } | undefined)?.headers ?? {};
      const clientIP = platformIPOf(headers);
      const result = await otp.verify({ headers, fields, ...(clientIP ? { clientIP } : {}) });
      // Store down: a generic code; the error rides along as `cause` for logs, never in the URL.
      if (!result.ok) fail(result.error.code as SignInErrorCode, result.error.cause);
      let user: TingTingUser | null;
      try {
        user = await getUser(result.value.phone);
      } catch (error) {
        fail('SERVICE_UNAVAILABLE', error);
      }
      if (user === null || typeof user !== 'object') fail('ACCESS_DENIED');
      if (sessions === undefined) return user;
      try {
        const sid = await startSession(
          sessions,
          result.value.phone,
          headers,
          clientIP ?? clientIPFromHeaders(headers, resolved),
        );
        const upstream = sessions.providerId;
        const withSession = {
          ...user,
          ...(typeof upstream === 'string' ? { upstream } : {}),
        } as TingTingUser & { readonly sid: string; upstream?: string };
        // A bearer secret, as with password sign-in: the `jwt` callback reads it, but it is in no
        // spread, `JSON.stringify` or log line of the user an app's callbacks see.
        Object.defineProperty(withSession, 'sid', { value: sid, enumerable: false });
        return withSession;
      } catch (error) {
        fail('SERVICE_UNAVAILABLE', error);
      }
    },
  };
}

function defaultUser(phone: string): TingTingUser {
  return { id: phone, phone };
}
