import type { OTPEngineAPI, Purpose } from '@tingting-auth/core';
import type { Request } from 'express';

/** Options of the {@link Strategy} (verify callback without the request). */
export interface StrategyOptions {
  /** The engine that sends and checks codes: an `OTPEngine` from `@tingting-auth/core`. */
  engine: OTPEngineAPI;
  /** Body field of the phone number. @default 'phone' */
  phoneField?: string;
  /** Body field of the code (verify step). @default 'code' */
  codeField?: string;
  /** Body field of the channel, `text` or `voice` (send step). @default 'channel' */
  channelField?: string;
  /** Body field of the voice of a call (send step). @default 'voice' */
  voiceField?: string;
  /** What the codes are for; a code sent for one purpose never verifies for another. @default 'sign-in' */
  purpose?: Purpose;
  /** The name to use with `passport.authenticate(name)`. @default 'tingting' */
  name?: string;
  /** Pass the request to the verify callback as its first argument. @default false */
  passReqToCallback?: false | undefined;
  /**
   * Refuse requests a browser sent from another site (`Sec-Fetch-Site`, else `Origin` against
   * `Host`) with `fail` 403 `CROSS_SITE_REQUEST`, before any code is sent or any attempt is spent.
   * `false` when the app protects these routes with a CSRF token library.
   * @default 'origin'
   */
  crossSiteProtection?: 'origin' | false;
  /** Other origins allowed to post (e.g. `['https://app.example.com']`), exact `scheme://host[:port]`. @default [] */
  allowedOrigins?: readonly string[];
  /**
   * The caller's IP address, for the engine's per-IP send cap. Set Express's `trust proxy`
   * behind a proxy, or read your proxy's header here.
   * @default (req) => req.ip
   */
  ip?: (req: Request) => string | undefined;
}

/** Options of the {@link Strategy} when the verify callback gets the request too. */
export interface StrategyOptionsWithRequest extends Omit<StrategyOptions, 'passReqToCallback'> {
  /** Pass the request to the verify callback as its first argument. */
  passReqToCallback: true;
}

/** The options with their defaults applied. */
export interface ResolvedOptions {
  engine: OTPEngineAPI;
  fields: { phone: string; code: string; channel: string; voice: string };
  purpose: Purpose;
  name: string;
  passReqToCallback: boolean;
  crossSiteProtection: 'origin' | false;
  allowedOrigins: ReadonlySet<string>;
  ip: (req: Request) => string | undefined;
}

const KNOWN = new Set([
  'engine',
  'phoneField',
  'codeField',
  'channelField',
  'voiceField',
  'purpose',
  'name',
  'passReqToCallback',
  'crossSiteProtection',
  'allowedOrigins',
  'ip',
]);

// The engine's own rule for purposes, checked here so a typo fails at startup, not per request.
const PURPOSE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

function fail(message: string): never {
  throw new TypeError(`TingTing Strategy: ${message}`);
}

function fieldName(options: Record<string, unknown>, key: string, fallback: string): string {
  const value = options[key] ?? fallback;
  if (typeof value !== 'string' || value === '') fail(`\`${key}\` must be a non-empty string`);
  return value;
}

function origin(value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {}
  if (
    url === undefined ||
    url.origin === 'null' ||
    url.origin !== String(value).replace(/\/$/, '')
  ) {
    fail(
      `allowedOrigins: ${JSON.stringify(value)} is not an origin like 'https://app.example.com'`,
    );
  }
  return url.origin;
}

function defaultIP(req: Request): string | undefined {
  return req.ip;
}

/** Validate the options and apply defaults, or throw an actionable `TypeError`. */
export function resolveOptions(options: unknown): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    fail('options are required: new Strategy({ engine }, (phone, done) => ...)');
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key)) fail(`unknown option \`${key}\`; known options: ${[...KNOWN].join(', ')}`);
  }
  const engine = o.engine as OTPEngineAPI | undefined;
  if (
    typeof engine !== 'object' ||
    engine === null ||
    typeof engine.send !== 'function' ||
    typeof engine.verify !== 'function'
  ) {
    fail(
      '`engine` must be an OTPEngine: new Strategy({ engine: new OTPEngine({ sender, secret }) }, verify)',
    );
  }
  const fields = {
    phone: fieldName(o, 'phoneField', 'phone'),
    code: fieldName(o, 'codeField', 'code'),
    channel: fieldName(o, 'channelField', 'channel'),
    voice: fieldName(o, 'voiceField', 'voice'),
  };
  if (new Set(Object.values(fields)).size !== 4) fail('the four body field names must differ');
  const purpose = o.purpose ?? 'sign-in';
  if (typeof purpose !== 'string' || !PURPOSE.test(purpose)) {
    fail('`purpose` must be 1-64 letters, digits, or . _ : - (e.g. "sign-in")');
  }
  const name = o.name ?? 'tingting';
  if (typeof name !== 'string' || name === '') fail('`name` must be a non-empty string');
  const passReqToCallback = o.passReqToCallback ?? false;
  if (typeof passReqToCallback !== 'boolean') fail('`passReqToCallback` must be a boolean');
  const crossSiteProtection = o.crossSiteProtection ?? 'origin';
  if (crossSiteProtection !== 'origin' && crossSiteProtection !== false) {
    fail(
      "`crossSiteProtection` must be 'origin' or false (when a CSRF token library protects the routes)",
    );
  }
  const origins = o.allowedOrigins ?? [];
  if (!Array.isArray(origins)) fail('`allowedOrigins` must be an array of origin strings');
  const ip = o.ip ?? defaultIP;
  if (typeof ip !== 'function') fail('`ip` must be a function (req) => string | undefined');
  return {
    engine,
    fields,
    purpose,
    name,
    passReqToCallback,
    crossSiteProtection,
    allowedOrigins: new Set(origins.map(origin)),
    ip: ip as ResolvedOptions['ip'],
  };
}
