// Why these tests check the mechanism and not the behaviour: a compare that stops at the first
// differing byte (`Buffer.compare(a, b) === 0`, `a.equals(b)`, `===` on strings) gives exactly the
// same answers as a constant-time one. Only its timing differs, by nanoseconds, far below what a
// test can measure on a shared machine without flaking. Every behavioural test stays green when the
// compare is swapped (seen: all 346 core tests passed with `Buffer.compare`). So these tests pin
// the compare to the primitive whose running time does not depend on the bytes compared:
// `crypto.timingSafeEqual`, called once per verify, on two digests of the same length.
//
// Only the MemoryStore compares in JavaScript. The RedisStore compares inside its Lua script
// (`packages/redis/src/scripts.ts`, VERIFY: `ch[1] == ARGV[1]` on interned strings); its
// TypeScript side passes the hash through and compares nothing.
import * as crypto from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { constantTimeEqual } from '../src/constant-time.js';
import { hashCode, toHashKey } from '../src/engine/code.js';
import type { VerifyPolicy } from '../src/store.js';
import { MemoryStore } from '../src/stores/memory-store.js';
import { makeEngine, phoneNumber, SECRET, T0, wrongCode } from './helpers.js';

// A partial mock: the real node:crypto, with timingSafeEqual wrapped in a spy that still calls
// the real function. ESM namespaces cannot be spied on, so the seam is the module mock.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);

const LIMITS = {
  cooldownInMilliseconds: 1_000,
  maxSendsPerWindow: 5,
  sendWindowInMilliseconds: 10_000,
};
const POLICY: VerifyPolicy = {
  maxAttemptsPerCode: 5,
  lockAfterFailures: 10,
  lockBaseInMilliseconds: 60_000,
  lockMaxInMilliseconds: 60_000,
  failureWindowInMilliseconds: 100_000,
};
const KEY = toHashKey(SECRET);
const SUBJECT = { phone: '+9779841000001', purpose: 'sign-in' };
const digest = (code: string, subject = SUBJECT): string =>
  hashCode(KEY, subject.phone, subject.purpose, code);

/** Every timingSafeEqual call so far: argument lengths and what it answered. */
function compares(): { lengths: [number, number]; result: unknown }[] {
  return timingSafeEqual.mock.calls.map(([a, b], index) => ({
    lengths: [a.byteLength, b.byteLength],
    result: timingSafeEqual.mock.results[index]?.value,
  }));
}

afterEach(() => {
  timingSafeEqual.mockClear();
});

describe('constant-time compare: MemoryStore', () => {
  async function storeWithCode(codeHash: string): Promise<MemoryStore> {
    const store = new MemoryStore();
    const issued = await store.issue(
      SUBJECT,
      { id: 'AAAAAAAAAAAAAAAA', codeHash, expiresAt: T0 + 60_000, channel: 'text' },
      LIMITS,
      T0,
    );
    expect(issued.ok).toBe(true);
    timingSafeEqual.mockClear();
    return store;
  }

  it('a right code: one timingSafeEqual on two 32-byte digests, answering true', async () => {
    const store = await storeWithCode(digest('123456'));
    expect(await store.verify(SUBJECT, digest('123456'), POLICY, T0 + 1)).toEqual({ ok: true });
    expect(compares()).toEqual([{ lengths: [32, 32], result: true }]);
  });

  it('a wrong code: one timingSafeEqual on two 32-byte digests, answering false', async () => {
    const store = await storeWithCode(digest('123456'));
    expect(await store.verify(SUBJECT, digest('654321'), POLICY, T0 + 1)).toMatchObject({
      ok: false,
      detail: 'wrong_code',
    });
    expect(compares()).toEqual([{ lengths: [32, 32], result: false }]);
  });

  it('a code that differs only in its last digest byte still goes through timingSafeEqual', async () => {
    // The case an early-exit compare answers fastest after the longest run: a shared prefix.
    const stored = digest('123456');
    const bytes = Buffer.from(stored, 'base64url');
    bytes[31] = bytes[31]! ^ 1;
    const store = await storeWithCode(stored);
    expect(await store.verify(SUBJECT, bytes.toString('base64url'), POLICY, T0 + 1)).toMatchObject({
      ok: false,
      detail: 'wrong_code',
    });
    expect(compares()).toEqual([{ lengths: [32, 32], result: false }]);
  });

  it('an unknown challenge (nothing pending for the number or the purpose): no digest is compared', async () => {
    // Nothing secret is stored, so there is nothing whose bytes a compare could leak; the answer
    // is no_challenge, which the engine turns into the same invalid_code as a wrong code.
    const store = await storeWithCode(digest('123456'));
    const stranger = { phone: '+9779841000002', purpose: 'sign-in' };
    expect(await store.verify(stranger, digest('123456', stranger), POLICY, T0 + 1)).toEqual({
      ok: false,
      detail: 'no_challenge',
    });
    const otherPurpose = { phone: SUBJECT.phone, purpose: 'other' };
    expect(await store.verify(otherPurpose, digest('123456'), POLICY, T0 + 1)).toEqual({
      ok: false,
      detail: 'no_challenge',
    });
    expect(compares()).toEqual([]);
  });

  it('a stored hash in another form (another engine, a test) is compared with timingSafeEqual too', async () => {
    // The store packs canonical SHA-256 digests into bytes and keeps any other hash as a string:
    // that second path must be constant-time as well.
    const store = await storeWithCode('a-hash-of-another-form');
    expect(await store.verify(SUBJECT, 'a-hash-of-another-f0rm', POLICY, T0 + 1)).toMatchObject({
      detail: 'wrong_code',
    });
    expect(await store.verify(SUBJECT, 'a-hash-of-another-form', POLICY, T0 + 2)).toEqual({
      ok: true,
    });
    expect(compares()).toEqual([
      { lengths: [22, 22], result: false },
      { lengths: [22, 22], result: true },
    ]);
  });
});

describe('constant-time compare: constantTimeEqual', () => {
  it('compares equal-length strings with timingSafeEqual', () => {
    expect(constantTimeEqual('same-length-a', 'same-length-a')).toBe(true);
    expect(constantTimeEqual('same-length-a', 'same-length-b')).toBe(false);
    expect(compares()).toEqual([
      { lengths: [13, 13], result: true },
      { lengths: [13, 13], result: false },
    ]);
  });

  it('answers false for different lengths without comparing (a length is not a secret)', () => {
    expect(constantTimeEqual('short', 'longer')).toBe(false);
    expect(constantTimeEqual('', 'x')).toBe(false);
    expect(compares()).toEqual([]);
  });
});

describe('constant-time compare: through the engine and its default store', () => {
  it('right code, wrong code and unknown number: the store compares with timingSafeEqual, or not at all', async () => {
    const { engine, sender } = makeEngine();
    const phone = phoneNumber();
    await engine.send({ phone });
    const code = sender.last().code;
    timingSafeEqual.mockClear();

    expect(await engine.verify({ phone, code: wrongCode(code) })).toEqual({
      ok: false,
      reason: 'invalid_code',
    });
    expect(compares()).toEqual([{ lengths: [32, 32], result: false }]);

    timingSafeEqual.mockClear();
    expect(await engine.verify({ phone, code })).toMatchObject({ ok: true });
    expect(compares()).toEqual([{ lengths: [32, 32], result: true }]);

    timingSafeEqual.mockClear();
    expect(await engine.verify({ phone: '9801000099', code })).toEqual({
      ok: false,
      reason: 'invalid_code',
    });
    expect(compares()).toEqual([]);
  });
});
