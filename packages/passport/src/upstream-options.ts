import type { ProtocolOptions } from '@tingting-auth/core/protocol';
import type { UpstreamSessions } from '@tingting-auth/core/upstream';
import type { Request } from 'express';

/** Options of the {@link UpstreamStrategy} (verify callback without the request). */
export interface UpstreamStrategyOptions
  extends Pick<
    ProtocolOptions,
    'crossSiteProtection' | 'allowedOrigins' | 'allowRequestsWithoutOrigin'
  > {
  /**
   * The upstream sessions (`new UpstreamSessions({ store, secret, provider })` from
   * `@tingting-auth/core/upstream`): they check the password upstream (throttled), and keep the
   * upstream tokens sealed server-side.
   */
  sessions: UpstreamSessions;
  /** Body field of the username (or email). @default 'username' */
  usernameField?: string;
  /** Body field of the password. @default 'password' */
  passwordField?: string;
  /** The name to use with `passport.authenticate(name)`. @default 'upstream' */
  name?: string;
  /** Pass the request to the verify callback as its first argument. @default false */
  passReqToCallback?: false | undefined;
  /** The message of the 400 for a missing or non-string field. @default 'Missing credentials' */
  badRequestMessage?: string;
  /**
   * The upstream API's origin (and base path), for {@link UpstreamStrategy.fetch}: relative URLs
   * resolve against it, and no other origin gets the user's credentials. @default none (`fetch` throws)
   */
  baseURL?: string;
  /** The caller's IP, for the per-IP sign-in limits (set Express's `trust proxy`). @default (req) => req.ip */
  ip?: (req: Request) => string | undefined;
}

/** Options of the {@link UpstreamStrategy} when the verify callback gets the request too. */
export interface UpstreamStrategyOptionsWithRequest
  extends Omit<UpstreamStrategyOptions, 'passReqToCallback'> {
  /** Pass the request to the verify callback as its first argument. */
  passReqToCallback: true;
}
