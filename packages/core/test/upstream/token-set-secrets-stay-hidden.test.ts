/**
 * A token set and a `withSecrets` result keep their secrets out of every way a value reaches a
 * log: JSON, util.inspect (also `%o`, `%j`, showHidden, nested, as an error's cause), String(),
 * spread, Object.entries, structuredClone. And the record form carries exactly what a session
 * store must seal, no more and no less, and rebuilds the same set.
 */
import { format, inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { withSecrets } from '../../src/upstream/redact.js';
import { createTokenSet, tokenSetRecord, tokenSetSecrets } from '../../src/upstream/token-set.js';
import type { TokenSetRecord } from '../../src/upstream/types.js';

const ACCESS = 'acc3ss-t0ken-SECRET-aaaaaaaaaaaa';
const REFRESH = 'r3fresh-t0ken-SECRET-bbbbbbbbbbbb';
const COOKIE = 'c00kie-value-SECRET-cccccccccccc';
const PASSWORD = 'pa55word-SECRET-dddddddddddd';

const FULL: TokenSetRecord = {
  accessToken: ACCESS,
  refreshToken: REFRESH,
  accessExpiresAt: 2000,
  refreshExpiresAt: 3000,
  receivedAt: 1000,
  tokenType: 'Cookie',
  cookies: {
    version: 'tough-cookie@6.1.0',
    storeType: 'MemoryCookieStore',
    cookies: [
      { key: 'access', value: ACCESS, domain: 'up.example', path: '/' },
      { key: 'refresh', value: REFRESH, domain: 'up.example', path: '/' },
      { key: 'csrftoken', value: COOKIE, domain: 'up.example', path: '/' },
    ],
  },
  generation: 3,
};

const MINIMAL: TokenSetRecord = {
  accessToken: ACCESS,
  accessExpiresAt: 2000,
  receivedAt: 1000,
  tokenType: 'Bearer',
  generation: 0,
};

/** Every rendering of `value` a logger, an error reporter or a serializer could produce. */
function everyRendering(value: unknown): string {
  const error = new Error('wrapped', { cause: value });
  const parts = [
    inspect(value),
    inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    inspect({ nested: { deeper: [value] } }, { depth: 10 }),
    inspect(error, { depth: 10 }),
    format('%o %O %j %s', value, value, value, value),
    String(value),
    JSON.stringify(value),
    JSON.stringify({ nested: [value] }),
    JSON.stringify(value, null, 2),
    JSON.stringify(error, ['message', 'cause']),
    inspect({ ...(value as object) }, { showHidden: true }),
    JSON.stringify(Object.entries(value as object)),
    JSON.stringify(Object.assign({}, value)),
    inspect(structuredClone(JSON.parse(JSON.stringify(value)))),
  ];
  return parts.join('\n');
}

function expectHidden(value: unknown, secrets: readonly string[]): void {
  const text = everyRendering(value);
  for (const secret of secrets) expect(text, `leaked ${secret}`).not.toContain(secret);
}

describe('a TokenSet', () => {
  it('shows no token or cookie value in any rendering, full or minimal', () => {
    expectHidden(createTokenSet(FULL), [ACCESS, REFRESH, COOKIE]);
    expectHidden(createTokenSet(MINIMAL), [ACCESS]);
    // Rebuilt from its record (a session store's unseal), it is as hidden.
    expectHidden(createTokenSet(tokenSetRecord(createTokenSet(FULL))), [ACCESS, REFRESH, COOKIE]);
  });

  it('prints its public fields and [redacted] for each secret it has, nothing for those it lacks', () => {
    const full = createTokenSet(FULL);
    const shown = {
      tokenType: 'Cookie',
      accessExpiresAt: 2000,
      refreshExpiresAt: 3000,
      receivedAt: 1000,
      generation: 3,
      accessToken: '[redacted]',
      refreshToken: '[redacted]',
      cookies: '[redacted]',
    };
    expect(JSON.parse(JSON.stringify(full))).toStrictEqual(shown);
    expect(inspect(full)).toBe(`TokenSet ${JSON.stringify(shown)}`);
    const minimal = createTokenSet(MINIMAL);
    const shownMinimal = {
      tokenType: 'Bearer',
      accessExpiresAt: 2000,
      receivedAt: 1000,
      generation: 0,
      accessToken: '[redacted]',
    };
    expect(JSON.parse(JSON.stringify(minimal))).toStrictEqual(shownMinimal);
    expect(inspect(minimal)).toBe(`TokenSet ${JSON.stringify(shownMinimal)}`);
  });

  it('has only its public fields as own enumerable keys (symbols included), and is frozen', () => {
    const full = createTokenSet(FULL);
    expect(Reflect.ownKeys({ ...full }).sort()).toEqual([
      'accessExpiresAt',
      'generation',
      'receivedAt',
      'refreshExpiresAt',
      'tokenType',
    ]);
    expect(Reflect.ownKeys({ ...createTokenSet(MINIMAL) }).sort()).toEqual([
      'accessExpiresAt',
      'generation',
      'receivedAt',
      'tokenType',
    ]);
    expect(Object.isFrozen(full)).toBe(true);
    expect(() => {
      (full as { accessToken: string }).accessToken = 'replaced';
    }).toThrow(TypeError);
    expect(full.accessToken).toBe(ACCESS);
  });

  it('an empty refresh token is no refresh token', () => {
    const set = createTokenSet({ ...MINIMAL, refreshToken: '' });
    expect(set.refreshToken).toBeUndefined();
    expect(JSON.parse(JSON.stringify(set))).not.toHaveProperty('refreshToken');
    expect(tokenSetRecord(set)).not.toHaveProperty('refreshToken');
  });
});

describe('tokenSetRecord', () => {
  it('of a minimal set has exactly its fields (no undefined keys to seal)', () => {
    expect(tokenSetRecord(createTokenSet(MINIMAL))).toStrictEqual(MINIMAL);
  });

  it('keeps the jar settings, and stores a cookie that repeats a token as a pointer to it', () => {
    const record = tokenSetRecord(createTokenSet(FULL));
    expect(record).toStrictEqual({
      ...FULL,
      cookies: {
        version: 'tough-cookie@6.1.0',
        storeType: 'MemoryCookieStore',
        cookies: [
          { key: 'access', valueFrom: 'accessToken', domain: 'up.example', path: '/' },
          { key: 'refresh', valueFrom: 'refreshToken', domain: 'up.example', path: '/' },
          { key: 'csrftoken', value: COOKIE, domain: 'up.example', path: '/' },
        ],
      },
    });
    // And back: the same set, the jar settings and every cookie value included.
    const rebuilt = createTokenSet(record);
    expect(rebuilt.cookies).toStrictEqual(FULL.cookies);
    expect(tokenSetRecord(rebuilt)).toStrictEqual(record);
  });

  it('a cookie without a value stays so, in a set without a refresh token', () => {
    const record: TokenSetRecord = {
      ...MINIMAL,
      tokenType: 'Cookie',
      cookies: { cookies: [{ key: 'flag', domain: 'up.example', path: '/' }] },
    };
    const set = createTokenSet(record);
    expect(set.cookies).toStrictEqual(record.cookies);
    expect(tokenSetRecord(set)).toStrictEqual(record);
    expect(tokenSetSecrets(set)).toEqual([ACCESS]);
  });

  it('copies: editing a record afterwards changes neither the set nor the next record', () => {
    const input = structuredClone(FULL) as unknown as {
      cookies: { cookies: Record<string, unknown>[] };
    };
    const set = createTokenSet(input as unknown as TokenSetRecord);
    (input.cookies.cookies[2] as Record<string, unknown>).value = 'edited';
    expect(set.cookies?.cookies[2]?.value).toBe(COOKIE);
    const record = tokenSetRecord(set) as unknown as typeof input;
    (record.cookies.cookies[2] as Record<string, unknown>).value = 'edited';
    expect(tokenSetRecord(set).cookies?.cookies[2]?.value).toBe(COOKIE);
  });
});

describe('createTokenSet refuses a record of the wrong shape, naming the field', () => {
  const cases: [string, unknown, RegExp][] = [
    ['null', null, /a record is required/],
    ['a string', 'tokens', /a record is required/],
    ['undefined', undefined, /a record is required/],
    ['a numeric access token', { ...MINIMAL, accessToken: 5 }, /accessToken must be/],
    ['an empty access token', { ...MINIMAL, accessToken: '' }, /accessToken must be/],
    ['a numeric refresh token', { ...MINIMAL, refreshToken: 5 }, /refreshToken must be/],
    ['another token type', { ...MINIMAL, tokenType: 'bearer' }, /tokenType must be/],
    ['null cookies', { ...MINIMAL, cookies: null }, /cookies must be/],
    ['string cookies', { ...MINIMAL, cookies: 'a=b' }, /cookies must be/],
    ['a jar without a list', { ...MINIMAL, cookies: {} }, /cookies must be/],
    ['a jar with a string list', { ...MINIMAL, cookies: { cookies: 'x' } }, /cookies must be/],
    ['a fractional generation', { ...MINIMAL, generation: 1.5 }, /generation must be/],
    ['a negative generation', { ...MINIMAL, generation: -1 }, /generation must be/],
    ['an unsafe generation', { ...MINIMAL, generation: 2 ** 53 }, /generation must be/],
    ['a string time', { ...MINIMAL, accessExpiresAt: '2000' }, /accessExpiresAt must be a finite/],
    [
      'an infinite time',
      { ...MINIMAL, accessExpiresAt: Number.POSITIVE_INFINITY },
      /accessExpiresAt must be a finite/,
    ],
    ['a NaN receipt', { ...MINIMAL, receivedAt: Number.NaN }, /receivedAt must be a finite/],
    [
      'a NaN refresh expiry',
      { ...MINIMAL, refreshExpiresAt: Number.NaN },
      /refreshExpiresAt must be a finite/,
    ],
    [
      'a cookie pointing at a missing refresh token',
      { ...MINIMAL, cookies: { cookies: [{ key: 'r', valueFrom: 'refreshToken' }] } },
      /a cookie takes its value from a token the record lacks/,
    ],
    [
      'a cookie pointing at an unknown field',
      { ...FULL, cookies: { cookies: [{ key: 'r', valueFrom: 'password' }] } },
      /a cookie takes its value from a token the record lacks/,
    ],
  ];
  for (const [name, record, message] of cases) {
    it(name, () => {
      expect(() => createTokenSet(record as TokenSetRecord)).toThrow(TypeError);
      expect(() => createTokenSet(record as TokenSetRecord)).toThrow(message);
    });
  }

  it('and takes the edge values: generation 0, both token types, an empty jar', () => {
    expect(createTokenSet({ ...MINIMAL, generation: 0 }).generation).toBe(0);
    expect(createTokenSet({ ...MINIMAL, tokenType: 'Cookie' }).tokenType).toBe('Cookie');
    expect(createTokenSet({ ...MINIMAL, cookies: { cookies: [] } }).cookies).toEqual({
      cookies: [],
    });
  });

  it('the error never carries the token it refused', () => {
    let caught: unknown;
    try {
      createTokenSet({ ...MINIMAL, refreshToken: 12345678 as never, accessToken: ACCESS });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TypeError);
    expectHidden(caught, [ACCESS]);
  });
});

describe('tokenSetSecrets', () => {
  it('lists the access token, the refresh token and each cookie value, in that order', () => {
    expect(tokenSetSecrets(createTokenSet(FULL))).toEqual([
      ACCESS,
      REFRESH,
      ACCESS,
      REFRESH,
      COOKIE,
    ]);
    expect(tokenSetSecrets(createTokenSet(MINIMAL))).toEqual([ACCESS]);
  });
});

describe('withSecrets', () => {
  const result = withSecrets(
    'LoginResult',
    { username: 'asha', expiresIn: 60 },
    { accessToken: ACCESS, password: PASSWORD, refreshToken: undefined },
  );

  it('keeps the secrets readable, and out of every rendering', () => {
    expect(result.accessToken).toBe(ACCESS);
    expect(result.password).toBe(PASSWORD);
    expectHidden(result, [ACCESS, PASSWORD]);
  });

  it('prints the visible fields and [redacted] for each secret given, under its name', () => {
    const shown = {
      username: 'asha',
      expiresIn: 60,
      accessToken: '[redacted]',
      password: '[redacted]',
    };
    expect(JSON.parse(JSON.stringify(result))).toStrictEqual(shown);
    expect(inspect(result)).toBe(`LoginResult ${JSON.stringify(shown)}`);
    // An undefined secret is left out altogether.
    expect(Object.getOwnPropertyNames(result)).not.toContain('refreshToken');
  });

  it('has only the visible fields as own enumerable keys, and is frozen', () => {
    expect(Reflect.ownKeys({ ...result }).sort()).toEqual(['expiresIn', 'username']);
    expect(Object.isFrozen(result)).toBe(true);
  });

  it('toJSON gives a copy: editing it does not change what is printed next', () => {
    const json = (result as unknown as { toJSON(): Record<string, unknown> }).toJSON();
    json.accessToken = 'edited';
    expect(JSON.parse(JSON.stringify(result)).accessToken).toBe('[redacted]');
    expect(inspect(result)).not.toContain('edited');
  });

  it('copies the visible object: editing it later changes nothing', () => {
    const visible: { user: string } = { user: 'asha' };
    const made = withSecrets('X', visible, { token: ACCESS });
    visible.user = 'mallory';
    expect(made.user).toBe('asha');
    expect(inspect(made)).toBe('X {"user":"asha","token":"[redacted]"}');
  });
});
