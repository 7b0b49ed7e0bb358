import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DeliveryFailedError } from '../src/errors.js';
import type { ChallengeRecord, Subject } from '../src/store.js';
import { MemoryStore } from '../src/stores/memory-store.js';
import { makeEngine, phoneNumber, SECRET, wrongCode } from './helpers.js';

describe('events carry no secrets', () => {
  it('no event of a full flow contains a code, a hash or the secret', async () => {
    const hashes: string[] = [];
    class Spy extends MemoryStore {
      override issue(subject: Subject, challenge: ChallengeRecord, ...rest: [never, number]) {
        hashes.push(challenge.codeHash);
        return super.issue(subject, challenge, ...rest);
      }
    }
    const { engine, sender, clock, events } = makeEngine({
      store: new Spy(),
      policy: { sendBudget: 3, creditsLowThreshold: 10 },
      answer: async () => ({ remainingCredits: { text: 5 } }),
    });
    const phone = phoneNumber();
    await engine.send({ phone, ip: '203.0.113.1' });
    await engine.send({ phone, ip: '203.0.113.1' }); // cooldown
    for (let i = 0; i < 5; i++)
      await engine.verify({ phone, code: wrongCode(sender.last().code), ip: '203.0.113.1' });
    clock.advance(3_600_000);
    await engine.send({ phone });
    await engine.verify({ phone, code: sender.last().code });
    await engine.send({ phone: phoneNumber() });
    await engine.send({ phone: phoneNumber() });
    await engine.verify({ phone, code: 'oops' });

    const types = new Set(events.map((event) => event.type));
    expect(types).toEqual(
      new Set([
        'sent',
        'send_refused',
        'failed',
        'locked',
        'verified',
        'budget_low',
        'budget_exhausted',
        'credits_low',
      ]),
    );
    const everything =
      JSON.stringify(events) + inspect(events, { depth: Number.POSITIVE_INFINITY });
    for (const { code } of sender.deliveries) expect(everything).not.toContain(code);
    for (const hash of hashes) expect(everything).not.toContain(hash);
    expect(everything).not.toContain(SECRET);
  });

  it('emits credits_low once when the reported credits cross the threshold', async () => {
    let credits = 12;
    const { engine, events, clock } = makeEngine({
      policy: { creditsLowThreshold: 10 },
      answer: async () => ({ remainingCredits: { text: credits--, voice: 500 } }),
    });
    for (let i = 0; i < 5; i++) {
      await engine.send({ phone: phoneNumber() });
      clock.advance(1);
    }
    expect(events.filter((event) => event.type === 'credits_low')).toEqual([
      expect.objectContaining({ channel: 'text', remaining: 10 }),
    ]);
  });

  it('a throwing or rejecting listener does not break the operation', async () => {
    const warnings: string[] = [];
    const { engine, sender } = makeEngine({
      logger: { warn: (message) => warnings.push(message) },
    });
    engine.on('sent', () => {
      throw new Error('listener bug');
    });
    engine.on('verified', async () => {
      throw new Error('async listener bug');
    });
    const phone = phoneNumber();
    expect(await engine.send({ phone })).toMatchObject({ ok: true });
    expect(await engine.verify({ phone, code: sender.last().code })).toMatchObject({ ok: true });
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toEqual([
      expect.stringContaining('"sent" event listener threw'),
      expect.stringContaining('"verified" event listener threw'),
    ]);
  });

  it('on() returns an unsubscribe function', async () => {
    const { engine } = makeEngine();
    const seen: string[] = [];
    const off = engine.on('sent', (event) => seen.push(event.phone));
    await engine.send({ phone: '9812345670' });
    off();
    await engine.send({ phone: '9812345671' });
    expect(seen).toEqual(['+9779812345670']);
  });

  it('errors thrown on a failed delivery do not contain the code', async () => {
    const { engine } = makeEngine({
      answer: async (delivery) => {
        throw new Error(`provider rejected ${delivery.code}`);
      },
    });
    const error = await engine.send({ phone: phoneNumber() }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeliveryFailedError);
    expect(JSON.stringify(error)).not.toMatch(/[0-9]{6}/);
    expect((error as Error).message).not.toMatch(/[0-9]{6}/);
  });
});
