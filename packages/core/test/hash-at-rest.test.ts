import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { constantTimeEqual } from '../src/constant-time.js';
import { OTPEngine } from '../src/engine/otp-engine.js';
import type { ChallengeRecord, Subject } from '../src/store.js';
import { MemoryStore } from '../src/stores/memory-store.js';
import { makeEngine, phoneNumber, recordingSender, SECRET } from './helpers.js';

class RecordingStore extends MemoryStore {
  readonly records: { subject: Subject; challenge: ChallengeRecord }[] = [];
  override issue(subject: Subject, challenge: ChallengeRecord, ...rest: [never, number]) {
    this.records.push({ subject, challenge });
    return super.issue(subject, challenge, ...rest);
  }
}

describe('hash at rest', () => {
  it('stores HMAC-SHA-256(secret, number, purpose, code) in base64url, never the code', async () => {
    const store = new RecordingStore();
    const { engine, sender } = makeEngine({ store });
    const phone = phoneNumber();
    await engine.send({ phone });
    const { code } = sender.last();
    const [record] = store.records;
    expect(record!.challenge.codeHash).toBe(
      createHmac('sha256', SECRET).update(`+977${phone}\nsign-in\n${code}`).digest('base64url'),
    );
    expect(record!.challenge.codeHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(record)).not.toContain(code);
    expect(inspect(store, { depth: Number.POSITIVE_INFINITY, maxArrayLength: null })).not.toContain(
      code,
    );
  });

  it('another secret gives another hash: a stolen store cannot be checked without the secret', async () => {
    const a = new RecordingStore();
    const b = new RecordingStore();
    const phone = phoneNumber();
    const codes = { [phone]: '424242' };
    await makeEngine({ store: a, testMode: { codes } }).engine.send({ phone });
    await makeEngine({
      store: b,
      secret: 'another-secret-of-at-least-32-bytes!!',
      testMode: { codes },
    }).engine.send({
      phone,
    });
    expect(a.records[0]!.challenge.codeHash).not.toBe(b.records[0]!.challenge.codeHash);
  });

  it('requires a secret of at least 32 bytes', () => {
    const sender = recordingSender();
    expect(() => new OTPEngine({ sender } as never)).toThrow(/secret.*required/);
    expect(() => new OTPEngine({ sender, secret: 'x'.repeat(31) })).toThrow(
      /at least 32 bytes, got 31/,
    );
    expect(() => new OTPEngine({ sender, secret: new Uint8Array(16) })).toThrow(TypeError);
    expect(() => new OTPEngine({ sender, secret: new Uint8Array(32) })).not.toThrow();
    // Devanagari characters are 3 bytes each in UTF-8: 11 of them are 33 bytes.
    expect(() => new OTPEngine({ sender, secret: 'क'.repeat(11) })).not.toThrow();
  });

  it('never shows the secret in inspect or JSON output of the engine', () => {
    const engine = new OTPEngine({ sender: recordingSender(), secret: SECRET });
    expect(inspect(engine, { depth: Number.POSITIVE_INFINITY, showHidden: true })).not.toContain(
      SECRET,
    );
    expect(JSON.stringify(engine)).not.toContain(SECRET);
  });

  it('compares in constant time after a length check', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});
