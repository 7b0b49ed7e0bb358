import type {
  FakeTokenStats,
  PresentedRefreshToken,
  RefreshOutcome,
  RotationMode,
  TokenLifetimes,
} from './upstream-types.js';

/** A token a fake minted, with the instant (ms, fake clock) it stops working. */
export interface MintedToken {
  readonly token: string;
  readonly expiresAt: number;
}

/** How a fake makes its tokens (JWTs for Timbr and TingTing, opaque strings for notes). */
export interface TokenMinter {
  access(accountId: number, nowInMilliseconds: number, lifetimeInSeconds: number): MintedToken;
  /** `generation` is 0 at login and +1 per rotation (notes' tokens change prefix after login). */
  refresh(
    accountId: number,
    nowInMilliseconds: number,
    lifetimeInSeconds: number,
    generation: number,
  ): MintedToken;
}

/** What a successful login or refresh hands out. */
export interface IssuedTokens {
  readonly accountId: number;
  readonly access: MintedToken;
  /** The refresh token to use next: a new one after a rotation, else the one presented. */
  readonly refresh: MintedToken;
  /** Whether `refresh` is a new token (a rotation, or a login). */
  readonly rotated: boolean;
}

export type RefreshResult =
  | ({ readonly ok: true; readonly outcome: 'refreshed' | 'rotated' | 'grace' } & IssuedTokens)
  | {
      readonly ok: false;
      readonly outcome: Exclude<RefreshOutcome, 'refreshed' | 'rotated' | 'grace'>;
      readonly accountId?: number;
    };

export type TokenCheck =
  | { readonly ok: true; readonly accountId: number; readonly kind: 'access' | 'refresh' }
  | { readonly ok: false; readonly reason: 'unknown' | 'expired' | 'revoked' };

interface RefreshRecord {
  readonly token: string;
  readonly accountId: number;
  readonly familyId: number;
  readonly generation: number;
  readonly expiresAt: number;
  state: 'current' | 'rotated';
  rotatedAt?: number;
  successor?: RefreshRecord;
}

interface Family {
  readonly accountId: number;
  revoked: boolean;
  current: RefreshRecord;
}

interface AccessRecord {
  readonly accountId: number;
  readonly expiresAt: number;
  revoked: boolean;
}

const MAX_PRESENTATIONS_KEPT = 100_000;

/** What a login or a successful refresh hands out; the refresh record itself stays private. */
function issued(
  accountId: number,
  access: MintedToken,
  refresh: RefreshRecord,
  rotated: boolean,
): IssuedTokens {
  return {
    accountId,
    access,
    refresh: { token: refresh.token, expiresAt: refresh.expiresAt },
    rotated,
  };
}

/**
 * Server-side state of issued tokens: refresh-token families with rotation and RFC 9700 reuse
 * detection, access tokens with lifetimes on the fake clock, and the counters tests assert on.
 * Shared by every fake that issues access/refresh pairs.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export class TokenFamilies {
  rotation: RotationMode;
  graceSeconds: number;
  lifetimes: TokenLifetimes;
  private readonly refreshTokens = new Map<string, RefreshRecord>();
  private readonly accessTokens = new Map<string, AccessRecord>();
  private readonly families = new Map<number, Family>();
  private nextFamilyId = 1;
  private readonly counters = {
    loginCalls: 0,
    refreshCalls: 0,
    reuseDetected: 0,
    rotations: 0,
    duplicateRefreshPresentations: 0,
  };
  private readonly presentedSet = new Set<string>();
  readonly presented: PresentedRefreshToken[] = [];

  constructor(
    private readonly now: () => number,
    private readonly minter: TokenMinter,
    config: { rotation: RotationMode; graceSeconds: number; lifetimes: TokenLifetimes },
    /** Names the account in {@link TokenFamilies.presented} (username or email). */
    private readonly nameOf: (accountId: number) => string | undefined,
  ) {
    this.rotation = config.rotation;
    this.graceSeconds = config.graceSeconds;
    this.lifetimes = config.lifetimes;
  }

  get stats(): FakeTokenStats {
    return { ...this.counters };
  }

  countLogin(): void {
    this.counters.loginCalls += 1;
  }

  countRefresh(): void {
    this.counters.refreshCalls += 1;
  }

  resetStats(): void {
    for (const key of Object.keys(this.counters) as (keyof typeof this.counters)[]) {
      this.counters[key] = 0;
    }
    this.presented.length = 0;
    this.presentedSet.clear();
  }

  /** A new family: a fresh access token and refresh token (generation 0). */
  login(accountId: number): IssuedTokens {
    const at = this.now();
    const familyId = this.nextFamilyId++;
    const refresh = this.mintRefresh(accountId, familyId, 0, at);
    this.families.set(familyId, { accountId, revoked: false, current: refresh });
    return issued(accountId, this.mintAccess(accountId, at), refresh, true);
  }

  /**
   * Redeem a refresh token. `isActive` is asked only once the token itself is good, as simplejwt
   * (5.3+) checks the user after the token.
   */
  refresh(token: string, isActive: (accountId: number) => boolean): RefreshResult {
    const at = this.now();
    const record = this.refreshTokens.get(token);
    const result = this.redeem(record, at, isActive);
    if (this.presentedSet.has(token)) this.counters.duplicateRefreshPresentations += 1;
    else this.presentedSet.add(token);
    if (this.presented.length >= MAX_PRESENTATIONS_KEPT) this.presented.shift();
    this.presented.push({
      token,
      at: new Date(at),
      outcome: result.outcome,
      account: record === undefined ? undefined : this.nameOf(record.accountId),
    });
    return result;
  }

  private redeem(
    record: RefreshRecord | undefined,
    at: number,
    isActive: (accountId: number) => boolean,
  ): RefreshResult {
    if (record === undefined) return { ok: false, outcome: 'unknown' };
    const { accountId } = record;
    if (at >= record.expiresAt) return { ok: false, outcome: 'expired', accountId };
    const family = this.families.get(record.familyId)!;
    if (family.revoked) return { ok: false, outcome: 'revoked', accountId };
    if (record.state === 'rotated') {
      const successor = record.successor!;
      const inGrace =
        this.graceSeconds > 0 &&
        at - record.rotatedAt! < this.graceSeconds * 1000 &&
        family.current === successor;
      if (inGrace) {
        if (!isActive(accountId)) return { ok: false, outcome: 'inactive', accountId };
        // Replay the successor: the client whose answer was lost gets what it missed.
        const access = this.mintAccess(accountId, at);
        return { ok: true, outcome: 'grace', ...issued(accountId, access, successor, false) };
      }
      if (this.rotation === 'rotate-detect-reuse') {
        // RFC 9700 §4.14.2: the server cannot tell who replayed; it revokes the active token.
        family.revoked = true;
        this.counters.reuseDetected += 1;
        return { ok: false, outcome: 'reuse-detected', accountId };
      }
      return { ok: false, outcome: 'rotated-away', accountId };
    }
    if (!isActive(accountId)) return { ok: false, outcome: 'inactive', accountId };
    const access = this.mintAccess(accountId, at);
    if (this.rotation === 'none') {
      return { ok: true, outcome: 'refreshed', ...issued(accountId, access, record, false) };
    }
    const next = this.mintRefresh(accountId, record.familyId, record.generation + 1, at);
    record.state = 'rotated';
    record.rotatedAt = at;
    record.successor = next;
    family.current = next;
    this.counters.rotations += 1;
    return { ok: true, outcome: 'rotated', ...issued(accountId, access, next, true) };
  }

  /** Whether `token` is an access token that still works. */
  checkAccess(token: string): TokenCheck {
    const record = this.accessTokens.get(token);
    if (record === undefined) return { ok: false, reason: 'unknown' };
    if (record.revoked) return { ok: false, reason: 'revoked' };
    if (this.now() >= record.expiresAt) return { ok: false, reason: 'expired' };
    return { ok: true, accountId: record.accountId, kind: 'access' };
  }

  /** Whether `token` is a refresh token that could still be redeemed (not rotated away, not revoked). */
  checkRefresh(token: string): TokenCheck {
    const record = this.refreshTokens.get(token);
    if (record === undefined) return { ok: false, reason: 'unknown' };
    const family = this.families.get(record.familyId)!;
    if (family.revoked || record.state === 'rotated') return { ok: false, reason: 'revoked' };
    if (this.now() >= record.expiresAt) return { ok: false, reason: 'expired' };
    return { ok: true, accountId: record.accountId, kind: 'refresh' };
  }

  /** Every access token issued so far stops working; refresh tokens still work. */
  expireAccessTokens(): void {
    for (const record of this.accessTokens.values()) record.revoked = true;
  }

  /** Every token of the account stops working: access tokens and every refresh family. */
  revokeAccount(accountId: number): void {
    for (const record of this.accessTokens.values()) {
      if (record.accountId === accountId) record.revoked = true;
    }
    for (const family of this.families.values()) {
      if (family.accountId === accountId) family.revoked = true;
    }
  }

  private mintAccess(accountId: number, at: number): MintedToken {
    const minted = this.minter.access(accountId, at, this.lifetimes.accessSeconds);
    this.accessTokens.set(minted.token, {
      accountId,
      expiresAt: minted.expiresAt,
      revoked: false,
    });
    return minted;
  }

  private mintRefresh(
    accountId: number,
    familyId: number,
    generation: number,
    at: number,
  ): RefreshRecord {
    const minted = this.minter.refresh(accountId, at, this.lifetimes.refreshSeconds, generation);
    const record: RefreshRecord = {
      token: minted.token,
      accountId,
      familyId,
      generation,
      expiresAt: minted.expiresAt,
      state: 'current',
    };
    this.refreshTokens.set(minted.token, record);
    return record;
  }
}
