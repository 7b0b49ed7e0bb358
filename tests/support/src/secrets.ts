/**
 * Finding secrets (API tokens, passwords, cookies, codes, HMAC and session secrets) in what an
 * app said: its answers, its logs, its errors. Pure: the caller decides how to assert.
 */

/**
 * The `secrets` that show in `text`, in the order given.
 *
 * An all-digit secret (a one-time code) counts only as a whole number, not inside a longer one:
 * a six-digit code may well be part of a phone number or a timestamp without having leaked. Any
 * other secret counts wherever it stands. Empty secrets are skipped (an empty string is in every
 * text; a revoked API token reads as `''`).
 */
export function secretsIn(text: string, secrets: readonly string[]): string[] {
  return secrets.filter((secret) => {
    if (secret === '') return false;
    if (!/^[0-9]+$/.test(secret)) return text.includes(secret);
    return new RegExp(`(?<![0-9])${secret}(?![0-9])`).test(text);
  });
}
