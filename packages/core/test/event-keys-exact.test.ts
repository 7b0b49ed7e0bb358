import { describe, expect, it } from 'vitest';
import { makeEngine, phoneNumber, wrongCode } from './helpers.js';

// Events go to logs and metrics as they are: a field the engine does not know (no phone for a
// malformed request, no ip when none was given) is left out, not sent as `undefined` (which a
// JSON logger drops but a structured one writes as a key). `toEqual` cannot see the difference,
// so these tests compare the keys.
describe('events carry only the fields they have', () => {
  it('send_refused for a number that does not parse has no phone key (and no ip key without an ip)', async () => {
    const { engine, events } = makeEngine();
    await engine.send({ phone: 'not a number' });
    const event = events.at(-1)!;
    expect(event).toMatchObject({ type: 'send_refused', detail: 'invalid_phone' });
    expect(Object.keys(event).sort()).toEqual(['type', 'purpose', 'detail', 'at'].sort());
  });

  it('send_refused with an ip and no number: ip is there, phone is not', async () => {
    const { engine, events } = makeEngine();
    await engine.send({ phone: 'not a number', ip: '203.0.113.5' });
    expect(Object.keys(events.at(-1)!).sort()).toEqual(
      ['type', 'purpose', 'detail', 'ip', 'at'].sort(),
    );
  });

  it('failed for a malformed request from an ip: no phone key', async () => {
    const { engine, events } = makeEngine();
    await engine.verify({ phone: 'not a number', code: '123456', ip: '203.0.113.5' });
    const event = events.at(-1)!;
    expect(event).toMatchObject({ type: 'failed', detail: 'malformed', ip: '203.0.113.5' });
    expect(Object.keys(event).sort()).toEqual(['type', 'purpose', 'detail', 'ip', 'at'].sort());
  });

  it('failed for a wrong code without an ip: no ip key', async () => {
    const { engine, events, sender } = makeEngine();
    const phone = phoneNumber();
    await engine.send({ phone });
    await engine.verify({ phone, code: wrongCode(sender.last().code) });
    const event = events.at(-1)!;
    expect(event).toMatchObject({ type: 'failed', detail: 'wrong_code' });
    expect(Object.keys(event).sort()).toEqual(['type', 'phone', 'purpose', 'detail', 'at'].sort());
  });
});
