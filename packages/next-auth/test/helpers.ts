import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  MemoryStore,
  type OTPDelivery,
  OTPEngine,
  type OTPSender,
  type OTPStore,
} from '@tingting-auth/core';
import type { AuthOptions } from 'next-auth';

/** A valid Nepali mobile number (NTC range) and its E.164 form. */
export const PHONE = '9841234567';
export const PHONE_E164 = '+9779841234567';
export const SECRET = 'a-test-secret-of-at-least-thirty-two-bytes!!';

/** Options of {@link makeEngine}. */
export interface MakeEngineOptions {
  sender?: OTPSender;
  store?: OTPStore;
  policy?: ConstructorParameters<typeof OTPEngine>[0]['policy'];
}

/**
 * A real engine whose sender records deliveries (the code is read from there, as a phone would),
 * unless another sender is given.
 */
export function makeEngine(options: MakeEngineOptions = {}): {
  engine: OTPEngine;
  deliveries: OTPDelivery[];
  lastCode: () => string;
} {
  const deliveries: OTPDelivery[] = [];
  const engine = new OTPEngine({
    secret: SECRET,
    store: options.store ?? new MemoryStore(),
    sender:
      options.sender ??
      (async (delivery) => {
        deliveries.push(delivery);
        return undefined;
      }),
    ...(options.policy ? { policy: options.policy } : {}),
  });
  return {
    engine,
    deliveries,
    lastCode: () => {
      const last = deliveries.at(-1);
      if (!last) throw new Error('nothing was delivered');
      return last.code;
    },
  };
}

/** A store whose every operation fails, as Redis does when it is down. */
export function brokenStore(): OTPStore {
  return new Proxy({} as OTPStore, {
    get: () => async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    },
  });
}

/** What next-auth v4's `AuthHandler` answers (its route handlers turn it into a response). */
export interface V4Answer {
  status?: number;
  body?: unknown;
  redirect?: string;
  headers?: { key: string; value: string }[];
  cookies?: { name: string; value: string }[];
}

const require = createRequire(import.meta.url);

/**
 * next-auth v4's request handler, which its App Router and Pages handlers both call. Its `core`
 * folder is not in the package's `exports`, so it is loaded by path.
 */
export const AuthHandler: (params: { req: Request; options: AuthOptions }) => Promise<V4Answer> = (
  require(join(dirname(require.resolve('next-auth')), 'core/index.js')) as {
    AuthHandler: (params: { req: Request; options: AuthOptions }) => Promise<V4Answer>;
  }
).AuthHandler;
