import { createHmac, createSecretKey, type KeyObject, randomInt } from 'node:crypto';

/** Fewest bytes accepted for the hashing secret (256 bits, the HMAC-SHA-256 block-size guidance). */
export const MIN_SECRET_BYTES = 32;

/**
 * A uniformly random code of `length` decimal digits, leading zeros included, from the CSPRNG.
 * `crypto.randomInt` rejects out-of-range draws, so there is no modulo bias.
 *
 * @see NIST SP 800-63B-4 3.1.3.2, OWASP ASVS 5.0 6.5.3
 */
export function generateCode(length: number): string {
  // 10^10 < 2^48, randomInt's limit: one draw covers every supported length.
  return String(randomInt(0, 10 ** length)).padStart(length, '0');
}

/**
 * Turn the engine's `secret` option into an HMAC key, or throw an actionable `TypeError`.
 */
export function toHashKey(secret: unknown): KeyObject {
  let bytes: Buffer;
  if (typeof secret === 'string') bytes = Buffer.from(secret, 'utf8');
  else if (secret instanceof Uint8Array) bytes = Buffer.from(secret);
  else {
    throw new TypeError(
      'OTPEngine: `secret` is required: a string or Uint8Array of at least 32 bytes, e.g. ' +
        "`crypto.randomBytes(32).toString('base64url')` kept in your secret store (OTP_SECRET)",
    );
  }
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new TypeError(
      `OTPEngine: \`secret\` must be at least ${MIN_SECRET_BYTES} bytes, got ${bytes.length}; ` +
        "generate one with `crypto.randomBytes(32).toString('base64url')`",
    );
  }
  return createSecretKey(bytes);
}

/**
 * The keyed hash stored instead of the code: HMAC-SHA-256 over the number, the purpose and the
 * code, base64url. Binding number and purpose into the hash means a stored hash can never match a
 * code sent to another number or for another purpose, whatever a store does with its keys.
 * Purposes are validated by the engine (no `\n`), so the encoding is unambiguous.
 */
export function hashCode(key: KeyObject, phone: string, purpose: string, code: string): string {
  return createHmac('sha256', key).update(`${phone}\n${purpose}\n${code}`).digest('base64url');
}
