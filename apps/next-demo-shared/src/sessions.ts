/**
 * A demo's revocable sessions (`UpstreamSessions` over a MemoryStore), one per server process,
 * on `globalThis` like the OTP engine: the JWT carries a session id that every session read checks.
 */

import { MemorySessionStore, UpstreamSessions } from '@tingting-auth/core/upstream';
import { noticeOnce } from './otp';

/** The sessions of the demo app `name` (`name` prefixes its development secret). */
export function createDemoSessions(name: string): UpstreamSessions {
  const key = Symbol.for(`tingting-auth.${name}.sessions`);
  const global = globalThis as typeof globalThis & { [key]?: UpstreamSessions };
  if (global[key] !== undefined) return global[key];
  if (!process.env.SESSION_SECRET && process.env.NEXT_PHASE !== 'phase-production-build') {
    noticeOnce(
      `[${name}] SESSION_SECRET is not set: using a development secret. Set it in production.`,
    );
  }
  global[key] = new UpstreamSessions({
    store: new MemorySessionStore(),
    secret: process.env.SESSION_SECRET ?? `${name}-dev-only-session-secret-change-me-0000`,
    providerId: 'phone',
    throttle: false, // phone sign-in is limited by the OTP engine
  });
  return global[key];
}
