/**
 * The part of the provider both next-auth majors share. No runtime import of next-auth: the
 * object returned is plain, and the way a failure is signalled is handed in by the v4 or v5 entry.
 */

import type { Purpose, RequestHeaders } from '@tingting-auth/core';
import { createOTPProtocol, resolveProtocolOptions } from '@tingting-auth/core/protocol';
import type { SignInErrorCode } from './codes.js';
import { type EngineOption, lazyEngine, type ProxyOptions, platformIP } from './options.js';

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

/**
 * Build the shared provider; `fail` throws what the major turns into a generic sign-in error.
 * `extra` names the major's own options (checked by its entry).
 */
export function createProvider(
  options: TingTingProviderOptions,
  fail: (code: SignInErrorCode, cause?: unknown) => never,
  extra: readonly string[] = [],
): TingTingProviderConfig {
  const given: Partial<TingTingProviderOptions> = options ?? {};
  const resolved = resolveProtocolOptions(
    'TingTing',
    { ...given, engine: lazyEngine(given.engine) },
    {
      adapterOptions: ['id', 'name', 'getUser', 'credentials', ...extra],
      engineUsage: 'pass one, or a function that returns one',
      clientIPFromHeaders: true,
      // next-auth reads the body and checks its own CSRF token.
      without: [
        'crossSiteProtection',
        'allowedOrigins',
        'allowRequestsWithoutOrigin',
        'maxBodyInBytes',
      ],
    },
  );
  const otp = createOTPProtocol({ ...resolved, crossSiteProtection: false });
  const { id = 'tingting', name = 'TingTing', getUser = defaultUser, credentials = {} } = given;
  if (typeof id !== 'string' || !/^[a-z0-9][a-z0-9_-]*$/i.test(id)) {
    throw new TypeError('TingTing: `id` must be a non-empty URL-safe string, e.g. "tingting"');
  }
  for (const [key, value, type] of [
    ['name', name, 'string'],
    ['getUser', getUser, 'function'],
    ['credentials', credentials, 'object'],
  ] as const) {
    if (typeof value !== type || value === null)
      throw new TypeError(`TingTing: \`${key}\` must be a ${type}`);
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
      const headers: RequestHeaders =
        (request as { headers?: RequestHeaders } | undefined)?.headers ?? {};
      const clientIP = platformIPOf(headers);
      const result = await otp.verify({
        headers,
        fields,
        ...(clientIP === undefined ? {} : { clientIP }),
      });
      // Store down: fail closed with a generic code. The error rides along as `cause` for server
      // logs; it never reaches the URL (v4 would put a message there).
      if (!result.ok) fail(result.error.code as SignInErrorCode, result.error.cause);
      let user: TingTingUser | null;
      try {
        user = await getUser(result.value.phone);
      } catch (error) {
        fail('SERVICE_UNAVAILABLE', error);
      }
      if (user === null || typeof user !== 'object') fail('ACCESS_DENIED');
      return user;
    },
  };
}

function defaultUser(phone: string): TingTingUser {
  return { id: phone, phone };
}
