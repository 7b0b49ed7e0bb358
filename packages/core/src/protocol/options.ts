/**
 * Resolving and checking the options every adapter shares, with the same `TypeError`s everywhere.
 *
 * @packageDocumentation
 */

import { DEFAULT_PURPOSE, isPurpose, type OTPEngineAPI, type Purpose } from '../otp-types.js';

/** The options every adapter takes (each adapter adds its own; see {@link resolveProtocolOptions}). */
export interface ProtocolOptions {
  /** The engine: an `OTPEngine` (anything with `send` and `verify`). */
  engine: OTPEngineAPI;
  /** What the codes are for; a code sent for one purpose never verifies for another. @default 'sign-in' */
  purpose?: Purpose;
  /**
   * Refuse requests a browser sent from another site (`Sec-Fetch-Site`, else `Origin` against the
   * host) with 403 `CROSS_SITE_REQUEST`, before a body is read, a code sent or an attempt spent.
   * `false` when the app protects the routes itself (a CSRF token library).
   * @default 'origin'
   */
  crossSiteProtection?: 'origin' | false;
  /** Other origins allowed to post, exact `scheme://host[:port]` (no path). @default [] */
  allowedOrigins?: readonly string[];
  /**
   * Accept requests with neither `Origin` nor `Sec-Fetch-Site` (curl, server-to-server). Browsers
   * send one of them on every cross-site POST, so these cannot be cross-site forgeries.
   * @default true
   */
  allowRequestsWithoutOrigin?: boolean;
  /** Largest request body read, in bytes. @default 4096 */
  maxBodyInBytes?: number;
  /**
   * Hosts that find the client IP in a header (no socket address, e.g. Web `Request`s): read it
   * from {@link ProtocolOptions.ipHeader}, and count `X-Forwarded-Host` as the app's own host.
   * Only when a proxy you control always sets the header, or any client picks its own IP.
   * @default false
   */
  trustProxy?: boolean;
  /** Header holding the client IP (first entry of a list). @default 'x-forwarded-for' */
  ipHeader?: string;
}

/**
 * The request options every handler takes, with defaults applied: {@link ResolvedProtocolOptions}
 * without the engine and the purpose (what {@link resolveRequestOptions} gives the handlers that
 * need no OTP engine, such as password sign-in).
 */
export interface ResolvedRequestOptions {
  /** The adapter's name in messages, e.g. `createTingTingAuth`. */
  caller: string;
  /** `'origin'`, `false`, or the adapter's own CSRF middleware (which the adapter runs). */
  crossSiteProtection: 'origin' | false | ((...args: never[]) => unknown);
  allowedOrigins: ReadonlySet<string>;
  allowRequestsWithoutOrigin: boolean;
  maxBodyInBytes: number;
  trustProxy: boolean;
  ipHeader: string;
}

/** {@link ProtocolOptions} with defaults applied; what the one-time-code handlers take. */
export interface ResolvedProtocolOptions extends ResolvedRequestOptions {
  engine: OTPEngineAPI;
  purpose: Purpose;
}

/**
 * The type an adapter option must have when set: checked with the same `TypeError` everywhere
 * (`` `onVerified` must be a function ``). `'object|false'`: an options object or `false`.
 */
export type AdapterOptionKind = 'function' | 'boolean' | 'string' | 'object' | 'object|false';

/** What an adapter tells {@link resolveProtocolOptions} about itself. */
export interface AdapterSpec {
  /**
   * The adapter's own options, listed in the unknown-option error: names (the adapter checks the
   * values), or names with the kind each value must have when set (checked here).
   */
  adapterOptions?: readonly string[] | Readonly<Record<string, AdapterOptionKind>>;
  /** The engine, when the adapter takes it as an argument (`createTingTingAuth(engine, options)`). */
  engine?: unknown;
  /** How to write the engine in the error for a missing or wrong one. */
  engineUsage?: string;
  /** The adapter finds the client IP in headers: accept `trustProxy` and `ipHeader`. @default false */
  clientIPFromHeaders?: boolean;
  /** The adapter can run a CSRF middleware: accept a function as `crossSiteProtection`. @default false */
  crossSiteMiddleware?: boolean;
  /**
   * Shared options the adapter does not take, refused as unknown (next-auth's provider: next-auth
   * reads the body and checks its own CSRF token, so the body and cross-site options mean nothing).
   */
  without?: readonly string[];
}

/** The default of {@link ProtocolOptions.maxBodyInBytes}: one value for every adapter. */
export const DEFAULT_MAX_BODY_IN_BYTES = 4096;
const MIN_BODY = 64;
const MAX_BODY = 1_048_576;

const ENGINE_OPTIONS = ['engine', 'purpose'] as const;
const REQUEST_OPTIONS = [
  'crossSiteProtection',
  'allowedOrigins',
  'allowRequestsWithoutOrigin',
  'maxBodyInBytes',
] as const;

/** `true` when `value` has the engine operations the handlers call (`send`, `verify`). */
export function isOTPEngine(value: unknown): value is OTPEngineAPI {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as OTPEngineAPI).send === 'function' &&
    typeof (value as OTPEngineAPI).verify === 'function'
  );
}

/**
 * An origin as browsers send it (`scheme://host[:port]`), or a `TypeError` naming the mistake. A
 * path, a query or a fragment is refused, not trimmed: `https://app.example.com/login` is a typo
 * for something, and silently trimming it would allow the whole origin.
 */
export function originOf(caller: string, value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {}
  if (url === undefined || url.origin === 'null' || !/^https?:$/.test(url.protocol)) {
    throw new TypeError(
      `${caller}: allowedOrigins: ${JSON.stringify(value)} is not an origin like 'https://app.example.com'`,
    );
  }
  if (url.origin !== String(value).replace(/\/$/, '').toLowerCase()) {
    throw new TypeError(
      `${caller}: allowedOrigins: ${JSON.stringify(value)} must be an origin only (scheme://host[:port]), no path`,
    );
  }
  return url.origin;
}

/**
 * Check `options` against every name the adapter knows, then resolve the shared ones. Throws a
 * `TypeError` starting with `caller:` for a wrong value or a name nobody knows
 * (`unknown option \`purpse\`; known options: engine, purpose, …`), so a typo fails at start-up,
 * never silently per request.
 */
export function resolveProtocolOptions(
  caller: string,
  options: unknown,
  spec: AdapterSpec = {},
): ResolvedProtocolOptions {
  return resolve(caller, options, spec, true) as ResolvedProtocolOptions;
}

/**
 * {@link resolveProtocolOptions} for handlers that need no OTP engine (password sign-in): the same
 * checks and `TypeError`s for the request options (`crossSiteProtection`, `allowedOrigins`,
 * `allowRequestsWithoutOrigin`, `maxBodyInBytes`, `trustProxy`/`ipHeader` with
 * `clientIPFromHeaders`, the adapter's own options); `engine` and `purpose` are unknown options.
 */
export function resolveRequestOptions(
  caller: string,
  options: unknown,
  spec: Omit<AdapterSpec, 'engine' | 'engineUsage'> = {},
): ResolvedRequestOptions {
  return resolve(caller, options, spec, false);
}

function resolve(
  caller: string,
  options: unknown,
  spec: AdapterSpec,
  withEngine: boolean,
): ResolvedRequestOptions | ResolvedProtocolOptions {
  const fail = (message: string): never => {
    throw new TypeError(`${caller}: ${message}`);
  };
  const engineIsArgument = withEngine && 'engine' in spec;
  if (options === undefined && engineIsArgument) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    fail('options must be an object');
  }
  const o = options as Record<string, unknown>;
  const known: string[] = [
    ...(withEngine ? ENGINE_OPTIONS : []).filter(
      (name) => !(engineIsArgument && name === 'engine') && !spec.without?.includes(name),
    ),
    ...REQUEST_OPTIONS.filter((name) => !spec.without?.includes(name)),
    ...(spec.clientIPFromHeaders === true ? ['trustProxy', 'ipHeader'] : []),
    ...(Array.isArray(spec.adapterOptions)
      ? spec.adapterOptions
      : Object.keys(spec.adapterOptions ?? {})),
  ];
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) fail(`unknown option \`${key}\`; known options: ${known.join(', ')}`);
  }
  if (!Array.isArray(spec.adapterOptions)) {
    const kinds = (spec.adapterOptions ?? {}) as Readonly<Record<string, AdapterOptionKind>>;
    for (const [name, kind] of Object.entries(kinds)) {
      const value = o[name];
      if (value === undefined || (kind === 'object|false' && value === false)) continue;
      const type = value === null || Array.isArray(value) ? 'null' : typeof value;
      if (type !== kind.split('|')[0]) {
        fail(`\`${name}\` must be ${kind === 'object|false' ? 'an object or false' : `a ${kind}`}`);
      }
    }
  }
  const engine = engineIsArgument ? spec.engine : o.engine;
  if (withEngine && !isOTPEngine(engine)) {
    fail(
      `${engineIsArgument ? 'the first argument' : '`engine`'} must be an OTPEngine from @tingting-auth/core${
        spec.engineUsage === undefined ? '' : `: ${spec.engineUsage}`
      }`,
    );
  }
  const purpose = o.purpose ?? DEFAULT_PURPOSE;
  if (withEngine && !isPurpose(purpose)) {
    fail('`purpose` must be 1-64 letters, digits, or . _ : - (e.g. "sign-in")');
  }
  const protection = o.crossSiteProtection ?? 'origin';
  if (
    protection !== 'origin' &&
    protection !== false &&
    !(spec.crossSiteMiddleware === true && typeof protection === 'function')
  ) {
    fail(
      `\`crossSiteProtection\` must be 'origin' or false${
        spec.crossSiteMiddleware === true ? ', or a CSRF middleware' : ''
      } (false when a CSRF token library protects the routes)`,
    );
  }
  const origins = o.allowedOrigins ?? [];
  if (!Array.isArray(origins)) fail('`allowedOrigins` must be an array of origin strings');
  const allowMissing = o.allowRequestsWithoutOrigin ?? true;
  if (typeof allowMissing !== 'boolean') fail('`allowRequestsWithoutOrigin` must be a boolean');
  const maxBody = o.maxBodyInBytes ?? DEFAULT_MAX_BODY_IN_BYTES;
  if (
    !Number.isSafeInteger(maxBody) ||
    (maxBody as number) < MIN_BODY ||
    (maxBody as number) > MAX_BODY
  ) {
    fail(`\`maxBodyInBytes\` must be a whole number of bytes from ${MIN_BODY} to ${MAX_BODY}`);
  }
  const trustProxy = o.trustProxy ?? false;
  if (typeof trustProxy !== 'boolean') fail('`trustProxy` must be a boolean');
  const ipHeader = o.ipHeader ?? 'x-forwarded-for';
  if (typeof ipHeader !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(ipHeader)) {
    fail('`ipHeader` must be a header name, e.g. "x-forwarded-for"');
  }
  const request: ResolvedRequestOptions = {
    caller,
    crossSiteProtection: protection as ResolvedRequestOptions['crossSiteProtection'],
    allowedOrigins: new Set((origins as unknown[]).map((value) => originOf(caller, value))),
    allowRequestsWithoutOrigin: allowMissing as boolean,
    maxBodyInBytes: maxBody as number,
    trustProxy: trustProxy as boolean,
    ipHeader: (ipHeader as string).toLowerCase(),
  };
  if (!withEngine) return request;
  return { ...request, engine: engine as OTPEngineAPI, purpose: purpose as Purpose };
}
