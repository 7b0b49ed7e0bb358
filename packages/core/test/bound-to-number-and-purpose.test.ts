import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ChallengeRecord, Subject } from '../src/store.js';
import { MemoryStore } from '../src/stores/memory-store.js';
import { makeEngine, phoneNumber, SECRET } from './helpers.js';

describe('bound to number and purpose', () => {
  it('a code sent to one number does not verify for another', async () => {
    const { engine, sender } = makeEngine();
    const a = phoneNumber();
    const b = phoneNumber();
    await engine.send({ phone: a });
    const codeA = sender.last().code;
    await engine.send({ phone: b });
    expect(await engine.verify({ phone: b, code: codeA })).toMatchObject(
      codeA === sender.last().code ? { ok: true } : { ok: false, reason: 'invalid_code' },
    );
    expect(await engine.verify({ phone: a, code: codeA })).toMatchObject({ ok: true });
  });

  it('a code sent for one purpose does not verify for another', async () => {
    const { engine, sender, clock } = makeEngine();
    const phone = phoneNumber();
    await engine.send({ phone, purpose: 'phone-change' });
    const code = sender.last().code;
    expect(await engine.verify({ phone, code, purpose: 'sign-in' })).toEqual({
      ok: false,
      reason: 'invalid_code',
    });
    clock.advance(60_000);
    await engine.send({ phone, purpose: 'sign-in' });
    const signIn = sender.last().code;
    if (signIn !== code) {
      expect(await engine.verify({ phone, code, purpose: 'sign-in' })).toMatchObject({ ok: false });
    }
    expect(await engine.verify({ phone, code, purpose: 'phone-change' })).toMatchObject({
      ok: true,
      purpose: 'phone-change',
    });
  });

  it('the stored hash covers number, purpose and code: the same code hashes differently', async () => {
    const records: { subject: Subject; challenge: ChallengeRecord }[] = [];
    class RecordingStore extends MemoryStore {
      override issue(subject: Subject, challenge: ChallengeRecord, ...rest: [never, number]) {
        records.push({ subject, challenge });
        return super.issue(subject, challenge, ...rest);
      }
    }
    const a = phoneNumber();
    const b = phoneNumber();
    const { engine, clock } = makeEngine({
      store: new RecordingStore(),
      testMode: { codes: { [a]: '123456', [b]: '123456' } },
    });
    await engine.send({ phone: a });
    await engine.send({ phone: b });
    clock.advance(60_000);
    await engine.send({ phone: a, purpose: 'phone-change' });
    const hashes = records.map((record) => record.challenge.codeHash);
    expect(new Set(hashes).size).toBe(3);
    const expected = createHmac('sha256', SECRET)
      .update(`+977${a}\nsign-in\n123456`)
      .digest('base64url');
    expect(hashes[0]).toBe(expected);
  });

  it('normalises the number: any typed form verifies for the same number', async () => {
    const { engine, sender } = makeEngine();
    const phone = phoneNumber();
    await engine.send({ phone: `+977 ${phone.slice(0, 3)}-${phone.slice(3)}` });
    expect(await engine.verify({ phone: `00977${phone}`, code: sender.last().code })).toMatchObject(
      {
        ok: true,
        phone: `+977${phone}`,
      },
    );
  });
});
