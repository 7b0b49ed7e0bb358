import { describe, expect, it } from 'vitest';
import { countSMSSegments } from '../src/engine/messages.js';
import { makeEngine, phoneNumber } from './helpers.js';

describe('messages', () => {
  it('sends the English sign-in template with {otp} left for TingTing, and the code apart', async () => {
    const { engine, sender } = makeEngine();
    await engine.send({ phone: phoneNumber() });
    const delivery = sender.last();
    expect(delivery.message).toBe(
      'Your sign-in code is {otp}. It expires in 5 minutes. Do not share it.',
    );
    expect(delivery.message).not.toContain(delivery.code);
    expect(delivery).toMatchObject({ channel: 'text', purpose: 'sign-in' });
    expect(delivery.voice).toBeUndefined();
  });

  it('has Nepali templates in Devanagari that fit one SMS', async () => {
    const { engine, sender } = makeEngine({ defaultLocale: 'ne' });
    await engine.send({ phone: phoneNumber() });
    const { message, code } = sender.last();
    expect(message).toMatch(/[\u0900-\u097F]/);
    expect(message).toContain('{otp}');
    expect(countSMSSegments(message.replace('{otp}', code))).toMatchObject({
      encoding: 'UCS-2',
      segments: 1,
    });
  });

  it('uses a voice template and the voice for voice calls', async () => {
    const { engine, sender } = makeEngine();
    await engine.send({ phone: phoneNumber(), channel: 'voice', voice: 'np_binod', locale: 'ne' });
    expect(sender.last()).toMatchObject({ channel: 'voice', voice: 'np_binod' });
    expect(sender.last().message.match(/\{otp\}/g)).toHaveLength(2);
  });

  it('words the message for the purpose', async () => {
    const { engine, sender } = makeEngine();
    await engine.send({ phone: phoneNumber(), purpose: 'phone-change' });
    expect(sender.last().message).toContain('change your phone number');
    await engine.send({ phone: phoneNumber(), purpose: 'delete-account' });
    expect(sender.last().message).toContain('verification code');
  });

  it('takes custom templates per locale, channel and purpose, with {minutes}', async () => {
    const { engine, sender } = makeEngine({
      policy: { ttlInSeconds: 120 },
      messages: { en: { text: { '*': 'Acme code {otp}, valid {minutes} min' } } },
    });
    await engine.send({ phone: phoneNumber(), purpose: 'anything' });
    expect(sender.last().message).toBe('Acme code {otp}, valid 2 min');
  });

  it('refuses a template without {otp}, and unknown locales or channels', () => {
    expect(() =>
      makeEngine({ messages: { en: { text: { 'sign-in': 'Your code is ready' } } } }),
    ).toThrow(/messages\.en\.text\['sign-in'\] must be a string containing \{otp\}/);
    expect(() => makeEngine({ messages: { fr: {} } as never })).toThrow(/not a locale/);
    expect(() => makeEngine({ messages: { en: { sms: {} } } as never })).toThrow(/not a channel/);
  });

  it('warns at construction when a text template needs more than one SMS segment', () => {
    const warnings: string[] = [];
    const logger = { warn: (message: string) => warnings.push(message) };
    makeEngine({ logger });
    expect(warnings).toEqual([]);
    makeEngine({ logger, messages: { en: { text: { 'sign-in': `{otp} ${'x'.repeat(153)}` } } } });
    expect(warnings).toEqual([]); // 6 + 1 + 153 = 160 GSM-7 characters: one segment
    makeEngine({
      logger,
      messages: { en: { text: { 'sign-in': `{otp} ${'x'.repeat(153)}` } } },
      policy: { codeLength: 7 },
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/needs 2 SMS segments \(GSM-7/);
    makeEngine({
      logger,
      messages: { ne: { text: { 'sign-in': `कोड {otp} ${'क'.repeat(60)}` } } },
    });
    expect(warnings[1]).toMatch(/needs 2 SMS segments \(UCS-2/);
    // Voice templates cost one call whatever their length: no warning.
    makeEngine({ logger, messages: { en: { voice: { 'sign-in': `{otp} ${'x'.repeat(300)}` } } } });
    expect(warnings).toHaveLength(2);
  });

  it('counts SMS segments like the carriers do', () => {
    expect(countSMSSegments('a'.repeat(160))).toEqual({
      encoding: 'GSM-7',
      length: 160,
      segments: 1,
    });
    expect(countSMSSegments('a'.repeat(161))).toEqual({
      encoding: 'GSM-7',
      length: 161,
      segments: 2,
    });
    expect(countSMSSegments('€'.repeat(80))).toEqual({
      encoding: 'GSM-7',
      length: 160,
      segments: 1,
    });
    expect(countSMSSegments('क'.repeat(70))).toEqual({
      encoding: 'UCS-2',
      length: 70,
      segments: 1,
    });
    expect(countSMSSegments('क'.repeat(71))).toEqual({
      encoding: 'UCS-2',
      length: 71,
      segments: 2,
    });
    expect(countSMSSegments(`${'a'.repeat(69)}’`)).toMatchObject({
      encoding: 'UCS-2',
      segments: 1,
    });
  });

  it('falls back from text to voice on resend when configured', async () => {
    const { engine, sender, clock } = makeEngine({ policy: { resendFallbackToVoice: true } });
    const phone = phoneNumber();
    expect(await engine.send({ phone })).toMatchObject({ channel: 'text' });
    clock.advance(60_000);
    expect(await engine.resend({ phone })).toMatchObject({ ok: true, channel: 'voice' });
    expect(sender.last()).toMatchObject({ channel: 'voice', voice: 'np_rija' });
    expect(sender.last().message).toContain('Again, your code is {otp}');
  });

  it('refuses unknown channels, voices and locales as invalid_request', async () => {
    const { engine, sender } = makeEngine();
    for (const input of [
      { channel: 'sms' },
      { voice: 'robot' },
      { locale: 'fr' },
      { purpose: '' },
    ]) {
      expect(await engine.send({ phone: phoneNumber(), ...(input as object) })).toEqual({
        ok: false,
        reason: 'invalid_request',
      });
    }
    expect(sender.deliveries).toHaveLength(0);
  });
});
