/**
 * Token lifetimes on our clock. An upstream's `exp` is a time on *its* clock; we keep only
 * durations from it (`exp − iat`, `valid_for`, a cookie's Max-Age) and add them to the time we
 * received the token, as openid-client's `expires_at = now() + expires_in` does. A skewed
 * upstream clock can then neither make a fresh token look expired nor an expired one fresh.
 *
 * @packageDocumentation
 */

const DAY_IN_MILLISECONDS = 86_400_000;

/**
 * The claims of a JWT, decoded and **not verified**: only for scheduling (when to refresh) and a
 * subject hint. The upstream checks the signature of every token it receives.
 */
export function decodeJWTClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1] === undefined || parts[1] === '') return undefined;
  try {
    const binary = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    const json: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return typeof json === 'object' && json !== null && !Array.isArray(json)
      ? (json as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** What is known about a token's lifetime. */
export interface LifetimeHints {
  /** A lifetime in seconds the upstream stated (`valid_for`, a cookie's Max-Age). */
  readonly seconds?: number | undefined;
  /** The token itself, when it is a JWT with `exp` (and `iat`). */
  readonly jwt?: string | undefined;
}

/** A lifetime from a JWT's `exp − iat` in ms (0 when exp ≤ iat); `undefined` when it has not both. */
export function jwtLifetimeInMilliseconds(token: string): number | undefined {
  const claims = decodeJWTClaims(token);
  if (claims === undefined) return undefined;
  const { exp, iat } = claims;
  if (typeof exp !== 'number' || typeof iat !== 'number') return undefined;
  if (!Number.isFinite(exp) || !Number.isFinite(iat)) return undefined;
  // exp ≤ iat: expired on arrival by its own claims.
  return Math.max(0, exp - iat) * 1000;
}

/**
 * When a token received at `receivedAt` (our clock) expires: the shortest of the lifetimes known
 * (`seconds`, the JWT's `exp − iat`), added to `receivedAt`. With only `exp`, `min(exp, receivedAt
 * + 1 day)` (UPSTREAM.md §2). `undefined` when nothing is known.
 */
export function computeExpiresAt(receivedAt: number, hints: LifetimeHints): number | undefined {
  const lifetimes: number[] = [];
  if (hints.seconds !== undefined && Number.isFinite(hints.seconds) && hints.seconds >= 0) {
    lifetimes.push(hints.seconds * 1000);
  }
  if (hints.jwt !== undefined) {
    const fromJWT = jwtLifetimeInMilliseconds(hints.jwt);
    if (fromJWT !== undefined) lifetimes.push(fromJWT);
    else if (lifetimes.length === 0) {
      const exp = decodeJWTClaims(hints.jwt)?.exp;
      if (typeof exp === 'number' && Number.isFinite(exp)) {
        return Math.min(exp * 1000, receivedAt + DAY_IN_MILLISECONDS);
      }
    }
  }
  return lifetimes.length === 0 ? undefined : receivedAt + Math.min(...lifetimes);
}

/** A subject from a JWT's claims: simplejwt's `user_id`, else `sub`. */
export function jwtSubject(token: string): string | undefined {
  const claims = decodeJWTClaims(token);
  const id = claims?.user_id ?? claims?.sub;
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))
    ? String(id)
    : undefined;
}
