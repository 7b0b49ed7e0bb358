import { describe, expect, it } from 'vitest';
import { createUserTable } from '../src/users.js';

describe('the user table', () => {
  it('creates a user on the first sign-in of a number and finds the same one after', () => {
    const users = createUserTable();
    const first = users.findOrCreate('+9779812345678');
    expect(first.phone).toBe('+9779812345678');
    expect(first.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.createdAt).toBeInstanceOf(Date);
    expect(users.findOrCreate('+9779812345678')).toBe(first);
    expect(users.findById(first.id)).toBe(first);
    expect(users.count()).toBe(1);
  });

  it('gives each number its own user and knows no other id', () => {
    const users = createUserTable();
    const a = users.findOrCreate('+9779812345678');
    const b = users.findOrCreate('+9779812345679');
    expect(b.id).not.toBe(a.id);
    expect(users.count()).toBe(2);
    expect(users.findById('not-an-id')).toBeUndefined();
  });
});
