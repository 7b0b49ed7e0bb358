import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OTPEngineAPI, VerifySuccess } from '@tingting-auth/core';
import {
  type ProtocolOptions,
  type ResolvedProtocolOptions,
  resolveProtocolOptions,
} from '@tingting-auth/core/protocol';
import type { Options as RateLimitLibraryOptions } from 'express-rate-limit';
import type { Middleware, VerifiedIdentity } from './types.js';

/**
 * Options of one `express-rate-limit` limiter, passed through (`limit`, `windowMs`, `store`,
 * `keyGenerator`, …). `handler` is always this package's (it answers 429 `RATE_LIMITED`).
 * @see https://express-rate-limit.mintlify.app/reference/configuration
 */
export type RateLimitOptions = Partial<Omit<RateLimitLibraryOptions, 'handler'>>;

/** Where form posts from browsers go after each step (see {@link TingTingExpressOptions.redirects}). */
export interface RedirectOptions {
  /** After a code was sent: the code page. A refused verify comes back here too (with the error). */
  afterSend: string;
  /** After the number was verified. */
  afterVerify: string;
  /** After a refused send or sign-out (the error is in `formState`, or `?error=CODE` without a session). */
  onError: string;
  /** After sign-out. @default '/' */
  afterSignOut?: string;
  /** Where `requireVerified` sends a browser's page request that is not signed in. Unset: a 401. */
  signIn?: string;
}

/** Options of `createTingTingAuth`; every one is optional. The shared ones are core's `ProtocolOptions`. */
export interface TingTingExpressOptions
  extends Omit<ProtocolOptions, 'engine' | 'crossSiteProtection' | 'trustProxy' | 'ipHeader'> {
  /**
   * Called when a code was right, instead of the default session integration: call `req.login`,
   * set your own cookie, or mint a token here. Answer the request yourself, or let the router
   * answer (200 JSON, or a redirect to `redirects.afterVerify` for a form post).
   */
  onVerified?(req: IncomingMessage, res: ServerResponse, result: VerifySuccess): unknown;
  /** Called by `signOut` (after the session key is cleared, if there is a session). */
  onSignOut?(req: IncomingMessage, res: ServerResponse): unknown;
  /** How `requireVerified` finds the verified number when you use `onVerified`. @default reads `req.session[sessionKey]` */
  getVerified?(
    req: IncomingMessage,
  ): VerifiedIdentity | undefined | Promise<VerifiedIdentity | undefined>;
  /** Session property of the verified number (`req.session.tingting`). @default 'tingting' */
  sessionKey?: string;
  /**
   * `'origin'` (refuse cross-site browser requests, 403 `CROSS_SITE_REQUEST`), your CSRF
   * middleware (e.g. csrf-csrf's `doubleCsrfProtection`; its refusal becomes the same 403), or
   * `false` (you protect the routes yourself). @default 'origin'
   */
  crossSiteProtection?: 'origin' | Middleware | false;
  /**
   * Per-IP limits (express-rate-limit, keyed by `req.ip`), on top of the engine's per-number
   * limits. `false` turns one off. Each process counts alone unless you pass a shared `store`.
   * @default { send: { limit: 30, windowMs: 15 min }, verify: { limit: 60, windowMs: 15 min } }
   */
  rateLimit?: { send?: RateLimitOptions | false; verify?: RateLimitOptions | false } | false;
  /**
   * Answer browser form posts (URL-encoded bodies that accept HTML) with 303 redirects instead of
   * JSON, for pages that work without JavaScript; the pages read `formState(req)`. Unset: JSON only,
   * and the session is never written before sign-in.
   */
  redirects?: RedirectOptions;
}

/** Express's own options with defaults applied, beside the protocol's. */
export interface ResolvedOptions {
  protocol: ResolvedProtocolOptions;
  onVerified: TingTingExpressOptions['onVerified'];
  onSignOut: TingTingExpressOptions['onSignOut'];
  getVerified: TingTingExpressOptions['getVerified'];
  sessionKey: string;
  formKey: string;
  rateLimit: { send: RateLimitOptions | false; verify: RateLimitOptions | false };
  redirects: (Required<Omit<RedirectOptions, 'signIn'>> & { signIn?: string }) | undefined;
}

const CALLER = 'createTingTingAuth';
const FIFTEEN_MINUTES = 15 * 60 * 1_000;

function fail(message: string): never {
  throw new TypeError(`${CALLER}: ${message}`);
}

function redirectTarget(name: string, value: unknown): string {
  // A path or an absolute http(s) URL; never a protocol-relative `//host` (another origin).
  if (typeof value !== 'string' || !/^(\/(?![/\\])|https?:\/\/)/.test(value)) {
    fail(`redirects.${name} must be a path like '/account' (or an absolute http(s) URL)`);
  }
  return value;
}

function limitOf(name: string, value: unknown, limit: number): RateLimitOptions | false {
  if (value === false) return false;
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    fail(`rateLimit.${name} must be express-rate-limit options (e.g. { limit: 10 }) or false`);
  }
  if (value !== undefined && 'handler' in value) {
    fail(`rateLimit.${name}.handler cannot be replaced: the router answers 429 RATE_LIMITED`);
  }
  return { limit, windowMs: FIFTEEN_MINUTES, ...(value as RateLimitOptions | undefined) };
}

/** Validate `options` (core checks the shared ones) and apply defaults, or throw a `TypeError`. */
export function resolveOptions(engine: OTPEngineAPI, options: unknown): ResolvedOptions {
  const protocol = resolveProtocolOptions(CALLER, options, {
    engine,
    engineUsage: 'createTingTingAuth(new OTPEngine({ sender, secret }), options)',
    crossSiteMiddleware: true,
    adapterOptions: [
      'onVerified',
      'onSignOut',
      'getVerified',
      'sessionKey',
      'rateLimit',
      'redirects',
    ],
  });
  const o = (options ?? {}) as TingTingExpressOptions;
  for (const hook of ['onVerified', 'onSignOut', 'getVerified'] as const) {
    if (o[hook] !== undefined && typeof o[hook] !== 'function')
      fail(`\`${hook}\` must be a function`);
  }
  const sessionKey = o.sessionKey ?? 'tingting';
  if (typeof sessionKey !== 'string' || !/^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/.test(sessionKey)) {
    fail('`sessionKey` must be an identifier like "tingting"');
  }
  if (sessionKey === 'cookie' || sessionKey === 'id') {
    fail(`\`sessionKey\` cannot be "${sessionKey}": express-session uses it`);
  }
  const limits = (o.rateLimit ?? {}) as Record<string, unknown> | false;
  if (limits !== false && (typeof limits !== 'object' || limits === null)) {
    fail('`rateLimit` must be { send?, verify? } or false');
  }
  let redirects: ResolvedOptions['redirects'];
  if (o.redirects !== undefined) {
    const r = o.redirects as unknown as Record<string, unknown>;
    if (typeof r !== 'object' || r === null) {
      fail('`redirects` must be { afterSend, afterVerify, onError, afterSignOut?, signIn? }');
    }
    redirects = {
      afterSend: redirectTarget('afterSend', r.afterSend),
      afterVerify: redirectTarget('afterVerify', r.afterVerify),
      onError: redirectTarget('onError', r.onError),
      afterSignOut: redirectTarget('afterSignOut', r.afterSignOut ?? '/'),
      ...(r.signIn === undefined ? {} : { signIn: redirectTarget('signIn', r.signIn) }),
    };
  }
  return {
    protocol,
    onVerified: o.onVerified,
    onSignOut: o.onSignOut,
    getVerified: o.getVerified,
    sessionKey,
    formKey: `${sessionKey}Form`,
    rateLimit: {
      send: limits === false ? false : limitOf('send', limits.send, 30),
      verify: limits === false ? false : limitOf('verify', limits.verify, 60),
    },
    redirects,
  };
}
