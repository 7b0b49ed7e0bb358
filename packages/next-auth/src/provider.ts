/**
 * The part of the provider both next-auth majors share. No runtime import of next-auth: the
 * object returned is plain, and the way a failure is signalled is handed in by the v4 or v5 entry.
 */

import { type Purpose, VERIFY_FAILURE_CODES, type VerifyResult } from '@tingting-auth/core';
import type { SignInErrorCode } from './codes.js';
import {
  checkKeys,
  checkType,
  type EngineOption,
  type ProxyOptions,
  resolveEngine,
  resolveProxy,
  resolvePurpose,
} from './options.js';

/** The user `authorize` resolves to. `id` and `phone` are the verified number in E.164 form. */
export interface TingTingUser {
  /** The user's id: by default the canonical number, `+9779812345678`. */
  id: string;
  /** The verified number, E.164. */
  phone: string;
  name?: string | null;
  email?: string | null;
  image?: string | null;
}

// `type` aliases, not interfaces: next-auth types `credentials` as a `Record<string, …>`, which
// only accepts types with an implicit index signature.

/** One field of the built-in sign-in form next-auth renders. */
export type TingTingCredentialInput = {
  label: string;
  type: string;
  placeholder?: string;
};

/** The two fields the provider reads: the number and the code. */
export type TingTingCredentials = {
  phone: TingTingCredentialInput;
  code: TingTingCredentialInput;
};

/** Options of `TingTing()`, for both majors. */
export interface TingTingProviderOptions extends ProxyOptions {
  /**
   * The OTP engine that sent the code, or a function that builds it on first use (keeps
   * `next build` free of runtime secrets). Kept in a closure, never in the provider's `options`
   * (Auth.js deep-merges `options`, and an engine holds cycles).
   */
  engine: EngineOption;
  /**
   * Provider id: the `signIn(id, …)` argument and the `/api/auth/callback/<id>` path.
   * @default 'tingting'
   */
  id?: string;
  /** Display name on next-auth's built-in sign-in page. @default 'TingTing' */
  name?: string;
  /** Purpose the code was sent for; must match the send route's. @default 'sign-in' */
  purpose?: Purpose;
  /**
   * Map the verified number to your user (look it up, create it). Return `null` to refuse the
   * sign-in (`ACCESS_DENIED`). The code is consumed either way.
   * @default (phone) => ({ id: phone, phone })
   */
  getUser?: (phone: string) => TingTingUser | null | Promise<TingTingUser | null>;
  /** Labels of next-auth's built-in form. @default phone: 'Mobile number', code: 'Code' */
  credentials?: Partial<TingTingCredentials>;
}

/** The provider object, as both majors expect a credentials provider. */
export interface TingTingProviderConfig {
  id: string;
  name: string;
  type: 'credentials';
  credentials: TingTingCredentials;
  /**
   * Verify `credentials.phone` and `credentials.code`; resolves to the user or throws the major's
   * failure signal with a {@link SignInErrorCode}.
   */
  authorize: (
    credentials: Partial<Record<string, unknown>> | undefined,
    request?: unknown,
  ) => Promise<TingTingUser>;
}

const KNOWN = [
  'engine',
  'id',
  'name',
  'purpose',
  'getUser',
  'credentials',
  'trustProxy',
  'ipHeader',
];

/**
 * Build the shared provider; `fail` throws what the major turns into a generic sign-in error.
 * `extra` names the major's own options (checked by its entry).
 */
export function createProvider(
  options: TingTingProviderOptions,
  fail: (code: SignInErrorCode, cause?: unknown) => never,
  extra: readonly string[] = [],
): TingTingProviderConfig {
  const o = checkKeys('TingTing', options, [...KNOWN, ...extra]);
  const engine = resolveEngine('TingTing', o.engine);
  const id = o.id ?? 'tingting';
  if (typeof id !== 'string' || !/^[a-z0-9][a-z0-9_-]*$/i.test(id)) {
    throw new TypeError('TingTing: `id` must be a non-empty URL-safe string, e.g. "tingting"');
  }
  checkType('TingTing', o, 'name', 'string');
  checkType('TingTing', o, 'getUser', 'function');
  checkType('TingTing', o, 'credentials', 'object');
  const purpose = resolvePurpose('TingTing', o.purpose);
  const getUser = options.getUser ?? ((phone: string): TingTingUser => ({ id: phone, phone }));
  const { clientIP } = resolveProxy('TingTing', o, false);

  return {
    id,
    name: options.name ?? 'TingTing',
    type: 'credentials',
    credentials: {
      phone: { label: 'Mobile number', type: 'tel', placeholder: '98XXXXXXXX' },
      code: { label: 'Code', type: 'text' },
      ...options.credentials,
    },
    async authorize(credentials, request) {
      const input: Partial<Record<string, unknown>> =
        credentials !== null && typeof credentials === 'object' ? credentials : {};
      const { phone, code } = input;
      if (typeof phone !== 'string' || typeof code !== 'string') fail('INVALID_REQUEST');
      const ip = clientIP((request as { headers?: unknown } | undefined)?.headers);
      let result: VerifyResult;
      try {
        result = await (await engine()).verify({ phone, code, purpose, ...(ip ? { ip } : {}) });
      } catch (error) {
        // Store or provider down: fail closed with a generic code. The error rides along as
        // `cause` for server logs; it never reaches the URL (v4 would put a message there).
        fail('SERVICE_UNAVAILABLE', error);
      }
      if (!result.ok) fail(VERIFY_FAILURE_CODES[result.reason] as SignInErrorCode);
      let user: TingTingUser | null;
      try {
        user = await getUser(result.phone);
      } catch (error) {
        fail('SERVICE_UNAVAILABLE', error);
      }
      if (user === null || typeof user !== 'object') fail('ACCESS_DENIED');
      return user;
    },
  };
}
