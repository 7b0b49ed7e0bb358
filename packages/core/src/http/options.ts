/**
 * Option checks shared by the HTTP clients (TingTing and the upstream token APIs): fail fast at
 * construction with a `TypeError` that says what to fix.
 *
 * @packageDocumentation
 */

import type { FetchLike } from './exchange.js';

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/** `value` as an integer >= `minimum`, or `fallback` when undefined. */
export function positiveInteger(
  owner: string,
  name: string,
  value: unknown,
  fallback: number,
  minimum = 1,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
    throw new TypeError(`${owner}: ${name} must be an integer >= ${minimum}, got ${String(value)}`);
  }
  return value;
}

/**
 * An API origin (a path prefix allowed, always ending in `/`): `https:`, or `http:` for a loopback
 * host only; no credentials, query or fragment.
 *
 * @param secretName what must not travel in clear, for the message (`the API token`).
 */
export function resolveBaseURL(
  owner: string,
  value: string,
  example: string,
  secretName: string,
): URL {
  let base: URL;
  try {
    base = new URL(value);
  } catch {
    throw new TypeError(`${owner}: baseURL must be an absolute URL, e.g. ${example}`);
  }
  if (base.protocol !== 'https:' && !(base.protocol === 'http:' && LOOPBACK.test(base.hostname))) {
    throw new TypeError(
      `${owner}: baseURL must use https: (http: only for localhost, 127.x.x.x or [::1]): ${secretName} must not travel in clear`,
    );
  }
  if (base.username !== '' || base.password !== '' || base.search !== '' || base.hash !== '') {
    throw new TypeError(`${owner}: baseURL must not contain credentials, a query or a fragment`);
  }
  if (!base.pathname.endsWith('/')) base.pathname = `${base.pathname}/`;
  return base;
}

/** The `fetch` option, else the global one. */
export function resolveFetch(owner: string, value: unknown): FetchLike {
  const fetchImpl = value ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') {
    throw new TypeError(`${owner}: fetch must be a function (Node >= 20 has a global fetch)`);
  }
  return fetchImpl as FetchLike;
}
