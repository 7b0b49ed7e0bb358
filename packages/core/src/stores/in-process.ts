/**
 * What the in-memory stores (`MemoryStore`, `MemorySessionStore`) share: running an operation
 * atomically, and the production warning that their data lives in this process only.
 *
 * @packageDocumentation
 */

import { StoreUnavailableError } from '../errors.js';

/**
 * Run `operation` synchronously (atomic) and report any failure as a rejected promise: a
 * `StoreUnavailableError` as it is, anything else as `<owner> failed` with it as the cause.
 */
export function runInProcess<T>(owner: string, operation: () => T): Promise<T> {
  try {
    return Promise.resolve(operation());
  } catch (error) {
    return Promise.reject(
      error instanceof StoreUnavailableError
        ? error
        : new StoreUnavailableError(`${owner} failed`, { cause: error }),
    );
  }
}

/** The warning codes already given through `process.emitWarning` (once per process each). */
const warned = new Set<string>();

/**
 * Under `NODE_ENV=production`, say that a store keeps its data in this process only: to `logger`
 * each time one is given, else once per process (per `code`) through `process.emitWarning`.
 */
export function warnInProduction(
  message: string,
  code: string,
  logger: { warn(message: string): void } | undefined,
): void {
  if (process.env.NODE_ENV !== 'production') return;
  if (logger) logger.warn(message);
  else if (!warned.has(code)) {
    warned.add(code);
    process.emitWarning(message, { code });
  }
}
