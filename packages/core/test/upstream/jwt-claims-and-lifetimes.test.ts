/**
 * The JWT reading behind refresh scheduling: which payloads count as claims, which claim values
 * count as times, and how a lifetime stated by the upstream and one read from a JWT combine. A
 * wrong answer here either refreshes in a storm (a fresh token read as expired) or keeps presenting
 * a dead token (an expired one read as fresh, or forever).
 */
import { describe, expect, it } from 'vitest';
import {
  computeExpiresAt,
  decodeJWTClaims,
  jwtLifetimeInMilliseconds,
  jwtSubject,
} from '../../src/upstream/expiry.js';

const RECEIVED = Date.UTC(2026, 0, 15, 6, 0, 0);
const DAY = 86_400_000;

/** A JWT whose payload is exactly `payload` (raw JSON text or bytes), base64url, unsigned. */
function rawJWT(payload: string | Buffer): string {
  const header = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');
  return `${header}.${Buffer.from(payload).toString('base64url')}.c2ln`;
}

const jwt = (claims: unknown) => rawJWT(JSON.stringify(claims));

describe('decodeJWTClaims', () => {
  it('reads a payload whose base64url text has - and _ (the URL-safe letters)', () => {
    const claims = { sub: '>>>>>>??????~~~~~~', n: '>?>?>?' };
    const token = jwt(claims);
    const payload = token.split('.')[1] ?? '';
    // The test means something only if the payload uses both URL-safe letters, several times.
    expect(payload.split('-').length).toBeGreaterThan(3);
    expect(payload.split('_').length).toBeGreaterThan(3);
    expect(decodeJWTClaims(token)).toEqual(claims);
  });

  it('needs exactly three non-empty-payload parts', () => {
    const good = jwt({ sub: 'a' });
    expect(decodeJWTClaims(good)).toEqual({ sub: 'a' });
    expect(decodeJWTClaims(`${good}.extra`)).toBeUndefined();
    expect(decodeJWTClaims(`${good.split('.')[1]}.sig`)).toBeUndefined();
    expect(decodeJWTClaims('head..sig')).toBeUndefined();
  });

  it('refuses a payload that is not UTF-8, rather than reading replacement characters', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"sub":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    expect(decodeJWTClaims(rawJWT(bytes))).toBeUndefined();
  });

  it('refuses JSON that is not an object: null, a number, a string, an array', () => {
    for (const payload of ['null', '5', '"text"', '[1]', 'true']) {
      expect(decodeJWTClaims(rawJWT(payload)), payload).toBeUndefined();
    }
  });
});

describe('jwtLifetimeInMilliseconds', () => {
  it('is exp − iat in ms, 0 when exp ≤ iat', () => {
    expect(jwtLifetimeInMilliseconds(jwt({ iat: 1000, exp: 1300 }))).toBe(300_000);
    expect(jwtLifetimeInMilliseconds(jwt({ iat: 1000, exp: 999 }))).toBe(0);
  });

  it('needs both times, as finite numbers', () => {
    expect(jwtLifetimeInMilliseconds(jwt({ exp: 1300 }))).toBeUndefined();
    expect(jwtLifetimeInMilliseconds(jwt({ iat: 1000 }))).toBeUndefined();
    expect(jwtLifetimeInMilliseconds(jwt({ iat: 1000, exp: '1300' }))).toBeUndefined();
    expect(jwtLifetimeInMilliseconds(jwt({ iat: '1000', exp: 1300 }))).toBeUndefined();
    // 1e400 parses to Infinity: an infinite lifetime would never refresh.
    expect(jwtLifetimeInMilliseconds(rawJWT('{"iat":0,"exp":1e400}'))).toBeUndefined();
    expect(jwtLifetimeInMilliseconds(rawJWT('{"iat":1e400,"exp":10}'))).toBeUndefined();
    expect(jwtLifetimeInMilliseconds('opaque-token')).toBeUndefined();
  });
});

describe('computeExpiresAt', () => {
  it('a stated lifetime of 0 s expires at receipt; a negative or infinite one is ignored', () => {
    expect(computeExpiresAt(RECEIVED, { seconds: 0 })).toBe(RECEIVED);
    expect(computeExpiresAt(RECEIVED, { seconds: -5 })).toBeUndefined();
    expect(computeExpiresAt(RECEIVED, { seconds: Number.POSITIVE_INFINITY })).toBeUndefined();
    const token = jwt({ iat: 10, exp: 70 });
    expect(computeExpiresAt(RECEIVED, { seconds: -5, jwt: token })).toBe(RECEIVED + 60_000);
  });

  it('a stated lifetime wins over a JWT that has exp without iat (no exp-on-their-clock fallback)', () => {
    const farExp = (RECEIVED + 30 * DAY) / 1000;
    const nearExp = (RECEIVED + 10_000) / 1000;
    expect(computeExpiresAt(RECEIVED, { seconds: 60, jwt: jwt({ exp: farExp }) })).toBe(
      RECEIVED + 60_000,
    );
    expect(computeExpiresAt(RECEIVED, { seconds: 60, jwt: jwt({ exp: nearExp }) })).toBe(
      RECEIVED + 60_000,
    );
  });

  it('with exp alone, an exp that is not a finite number gives nothing', () => {
    expect(
      computeExpiresAt(RECEIVED, { jwt: jwt({ exp: String(RECEIVED / 1000) }) }),
    ).toBeUndefined();
    expect(computeExpiresAt(RECEIVED, { jwt: rawJWT('{"exp":1e400}') })).toBeUndefined();
    expect(computeExpiresAt(RECEIVED, { jwt: jwt({ sub: 'x' }) })).toBeUndefined();
  });

  it('with exp alone, one day exactly caps it; an exp in the past is kept', () => {
    const exactlyADay = (RECEIVED + DAY) / 1000;
    expect(computeExpiresAt(RECEIVED, { jwt: jwt({ exp: exactlyADay + 1 }) })).toBe(RECEIVED + DAY);
    expect(computeExpiresAt(RECEIVED, { jwt: jwt({ exp: exactlyADay - 1 }) })).toBe(
      RECEIVED + DAY - 1000,
    );
    const past = (RECEIVED - 5000) / 1000;
    expect(computeExpiresAt(RECEIVED, { jwt: jwt({ exp: past }) })).toBe(RECEIVED - 5000);
  });
});

describe('jwtSubject', () => {
  it("prefers simplejwt's user_id to sub, and keeps a user_id of 0", () => {
    expect(jwtSubject(jwt({ user_id: 7, sub: 'other' }))).toBe('7');
    expect(jwtSubject(jwt({ user_id: 0, sub: 'other' }))).toBe('0');
    expect(jwtSubject(jwt({ user_id: 'u-1', sub: 'other' }))).toBe('u-1');
    expect(jwtSubject(jwt({ sub: 'abc' }))).toBe('abc');
    expect(jwtSubject(jwt({ user_id: null, sub: 'abc' }))).toBe('abc');
    expect(jwtSubject(jwt({ sub: 42 }))).toBe('42');
  });

  it('gives nothing for an id that is not a string or a finite number, or no JWT', () => {
    expect(jwtSubject(jwt({ user_id: true }))).toBeUndefined();
    expect(jwtSubject(jwt({ sub: { id: 1 } }))).toBeUndefined();
    expect(jwtSubject(rawJWT('{"user_id":1e400}'))).toBeUndefined();
    expect(jwtSubject(jwt({ iat: 1 }))).toBeUndefined();
    expect(jwtSubject('not-a-jwt')).toBeUndefined();
  });
});
