import { parsePhoneNumber } from '../phone.js';

/**
 * Test mode: fixed codes for listed numbers, which are never sent anything.
 *
 * @example `{ codes: { '+9779800000001': '123456' } }`
 */
export interface TestModeOptions {
  /** Number (in any form people type) to the fixed code it always receives. */
  codes: Record<string, string>;
}

/**
 * Validate test-mode options into a map from canonical number to code, or throw a `TypeError`:
 * under `NODE_ENV=production`, for an unparsable number, or for a code of the wrong shape.
 */
export function resolveTestMode(
  options: unknown,
  codeLength: number,
): ReadonlyMap<string, string> | undefined {
  if (options === undefined) return undefined;
  if (process.env.NODE_ENV === 'production') {
    throw new TypeError(
      'OTPEngine: testMode is refused under NODE_ENV=production: it makes codes predictable. ' +
        'Remove the testMode option from production configuration.',
    );
  }
  const codes = (options as { codes?: unknown } | null)?.codes;
  if (typeof codes !== 'object' || codes === null) {
    throw new TypeError(
      "OTPEngine: testMode must be `{ codes: { '<number>': '<code>' } }`, e.g. { codes: { '+9779800000001': '123456' } }",
    );
  }
  const resolved = new Map<string, string>();
  const shape = new RegExp(`^[0-9]{${codeLength}}$`);
  for (const [number, code] of Object.entries(codes)) {
    const phone = parsePhoneNumber(number);
    if (phone === undefined) {
      throw new TypeError(
        `OTPEngine: testMode.codes has a key that is not a valid phone number: ${number}`,
      );
    }
    if (typeof code !== 'string' || !shape.test(code)) {
      throw new TypeError(
        `OTPEngine: testMode.codes['${number}'] must be a string of exactly ${codeLength} digits (policy.codeLength)`,
      );
    }
    resolved.set(phone.e164, code);
  }
  return resolved;
}
