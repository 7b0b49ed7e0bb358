/**
 * The demo's user table: in memory, keyed by the verified number (E.164). A real app keeps users in
 * its database; what matters for Passport is that `serializeUser` stores the id and
 * `deserializeUser` finds the user again by it.
 */

import { randomUUID } from 'node:crypto';

/**
 * @typedef {object} User
 * @property {string} id A random id, stored in the session by `serializeUser`.
 * @property {string} phone The verified number, E.164 (`+9779812345678`).
 * @property {Date} createdAt First sign-in.
 */

/**
 * @typedef {object} UserTable
 * @property {(phone: string) => User} findOrCreate The user with this (canonical E.164) number, created on first sign-in.
 * @property {(id: string) => User | undefined} findById
 * @property {() => number} count
 */

/**
 * A new, empty user table.
 * @returns {UserTable}
 */
export function createUserTable() {
  /** @type {Map<string, User>} */
  const byPhone = new Map();
  /** @type {Map<string, User>} */
  const byId = new Map();
  return {
    findOrCreate(phone) {
      const known = byPhone.get(phone);
      if (known) return known;
      const user = Object.freeze({ id: randomUUID(), phone, createdAt: new Date() });
      byPhone.set(phone, user);
      byId.set(user.id, user);
      return user;
    },
    findById(id) {
      return byId.get(id);
    },
    count() {
      return byId.size;
    },
  };
}
