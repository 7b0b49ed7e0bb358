import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Purpose, VerifySuccess } from '@tingting-auth/core';
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
  /** After a code was sent. */
  afterSend: string;
  /** After the number was verified. */
  afterVerify: string;
  /** After any refused form post (the error is in {@link TingTingExpress.formState}, or `?error=CODE` without a session). */
  onError: string;
  /** After sign-out. @default afterVerify's origin root: `'/'` */
  afterSignOut?: string;
  /** Where {@link TingTingExpress.requireVerified} sends a browser's page request that is not signed in. Unset: a 401. */
  signIn?: string;
}

/** Options of {@link createTingTingAuth}. Every option is optional. */
export interface TingTingExpressOptions {
  /** Purpose of the codes this router issues and checks; codes never cross purposes. @default 'sign-in' */
  purpose?: Purpose;
  /**
   * Called when a code was right, instead of the default session integration: call `req.login`,
   * set your own cookie, or mint a token here. Answer the request yourself, or let the router
   * answer (200 JSON, or a redirect to `redirects.afterVerify` for a form post).
   */
  onVerified?(req: IncomingMessage, res: ServerResponse, result: VerifySuccess): unknown;
  /** Called by `signOut` (after the session key is cleared, if there is a session). */
  onSignOut?(req: IncomingMessage, res: ServerResponse): unknown;
  /**
   * How {@link TingTingExpress.requireVerified} finds the verified number when you use `onVerified`
   * (e.g. `(req) => req.user && { phone: req.user.phone, verifiedAt: … }`).
   * @default reads `req.session[sessionKey]`
   */
  getVerified?(
    req: IncomingMessage,
  ): VerifiedIdentity | undefined | Promise<VerifiedIdentity | undefined>;
  /** Session property of the verified number (`req.session.tingting`). @default 'tingting' */
  sessionKey?: string;
  /**
   * Cross-site request protection, checked before any SMS is sent or any attempt is spent.
   * - `'origin'`: refuse browser requests whose `Sec-Fetch-Site` / `Origin` is another site (403 `CROSS_SITE_REQUEST`).
   * - a middleware: your CSRF protection, e.g. csrf-csrf's `doubleCsrfProtection` (its refusal becomes 403 `CROSS_SITE_REQUEST`).
   * - `false`: you protect the routes yourself.
   * @default 'origin'
   */
  crossSiteProtection?: 'origin' | Middleware | false;
  /** Other origins allowed to post (e.g. `['https://app.example.com']`), exact `scheme://host[:port]`. @default [] */
  allowedOrigins?: readonly string[];
  /**
   * Accept requests with neither `Origin` nor `Sec-Fetch-Site` (curl, server-to-server). Browsers
   * send one of them on every cross-site POST, so these requests cannot be cross-site forgeries.
   * @default true
   */
  allowRequestsWithoutOrigin?: boolean;
  /**
   * Per-IP limits (express-rate-limit), on top of the engine's per-number limits. `false` turns one off.
   * Each process counts alone unless you pass a shared `store` (rate-limit-redis).
   * @default { send: { limit: 30, windowMs: 15 min }, verify: { limit: 60, windowMs: 15 min } }
   */
  rateLimit?: { send?: RateLimitOptions | false; verify?: RateLimitOptions | false } | false;
  /**
   * Answer browser form posts (URL-encoded bodies that accept HTML) with 303 redirects instead of
   * JSON, for pages that work without JavaScript. Unset: always JSON.
   */
  redirects?: RedirectOptions;
  /** Largest accepted body (body-parser syntax). @default '4kb' */
  bodyLimit?: string | number;
}

/** Options with defaults applied. */
export interface ResolvedOptions {
  purpose: Purpose;
  onVerified: TingTingExpressOptions['onVerified'];
  onSignOut: TingTingExpressOptions['onSignOut'];
  getVerified: TingTingExpressOptions['getVerified'];
  sessionKey: string;
  formKey: string;
  crossSiteProtection: 'origin' | Middleware | false;
  allowedOrigins: ReadonlySet<string>;
  allowRequestsWithoutOrigin: boolean;
  rateLimit: { send: RateLimitOptions | false; verify: RateLimitOptions | false };
  redirects: (RedirectOptions & { afterSignOut: string }) | undefined;
  bodyLimit: string | number;
}

const KNOWN = [
  'purpose',
  'onVerified',
  'onSignOut',
  'getVerified',
  'sessionKey',
  'crossSiteProtection',
  'allowedOrigins',
  'allowRequestsWithoutOrigin',
  'rateLimit',
  'redirects',
  'bodyLimit',
];

const FIFTEEN_MINUTES = 15 * 60 * 1_000;
const PURPOSE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const SESSION_KEY = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/;

function fail(message: string): never {
  throw new TypeError(`createTingTingAuth: ${message}`);
}

function optionalFunction(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') fail(`\`${name}\` must be a function`);
}

function redirectTarget(name: string, value: unknown): string {
  // A relative path or an absolute http(s) URL; never a protocol-relative `//host`, which
  // browsers treat as another origin.
  if (typeof value !== 'string' || !/^(\/(?![/\\])|https?:\/\/)/.test(value)) {
    fail(`redirects.${name} must be a path like '/account' (or an absolute http(s) URL)`);
  }
  return value;
}

function resolveLimit(
  name: 'send' | 'verify',
  value: unknown,
  defaultLimit: number,
): RateLimitOptions | false {
  if (value === false) return false;
  if (value === undefined) return { limit: defaultLimit, windowMs: FIFTEEN_MINUTES };
  if (typeof value !== 'object' || value === null) {
    fail(`rateLimit.${name} must be express-rate-limit options (e.g. { limit: 10 }) or false`);
  }
  if ('handler' in value) {
    fail(`rateLimit.${name}.handler cannot be replaced: the router answers 429 RATE_LIMITED`);
  }
  return { limit: defaultLimit, windowMs: FIFTEEN_MINUTES, ...(value as RateLimitOptions) };
}

function normaliseOrigin(value: unknown): string {
  if (typeof value !== 'string') fail('allowedOrigins must be an array of origin strings');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(`allowedOrigins: '${value}' is not a URL origin like 'https://app.example.com'`);
  }
  if (url.origin === 'null' || url.origin !== value.replace(/\/$/, '')) {
    fail(`allowedOrigins: '${value}' must be an origin only (scheme://host[:port]), no path`);
  }
  return url.origin;
}

/** Validate `options` and apply defaults, or throw an actionable `TypeError`. */
export function resolveOptions(options: unknown): ResolvedOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null) fail('options must be an object');
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) fail(`unknown option \`${key}\`; known options: ${KNOWN.join(', ')}`);
  }
  const o = options as TingTingExpressOptions;
  const purpose = o.purpose ?? 'sign-in';
  if (typeof purpose !== 'string' || !PURPOSE.test(purpose)) {
    fail('`purpose` must be 1-64 letters, digits, or . _ : - (e.g. "sign-in")');
  }
  optionalFunction('onVerified', o.onVerified);
  optionalFunction('onSignOut', o.onSignOut);
  optionalFunction('getVerified', o.getVerified);
  const sessionKey = o.sessionKey ?? 'tingting';
  if (typeof sessionKey !== 'string' || !SESSION_KEY.test(sessionKey)) {
    fail('`sessionKey` must be an identifier like "tingting"');
  }
  if (sessionKey === 'cookie' || sessionKey === 'id') {
    fail(`\`sessionKey\` cannot be "${sessionKey}": express-session uses it`);
  }
  const protection = o.crossSiteProtection ?? 'origin';
  if (protection !== 'origin' && protection !== false && typeof protection !== 'function') {
    fail(
      "`crossSiteProtection` must be 'origin', false, or a CSRF middleware such as csrf-csrf's doubleCsrfProtection",
    );
  }
  const origins = o.allowedOrigins ?? [];
  if (!Array.isArray(origins)) fail('allowedOrigins must be an array of origin strings');
  const allowMissing = o.allowRequestsWithoutOrigin ?? true;
  if (typeof allowMissing !== 'boolean') fail('`allowRequestsWithoutOrigin` must be a boolean');
  const limits = o.rateLimit ?? {};
  if (limits !== false && (typeof limits !== 'object' || limits === null)) {
    fail('`rateLimit` must be { send?, verify? } or false');
  }
  const rateLimit =
    limits === false
      ? { send: false as const, verify: false as const }
      : {
          send: resolveLimit('send', limits.send, 30),
          verify: resolveLimit('verify', limits.verify, 60),
        };
  let redirects: ResolvedOptions['redirects'];
  if (o.redirects !== undefined) {
    const r = o.redirects as unknown;
    if (typeof r !== 'object' || r === null) {
      fail('`redirects` must be { afterSend, afterVerify, onError, afterSignOut?, signIn? }');
    }
    const given = r as RedirectOptions;
    redirects = {
      afterSend: redirectTarget('afterSend', given.afterSend),
      afterVerify: redirectTarget('afterVerify', given.afterVerify),
      onError: redirectTarget('onError', given.onError),
      afterSignOut: redirectTarget('afterSignOut', given.afterSignOut ?? '/'),
      ...(given.signIn === undefined ? {} : { signIn: redirectTarget('signIn', given.signIn) }),
    };
  }
  const bodyLimit = o.bodyLimit ?? '4kb';
  if (
    !(typeof bodyLimit === 'string' && /^\d+(\.\d+)?\s*(b|kb|mb)?$/i.test(bodyLimit)) &&
    !(typeof bodyLimit === 'number' && Number.isInteger(bodyLimit) && bodyLimit > 0)
  ) {
    fail("`bodyLimit` must be a byte count or a size like '4kb'");
  }
  return {
    purpose,
    onVerified: o.onVerified,
    onSignOut: o.onSignOut,
    getVerified: o.getVerified,
    sessionKey,
    formKey: `${sessionKey}Form`,
    crossSiteProtection: protection,
    allowedOrigins: new Set(origins.map(normaliseOrigin)),
    allowRequestsWithoutOrigin: allowMissing,
    rateLimit,
    redirects,
    bodyLimit,
  };
}
