import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createSecretKey,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { SessionKey } from './sessions-store.js';

/**
 * The cryptography of upstream sessions, in one place:
 * - session ids: `<subject key>.<128 random bits>`; the store only ever sees a hash of the random
 *   part (`SessionKey.id`), so its content (a dump, a key listing) gives no usable session;
 * - sealing: AES-256-GCM with a random 96-bit IV. Token sets are sealed under a key derived from
 *   the app secret *and* the session id (HMAC), with the session id as additional data: reading
 *   a session's tokens takes the secret and the id the browser holds. Session info (subject,
 *   device) is sealed under the app key with the session's public id as additional data, so an
 *   app can list a subject's sessions without their ids;
 * - keyed hashes (HMAC-SHA-256) of subjects and sign-in identifiers.
 *
 * Every key is derived from the app secret by HKDF-SHA-256 with its own label.
 */

/** Minimum app secret length, as the OTP engine's. */
export const MIN_SECRET_BYTES = 32;
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SUBJECT_KEY_BYTES = 12;
const RANDOM_BYTES = 16;
const PACK_JSON = 0;
const PACK_DEFLATE = 1;
/**
 * JSON shorter than this is sealed as is. Measured on the fakes' records (deflate here, inflate on
 * every cold read): notes' token set (about 263 bytes: two opaque tokens, no jar) deflates by
 * about 75 bytes (100 base64url characters in the store) for about 10 µs of deflate at sign-in
 * and refresh and 10 µs of inflate per read; Timbr's JWT pair (about 621 bytes) saves about 200
 * and TingTing's cookie jar (about 926) about 380 for the same time. From 512 on the saving pays
 * for the CPU; below it a short record is stored plain. Only which packing new records get
 * changes: the packing byte is inside the ciphertext and both are read, so records sealed under
 * the old threshold (256) still open (test/sessions/fixtures/sealed-records-v1.json).
 */
const COMPRESS_FROM_BYTES = 512;
const DEFLATE_OPTIONS = { windowBits: 11, memLevel: 5 } as const;
const MAX_UNPACKED_BYTES = 1 << 20;
const SESSION_ID = /^([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22})$/;

/** The keys derived from one app secret. */
export interface SessionKeys {
  readonly info: KeyObject;
  readonly tokens: KeyObject;
  readonly subject: KeyObject;
  readonly identifier: KeyObject;
}

/** Validate the app secret and derive every key from it (a `TypeError` names the problem). */
export function deriveSessionKeys(secret: unknown, owner: string): SessionKeys {
  let bytes: Buffer;
  if (typeof secret === 'string') bytes = Buffer.from(secret, 'utf8');
  else if (secret instanceof Uint8Array) bytes = Buffer.from(secret);
  else {
    throw new TypeError(
      `${owner}: \`secret\` is required: a string or Uint8Array of at least ${MIN_SECRET_BYTES} bytes, ` +
        "e.g. `crypto.randomBytes(32).toString('base64url')` kept in your secret store",
    );
  }
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new TypeError(
      `${owner}: \`secret\` must be at least ${MIN_SECRET_BYTES} bytes, got ${bytes.length}; ` +
        "generate one with `crypto.randomBytes(32).toString('base64url')`",
    );
  }
  const derive = (label: string): KeyObject =>
    createSecretKey(
      Buffer.from(hkdfSync('sha256', bytes, '', `tingting-auth upstream ${label} v1`, 32)),
    );
  return Object.freeze({
    info: derive('session-info'),
    tokens: derive('session-tokens'),
    subject: derive('subject'),
    identifier: derive('identifier'),
  });
}

/** Keyed hash of a string, base64url, cut to `bytes` bytes. */
export function keyedHash(key: KeyObject, value: string, bytes = 32): string {
  return createHmac('sha256', key)
    .update(value, 'utf8')
    .digest()
    .subarray(0, bytes)
    .toString('base64url');
}

/** The subject part of every session id of (`provider`, `subject`). */
export function subjectKeyOf(keys: SessionKeys, provider: string, subject: string): string {
  return keyedHash(keys.subject, `${provider}\n${subject}`, SUBJECT_KEY_BYTES);
}

const POOL_BYTES = 4_096;
let pool: Buffer = Buffer.alloc(0);
let poolOffset = 0;

/**
 * `size` bytes from the CSPRNG (`crypto.randomBytes`), drawn 4 KiB at a time: one system call
 * for about 150 session ids and IVs instead of one each (a sign-in needs three; Node's own
 * `crypto.randomUUID` keeps such a cache too). Each byte is handed out once and wiped from the
 * pool as it goes; callers get their own copy.
 */
export function randomBytesPooled(size: number): Buffer {
  if (size > POOL_BYTES) return randomBytes(size);
  if (poolOffset + size > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const out = Buffer.from(pool.subarray(poolOffset, poolOffset + size));
  pool.fill(0, poolOffset, poolOffset + size);
  poolOffset += size;
  return out;
}

/** A fresh session id for a subject key. */
export function newSessionId(subjectKey: string): string {
  return `${subjectKey}.${randomBytesPooled(RANDOM_BYTES).toString('base64url')}`;
}

/** Where a session id's session lives in the store; `undefined` for anything not a session id. */
export function sessionKeyOf(sid: unknown): SessionKey | undefined {
  if (typeof sid !== 'string') return undefined;
  const match = SESSION_ID.exec(sid);
  if (match === null) return undefined;
  return { subject: match[1]!, id: publicIdOf(match[2]!) };
}

function publicIdOf(random: string): string {
  return createHash('sha256')
    .update(`session-id\n${random}`, 'utf8')
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}

/** Seal `plaintext` under `key` with `aad`: base64url of version, IV, ciphertext and tag. */
export function seal(key: KeyObject | Buffer, plaintext: string | Buffer, aad: string): string {
  const iv = randomBytesPooled(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([
    typeof plaintext === 'string' ? cipher.update(plaintext, 'utf8') : cipher.update(plaintext),
    cipher.final(),
  ]);
  return Buffer.concat([Buffer.of(VERSION), iv, body, cipher.getAuthTag()]).toString('base64url');
}

/** Open what {@link seal} made; `undefined` when it does not authenticate (wrong key, aad, tampered). */
export function openBytes(
  key: KeyObject | Buffer,
  sealed: string,
  aad: string,
): Buffer | undefined {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < 1 + IV_BYTES + TAG_BYTES || bytes[0] !== VERSION) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(1, 1 + IV_BYTES));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    return undefined;
  }
}

/** {@link openBytes} as UTF-8 text. */
export function open(key: KeyObject | Buffer, sealed: string, aad: string): string | undefined {
  return openBytes(key, sealed, aad)?.toString('utf8');
}

/**
 * JSON made smaller for sealing: from 512 bytes on (`COMPRESS_FROM_BYTES`), deflated (raw) when
 * that saves bytes. A cookie-based token set carries verbose jar JSON; deflate shrinks it by about
 * 40%.
 * Compressing before encrypting leaks nothing here: no attacker chooses part of the plaintext
 * and watches the sealed length.
 */
export function packJSON(value: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(value), 'utf8');
  if (json.length >= COMPRESS_FROM_BYTES) {
    // A 2 KiB window and a small hash table: records are a few KiB at most, so the output is the
    // same size as with zlib's defaults (32 KiB, memLevel 8) at about a third of the CPU, most of
    // which is setting up those tables. Inflate's default window reads any smaller one.
    const deflated = deflateRawSync(json, DEFLATE_OPTIONS);
    if (deflated.length < json.length) return Buffer.concat([Buffer.of(PACK_DEFLATE), deflated]);
  }
  return Buffer.concat([Buffer.of(PACK_JSON), json]);
}

/** The value {@link packJSON} packed; throws on anything else. */
export function unpackJSON(packed: Buffer): unknown {
  const body = packed.subarray(1);
  if (packed[0] === PACK_JSON) return JSON.parse(body.toString('utf8'));
  if (packed[0] === PACK_DEFLATE) {
    return JSON.parse(
      inflateRawSync(body, { maxOutputLength: MAX_UNPACKED_BYTES }).toString('utf8'),
    );
  }
  throw new TypeError('unknown packing');
}

/** The key a session's token set is sealed under: only the secret and the session id give it. */
export function tokenKeyOf(keys: SessionKeys, sid: string): Buffer {
  return createHmac('sha256', keys.tokens).update(sid, 'utf8').digest();
}
