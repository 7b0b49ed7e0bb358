/**
 * Edges of the token set and of upstreamFetch's base URL that the renderings do not show: what
 * `toJSON()` hands to a logger that reads its result directly, which properties a set without a
 * refresh token or a jar has at all (`'refreshToken' in tokens`), and inputs that only look like
 * the right type (a function carrying a cookie list, an object whose toString is a URL).
 */
import { describe, expect, it } from 'vitest';
import { createTokenSet } from '../../src/upstream/token-set.js';
import type { TokenSetRecord } from '../../src/upstream/types.js';
import { upstreamFetch } from '../../src/upstream/upstream-fetch.js';

const MINIMAL: TokenSetRecord = {
  accessToken: 'access-token-edges-0123456789',
  accessExpiresAt: 2000,
  receivedAt: 1000,
  tokenType: 'Bearer',
  generation: 0,
};

describe('a token set without a refresh token or a jar', () => {
  it('toJSON() itself has no key for them, not even an undefined one', () => {
    const set = createTokenSet(MINIMAL) as unknown as { toJSON(): unknown };
    // Some loggers walk toJSON()'s result with their own serializer instead of JSON.stringify.
    expect(set.toJSON()).toStrictEqual({
      tokenType: 'Bearer',
      accessExpiresAt: 2000,
      receivedAt: 1000,
      generation: 0,
      accessToken: '[redacted]',
    });
  });

  it("has no such property at all: 'refreshToken' in tokens is false", () => {
    const set = createTokenSet(MINIMAL);
    expect('refreshToken' in set).toBe(false);
    expect('cookies' in set).toBe(false);
    expect('refreshExpiresAt' in set).toBe(false);
    expect(Object.getOwnPropertyNames(set).sort()).toEqual([
      'accessExpiresAt',
      'accessToken',
      'generation',
      'receivedAt',
      'toJSON',
      'tokenType',
    ]);
  });
});

describe('inputs that only look right', () => {
  it('a function carrying a cookie list is not a serialized jar', () => {
    const cookies = Object.assign(() => undefined, { cookies: [] });
    expect(() => createTokenSet({ ...MINIMAL, cookies } as never)).toThrow(
      new TypeError('createTokenSet: cookies must be a serialized tough-cookie jar'),
    );
  });

  it('an object whose toString is a URL is not a base URL (only a string or a URL)', () => {
    const sessions = { getTokens: async () => createTokenSet(MINIMAL) };
    const lookalike = { toString: () => 'https://up.example' };
    expect(() => upstreamFetch(sessions, 's', { baseURL: lookalike as never })).toThrow(
      new TypeError("upstreamFetch: baseURL must be the upstream API's http(s) URL, got object"),
    );
  });
});
