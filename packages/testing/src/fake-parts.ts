import { randomBytes } from 'node:crypto';
import {
  type AccountBook,
  checkGrace,
  checkLifetime,
  checkPerBranchDelay,
  checkRotation,
  type LoginFailure,
  publicAccount,
} from './accounts.js';
import { hideSecrets, type Kit, type KitRequest } from './fake-http.js';
import type { JWTSigner } from './jwt.js';
import { type MintedToken, TokenFamilies, type TokenMinter } from './token-families.js';
import type {
  FakeUpstream,
  FakeUpstreamOptions,
  PerBranchDelay,
  RotationMode,
} from './upstream-types.js';

// What the three fakes (TingTing, Timbr, notes) build the same way: token families from their
// options, simplejwt-style JWTs, the per-branch login delays, the call counters and the controls
// of the object a `startFake…` returns. Internal: nothing here is exported from the package.

/** The server options every fake takes (where it listens, its clock, its logger), with their defaults. */
export function serverOptions(
  options: Pick<FakeUpstreamOptions, 'host' | 'port' | 'now' | 'logger'>,
): { host: string; port: number; now: () => number; log: (line: string) => void } {
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    now: options.now ?? Date.now,
    log: options.logger ?? (() => {}),
  };
}

export function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** simplejwt's access and refresh JWTs (TingTing and Timbr): `token_type`, `user_id`, `iat`, `exp`. */
export function jwtMinter(signer: JWTSigner): TokenMinter {
  const mint = (
    kind: 'access' | 'refresh',
    accountId: number,
    at: number,
    lifetime: number,
  ): MintedToken => {
    const issuedAt = Math.floor(at / 1000);
    const exp = issuedAt + lifetime;
    const token = signer.sign({ token_type: kind, user_id: accountId, iat: issuedAt, exp });
    return { token, expiresAt: exp * 1000 };
  };
  return {
    access: (accountId, at, lifetime) => mint('access', accountId, at, lifetime),
    refresh: (accountId, at, lifetime) => mint('refresh', accountId, at, lifetime),
  };
}

/** The token families of a fake, from its checked options and, where one is not given, its defaults. */
export function newTokenFamilies(
  now: () => number,
  minter: TokenMinter,
  options: Pick<FakeUpstreamOptions, 'rotation' | 'graceSeconds' | 'lifetimes'>,
  defaults: {
    readonly rotation: RotationMode;
    readonly accessSeconds: number;
    readonly refreshSeconds: number;
  },
  nameOf: (accountId: number) => string | undefined,
): TokenFamilies {
  return new TokenFamilies(
    now,
    minter,
    {
      rotation: checkRotation(options.rotation ?? defaults.rotation),
      graceSeconds: checkGrace(options.graceSeconds ?? 0),
      lifetimes: {
        accessSeconds: checkLifetime(
          'lifetimes.accessSeconds',
          options.lifetimes?.accessSeconds ?? defaults.accessSeconds,
        ),
        refreshSeconds: checkLifetime(
          'lifetimes.refreshSeconds',
          options.lifetimes?.refreshSeconds ?? defaults.refreshSeconds,
        ),
      },
    },
    nameOf,
  );
}

/** The injected per-branch delays of a failed login (`perBranchDelay`), changeable while running. */
export class LoginDelays {
  private delay: PerBranchDelay;

  constructor(delay: PerBranchDelay | undefined) {
    this.delay = checkPerBranchDelay(delay ?? {});
  }

  set(delay: PerBranchDelay): void {
    this.delay = checkPerBranchDelay(delay);
  }

  /** Milliseconds to wait before answering a login that failed for `reason`. */
  of(reason: LoginFailure): number {
    return this.delay[reason] ?? 0;
  }
}

/** The kit's `onRouted`: every POST to login or refresh counts, whatever it answers. */
export function countCalls(families: TokenFamilies): (endpoint: string, input: KitRequest) => void {
  return (endpoint, input) => {
    if (input.request.method !== 'POST') return;
    if (endpoint === 'login') families.countLogin();
    if (endpoint === 'refresh') families.countRefresh();
  };
}

/** What a fake's controls work on. */
export interface FakeParts<E extends string> {
  readonly kit: Kit<E>;
  readonly families: TokenFamilies;
  readonly delays: LoginDelays;
}

/** The {@link FakeUpstream} members over its accounts (TingTing keeps its accounts its own way). */
type AccountMembers = 'account' | 'addAccount' | 'setAccountActive' | 'revokeAll';

/** The members every fake (TingTing included) has, over its kit and its token families. */
export type FakeControls<E extends string> = Omit<FakeUpstream<E>, AccountMembers>;

/** Defines `extra`'s own properties on `target`, getters kept as getters (a spread would read them once). */
function define<T extends object>(target: object, extra: object): T {
  return Object.defineProperties(target, Object.getOwnPropertyDescriptors(extra)) as T;
}

/** The fake a `startFake…` returns: `own` (its fake-specific members) with {@link FakeControls}. */
export function withControls<E extends string, F extends FakeControls<E>>(
  name: string,
  own: Omit<F, keyof FakeControls<E>>,
  { kit, families, delays }: FakeParts<E>,
): F {
  const controls: FakeControls<E> = {
    url: kit.url,
    requests: kit.requests,
    redirectedRequests: kit.redirectedRequests,
    get stats() {
      return families.stats;
    },
    refreshTokensPresented: families.presented,
    inject: kit.inject,
    clearFaults: kit.clearFaults,
    expireAccessTokens: () => families.expireAccessTokens(),
    setRotation(rotation, graceSeconds) {
      families.rotation = checkRotation(rotation);
      if (graceSeconds !== undefined) families.graceSeconds = checkGrace(graceSeconds);
    },
    setPerBranchDelay: (delay) => delays.set(delay),
    resetStats: () => families.resetStats(),
    close: kit.close,
  };
  const fake = define<F>(own, controls);
  hideSecrets(fake, name, kit.url);
  return fake;
}

/** A fake upstream (Timbr, notes): {@link withControls} plus the {@link FakeUpstream} account members. */
export function upstreamFake<E extends string, F extends FakeUpstream<E>>(
  name: string,
  own: Omit<F, keyof FakeUpstream<E>>,
  parts: FakeParts<E> & { readonly accounts: AccountBook },
): F {
  const { accounts, families } = parts;
  const members: Pick<FakeUpstream<E>, AccountMembers> = {
    get account() {
      return publicAccount(accounts.first!);
    },
    addAccount: (account) => publicAccount(accounts.add(account)),
    setAccountActive(identifier, active) {
      accounts.require(identifier).active = active;
    },
    revokeAll(identifier) {
      families.revokeAccount(accounts.require(identifier).id);
    },
  };
  return withControls<E, F>(name, define(own, members), parts);
}
