import { timingSafeEqual } from 'node:crypto';
import { constantTimeEqual } from '../constant-time.js';
import { StoreUnavailableError } from '../errors.js';
import type {
  ChallengeRecord,
  DeliveryFailure,
  HitOutcome,
  IssueOutcome,
  OTPStore,
  SendLimits,
  Subject,
  VerifyOutcome,
  VerifyPolicy,
} from '../store.js';
import { runInProcess, warnInProduction } from './in-process.js';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most numbers, pending codes and hit counters kept (each bounded separately). When full, the
   * store first drops what has expired, then the least recently used entry.
   * @default 100_000
   */
  maxEntries?: number;
  /** Receives the production warning. @default `process.emitWarning` */
  logger?: { warn(message: string): void };
}

const DEFAULT_MAX_ENTRIES = 100_000;
/** Slots are addressed as `purposeId * SLOT_STRIDE + slot` in one number-keyed map. */
const SLOT_STRIDE = 2 ** 24;
const MAX_PURPOSES = 1_024;
const HASH_BYTES = 32;
const INITIAL_CAPACITY = 1_024;
const SWEEP_EVERY = 256;
const SWEEP_SCAN = 32;
const CANONICAL_HASH = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;
/** 16 base64url characters are exactly 12 bytes: the engine's challenge ids, kept as bytes. */
const COMPACT_ID = /^[A-Za-z0-9_-]{16}$/;
const ID_BYTES = 12;
const E164 = /^\+[1-9][0-9]{1,14}$/;

/**
 * The map key of a number: an E.164 number as a JS number (its digits fit in 2^53), which costs
 * a 16-byte heap number instead of a 32-64-byte string; anything else as the string itself.
 */
function numberKey(phone: string): string | number {
  return E164.test(phone) ? Number(phone.slice(1)) : phone;
}

/** Decode a canonical base64url SHA-256 digest (43 characters) to its 32 bytes, else `undefined`. */
function decodeHash(hash: string): Buffer | undefined {
  return CANONICAL_HASH.test(hash) ? Buffer.from(hash, 'base64url') : undefined;
}

function grow<T extends Float64Array | Uint32Array | Uint16Array | Uint8Array | Int32Array>(
  array: T,
  length: number,
): T {
  const next = new (array.constructor as new (length: number) => T)(length);
  next.set(array);
  return next;
}

/**
 * Slots oldest first, as a doubly linked list over two typed arrays: append, remove and move to
 * the end in O(1), and the oldest is `first`.
 *
 * Why not the insertion order of the `Map`s: V8 leaves a hole for every deleted entry until it
 * rehashes, and a new iterator steps over all of them, so taking the oldest entry by iterating
 * from the start costs O(deleted entries). Under eviction that is every call: at 100,000 entries
 * each new number cost about 0.5 ms of blocked event loop (30 times a normal send).
 */
class SlotOrder {
  older: Int32Array;
  newer: Int32Array;
  /** The oldest slot, `-1` when empty. */
  first = -1;
  /** The newest slot, `-1` when empty. */
  last = -1;

  constructor(capacity: number) {
    this.older = new Int32Array(capacity);
    this.newer = new Int32Array(capacity);
  }

  resize(capacity: number): void {
    this.older = grow(this.older, capacity);
    this.newer = grow(this.newer, capacity);
  }

  append(slot: number): void {
    this.older[slot] = this.last;
    this.newer[slot] = -1;
    if (this.last === -1) this.first = slot;
    else this.newer[this.last] = slot;
    this.last = slot;
  }

  remove(slot: number): void {
    const older = this.older[slot]!;
    const newer = this.newer[slot]!;
    if (older === -1) this.first = newer;
    else this.newer[older] = newer;
    if (newer === -1) this.last = older;
    else this.older[newer] = older;
  }

  moveToEnd(slot: number): void {
    if (slot === this.last) return;
    this.remove(slot);
    this.append(slot);
  }
}

/**
 * Per-number state, one slot per number, in parallel typed arrays: about 66 bytes per number
 * outside the JS heap instead of an object with boxed timestamps.
 */
class NumberTable {
  lastSentAt: Float64Array;
  windowStart: Float64Array;
  windowCount: Uint32Array;
  /** The `windowStart` of the window in which a delivery last failed definitively. */
  deliveryFailedWindow: Float64Array;
  failures: Uint32Array;
  lastFailureAt: Float64Array;
  lockedUntil: Float64Array;
  challengeCount: Uint16Array;
  /** The map key of each slot: E.164 digits, or NaN when the key is a string (in `stringKeys`). */
  numericKeys: Float64Array;
  stringKeys: Map<number, string> = new Map();
  /** Least recently used first. */
  readonly order: SlotOrder;

  constructor(capacity: number) {
    this.lastSentAt = new Float64Array(capacity);
    this.windowStart = new Float64Array(capacity);
    this.windowCount = new Uint32Array(capacity);
    this.deliveryFailedWindow = new Float64Array(capacity);
    this.failures = new Uint32Array(capacity);
    this.lastFailureAt = new Float64Array(capacity);
    this.lockedUntil = new Float64Array(capacity);
    this.challengeCount = new Uint16Array(capacity);
    this.numericKeys = new Float64Array(capacity);
    this.order = new SlotOrder(capacity);
  }

  get capacity(): number {
    return this.lastSentAt.length;
  }

  resize(capacity: number): void {
    this.lastSentAt = grow(this.lastSentAt, capacity);
    this.windowStart = grow(this.windowStart, capacity);
    this.windowCount = grow(this.windowCount, capacity);
    this.deliveryFailedWindow = grow(this.deliveryFailedWindow, capacity);
    this.failures = grow(this.failures, capacity);
    this.lastFailureAt = grow(this.lastFailureAt, capacity);
    this.lockedUntil = grow(this.lockedUntil, capacity);
    this.challengeCount = grow(this.challengeCount, capacity);
    this.numericKeys = grow(this.numericKeys, capacity);
    this.order.resize(capacity);
  }

  reset(slot: number, key: string | number): void {
    this.lastSentAt[slot] = Number.NEGATIVE_INFINITY;
    this.windowStart[slot] = Number.NEGATIVE_INFINITY;
    this.windowCount[slot] = 0;
    this.deliveryFailedWindow[slot] = Number.NaN;
    this.failures[slot] = 0;
    this.lastFailureAt[slot] = Number.NEGATIVE_INFINITY;
    this.lockedUntil[slot] = Number.NEGATIVE_INFINITY;
    this.challengeCount[slot] = 0;
    if (typeof key === 'number') {
      this.numericKeys[slot] = key;
      this.stringKeys.delete(slot);
    } else {
      this.numericKeys[slot] = Number.NaN;
      this.stringKeys.set(slot, key);
    }
  }

  keyOf(slot: number): string | number {
    return this.stringKeys.get(slot) ?? this.numericKeys[slot]!;
  }
}

/** Pending codes, one slot per (number, purpose): the 32-byte hash inline, no per-code object. */
class ChallengeTable {
  hashes: Uint8Array;
  expiresAt: Float64Array;
  attempts: Uint16Array;
  channels: Uint8Array;
  owners: Int32Array;
  keys: Float64Array;
  ids: Uint8Array;
  /** Ids that are not 16 base64url characters, by slot. */
  oddIds: Map<number, string> = new Map();
  /** Hashes that are not canonical base64url SHA-256 digests (other engines, tests), by slot. */
  oddHashes: Map<number, string> = new Map();
  /** Issue order, oldest first: the order codes expire in. */
  readonly order: SlotOrder;

  constructor(capacity: number) {
    this.hashes = new Uint8Array(capacity * HASH_BYTES);
    this.expiresAt = new Float64Array(capacity);
    this.attempts = new Uint16Array(capacity);
    this.channels = new Uint8Array(capacity);
    this.owners = new Int32Array(capacity);
    this.keys = new Float64Array(capacity);
    this.ids = new Uint8Array(capacity * ID_BYTES);
    this.order = new SlotOrder(capacity);
  }

  get capacity(): number {
    return this.expiresAt.length;
  }

  resize(capacity: number): void {
    this.hashes = grow(this.hashes, capacity * HASH_BYTES);
    this.expiresAt = grow(this.expiresAt, capacity);
    this.attempts = grow(this.attempts, capacity);
    this.channels = grow(this.channels, capacity);
    this.owners = grow(this.owners, capacity);
    this.keys = grow(this.keys, capacity);
    this.ids = grow(this.ids, capacity * ID_BYTES);
    this.order.resize(capacity);
  }

  write(slot: number, key: number, owner: number, challenge: ChallengeRecord): void {
    const bytes = decodeHash(challenge.codeHash);
    if (bytes === undefined) {
      this.oddHashes.set(slot, challenge.codeHash);
    } else {
      this.oddHashes.delete(slot);
      this.hashes.set(bytes, slot * HASH_BYTES);
    }
    this.expiresAt[slot] = challenge.expiresAt;
    this.attempts[slot] = 0;
    this.channels[slot] = challenge.channel === 'voice' ? 1 : 0;
    this.owners[slot] = owner;
    this.keys[slot] = key;
    if (COMPACT_ID.test(challenge.id)) {
      this.oddIds.delete(slot);
      this.ids.set(Buffer.from(challenge.id, 'base64url'), slot * ID_BYTES);
    } else {
      this.oddIds.set(slot, challenge.id);
    }
  }

  hasId(slot: number, id: string): boolean {
    const odd = this.oddIds.get(slot);
    if (odd !== undefined) return odd === id;
    if (!COMPACT_ID.test(id)) return false;
    const offset = slot * ID_BYTES;
    return Buffer.from(id, 'base64url').equals(this.ids.subarray(offset, offset + ID_BYTES));
  }

  /** Constant-time comparison of the stored hash with `hash` (after a length check). */
  matches(slot: number, hash: string): boolean {
    const odd = this.oddHashes.get(slot);
    if (odd !== undefined) return constantTimeEqual(odd, hash);
    const bytes = decodeHash(hash);
    if (bytes === undefined) return false;
    const offset = slot * HASH_BYTES;
    return timingSafeEqual(this.hashes.subarray(offset, offset + HASH_BYTES), bytes);
  }

  clear(slot: number): void {
    this.oddIds.delete(slot);
    this.oddHashes.delete(slot);
    this.hashes.fill(0, slot * HASH_BYTES, (slot + 1) * HASH_BYTES);
  }
}

/** A hit counter, linked into the store's least-recently-used list (see {@link SlotOrder} for why). */
class Hit {
  older: Hit | undefined = undefined;
  newer: Hit | undefined = undefined;

  constructor(
    readonly key: string,
    public count: number,
    public resetAt: number,
  ) {}
}

/** A free-list slot allocator over a table that grows by doubling up to `max`. */
class Slots {
  private next = 0;
  private readonly free: number[] = [];

  constructor(
    private readonly max: number,
    private readonly table: { capacity: number; resize(capacity: number): void },
  ) {}

  get used(): number {
    return this.next - this.free.length;
  }

  /** A free slot, or `-1` when `max` slots are in use. */
  take(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.next >= this.max) return -1;
    if (this.next >= this.table.capacity) {
      this.table.resize(Math.min(this.max, Math.max(INITIAL_CAPACITY, this.table.capacity * 2)));
    }
    return this.next++;
  }

  release(slot: number): void {
    this.free.push(slot);
  }
}

/**
 * An {@link OTPStore} in the memory of one process: for development, tests, and single-process
 * deployments. Use `RedisStore` (`@tingting-auth/redis`) when more than one process serves sign-ins,
 * or limits and pending codes are not shared between them.
 *
 * Every method runs synchronously inside (so each one is atomic) and returns a promise.
 *
 * Bounded: at most `maxEntries` numbers, pending codes and hit counters each. Entries expire
 * lazily (on access) plus a small sweep every few hundred writes; no timers. When full, expired
 * entries go first, then the least recently used. What eviction means for security: an evicted
 * pending code simply fails to verify (`no_challenge`); an evicted number forgets its cooldown,
 * window count and failure count, and an evicted hit counter restarts (per-IP cap, global
 * budget). Filling the store takes `maxEntries` sends, which the global budget and the per-IP
 * cap bound far below the default, and the global budget counter is touched on every send so it
 * is never the least recently used.
 *
 * Memory: about 104 bytes of JS heap plus 133 bytes of typed arrays per pending code at 1,000,000
 * pending codes (measured by `bench/engine.ts`).
 */
export class MemoryStore implements OTPStore {
  /** The bound on numbers, pending codes and hit counters (each). */
  readonly maxEntries: number;
  private readonly numbers = new Map<string | number, number>();
  private readonly challenges = new Map<number, number>();
  private readonly hits = new Map<string, Hit>();
  /** Least and most recently used hit counters. */
  private oldestHit: Hit | undefined;
  private newestHit: Hit | undefined;
  private readonly purposes = new Map<string, number>();
  private readonly numberTable: NumberTable;
  private readonly challengeTable: ChallengeTable;
  private readonly numberSlots: Slots;
  private readonly challengeSlots: Slots;
  private writes = 0;
  /** The most recent limits and policy seen, to tell idle numbers from live ones when sweeping. */
  private cooldown = 0;
  private sendWindow = 0;
  private failureWindow = 0;

  constructor(options: MemoryStoreOptions = {}) {
    const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1 || maxEntries > SLOT_STRIDE) {
      throw new TypeError(
        `MemoryStore: maxEntries must be an integer from 1 to ${SLOT_STRIDE}, got ${String(maxEntries)}`,
      );
    }
    this.maxEntries = maxEntries;
    const capacity = Math.min(INITIAL_CAPACITY, maxEntries);
    this.numberTable = new NumberTable(capacity);
    this.challengeTable = new ChallengeTable(capacity);
    this.numberSlots = new Slots(maxEntries, this.numberTable);
    this.challengeSlots = new Slots(maxEntries, this.challengeTable);
    warnInProduction(
      'MemoryStore keeps OTP codes and limits in this process only: with more than one process ' +
        '(cluster, several instances, serverless), limits are per process and a code sent by one ' +
        'process cannot be verified by another. Use RedisStore from @tingting-auth/redis.',
      'TINGTING_MEMORY_STORE',
      options.logger,
    );
  }

  /** Pending codes held right now (expired ones included until they are swept). */
  get size(): number {
    return this.challenges.size;
  }

  issue(
    subject: Subject,
    challenge: ChallengeRecord,
    limits: SendLimits,
    now: number,
  ): Promise<IssueOutcome> {
    return runInProcess('MemoryStore', () => this.issueNow(subject, challenge, limits, now));
  }

  abandon(
    subject: Subject,
    challengeId: string,
    now: number,
    failure?: DeliveryFailure,
  ): Promise<void> {
    return runInProcess('MemoryStore', () => {
      const nSlot = this.numbers.get(numberKey(subject.phone));
      if (nSlot === undefined) return;
      const t = this.numberTable;
      const key = this.challengeKey(nSlot, subject.purpose);
      const cSlot = key === undefined ? undefined : this.challenges.get(key);
      const isPending = cSlot !== undefined && this.challengeTable.hasId(cSlot, challengeId);
      if (isPending) this.deleteChallenge(cSlot);
      let releaseCooldown = isPending;
      if (failure !== undefined) {
        if (t.deliveryFailedWindow[nSlot] === t.windowStart[nSlot]) {
          // A repeated definite failure in this window: no more provider calls until it ends.
          const max = failure.limits.maxSendsPerWindow;
          if (t.windowCount[nSlot]! < max) t.windowCount[nSlot] = max;
          releaseCooldown = false;
        } else {
          t.deliveryFailedWindow[nSlot] = t.windowStart[nSlot]!;
        }
      }
      if (releaseCooldown) t.lastSentAt[nSlot] = Number.NEGATIVE_INFINITY;
      this.maybeSweep(now);
    });
  }

  verify(
    subject: Subject,
    codeHash: string,
    policy: VerifyPolicy,
    now: number,
  ): Promise<VerifyOutcome> {
    return runInProcess('MemoryStore', () => this.verifyNow(subject, codeHash, policy, now));
  }

  cancel(subject: Subject, now: number): Promise<void> {
    return runInProcess('MemoryStore', () => {
      const nSlot = this.numbers.get(numberKey(subject.phone));
      if (nSlot === undefined) return;
      const key = this.challengeKey(nSlot, subject.purpose);
      const cSlot = key === undefined ? undefined : this.challenges.get(key);
      if (cSlot !== undefined) this.deleteChallenge(cSlot);
      this.maybeSweep(now);
    });
  }

  hit(key: string, windowInMilliseconds: number, now: number): Promise<HitOutcome> {
    return runInProcess('MemoryStore', () => {
      let hit = this.hits.get(key);
      if (hit === undefined) {
        if (this.hits.size >= this.maxEntries) this.evictHit(now);
        hit = new Hit(key, 0, now + windowInMilliseconds);
        this.hits.set(key, hit);
      } else {
        this.unlinkHit(hit);
        if (now >= hit.resetAt) {
          hit.count = 0;
          hit.resetAt = now + windowInMilliseconds;
        }
      }
      hit.count += 1;
      this.linkHit(hit);
      return { count: hit.count, resetAt: hit.resetAt };
    });
  }

  private issueNow(
    subject: Subject,
    challenge: ChallengeRecord,
    limits: SendLimits,
    now: number,
  ): IssueOutcome {
    this.cooldown = Math.max(this.cooldown, limits.cooldownInMilliseconds);
    this.sendWindow = Math.max(this.sendWindow, limits.sendWindowInMilliseconds);
    // Interned first, so that running out of purposes fails before anything changes.
    const purposeId = this.purposeId(subject.purpose, true)!;
    const table = this.numberTable;
    const phoneKey = numberKey(subject.phone);
    let nSlot = this.numbers.get(phoneKey);
    if (nSlot !== undefined) {
      const lockedUntil = table.lockedUntil[nSlot]!;
      if (lockedUntil > now) {
        return { ok: false, detail: 'locked', retryAfterInMilliseconds: lockedUntil - now };
      }
      const cooldownEnd = table.lastSentAt[nSlot]! + limits.cooldownInMilliseconds;
      if (now < cooldownEnd) {
        return { ok: false, detail: 'cooldown', retryAfterInMilliseconds: cooldownEnd - now };
      }
      const windowEnd = table.windowStart[nSlot]! + limits.sendWindowInMilliseconds;
      if (now < windowEnd && table.windowCount[nSlot]! >= limits.maxSendsPerWindow) {
        return { ok: false, detail: 'window_cap', retryAfterInMilliseconds: windowEnd - now };
      }
      // Most recently used last, so eviction takes the idle numbers first.
      table.order.moveToEnd(nSlot);
    } else {
      nSlot = this.newNumber(phoneKey, now);
    }
    const key = purposeId * SLOT_STRIDE + nSlot;
    let cSlot = this.challenges.get(key);
    if (cSlot === undefined) {
      cSlot = this.newChallenge(now);
      this.challenges.set(key, cSlot);
      this.challengeTable.order.append(cSlot);
      table.challengeCount[nSlot]! += 1;
    } else {
      // Replacing: move it to the end too, the issue order is the order codes expire in.
      this.challengeTable.order.moveToEnd(cSlot);
    }
    this.challengeTable.write(cSlot, key, nSlot, challenge);
    table.lastSentAt[nSlot] = now;
    if (now >= table.windowStart[nSlot]! + limits.sendWindowInMilliseconds) {
      table.windowStart[nSlot] = now;
      table.windowCount[nSlot] = 0;
    }
    table.windowCount[nSlot]! += 1;
    this.maybeSweep(now);
    return { ok: true, sendsInWindow: table.windowCount[nSlot]! };
  }

  private verifyNow(
    subject: Subject,
    codeHash: string,
    policy: VerifyPolicy,
    now: number,
  ): VerifyOutcome {
    this.failureWindow = Math.max(this.failureWindow, policy.failureWindowInMilliseconds);
    const nSlot = this.numbers.get(numberKey(subject.phone));
    if (nSlot === undefined) return { ok: false, detail: 'no_challenge' };
    const table = this.numberTable;
    if (
      table.failures[nSlot]! > 0 &&
      now >= table.lastFailureAt[nSlot]! + policy.failureWindowInMilliseconds
    ) {
      table.failures[nSlot] = 0;
    }
    const lockedUntil = table.lockedUntil[nSlot]!;
    if (lockedUntil > now) {
      return {
        ok: false,
        detail: 'locked',
        retryAfterInMilliseconds: lockedUntil - now,
        lockedNow: false,
        failures: table.failures[nSlot]!,
      };
    }
    const key = this.challengeKey(nSlot, subject.purpose);
    const cSlot = key === undefined ? undefined : this.challenges.get(key);
    if (cSlot === undefined) return { ok: false, detail: 'no_challenge' };
    const challenges = this.challengeTable;
    if (now >= challenges.expiresAt[cSlot]!) {
      this.deleteChallenge(cSlot);
      return { ok: false, detail: 'expired' };
    }
    if (challenges.attempts[cSlot]! >= policy.maxAttemptsPerCode) {
      return { ok: false, detail: 'too_many_attempts' };
    }
    challenges.attempts[cSlot]! += 1;
    if (challenges.matches(cSlot, codeHash)) {
      this.deleteChallenge(cSlot);
      table.failures[nSlot] = 0;
      return { ok: true };
    }
    const failures = table.failures[nSlot]! + 1;
    table.failures[nSlot] = failures;
    table.lastFailureAt[nSlot] = now;
    if (failures % policy.lockAfterFailures === 0) {
      const duration = Math.min(
        policy.lockBaseInMilliseconds * 2 ** (failures / policy.lockAfterFailures - 1),
        policy.lockMaxInMilliseconds,
      );
      table.lockedUntil[nSlot] = now + duration;
      return {
        ok: false,
        detail: 'locked',
        retryAfterInMilliseconds: duration,
        lockedNow: true,
        failures,
      };
    }
    return {
      ok: false,
      detail: 'wrong_code',
      failures,
      attemptsLeft: policy.maxAttemptsPerCode - challenges.attempts[cSlot]!,
    };
  }

  /** The challenge map key of (number slot, purpose); `undefined` for a purpose never seen. */
  private challengeKey(nSlot: number, purpose: string): number | undefined {
    const id = this.purposes.get(purpose);
    return id === undefined ? undefined : id * SLOT_STRIDE + nSlot;
  }

  /** The small integer standing for `purpose`; `undefined` for a purpose never seen unless `create`. */
  private purposeId(purpose: string, create: boolean): number | undefined {
    let id = this.purposes.get(purpose);
    if (id === undefined) {
      if (!create) return undefined;
      if (this.purposes.size >= MAX_PURPOSES) {
        throw new StoreUnavailableError(
          `MemoryStore holds at most ${MAX_PURPOSES} distinct purposes; purposes should be a few fixed names`,
        );
      }
      id = this.purposes.size;
      this.purposes.set(purpose, id);
    }
    return id;
  }

  private newNumber(phone: string | number, now: number): number {
    let slot = this.numberSlots.take();
    if (slot < 0) {
      this.sweepChallenges(now, SWEEP_SCAN);
      this.sweep(now, SWEEP_SCAN);
      slot = this.numberSlots.take();
    }
    if (slot < 0) {
      // Nothing idle: evict the least recently used number (and its pending codes).
      this.deleteNumber(this.numberTable.order.first);
      slot = this.numberSlots.take();
    }
    this.numberTable.reset(slot, phone);
    this.numbers.set(phone, slot);
    this.numberTable.order.append(slot);
    return slot;
  }

  private newChallenge(now: number): number {
    let slot = this.challengeSlots.take();
    if (slot >= 0) return slot;
    this.sweepChallenges(now, SWEEP_SCAN);
    slot = this.challengeSlots.take();
    if (slot >= 0) return slot;
    // Nothing expired: evict the oldest pending code (it will answer no_challenge).
    this.deleteChallenge(this.challengeTable.order.first);
    return this.challengeSlots.take();
  }

  private deleteChallenge(cSlot: number): void {
    const challenges = this.challengeTable;
    this.challenges.delete(challenges.keys[cSlot]!);
    challenges.order.remove(cSlot);
    const owner = challenges.owners[cSlot]!;
    this.numberTable.challengeCount[owner]! -= 1;
    challenges.clear(cSlot);
    this.challengeSlots.release(cSlot);
  }

  private deleteNumber(nSlot: number): void {
    const table = this.numberTable;
    if (table.challengeCount[nSlot]! > 0) {
      for (const id of this.purposes.values()) {
        const cSlot = this.challenges.get(id * SLOT_STRIDE + nSlot);
        if (cSlot !== undefined) this.deleteChallenge(cSlot);
      }
    }
    this.numbers.delete(table.keyOf(nSlot));
    table.order.remove(nSlot);
    table.stringKeys.delete(nSlot);
    this.numberSlots.release(nSlot);
  }

  /** A number is idle when forgetting it changes no answer: no code, no lock, no limit, no failure. */
  private isIdle(nSlot: number, now: number): boolean {
    const t = this.numberTable;
    return (
      t.challengeCount[nSlot] === 0 &&
      t.lockedUntil[nSlot]! <= now &&
      t.lastSentAt[nSlot]! + this.cooldown <= now &&
      t.windowStart[nSlot]! + this.sendWindow <= now &&
      (t.failures[nSlot] === 0 || t.lastFailureAt[nSlot]! + this.failureWindow <= now)
    );
  }

  private maybeSweep(now: number): void {
    this.writes += 1;
    if (this.writes % SWEEP_EVERY === 0) {
      this.sweepChallenges(now, SWEEP_SCAN);
      this.sweep(now, SWEEP_SCAN);
    }
  }

  /** Look at up to `scan` of the least recently used numbers: drop the idle, rotate the rest. */
  private sweep(now: number, scan: number): void {
    const order = this.numberTable.order;
    // At most every number once: the ones rotated to the end are not looked at again.
    let left = Math.min(scan, this.numbers.size);
    for (let nSlot = order.first; left > 0 && nSlot !== -1; left--) {
      const newer = order.newer[nSlot]!;
      if (this.isIdle(nSlot, now)) this.deleteNumber(nSlot);
      else order.moveToEnd(nSlot);
      nSlot = newer;
    }
  }

  /** Drop expired codes among the oldest `scan` (the map is in issue order). */
  private sweepChallenges(now: number, scan: number): void {
    const challenges = this.challengeTable;
    let cSlot = challenges.order.first;
    for (let seen = 0; seen < scan && cSlot !== -1; seen++) {
      const newer = challenges.order.newer[cSlot]!;
      if (now >= challenges.expiresAt[cSlot]!) this.deleteChallenge(cSlot);
      cSlot = newer;
    }
  }

  private evictHit(now: number): void {
    const oldest = this.oldestHit;
    let evicted = false;
    let hit = oldest;
    for (let seen = 0; seen < SWEEP_SCAN && hit !== undefined; seen++) {
      const newer = hit.newer;
      if (now >= hit.resetAt) {
        this.deleteHit(hit);
        evicted = true;
      }
      hit = newer;
    }
    if (!evicted && oldest !== undefined) this.deleteHit(oldest);
  }

  private deleteHit(hit: Hit): void {
    this.hits.delete(hit.key);
    this.unlinkHit(hit);
  }

  /** Link `hit` as the most recently used. */
  private linkHit(hit: Hit): void {
    hit.older = this.newestHit;
    hit.newer = undefined;
    if (this.newestHit === undefined) this.oldestHit = hit;
    else this.newestHit.newer = hit;
    this.newestHit = hit;
  }

  private unlinkHit(hit: Hit): void {
    if (hit.older === undefined) this.oldestHit = hit.newer;
    else hit.older.newer = hit.newer;
    if (hit.newer === undefined) this.newestHit = hit.older;
    else hit.newer.older = hit.older;
    hit.older = undefined;
    hit.newer = undefined;
  }
}
