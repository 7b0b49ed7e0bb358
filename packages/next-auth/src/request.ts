/** Reading what the adapters need from the request shapes next-auth v4, v5 and Next.js hand over. */

/** How to find the client's IP address behind a reverse proxy. */
export interface ProxyOptions {
  /**
   * Read the client IP from {@link ProxyOptions.ipHeader}. Only set this when a proxy you control
   * (Vercel, nginx, a load balancer) always sets that header: otherwise any client can pick its
   * own IP and escape the per-IP cap. Without it, Web `Request`s carry no client IP and the
   * engine's per-IP cap does not apply (the per-number limits always do).
   * @default false
   */
  trustProxy?: boolean;
  /**
   * Header holding the client IP; for a list (`x-forwarded-for: client, proxy1`), the first
   * entry is used.
   * @default 'x-forwarded-for'
   */
  ipHeader?: string;
}

type HeaderBag = { get(name: string): string | null };

/** Read one header from a Web `Headers`, a Node/next-auth v4 header record, or nothing. */
export function readHeader(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  if (typeof (headers as HeaderBag).get === 'function') {
    return (headers as HeaderBag).get(name) ?? undefined;
  }
  const value: unknown = (headers as Record<string, unknown>)[name.toLowerCase()];
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

/** The client IP per {@link ProxyOptions}, or `undefined`. */
export function clientIP(headers: unknown, options: Required<ProxyOptions>): string | undefined {
  if (!options.trustProxy) return undefined;
  const value = readHeader(headers, options.ipHeader);
  const first = value?.split(',')[0]?.trim();
  return first === undefined || first === '' || first.length > 64 ? undefined : first;
}

/** Resolve {@link ProxyOptions} defaults, validating them. */
export function resolveProxyOptions(options: ProxyOptions): Required<ProxyOptions> {
  const ipHeader = options.ipHeader ?? 'x-forwarded-for';
  if (typeof ipHeader !== 'string' || !/^[A-Za-z0-9-]+$/.test(ipHeader)) {
    throw new TypeError('ipHeader must be a header name, e.g. "x-forwarded-for"');
  }
  return { trustProxy: options.trustProxy === true, ipHeader: ipHeader.toLowerCase() };
}
