/**
 * Format stability of sealed session records. `fixtures/sealed-records-v1.json` holds token sets
 * sealed by the code of commit `sealedByCommit` (format version 1, packed plain under 256 bytes of
 * JSON and deflated from 256 on) with a fixed test secret: a short Bearer record (plain) and the
 * three upstreams' records as signed in against the fakes of `@tingting-auth/testing` (notes,
 * Timbr and TingTing accounts, all deflated then). Sessions stored by a deployed release must open
 * in the next one, so every record here must keep opening to exactly its `record`; a change that
 * breaks stored sessions (a key label, the layout, the packing bytes) fails this test.
 *
 * Never regenerate the fixture to make this pass: a new format is a new fixture next to this one.
 * It was made by signing in through `UpstreamSessions` (memory store, clock at `now`, the app
 * secret `secret`) and copying the stored session, the session id and the opened record.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MemorySessionStore,
  SessionExpiredError,
  type StoredSession,
  UpstreamSessions,
} from '../../src/upstream/index.js';
import {
  deriveSessionKeys,
  openBytes,
  packJSON,
  seal,
  sessionKeyOf,
  tokenKeyOf,
  unpackJSON,
} from '../../src/upstream/sessions-seal.js';
import { tokenSetRecord } from '../../src/upstream/token-set.js';

type Packing = 'plain' | 'deflate';

interface FixtureRecord {
  name: string;
  sid: string;
  /** How the record was packed when it was sealed (by the code of `sealedByCommit`). */
  packing: Packing;
  plaintextBytes: number;
  record: Record<string, unknown>;
  info: { subject: string; userAgent: string; ip: string };
  stored: StoredSession;
}

const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures', 'sealed-records-v1.json'), 'utf8'),
) as { secret: string; now: number; records: FixtureRecord[] };

const PACKING_BYTE: Record<Packing, number> = { plain: 0, deflate: 1 };

/**
 * The packing each record gets from the current code: deflated from 512 bytes of JSON on (256
 * when the fixture was sealed), so notes' records are now stored plain.
 */
const PACKING_NOW: Record<string, Packing> = {
  'bearer without refresh token (custom provider)': 'plain',
  'notes (seed 003)': 'plain',
  'Timbr (seed 002, JWT pair)': 'deflate',
  'TingTing accounts (seed 000, cookie jar)': 'deflate',
};

const keys = deriveSessionKeys(fixture.secret, 'Test');

/** A manager over a memory store holding the fixture's session `r` as stored. */
async function managerWith(
  r: FixtureRecord,
): Promise<{ sessions: UpstreamSessions; store: MemorySessionStore }> {
  const store = new MemorySessionStore();
  const sessions = new UpstreamSessions({
    store,
    secret: fixture.secret,
    providerId: r.stored.provider,
    clock: () => fixture.now,
    throttle: false,
  });
  await store.create(sessionKeyOf(r.sid)!, r.stored, fixture.now);
  return { sessions, store };
}

function flipped(sealed: string, index: number): string {
  const bytes = Buffer.from(sealed, 'base64url');
  // A different bit for each position, so every bit of a byte is flipped somewhere.
  bytes[index] = bytes[index]! ^ (1 << (index % 8));
  return bytes.toString('base64url');
}

describe('sealed session records of format v1 (fixtures/sealed-records-v1.json)', () => {
  it('the fixture holds both packings, and the three upstreams at their usual sizes', () => {
    expect(new Set(fixture.records.map((r) => r.packing))).toEqual(new Set(['plain', 'deflate']));
    expect(fixture.records.map((r) => [r.name, r.packing, r.plaintextBytes])).toEqual([
      ['bearer without refresh token (custom provider)', 'plain', 148],
      ['notes (seed 003)', 'deflate', 263],
      ['Timbr (seed 002, JWT pair)', 'deflate', 621],
      ['TingTing accounts (seed 000, cookie jar)', 'deflate', 926],
    ]);
  });

  describe.each(fixture.records)('$name', (r) => {
    it('opens to exactly the record it was sealed from, in the packing it was sealed with', () => {
      const packed = openBytes(tokenKeyOf(keys, r.sid), r.stored.tokens!, r.sid);
      expect(packed).toBeDefined();
      expect(packed![0]).toBe(PACKING_BYTE[r.packing]);
      const value = unpackJSON(packed!);
      expect(JSON.stringify(value)).toBe(JSON.stringify(r.record));
      expect(Buffer.byteLength(JSON.stringify(value))).toBe(r.plaintextBytes);
    });

    it('a stored session still reads through UpstreamSessions: the same tokens and session info', async () => {
      const { sessions } = await managerWith(r);
      const tokens = await sessions.getTokens(r.sid);
      expect(JSON.stringify(tokenSetRecord(tokens))).toBe(JSON.stringify(r.record));
      expect(tokens.accessToken).toBe(r.record.accessToken);
      expect(await sessions.status(r.sid)).toMatchObject({
        active: true,
        subject: r.info.subject,
        userAgent: r.info.userAgent,
        ip: r.info.ip,
      });
    });

    it(`is packed ${PACKING_NOW[r.name]} now (${r.plaintextBytes} bytes of JSON), and reseals to the same record`, () => {
      const packed = packJSON(r.record);
      expect(packed[0]).toBe(PACKING_BYTE[PACKING_NOW[r.name]!]);
      expect(packed[0]).toBe(r.plaintextBytes < 512 ? 0 : 1);
      const resealed = seal(tokenKeyOf(keys, r.sid), packed, r.sid);
      const opened = openBytes(tokenKeyOf(keys, r.sid), resealed, r.sid)!;
      expect(JSON.stringify(unpackJSON(opened))).toBe(JSON.stringify(r.record));
    });

    it('any byte of the sealed token set tampered with: SessionExpiredError (unreadable)', async () => {
      const length = Buffer.from(r.stored.tokens!, 'base64url').length;
      const { sessions, store } = await managerWith(r);
      const key = sessionKeyOf(r.sid)!;
      let refused = 0;
      for (let i = 0; i < length; i++) {
        await store.create(key, { ...r.stored, tokens: flipped(r.stored.tokens!, i) }, fixture.now);
        const error = await sessions.getTokens(r.sid).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, `byte ${i} of ${length}`).toBeInstanceOf(SessionExpiredError);
        expect(error).toMatchObject({ code: 'SESSION_EXPIRED', reason: 'unreadable' });
        refused += 1;
      }
      expect(refused).toBe(length);
      // The untouched record still opens in the same manager afterwards.
      await store.create(key, r.stored, fixture.now);
      expect((await sessions.getTokens(r.sid)).accessToken).toBe(r.record.accessToken);
    });

    it('any byte of the sealed session info tampered with: the session reads as unreadable', async () => {
      const length = Buffer.from(r.stored.info, 'base64url').length;
      const { sessions, store } = await managerWith(r);
      const key = sessionKeyOf(r.sid)!;
      for (let i = 0; i < length; i++) {
        await store.create(key, { ...r.stored, info: flipped(r.stored.info, i) }, fixture.now);
        expect(await sessions.status(r.sid), `byte ${i} of ${length}`).toEqual({
          active: false,
          reason: 'unreadable',
        });
      }
    });
  });
});
