/**
 * Results that hold secrets (token pairs, team API tokens): the secrets become non-enumerable
 * properties, and `toJSON` / `util.inspect` print `[redacted]` in their place.
 *
 * @packageDocumentation
 */

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * `visible` with `secrets` added as non-enumerable, read-only properties (undefined ones left
 * out), and a redacted `toJSON` and `util.inspect` under the name `name`. The result is frozen.
 */
export function withSecrets<TVisible extends object, TSecrets extends object>(
  name: string,
  visible: TVisible,
  secrets: TSecrets,
): TVisible & TSecrets {
  const result = { ...visible } as TVisible & TSecrets;
  const shown: Record<string, unknown> = { ...(visible as Record<string, unknown>) };
  for (const [key, value] of Object.entries(secrets)) {
    if (value === undefined) continue;
    Object.defineProperty(result, key, { value, enumerable: false, writable: false });
    shown[key] = '[redacted]';
  }
  Object.defineProperty(result, 'toJSON', { value: () => ({ ...shown }), enumerable: false });
  Object.defineProperty(result, INSPECT, {
    value: () => `${name} ${JSON.stringify(shown)}`,
    enumerable: false,
  });
  return Object.freeze(result);
}
