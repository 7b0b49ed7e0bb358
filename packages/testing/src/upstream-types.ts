import type { FakeRequest, Fault, RedirectedRequest } from './types.js';

/**
 * What the fake does with a refresh token once it was redeemed.
 *
 * - `none`: the refresh token stays valid until it expires (simplejwt's default,
 *   `ROTATE_REFRESH_TOKENS = False`); each refresh only issues an access token.
 * - `rotate`: each refresh issues a new refresh token and the presented one stops working
 *   (simplejwt's `ROTATE_REFRESH_TOKENS` + `BLACKLIST_AFTER_ROTATION`). Presenting it again is
 *   refused, nothing else happens.
 * - `rotate-detect-reuse`: as `rotate`, and presenting a rotated-away token again revokes the
 *   whole family (every refresh token descended from the same login), as RFC 9700 §4.14.2 asks.
 *   Access tokens already issued keep working until they expire (they are self-contained).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export type RotationMode = 'none' | 'rotate' | 'rotate-detect-reuse';

/** Token lifetimes, in seconds of the fake's clock. */
export interface TokenLifetimes {
  /** Access token lifetime. */
  readonly accessSeconds: number;
  /** Refresh token lifetime (counted from its issue; a rotated token gets a fresh lifetime). */
  readonly refreshSeconds: number;
}

/** An account a fake upstream knows. */
export interface FakeAccountInput {
  /** Login name (case-sensitive, as Django's `ModelBackend` compares it). */
  readonly username: string;
  /** Email address (compared case-insensitively). @default `${username}@example.com` */
  readonly email?: string;
  /** The password the login checks. */
  readonly password: string;
  /** An inactive account cannot log in or refresh. @default true */
  readonly active?: boolean;
}

/**
 * Extra time (ms, real time) a fake spends before answering a failed login, per reason. The
 * enumeration tests use it to inject an upstream timing difference and show that our layer adds
 * none of its own. @default all 0
 */
export interface PerBranchDelay {
  /** No account has the identifier. */
  readonly unknownUser?: number;
  /** The account exists and the password is wrong. */
  readonly wrongPassword?: number;
  /** The password is right and the account is inactive. */
  readonly inactive?: number;
}

/** Counters of a fake upstream; `fake.stats` returns a snapshot. */
export interface FakeTokenStats {
  /** Requests to the login endpoint (any outcome, faulted ones included). */
  readonly loginCalls: number;
  /** Requests to the refresh endpoint (any outcome, faulted ones included). */
  readonly refreshCalls: number;
  /** Times a rotated-away refresh token was replayed in `rotate-detect-reuse` mode (each revoked a family). */
  readonly reuseDetected: number;
  /** Refreshes that issued a new refresh token. */
  readonly rotations: number;
  /** Refresh-token presentations of a token already presented before (0 means each was presented once). */
  readonly duplicateRefreshPresentations: number;
}

/** How the fake judged a presented refresh token. */
export type RefreshOutcome =
  /** Accepted, not rotated (`rotation: 'none'`). */
  | 'refreshed'
  /** Accepted and rotated: a new refresh token was issued. */
  | 'rotated'
  /** A rotated-away token inside `graceSeconds`: the successor was handed out again. */
  | 'grace'
  /** Never issued by this fake (or not a token at all). */
  | 'unknown'
  /** Past its lifetime. */
  | 'expired'
  /** Already rotated (`rotation: 'rotate'`): refused. */
  | 'rotated-away'
  /** Already rotated (`rotation: 'rotate-detect-reuse'`): refused and its family revoked. */
  | 'reuse-detected'
  /** Its family was revoked (by reuse detection or `revokeAll`). */
  | 'revoked'
  /** Valid, but the account is inactive. */
  | 'inactive';

/** One refresh token presented to a fake's refresh endpoint. */
export interface PresentedRefreshToken {
  /** The token as presented (a test secret: tests compare it with what the code under test holds). */
  readonly token: string;
  /** When (fake clock). */
  readonly at: Date;
  /** What the fake made of it. */
  readonly outcome: RefreshOutcome;
  /** The account's username (TingTing: email), when the token was one the fake issued. */
  readonly account: string | undefined;
}

/** Options every fake upstream (Timbr, notes) takes. */
export interface FakeUpstreamOptions {
  /** Port to listen on. @default 0 (a free port) */
  readonly port?: number;
  /** Host to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** Clock in milliseconds since the epoch; every lifetime and timestamp reads it. @default Date.now */
  readonly now?: () => number;
  /** Receives one line per request (never a token, password or cookie). */
  readonly logger?: (line: string) => void;
  /** The accounts. @default one account `{ username: 'dev', email: 'dev@example.com', password: 'dev-password' }` */
  readonly accounts?: readonly FakeAccountInput[];
  /** Token lifetimes (each fake has its own defaults). */
  readonly lifetimes?: Partial<TokenLifetimes>;
  /** Refresh-token rotation (each fake has its own default). */
  readonly rotation?: RotationMode;
  /**
   * For this long after a rotation, the rotated-away token is still accepted and answers the same
   * successor with a new access token (Auth0's "rotation overlap period"), as long as that
   * successor has not itself been rotated: a client whose answer was lost can retry. Outside the
   * window the replay is reuse. @default 0
   */
  readonly graceSeconds?: number;
  /** Injected timing differences between failed-login branches. @default none */
  readonly perBranchDelay?: PerBranchDelay;
}

/** A public view of one account. */
export interface FakeAccount {
  /** Numeric id (Timbr's `user_id` claim, notes' `userid`). */
  readonly id: number;
  /** Login name. */
  readonly username: string;
  /** Email address. */
  readonly email: string;
  /** The password the login checks (a test fixture, shown so tests can log in). */
  readonly password: string;
  /** Whether the account can log in and refresh now. */
  readonly active: boolean;
}

/** What every fake upstream offers (Timbr, notes). `E` is its endpoint names. */
export interface FakeUpstream<E extends string> {
  /** Origin, e.g. `http://127.0.0.1:54321`. */
  readonly url: string;
  /** The first account's credentials (handy for a quick login). */
  readonly account: FakeAccount;
  /** Every request received, in order (no bodies, no headers: nothing secret). */
  readonly requests: readonly FakeRequest<E>[];
  /** Requests that followed a `redirect` fault to the other origin. */
  readonly redirectedRequests: readonly RedirectedRequest[];
  /** A snapshot of the counters. */
  readonly stats: FakeTokenStats;
  /** Every refresh token presented to the refresh endpoint, in order. */
  readonly refreshTokensPresented: readonly PresentedRefreshToken[];
  /** Make `endpoint`'s next answer(s) fail as `fault` says. Faults queue up in order. */
  inject(endpoint: E, fault: Fault): void;
  /** Remove every pending fault. */
  clearFaults(): void;
  /** Add an account; throws a `TypeError` if the username or email is taken. */
  addAccount(account: FakeAccountInput): FakeAccount;
  /** Activate or deactivate an account (by username or email). */
  setAccountActive(identifier: string, active: boolean): void;
  /** Every access token issued so far stops working; refresh tokens still work. */
  expireAccessTokens(): void;
  /** Every token of the account (by username or email) stops working, refresh families included. */
  revokeAll(identifier: string): void;
  /** Change the rotation mode (and grace) for the refreshes that follow. */
  setRotation(rotation: RotationMode, graceSeconds?: number): void;
  /** Change the injected per-branch login delays. */
  setPerBranchDelay(delay: PerBranchDelay): void;
  /** Zero the counters and forget the presented refresh tokens. */
  resetStats(): void;
  /** Stop listening and drop every open connection. */
  close(): Promise<void>;
}

// --- Timbr (seed 002) ---------------------------------------------------------------------------

/** The endpoints of the Timbr API (seed 002) the fake serves, by name. */
export type TimbrEndpoint =
  | 'login'
  | 'refresh'
  | 'verify'
  | 'listTeamTokens'
  | 'issueTeamToken'
  | 'deleteTeamTokens';

/** Options of {@link startFakeTimbr}. */
export interface FakeTimbrOptions extends FakeUpstreamOptions {
  /**
   * What `POST /api/auth/jwt/` answers on success. `pair`: `{ refresh, access }`, what the
   * endpoint evidently does (djoser + simplejwt). `echo`: the request body echoed back, as seed
   * 002's example literally shows (a client must treat it as malformed). @default 'pair'
   */
  readonly jwtCreateShape?: 'pair' | 'echo';
  /**
   * What a refresh answers when it does not rotate. `access`: `{ access }` (simplejwt);
   * `access-and-refresh`: `{ refresh, access }` with the same refresh token (seed 002's example
   * shape). @default 'access'
   */
  readonly refreshShape?: 'access' | 'access-and-refresh';
  /** What `/jwt/verify/` answers for a valid token: `echo` `{ token }` (seed 002) or simplejwt's `{}`. @default 'echo' */
  readonly verifyShape?: 'echo' | 'empty';
  /** Status of a successful JWT create / refresh / verify: seed 002 says 201, simplejwt answers 200. @default 201 */
  readonly jwtSuccessStatus?: 200 | 201;
  /** Which account field the `username` of JWT create is matched against. @default 'username' */
  readonly loginWith?: 'username' | 'email' | 'either';
  /** Lifetime of an issued team API token, in seconds. @default 90 days */
  readonly teamTokenLifetimeSeconds?: number;
  /** Teams that exist from the start (see {@link FakeTimbr.addTeam}). @default none */
  readonly teams?: readonly { readonly uuid: string; readonly members?: readonly string[] }[];
}

/** One team API token, as the fake keeps it. */
export interface TimbrTeamToken {
  /** The token (seed 002's `access_token`). */
  readonly accessToken: string;
  /** The team it belongs to. */
  readonly teamUUID: string;
  /** The issuing account's `uuid` (seed 002's `token_issuer_uuid`). */
  readonly issuerUUID: string;
  /** When it was issued (fake clock). */
  readonly createdAt: Date;
  /** Same as `createdAt`: the fake never updates a token. */
  readonly updatedAt: Date;
  /** `createdAt` + `teamTokenLifetimeSeconds`. */
  readonly expiresAt: Date;
}

/** A running fake Timbr. Defaults: lifetimes 300 s / 1 day (simplejwt), rotation `none`. */
export interface FakeTimbr extends FakeUpstream<TimbrEndpoint> {
  /** Create a team (random UUID if none given); `members` are usernames, default: every account. Returns its UUID. */
  addTeam(uuid?: string, members?: readonly string[]): string;
  /** The team's live (not deleted) API tokens, expired ones included. */
  teamTokens(teamUUID: string): readonly TimbrTeamToken[];
  /** The `uuid` of an account (the `token_issuer_uuid` of its team tokens). */
  accountUUID(username: string): string;
}

// --- notes (seed 003) ---------------------------------------------------------------------------

/** The endpoints of the notes service's auth API (seed 003) the fake serves, by name. */
export type NotesEndpoint = 'login' | 'refresh' | 'signup' | 'currentUser';

/** Options of {@link startFakeNotes}. */
export interface FakeNotesOptions extends FakeUpstreamOptions {
  /** Whether an account created by signup can log in at once (seed 003: a verification email is sent first). @default false */
  readonly signupActive?: boolean;
  /** The `error` messages of a failed login (406). @default see README */
  readonly loginErrors?: {
    readonly unknownUser?: string;
    readonly wrongPassword?: string;
    readonly inactive?: string;
  };
}

/** A running fake notes service. Defaults: lifetimes 7200 s / 7 days, rotation `rotate`. */
export interface FakeNotes extends FakeUpstream<NotesEndpoint> {
  /** Accounts created through signup, in order. */
  readonly signups: readonly FakeAccount[];
}
