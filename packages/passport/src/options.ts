import type { ProtocolOptions } from '@tingting-auth/core/protocol';
import type { UpstreamSessions } from '@tingting-auth/core/upstream';
import type { Request } from 'express';

/** Options of the {@link Strategy} (verify callback without the request). */
export interface StrategyOptions
  extends Pick<
    ProtocolOptions,
    'engine' | 'purpose' | 'crossSiteProtection' | 'allowedOrigins' | 'allowRequestsWithoutOrigin'
  > {
  /** Body field of the phone number. @default 'phone' */
  phoneField?: string;
  /** Body field of the code (verify step). @default 'code' */
  codeField?: string;
  /** Body field of the channel, `text` or `voice` (send step). @default 'channel' */
  channelField?: string;
  /** Body field of the voice of a call (send step). @default 'voice' */
  voiceField?: string;
  /** The name to use with `passport.authenticate(name)`. @default 'tingting' */
  name?: string;
  /** Pass the request to the verify callback as its first argument. @default false */
  passReqToCallback?: false | undefined;
  /** The caller's IP, for the engine's per-IP send cap (set Express's `trust proxy`). @default (req) => req.ip */
  ip?: (req: Request) => string | undefined;
  /**
   * Revocable sessions ("sign out everywhere"), off by default: an `UpstreamSessions` (no
   * provider needed, e.g. `providerId: 'phone'`). A verified sign-in creates a session for the
   * number (user agent, IP) and keeps its id in `req.session` when Passport logs the user in; then
   * use the strategy's `sessionGuard()`, `listSessions`, `endSession` and `signOutEverywhere`.
   */
  sessions?: UpstreamSessions;
}

/** Options of the {@link Strategy} when the verify callback gets the request too. */
export interface StrategyOptionsWithRequest extends Omit<StrategyOptions, 'passReqToCallback'> {
  /** Pass the request to the verify callback as its first argument. */
  passReqToCallback: true;
}
