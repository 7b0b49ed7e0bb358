/** Checking the options of `TingTing()` and `createSendHandler()` once, at construction. */

import type { OTPEngineAPI } from '@tingting-auth/core';

/**
 * The engine, or a function that builds it on first use. A function keeps `next build` free of
 * runtime secrets and of the MemoryStore production warning (Next evaluates route modules while
 * it builds); it is called once, and again only after it threw.
 */
export type EngineOption = OTPEngineAPI | (() => OTPEngineAPI | Promise<OTPEngineAPI>);

/** How to find the client's IP address, for the engine's per-IP send cap. */
export interface ProxyOptions {
  /**
   * `true`: read the client IP from {@link ProxyOptions.ipHeader} (and trust `X-Forwarded-Host`);
   * only behind a proxy you control that always sets that header, or any client picks its own IP.
   * `false`: no client IP, so no per-IP cap (the per-number limits always apply).
   * Unset: on Vercel (`VERCEL=1`), the `x-real-ip` header Vercel sets; elsewhere no client IP,
   * and `createSendHandler` warns once (`TINGTING_NO_CLIENT_IP`).
   */
  trustProxy?: boolean;
  /** Header holding the client IP (first entry of a list); only with `trustProxy: true`. @default 'x-forwarded-for' */
  ipHeader?: string;
}

/** The client IP of a request's headers, or `undefined`. */
export type ClientIP = (headers: unknown) => string | undefined;

export function fail(owner: string, message: string): never {
  throw new TypeError(`${owner}: ${message}`);
}

/** `options` as a record with only `known` keys, or a `TypeError` naming the stranger. */
export function checkKeys(
  owner: string,
  options: unknown,
  known: readonly string[],
): Record<string, unknown> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    fail(owner, 'options must be an object');
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key))
      fail(owner, `unknown option \`${key}\`; known options: ${known.join(', ')}`);
  }
  return options as Record<string, unknown>;
}

/** Refuse a present value of the wrong type. */
export function checkType(
  owner: string,
  o: Record<string, unknown>,
  key: string,
  type: 'string' | 'boolean' | 'function' | 'object',
): void {
  const value = o[key];
  if (value !== undefined && (typeof value !== type || value === null)) {
    fail(owner, `\`${key}\` must be a${type === 'object' ? 'n' : ''} ${type}`);
  }
}

// The engine's own rule for purposes, checked here so a typo fails at start-up, not per request.
const PURPOSE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export function resolvePurpose(owner: string, value: unknown): string {
  const purpose = value ?? 'sign-in';
  if (typeof purpose !== 'string' || !PURPOSE.test(purpose)) {
    fail(owner, '`purpose` must be 1-64 letters, digits, or . _ : - (e.g. "sign-in")');
  }
  return purpose;
}

function isEngine(value: unknown): value is OTPEngineAPI {
  const engine = value as OTPEngineAPI | null;
  return (
    typeof engine === 'object' &&
    engine !== null &&
    typeof engine.send === 'function' &&
    typeof engine.resend === 'function' &&
    typeof engine.verify === 'function'
  );
}

/** The engine as a getter: checked now when given, at first use when built by a function. */
export function resolveEngine(owner: string, value: unknown): () => Promise<OTPEngineAPI> {
  const usage = `\`engine\` must be an OTPEngine from @tingting-auth/core, or a function returning one`;
  if (isEngine(value)) return () => Promise.resolve(value);
  if (typeof value !== 'function') fail(owner, usage);
  let built: Promise<OTPEngineAPI> | undefined;
  return () => {
    built ??= (async () => {
      const engine: unknown = await value();
      if (!isEngine(engine)) fail(owner, usage);
      return engine;
    })().catch((error: unknown) => {
      built = undefined;
      throw error;
    });
    return built;
  };
}

const env = (name: string): string | undefined =>
  typeof process === 'undefined' ? undefined : process.env[name];

const WARNED = Symbol.for('@tingting-auth/next-auth.no-client-ip');

/** Resolve {@link ProxyOptions}; `warn` says once per process when no IP can be found. */
export function resolveProxy(
  owner: string,
  o: Record<string, unknown>,
  warn: boolean,
): { clientIP: ClientIP; trustForwardedHost: boolean } {
  checkType(owner, o, 'trustProxy', 'boolean');
  const { trustProxy, ipHeader } = o;
  if (ipHeader !== undefined && trustProxy !== true) {
    fail(owner, '`ipHeader` is read only with `trustProxy: true`');
  }
  if (
    ipHeader !== undefined &&
    (typeof ipHeader !== 'string' || !/^[A-Za-z0-9-]+$/.test(ipHeader))
  ) {
    fail(owner, '`ipHeader` must be a header name, e.g. "x-forwarded-for"');
  }
  const header =
    trustProxy === true
      ? ((ipHeader as string | undefined) ?? 'x-forwarded-for').toLowerCase()
      : trustProxy === undefined && env('VERCEL') === '1'
        ? 'x-real-ip'
        : undefined;
  const g = globalThis as { [WARNED]?: true };
  if (header === undefined && trustProxy === undefined && warn && !g[WARNED]) {
    // `next build` evaluates route modules: no warning for a build, only for a server.
    if (env('NEXT_PHASE') !== 'phase-production-build') {
      g[WARNED] = true;
      process.emitWarning(
        `${owner}: no trustworthy client IP, so the engine's per-IP send cap is off (the per-number limits still apply). Behind a proxy you control that sets the client IP, pass { trustProxy: true } (and ipHeader when it is not x-forwarded-for); pass { trustProxy: false } to run without a per-IP cap and silence this warning.`,
        { code: 'TINGTING_NO_CLIENT_IP' },
      );
    }
  }
  return {
    clientIP: (headers) =>
      header === undefined ? undefined : firstIP(readHeader(headers, header)),
    trustForwardedHost: trustProxy === true,
  };
}

function firstIP(value: string | undefined): string | undefined {
  const first = value?.split(',')[0]?.trim();
  return first === undefined || first === '' || first.length > 64 ? undefined : first;
}

/** Read one header from a Web `Headers`, a Node/next-auth v4 header record, or nothing. */
function readHeader(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  if (typeof (headers as Headers).get === 'function')
    return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, unknown>)[name];
  if (typeof value === 'string') return value;
  return Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
}

/** `allowedOrigins` as a set of exact origins; an entry with a path is refused (as Express does). */
export function resolveOrigins(owner: string, value: unknown): Set<string> {
  if (value === undefined) return new Set();
  if (!Array.isArray(value)) fail(owner, '`allowedOrigins` must be an array of origin strings');
  return new Set(
    value.map((origin: unknown) => {
      let url: URL | undefined;
      try {
        url = new URL(String(origin));
      } catch {}
      if (
        typeof origin !== 'string' ||
        url === undefined ||
        url.origin === 'null' ||
        url.origin !== origin.replace(/\/$/, '')
      ) {
        fail(
          owner,
          `allowedOrigins: '${String(origin)}' must be an origin like https://example.com, no path`,
        );
      }
      return url.origin;
    }),
  );
}
