import { randomUUID } from 'node:crypto';
import type { FakeAccount, FakeAccountInput, PerBranchDelay } from './upstream-types.js';

/** An account as a fake keeps it. */
export interface StoredAccount {
  readonly id: number;
  readonly uuid: string;
  readonly username: string;
  readonly email: string;
  readonly password: string;
  active: boolean;
}

/** Why a login failed, in the branches an enumeration test cares about. */
export type LoginFailure = keyof Required<PerBranchDelay>;

export type PasswordCheck =
  | { readonly ok: true; readonly account: StoredAccount }
  | { readonly ok: false; readonly reason: LoginFailure; readonly account?: StoredAccount };

export const DEFAULT_ACCOUNT: FakeAccountInput = {
  username: 'dev',
  email: 'dev@example.com',
  password: 'dev-password',
  active: true,
};

/** The accounts of one fake. Usernames are case-sensitive (Django), emails are not. */
export class AccountBook {
  private readonly accounts: StoredAccount[] = [];

  constructor(initial: readonly FakeAccountInput[]) {
    for (const account of initial) this.add(account);
  }

  add(input: FakeAccountInput, options: { firstId?: number } = {}): StoredAccount {
    if (typeof input.username !== 'string' || input.username === '') {
      throw new TypeError('account.username must be a non-empty string');
    }
    if (typeof input.password !== 'string' || input.password === '') {
      throw new TypeError('account.password must be a non-empty string');
    }
    const email = input.email ?? `${input.username}@example.com`;
    if (this.accounts.some((account) => account.username === input.username)) {
      throw new TypeError(`An account with username "${input.username}" already exists`);
    }
    if (this.byEmail(email) !== undefined) {
      throw new TypeError(`An account with email "${email}" already exists`);
    }
    const last = this.accounts.at(-1);
    const account: StoredAccount = {
      id: last === undefined ? (options.firstId ?? 1) : last.id + 1,
      uuid: randomUUID(),
      username: input.username,
      email,
      password: input.password,
      active: input.active ?? true,
    };
    this.accounts.push(account);
    return account;
  }

  get first(): StoredAccount | undefined {
    return this.accounts[0];
  }

  byId(id: number): StoredAccount | undefined {
    return this.accounts.find((account) => account.id === id);
  }

  byEmail(email: string): StoredAccount | undefined {
    const wanted = email.trim().toLowerCase();
    return this.accounts.find((account) => account.email.toLowerCase() === wanted);
  }

  find(identifier: string, by: 'username' | 'email' | 'either'): StoredAccount | undefined {
    const byUsername =
      by === 'email' ? undefined : this.accounts.find((account) => account.username === identifier);
    return byUsername ?? (by === 'username' ? undefined : this.byEmail(identifier));
  }

  /** By username or email; a `TypeError` for an unknown one (a test's mistake). */
  require(identifier: string): StoredAccount {
    const account = this.find(identifier, 'either');
    if (account === undefined) throw new TypeError(`No account "${identifier}"`);
    return account;
  }

  /** Django's order: the password is checked first, then whether the account may log in. */
  check(identifier: string, password: string, by: 'username' | 'email' | 'either'): PasswordCheck {
    const account = this.find(identifier, by);
    if (account === undefined) return { ok: false, reason: 'unknownUser' };
    if (account.password !== password) return { ok: false, reason: 'wrongPassword', account };
    if (!account.active) return { ok: false, reason: 'inactive', account };
    return { ok: true, account };
  }
}

/** The public, read-only view of an account. */
export function publicAccount(account: StoredAccount): FakeAccount {
  return {
    id: account.id,
    username: account.username,
    email: account.email,
    password: account.password,
    active: account.active,
  };
}

/** Lifetimes must be whole seconds, at least 1. */
export function checkLifetime(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(`${name} must be a whole number of seconds, at least 1`);
  }
  return value;
}

export function checkGrace(value: number): number {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new TypeError('graceSeconds must be 0 or more');
  }
  return value;
}

export function checkRotation(value: string): 'none' | 'rotate' | 'rotate-detect-reuse' {
  if (value !== 'none' && value !== 'rotate' && value !== 'rotate-detect-reuse') {
    throw new TypeError(`rotation must be 'none', 'rotate' or 'rotate-detect-reuse'`);
  }
  return value;
}

export function checkPerBranchDelay(delay: PerBranchDelay): PerBranchDelay {
  for (const key of ['unknownUser', 'wrongPassword', 'inactive'] as const) {
    const value = delay[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new TypeError(`perBranchDelay.${key} must be 0 or more milliseconds`);
    }
  }
  return { ...delay };
}
