/** What the provider and the send handler add to core's protocol: a lazy engine, the client IP. */

import type { OTPEngineAPI, RequestHeaders } from '@tingting-auth/core';
import {
  type AdapterOptionKind,
  type AdapterSpec,
  clientIPFromHeaders,
  isOTPEngine,
} from '@tingting-auth/core/protocol';

/**
 * The engine, or a function that builds it on first use (called once, again only after it threw),
 * so `next build`, which evaluates route modules, needs no runtime secret and creates no store.
 */
export type EngineOption = OTPEngineAPI | (() => OTPEngineAPI | Promise<OTPEngineAPI>);

/** How to find the client's IP address, for the engine's per-IP send cap. */
export interface ProxyOptions {
  /**
   * `true`: read {@link ProxyOptions.ipHeader} (and trust `X-Forwarded-Host`), only behind a proxy
   * you control that always sets it. `false`: no client IP, no per-IP cap. Unset: Vercel's
   * `x-real-ip` on Vercel; elsewhere none, and `createSendHandler` warns once (`TINGTING_NO_CLIENT_IP`).
   */
  trustProxy?: boolean;
  /** Header holding the client IP (first entry of a list). @default 'x-forwarded-for' */
  ipHeader?: string;
}

/** An engine that builds the real one on first use; anything else as it is, for core to check. */
export function lazyEngine(value: unknown): unknown {
  if (typeof value !== 'function') return value;
  let built: Promise<OTPEngineAPI> | undefined;
  const get = (): Promise<OTPEngineAPI> =>
    (built ??= (async () => {
      const engine: unknown = await value();
      if (!isOTPEngine(engine)) throw new TypeError('`engine` did not return an OTPEngine');
      return engine;
    })().catch((error: unknown) => {
      built = undefined;
      throw error;
    }));
  return {
    send: async (input) => (await get()).send(input),
    resend: async (input) => (await get()).resend(input),
    verify: async (input) => (await get()).verify(input),
  } satisfies Pick<OTPEngineAPI, 'send' | 'resend' | 'verify'>;
}

/**
 * What both credentials providers tell core about themselves: their own options (and `extra`, a
 * major's own), the client IP from headers, and no body or cross-site options (next-auth reads
 * the body and checks its own CSRF token).
 */
export function credentialsSpec(extra: Readonly<Record<string, AdapterOptionKind>>): AdapterSpec {
  return {
    adapterOptions: {
      id: 'string',
      name: 'string',
      getUser: 'function',
      credentials: 'object',
      sessions: 'object',
      ...extra,
    },
    clientIPFromHeaders: true,
    without: [
      'crossSiteProtection',
      'allowedOrigins',
      'allowRequestsWithoutOrigin',
      'maxBodyInBytes',
    ],
  };
}

const WARNED = Symbol.for('@tingting-auth/next-auth.no-client-ip');

/** The client IP a platform sets when `trustProxy` is unset (Vercel); else none, and `warn` once. */
export function platformIP(
  owner: string,
  trustProxy: unknown,
  warn: boolean,
): (headers: RequestHeaders) => string | undefined {
  const env: Record<string, string | undefined> = typeof process === 'undefined' ? {} : process.env;
  if (trustProxy === undefined && env.VERCEL === '1') {
    return (headers) => clientIPFromHeaders(headers, { trustProxy: true, ipHeader: 'x-real-ip' });
  }
  const g = globalThis as { [WARNED]?: true };
  // Not while `next build` evaluates the route: only a server needs telling.
  if (
    trustProxy === undefined &&
    warn &&
    !g[WARNED] &&
    env.NEXT_PHASE !== 'phase-production-build'
  ) {
    g[WARNED] = true;
    process.emitWarning(
      `${owner}: no trustworthy client IP, so the engine's per-IP send cap is off (the per-number limits still apply). Behind a proxy you control that sets the client IP, pass { trustProxy: true } (and ipHeader when it is not x-forwarded-for); pass { trustProxy: false } to run without a per-IP cap and silence this warning.`,
      { code: 'TINGTING_NO_CLIENT_IP' },
    );
  }
  return () => undefined;
}
