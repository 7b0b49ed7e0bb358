/**
 * Token expiry is computed on our clock: only durations come from the upstream, added to the
 * time we received the token. An upstream clock far ahead or behind changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { computeExpiresAt, decodeJWTClaims } from '../../src/upstream/index.js';

const RECEIVED = Date.UTC(2026, 0, 15, 6, 0, 0);

/** An unsigned JWT with these claims (the signature is never checked here). */
function jwt(claims: unknown): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.c2ln`;
}

describe('computeExpiresAt', () => {
  it('adds a stated lifetime (valid_for, Max-Age) to the receipt time', () => {
    expect(computeExpiresAt(RECEIVED, { seconds: 7200 })).toBe(RECEIVED + 7_200_000);
  });

  it('takes exp − iat from a JWT, whatever clock the upstream keeps', () => {
    for (const upstreamSkewInSeconds of [-86_400 * 365, -600, 0, 600, 86_400 * 365]) {
      const iat = RECEIVED / 1000 + upstreamSkewInSeconds;
      expect(computeExpiresAt(RECEIVED, { jwt: jwt({ iat, exp: iat + 300 }) })).toBe(
        RECEIVED + 300_000,
      );
    }
  });

  it('takes the shortest of the lifetimes known (a cookie outliving its JWT, or the reverse)', () => {
    const iat = RECEIVED / 1000;
    const token = jwt({ iat, exp: iat + 300 });
    expect(computeExpiresAt(RECEIVED, { seconds: 86_400, jwt: token })).toBe(RECEIVED + 300_000);
    expect(computeExpiresAt(RECEIVED, { seconds: 60, jwt: token })).toBe(RECEIVED + 60_000);
  });

  it('with exp alone, min(exp, receipt + 1 day)', () => {
    const soon = RECEIVED + 120_000;
    expect(computeExpiresAt(RECEIVED, { jwt: jwt({ exp: soon / 1000 }) })).toBe(soon);
    const far = RECEIVED + 30 * 86_400_000;
    expect(computeExpiresAt(RECEIVED, { jwt: jwt({ exp: far / 1000 }) })).toBe(
      RECEIVED + 86_400_000,
    );
  });

  it('a JWT with exp ≤ iat is expired on arrival', () => {
    expect(computeExpiresAt(RECEIVED, { jwt: jwt({ iat: 100, exp: 100 }) })).toBe(RECEIVED);
    expect(computeExpiresAt(RECEIVED, { jwt: jwt({ iat: 100, exp: 40 }) })).toBe(RECEIVED);
  });

  it('knows nothing from an opaque token or a broken JWT', () => {
    expect(computeExpiresAt(RECEIVED, {})).toBeUndefined();
    expect(computeExpiresAt(RECEIVED, { jwt: 'a.3f8f961077b54e0e7625' })).toBeUndefined();
    expect(computeExpiresAt(RECEIVED, { jwt: 'x.bm90IGpzb24.y' })).toBeUndefined();
    expect(computeExpiresAt(RECEIVED, { seconds: Number.NaN })).toBeUndefined();
  });
});

describe('decodeJWTClaims', () => {
  it('decodes the payload without verifying, and refuses what is not a JSON object', () => {
    expect(decodeJWTClaims(jwt({ user_id: 7, ü: 'ñ' }))).toEqual({ user_id: 7, ü: 'ñ' });
    expect(decodeJWTClaims(jwt([1, 2]))).toBeUndefined();
    expect(decodeJWTClaims('only.two')).toBeUndefined();
    expect(decodeJWTClaims('a.%%%.c')).toBeUndefined();
    expect(decodeJWTClaims('')).toBeUndefined();
  });
});
