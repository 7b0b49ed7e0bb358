/** What both the provider and the send handler need beyond core's protocol: a lazy engine, the client IP. */

import type { OTPEngineAPI, RequestHeaders } from '@tingting-auth/core';
import { clientIPFromHeaders, isOTPEngine } from '@tingting-auth/core/protocol';

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
  /** Header holding the client IP (first entry of a list), with `trustProxy: true`. @default 'x-forwarded-for' */
  ipHeader?: string;
}

/** An engine that builds the real one on first use, or `value` as it is for the protocol to check. */
export function lazyEngine(value: unknown): unknown {
  if (typeof value !== 'function') return value;
  let built: Promise<OTPEngineAPI> | undefined;
  const get = (): Promise<OTPEngineAPI> => {
    built ??= Promise.resolve()
      .then(value as () => unknown)
      .then((engine) => {
        if (!isOTPEngine(engine)) throw new TypeError('`engine` did not return an OTPEngine');
        return engine;
      })
      .catch((error: unknown) => {
        built = undefined;
        throw error;
      });
    return built;
  };
  return {
    send: async (input) => (await get()).send(input),
    resend: async (input) => (await get()).resend(input),
    verify: async (input) => (await get()).verify(input),
  } satisfies Pick<OTPEngineAPI, 'send' | 'resend' | 'verify'>;
}

const WARNED = Symbol.for('@tingting-auth/next-auth.no-client-ip');

/**
 * The client IP the platform gives when the app did not say (`trustProxy` unset): Vercel's
 * `x-real-ip`. Elsewhere `undefined`, and with `warn` a warning once per process (never while
 * `next build` evaluates the route).
 */
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
