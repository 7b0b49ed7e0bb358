/**
 * A demo's revocable sessions (`UpstreamSessions` over a MemoryStore), one per server process,
 * on `globalThis` like the OTP engine: the JWT carries a session id that every session read checks.
 */

import { MemorySessionStore, UpstreamSessions } from '@tingting-auth/core/upstream';
import { noticeOnce } from './otp';

/**
 * The secret that seals the demo app `name`'s phone and password sessions, as in the Express and
 * Passport demos: `UPSTREAM_SESSION_SECRET`; else `SESSION_SECRET`, the name these demos used for
 * the phone sessions (with a warning); else a development secret (with a notice).
 */
export function upstreamSessionSecretOf(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (env.UPSTREAM_SESSION_SECRET) return env.UPSTREAM_SESSION_SECRET;
  const building = env.NEXT_PHASE === 'phase-production-build';
  if (env.SESSION_SECRET) {
    if (!building) {
      noticeOnce(
        `[${name}] SESSION_SECRET is deprecated here: rename it to UPSTREAM_SESSION_SECRET.`,
      );
    }
    return env.SESSION_SECRET;
  }
  if (!building) {
    noticeOnce(
      `[${name}] UPSTREAM_SESSION_SECRET is not set: using a development secret. Set it in production.`,
    );
  }
  return `${name}-dev-only-upstream-session-secret-change-me-00`;
}

/** The phone sessions of the demo app `name` (`name` prefixes its development secret). */
export function createDemoSessions(name: string): UpstreamSessions {
  const key = Symbol.for(`tingting-auth.${name}.sessions`);
  const global = globalThis as typeof globalThis & { [key]?: UpstreamSessions };
  if (global[key] !== undefined) return global[key];
  global[key] = new UpstreamSessions({
    store: new MemorySessionStore(),
    secret: upstreamSessionSecretOf(name),
    providerId: 'phone',
    throttle: false, // phone sign-in is limited by the OTP engine
  });
  return global[key];
}
