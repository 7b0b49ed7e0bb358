import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeEngine, phoneNumber } from './helpers.js';

describe('test mode', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('gives listed numbers their fixed code and sends them nothing', async () => {
    const { engine, sender, events } = makeEngine({
      testMode: { codes: { '+977 980-0000001': '123456' } },
    });
    expect(await engine.send({ phone: '9800000001' })).toMatchObject({
      ok: true,
      phone: '+9779800000001',
    });
    expect(sender.deliveries).toHaveLength(0);
    expect(events.at(-1)).toMatchObject({ type: 'sent', testMode: true, phone: '+9779800000001' });
    expect(await engine.verify({ phone: '+9779800000001', code: '123456' })).toMatchObject({
      ok: true,
    });
  });

  it('keeps every other property for listed numbers (wrong codes, single use)', async () => {
    const { engine } = makeEngine({ testMode: { codes: { '9800000001': '123456' } } });
    await engine.send({ phone: '9800000001' });
    expect(await engine.verify({ phone: '9800000001', code: '654321' })).toMatchObject({
      ok: false,
    });
    expect(await engine.verify({ phone: '9800000001', code: '123456' })).toMatchObject({
      ok: true,
    });
    expect(await engine.verify({ phone: '9800000001', code: '123456' })).toMatchObject({
      ok: false,
    });
  });

  it('sends real codes to numbers not listed', async () => {
    const { engine, sender, events } = makeEngine({
      testMode: { codes: { '9800000001': '123456' } },
    });
    await engine.send({ phone: phoneNumber() });
    expect(sender.deliveries).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'sent', testMode: false });
  });

  it('refuses to start under NODE_ENV=production', () => {
    vi.stubEnv('NODE_ENV', 'production');
    expect(() => makeEngine({ testMode: { codes: { '9800000001': '123456' } } })).toThrow(
      /testMode is refused under NODE_ENV=production/,
    );
  });

  it('refuses bad numbers and codes of the wrong shape', () => {
    expect(() => makeEngine({ testMode: { codes: { nope: '123456' } } })).toThrow(
      /not a valid phone number/,
    );
    expect(() => makeEngine({ testMode: { codes: { '9800000001': '12345' } } })).toThrow(
      /exactly 6 digits/,
    );
    expect(() =>
      makeEngine({ policy: { codeLength: 8 }, testMode: { codes: { '9800000001': '123456' } } }),
    ).toThrow(/exactly 8 digits/);
    expect(() => makeEngine({ testMode: {} as never })).toThrow(/testMode must be/);
  });
});
