import type {
  PasswordFieldNames,
  ProtocolOptions,
  SignUpLimit,
} from '@tingting-auth/core/protocol';
import type { UpstreamProvider, UpstreamSessions } from '@tingting-auth/core/upstream';
import type { Middleware } from './types.js';

/** What the router keeps at `req.session[sessionKey]` (default `req.session.upstream`). No token. */
export interface UpstreamSessionData {
  /** The upstream session's id in `sessions` (server-side only: express-session keeps it in its store). */
  sid: string;
  /** The upstream's user id. */
  subject: string;
  /** The provider id (`'timbr'`, `'notes'`, `'tingting'`). */
  provider: string;
  /** The username or email the user signed in with. */
  identifier: string;
}

/** `req.upstream` on routes behind `requireUpstreamSession`. */
export interface UpstreamRequest {
  /** The upstream's user id. */
  subject: string;
  /** The provider id. */
  provider: string;
  /** A valid upstream access token (refreshed first when it is near expiry). Never send it to the browser. */
  accessToken(): Promise<string>;
  /**
   * `fetch` to the upstream API (relative URLs resolve against `baseURL`; other origins are
   * refused): adds the credentials (Bearer, or TingTing's cookies), refreshes once on a 401 and
   * retries idempotent methods. Rejects with `SessionExpiredError` / `SessionUnavailableError`,
   * which `errorHandler` answers with 401 `SESSION_EXPIRED` / 503 + `Retry-After`.
   */
  fetch(input: string | URL, init?: RequestInit): Promise<Response>;
}

/** Where form posts from browsers go (see {@link UpstreamExpressOptions.redirects}). */
export interface UpstreamRedirectOptions {
  /** After a successful sign-in. */
  afterSignIn: string;
  /** After a refused sign-in, sign-up or sign-out (the error is in `formState`). */
  onError: string;
  /** After sign-out. @default '/' */
  afterSignOut?: string;
  /** After a sign-up (the notice is in `formState`). @default onError */
  afterSignUp?: string;
  /** Where `requireUpstreamSession` sends a browser's page request without a live session. Unset: a 401. */
  signIn?: string;
  /** After "sign out this one" ended another session (the account page). @default afterSignIn */
  afterEndSession?: string;
}

/** What a server-rendered page needs (see `formState`). */
export interface UpstreamFormState {
  /** Set while signed in. */
  account?: Omit<UpstreamSessionData, 'sid'>;
  /** The last error of a form post (shown once, then cleared). */
  error?: { code: string; message: string; retryAfter?: number };
  /** The last sign-up's message (shown once). */
  notice?: string;
}

/** Options of `createUpstreamAuth`; the shared request options are core's. */
export interface UpstreamExpressOptions
  extends Omit<
    ProtocolOptions,
    'engine' | 'purpose' | 'crossSiteProtection' | 'trustProxy' | 'ipHeader'
  > {
  /** Sign-in, limits and token storage: an `UpstreamSessions` with a provider. */
  sessions: UpstreamSessions;
  /** The same provider, to offer `POST /sign-up` (only the notes provider can sign up). */
  provider?: UpstreamProvider;
  /** The upstream API's URL for `req.upstream.fetch` (relative URLs resolve against it). */
  baseURL?: string;
  /** The fetch `req.upstream.fetch` calls. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Session property of the signed-in account. @default 'upstream' */
  sessionKey?: string;
  /** `'origin'` (403 `CROSS_SITE_REQUEST` for cross-site browsers), your CSRF middleware, or `false`. @default 'origin' */
  crossSiteProtection?: 'origin' | Middleware | false;
  /** Answer browser form posts (no JavaScript) with 303 redirects; pages read `formState(req)`. Unset: JSON only. */
  redirects?: UpstreamRedirectOptions;
  /** Body field names. @default { identifier: ['username', 'email'], password: 'password' } */
  fieldNames?: Partial<PasswordFieldNames>;
  /**
   * `POST /sign-up` attempts per client IP (`req.ip`: set Express's `trust proxy` behind a proxy),
   * counted in `sessions`' store, so processes sharing it share the count: core's
   * `createPasswordProtocol` option of the same name. `false` turns it off.
   * @default { maxPerIP: 30, windowInMilliseconds: 3_600_000 }
   */
  signUpLimit?: Partial<SignUpLimit> | false;
}

declare global {
  namespace Express {
    interface Request {
      /** Set by `requireUpstreamSession`: the signed-in account and its upstream `fetch`. */
      upstream?: UpstreamRequest;
    }
  }
}
