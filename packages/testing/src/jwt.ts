import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Claims of the fake's JWTs (shaped like djangorestframework-simplejwt's). */
export interface JWTClaims {
  readonly token_type: 'access' | 'refresh';
  readonly user_id: number;
  /** Issued at, seconds since the epoch. */
  readonly iat: number;
  /** Expires at, seconds since the epoch. */
  readonly exp: number;
  readonly jti: string;
}

/** Why a JWT was refused: not a JWT at all, or a JWT that is not (or no longer) valid. */
export type JWTFailure = 'malformed' | 'invalid';

const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

function base64url(input: string | Buffer): string {
  return Buffer.from(input).toString('base64url');
}

/** HS256 signing with a per-server random secret. It is a fake: good enough, not a JOSE library. */
export class JWTSigner {
  private readonly secret: Buffer = randomBytes(32);

  sign(claims: Omit<JWTClaims, 'jti'>): string {
    const payload = base64url(JSON.stringify({ ...claims, jti: randomBytes(16).toString('hex') }));
    return `${HEADER}.${payload}.${this.signature(`${HEADER}.${payload}`)}`;
  }

  /** Checks the signature and expiry; returns the claims or why it failed. */
  verify(token: string, nowInSeconds: number): JWTClaims | JWTFailure {
    const parts = token.split('.');
    if (parts.length !== 3) return 'malformed';
    const [header, payload, signature] = parts as [string, string, string];
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return 'malformed';
    }
    if (!isClaims(claims)) return 'malformed';
    const expected = Buffer.from(this.signature(`${header}.${payload}`));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
    if (claims.exp <= nowInSeconds) return 'invalid';
    return claims;
  }

  private signature(input: string): string {
    return createHmac('sha256', this.secret).update(input).digest('base64url');
  }
}

function isClaims(value: unknown): value is JWTClaims {
  if (typeof value !== 'object' || value === null) return false;
  const claims = value as Record<string, unknown>;
  return (
    (claims.token_type === 'access' || claims.token_type === 'refresh') &&
    typeof claims.user_id === 'number' &&
    typeof claims.iat === 'number' &&
    typeof claims.exp === 'number' &&
    typeof claims.jti === 'string'
  );
}
