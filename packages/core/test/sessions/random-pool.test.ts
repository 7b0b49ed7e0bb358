/**
 * Session ids and seal IVs come from a pool of CSPRNG bytes refilled 4 KiB at a time (one system
 * call per ~150 draws instead of one per draw). A pool that handed a byte out twice would give two
 * sign-ins the same session id, or reuse an AES-GCM IV under one key (which breaks GCM): these
 * tests draw across many refills and check that nothing repeats and nothing comes out wiped.
 */
import { expect, it } from 'vitest';
import { newSessionId, randomBytesPooled } from '../../src/upstream/sessions-seal.js';

it('10,000 session ids across many pool refills are all distinct', () => {
  const ids = new Set<string>();
  for (let i = 0; i < 10_000; i++) ids.add(newSessionId('subject'));
  expect(ids.size).toBe(10_000);
});

it('draws of odd sizes never overlap, repeat, or come out zeroed', () => {
  const seen = new Set<string>();
  let zeroed = 0;
  // 12-byte IVs and 16-byte ids interleaved, plus sizes that do not divide 4,096.
  for (let i = 0; i < 5_000; i++) {
    const size = [12, 16, 7, 33][i % 4]!;
    const bytes = randomBytesPooled(size);
    expect(bytes.length).toBe(size);
    if (bytes.every((b) => b === 0)) zeroed++;
    seen.add(bytes.toString('hex'));
  }
  expect(seen.size).toBe(5_000);
  expect(zeroed).toBe(0);
});

it('a caller owns its copy: wiping it does not touch later draws, and a large draw works', () => {
  const first = randomBytesPooled(16);
  const kept = Buffer.from(first);
  first.fill(0);
  const second = randomBytesPooled(16);
  expect(second.equals(kept)).toBe(false);
  expect(second.every((b) => b === 0)).toBe(false);
  expect(randomBytesPooled(10_000).length).toBe(10_000);
});
