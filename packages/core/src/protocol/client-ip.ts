/**
 * Finding the client IP where the host has no socket address to give (Web `Request`s).
 *
 * @packageDocumentation
 */

import { headerOf, type RequestHeaders } from '../cross-site.js';
import type { ResolvedProtocolOptions } from './options.js';

/**
 * The client IP from `options.ipHeader` (the first entry of a list) when `options.trustProxy` is
 * set, else `undefined`: a header any client can set is never trusted by default.
 */
export function clientIPFromHeaders(
  headers: RequestHeaders,
  options: Pick<ResolvedProtocolOptions, 'trustProxy' | 'ipHeader'>,
): string | undefined {
  if (!options.trustProxy) return undefined;
  const first = headerOf(headers, options.ipHeader)?.split(',')[0]?.trim();
  return first === undefined || first === '' || first.length > 64 ? undefined : first;
}
