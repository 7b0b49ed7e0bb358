/**
 * Building and copying {@link TokenSet}s: secrets non-enumerable, a redacted `util.inspect` and
 * `toJSON`, and a plain record form for session stores to seal.
 *
 * @packageDocumentation
 */

import type { SerializedCookieJar, TokenSet, TokenSetRecord } from './types.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

function finiteTime(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`createTokenSet: ${name} must be a finite number (epoch ms)`);
  }
  return value;
}

/**
 * In a record, a cookie whose value is the access or the refresh token says so
 * (`valueFrom: 'accessToken'`) instead of carrying the token a second time: a TingTing session's
 * two JWTs are most of its sealed size.
 */
type CookieValueSource = 'accessToken' | 'refreshToken';

function compactCookies(set: TokenSet): SerializedCookieJar {
  const jar = structuredClone(set.cookies) as SerializedCookieJar;
  return {
    ...jar,
    cookies: jar.cookies.map((cookie) => {
      const source: CookieValueSource | undefined =
        cookie.value === set.accessToken
          ? 'accessToken'
          : set.refreshToken !== undefined && cookie.value === set.refreshToken
            ? 'refreshToken'
            : undefined;
      if (source === undefined) return cookie;
      const { value: _value, ...rest } = cookie;
      return { ...rest, valueFrom: source };
    }),
  };
}

function expandCookies(record: TokenSetRecord): SerializedCookieJar {
  const jar = structuredClone(record.cookies) as SerializedCookieJar;
  return {
    ...jar,
    cookies: jar.cookies.map((cookie) => {
      if (cookie.valueFrom === undefined) return cookie;
      const { valueFrom, ...rest } = cookie;
      const value =
        valueFrom === 'accessToken'
          ? record.accessToken
          : valueFrom === 'refreshToken'
            ? record.refreshToken
            : undefined;
      if (value === undefined) {
        throw new TypeError(
          'createTokenSet: a cookie takes its value from a token the record lacks',
        );
      }
      return { ...rest, value };
    }),
  };
}

/** The public, non-secret fields, for `toJSON` and `inspect`. */
function describe(set: TokenSet): Record<string, unknown> {
  return {
    tokenType: set.tokenType,
    accessExpiresAt: set.accessExpiresAt,
    ...(set.refreshExpiresAt === undefined ? {} : { refreshExpiresAt: set.refreshExpiresAt }),
    receivedAt: set.receivedAt,
    generation: set.generation,
    accessToken: '[redacted]',
    ...(set.refreshToken === undefined ? {} : { refreshToken: '[redacted]' }),
    ...(set.cookies === undefined ? {} : { cookies: '[redacted]' }),
  };
}

/**
 * A {@link TokenSet} from plain data (a provider's parsed answer, or a record a session store
 * unsealed). The secrets become non-enumerable; `JSON.stringify` and `util.inspect` show
 * `[redacted]` in their place. The result is frozen.
 *
 * @throws {TypeError} a field is missing or of the wrong type.
 */
export function createTokenSet(record: TokenSetRecord): TokenSet {
  if (typeof record !== 'object' || record === null) {
    throw new TypeError('createTokenSet: a record is required');
  }
  if (typeof record.accessToken !== 'string' || record.accessToken === '') {
    throw new TypeError('createTokenSet: accessToken must be a non-empty string');
  }
  if (record.refreshToken !== undefined && typeof record.refreshToken !== 'string') {
    throw new TypeError('createTokenSet: refreshToken must be a string when given');
  }
  if (record.tokenType !== 'Bearer' && record.tokenType !== 'Cookie') {
    throw new TypeError("createTokenSet: tokenType must be 'Bearer' or 'Cookie'");
  }
  if (
    record.cookies !== undefined &&
    (typeof record.cookies !== 'object' ||
      record.cookies === null ||
      !Array.isArray(record.cookies.cookies))
  ) {
    throw new TypeError('createTokenSet: cookies must be a serialized tough-cookie jar');
  }
  if (!Number.isSafeInteger(record.generation) || record.generation < 0) {
    throw new TypeError('createTokenSet: generation must be an integer >= 0');
  }
  const set = {
    tokenType: record.tokenType,
    accessExpiresAt: finiteTime('accessExpiresAt', record.accessExpiresAt),
    ...(record.refreshExpiresAt === undefined
      ? {}
      : { refreshExpiresAt: finiteTime('refreshExpiresAt', record.refreshExpiresAt) }),
    receivedAt: finiteTime('receivedAt', record.receivedAt),
    generation: record.generation,
  } as TokenSet;
  const hidden = (key: string | symbol, value: unknown): void => {
    Object.defineProperty(set, key, { value, enumerable: false, writable: false });
  };
  hidden('accessToken', record.accessToken);
  if (record.refreshToken !== undefined && record.refreshToken !== '') {
    hidden('refreshToken', record.refreshToken);
  }
  if (record.cookies !== undefined) hidden('cookies', expandCookies(record));
  hidden('toJSON', () => describe(set));
  hidden(INSPECT, () => `TokenSet ${JSON.stringify(describe(set))}`);
  return Object.freeze(set);
}

/**
 * A {@link TokenSet} as a plain record with every secret: for a session store to seal (encrypt)
 * and for `createTokenSet` to rebuild. Never log it.
 */
export function tokenSetRecord(set: TokenSet): TokenSetRecord {
  return {
    accessToken: set.accessToken,
    ...(set.refreshToken === undefined ? {} : { refreshToken: set.refreshToken }),
    accessExpiresAt: set.accessExpiresAt,
    ...(set.refreshExpiresAt === undefined ? {} : { refreshExpiresAt: set.refreshExpiresAt }),
    receivedAt: set.receivedAt,
    tokenType: set.tokenType,
    ...(set.cookies === undefined ? {} : { cookies: compactCookies(set) }),
    generation: set.generation,
  };
}

/** The secret strings of a token set (access, refresh, cookie values), for scrubbing text. */
export function tokenSetSecrets(set: TokenSet): string[] {
  const secrets = [set.accessToken];
  if (set.refreshToken !== undefined) secrets.push(set.refreshToken);
  for (const cookie of set.cookies?.cookies ?? []) {
    if (typeof cookie.value === 'string') secrets.push(cookie.value);
  }
  return secrets;
}
