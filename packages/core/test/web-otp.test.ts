/**
 * One-tap code entry (`webOTPOrigin`): every text message ends with the origin-bound line
 * `@host #{otp}` (TingTing's placeholder, never the code), once; voice messages are unchanged;
 * the segment count and the cost warning include the line; a bad origin is a `TypeError`.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FakeTingTing, startFakeTingTing } from '@tingting-auth/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countSMSSegments } from '../src/engine/messages.js';
import type { Locale } from '../src/otp-types.js';
import { tokenClient } from './client/helpers.js';
import { makeEngine, phoneNumber } from './helpers.js';

const ORIGIN = 'https://app.example.com';
const LINE = '@app.example.com #{otp}';
const LOCALES: Locale[] = ['en', 'ne'];
const PURPOSES = ['sign-in', 'phone-change', 'account-recovery'];

function withWarnings(overrides: Parameters<typeof makeEngine>[0] = {}) {
  const warnings: string[] = [];
  const made = makeEngine({ logger: { warn: (w) => warnings.push(w) }, ...overrides });
  return { ...made, warnings };
}

describe('the origin-bound line', () => {
  describe.each(LOCALES)('locale %s', (locale) => {
    it.each(PURPOSES)(
      'purpose %s: the last line is exactly @host #{otp}, once',
      async (purpose) => {
        const { engine, sender } = makeEngine({ webOTPOrigin: ORIGIN });
        await engine.send({ phone: phoneNumber(), locale, purpose });
        const { message, code } = sender.last();
        const lines = message.split('\n');
        expect(lines.at(-1)).toBe(LINE);
        expect(lines.filter((line) => line.startsWith('@'))).toHaveLength(1);
        expect(message.match(/#\{otp\}/g)).toHaveLength(1);
        // The placeholder, never the code.
        expect(message).not.toContain(code);
        // The rest is the message without the option (Nepali: the compact built-in, see below).
        const plain = makeEngine();
        await plain.engine.send({ phone: phoneNumber(), locale, purpose });
        if (locale === 'en')
          expect(lines.slice(0, -1).join('\n')).toBe(plain.sender.last().message);
      },
    );

    it('voice messages are unchanged', async () => {
      const on = makeEngine({ webOTPOrigin: ORIGIN });
      const off = makeEngine();
      await on.engine.send({ phone: phoneNumber(), locale, channel: 'voice' });
      await off.engine.send({ phone: phoneNumber(), locale, channel: 'voice' });
      expect(on.sender.last().message).toBe(off.sender.last().message);
      expect(on.sender.last().message).not.toContain('@');
    });
  });

  it('a resend switched to voice carries no line', async () => {
    const { engine, sender, clock } = makeEngine({
      webOTPOrigin: ORIGIN,
      policy: { resendFallbackToVoice: true },
    });
    const phone = phoneNumber();
    await engine.send({ phone });
    expect(sender.last().message.endsWith(`\n${LINE}`)).toBe(true);
    clock.advance(60_000);
    await engine.resend({ phone });
    expect(sender.last().channel).toBe('voice');
    expect(sender.last().message).not.toContain('@');
  });

  it('is added once to custom templates too, after trailing whitespace', async () => {
    const { engine, sender } = makeEngine({
      webOTPOrigin: ORIGIN,
      messages: { en: { text: { '*': 'Acme code: {otp}\n\n' } } },
    });
    await engine.send({ phone: phoneNumber() });
    expect(sender.last().message).toBe(`Acme code: {otp}\n${LINE}`);
  });

  it('refuses a custom text template that already has such a line', () => {
    expect(() =>
      makeEngine({
        webOTPOrigin: ORIGIN,
        messages: { en: { text: { '*': 'Code {otp}\n@app.example.com #{otp}' } } },
      }),
    ).toThrow(/messages\.en\.text\['\*'\] already has an origin-bound line/);
  });

  it('uses the host of localhost origins, without the port (development)', async () => {
    const { engine, sender } = makeEngine({ webOTPOrigin: 'http://localhost:3000' });
    await engine.send({ phone: phoneNumber() });
    expect(sender.last().message.split('\n').at(-1)).toBe('@localhost #{otp}');
  });

  it('lower-cases the host and takes a trailing slash', async () => {
    const { engine, sender } = makeEngine({ webOTPOrigin: 'https://App.Example.COM/' });
    await engine.send({ phone: phoneNumber() });
    expect(sender.last().message.split('\n').at(-1)).toBe(LINE);
  });

  it('is absent without the option', async () => {
    const { engine, sender } = makeEngine();
    await engine.send({ phone: phoneNumber() });
    expect(sender.last().message).not.toContain('@');
  });
});

describe('refused webOTPOrigin values (TypeError at construction)', () => {
  it.each([
    ['plain http outside localhost', 'http://app.example.com'],
    ['a path', 'https://app.example.com/login'],
    ['a query', 'https://app.example.com/?next=1'],
    ['a fragment', 'https://app.example.com/#x'],
    ['an empty query', 'https://app.example.com?'],
    ['a port on https (the line cannot name one)', 'https://app.example.com:8443'],
    ['credentials', 'https://user:secret@app.example.com'],
    ['a host without scheme', 'app.example.com'],
    ['another scheme', 'ftp://app.example.com'],
    ['a path on localhost', 'http://localhost:3000/signin'],
    ['an empty string', ''],
    ['not a string', 42],
  ])('%s', (_, webOTPOrigin) => {
    expect(() => makeEngine({ webOTPOrigin: webOTPOrigin as string })).toThrow(TypeError);
    expect(() => makeEngine({ webOTPOrigin: webOTPOrigin as string })).toThrow(
      /^OTPEngine: webOTPOrigin must be your app’s origin/,
    );
  });

  it.each([
    'https://app.example.com',
    'https://app.example.com/',
    'http://localhost',
    'http://localhost:3000',
    'http://127.0.0.1:5173',
    'http://[::1]:8080',
    'http://app.localhost:3000',
  ])('accepts %s', (webOTPOrigin) => {
    expect(() => makeEngine({ webOTPOrigin })).not.toThrow();
  });
});

describe('segments and the cost warning count the line', () => {
  it('GSM-7: the English built-in with the line is one segment of the expected length', async () => {
    const { engine, sender, warnings } = withWarnings({ webOTPOrigin: ORIGIN });
    await engine.send({ phone: phoneNumber() });
    const { message, code } = sender.last();
    const text = message.replaceAll('{otp}', code);
    const base = 'Your sign-in code is 123456. It expires in 5 minutes. Do not share it.'.length;
    expect(countSMSSegments(text)).toEqual({
      encoding: 'GSM-7',
      length: base + 1 + '@app.example.com #123456'.length,
      segments: 1,
    });
    expect(warnings).toEqual([]);
  });

  it('GSM-7: a custom template that fits alone but not with the line is warned about', () => {
    const template = `Your Acme code is {otp}. ${'x'.repeat(120)}`;
    expect(countSMSSegments(template.replace('{otp}', '123456')).segments).toBe(1);
    const off = withWarnings({ messages: { en: { text: { '*': template } } } });
    expect(off.warnings).toEqual([]);
    const on = withWarnings({
      webOTPOrigin: ORIGIN,
      messages: { en: { text: { '*': template } } },
    });
    expect(on.warnings).toHaveLength(1);
    expect(on.warnings[0]).toMatch(/needs 2 SMS segments \(GSM-7: .*webOTPOrigin line included/);
  });

  it('UCS-2: the Nepali built-in with the line stays one segment for a short host', async () => {
    const { engine, sender, warnings } = withWarnings({
      webOTPOrigin: ORIGIN,
      defaultLocale: 'ne',
    });
    for (const purpose of PURPOSES) {
      await engine.send({ phone: phoneNumber(), purpose });
      const { message, code } = sender.last();
      const text = message.replaceAll('{otp}', code);
      expect(countSMSSegments(text)).toMatchObject({ encoding: 'UCS-2', segments: 1 });
      expect(countSMSSegments(text).length).toBeLessThanOrEqual(70);
    }
    expect(warnings).toEqual([]);
  });

  it('UCS-2: a long host makes the Nepali message two segments, and the engine says so', async () => {
    const { engine, sender, warnings } = withWarnings({
      webOTPOrigin: 'https://signin.some-company.com.np',
      defaultLocale: 'ne',
    });
    await engine.send({ phone: phoneNumber() });
    const { message, code } = sender.last();
    expect(countSMSSegments(message.replaceAll('{otp}', code))).toMatchObject({
      encoding: 'UCS-2',
      segments: 2,
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /the ne text message for purpose "sign-in" needs 2 SMS segments \(UCS-2: 70 .*webOTPOrigin line included/,
    );
  });
});

describe('through TingTing (the fake, over HTTP)', () => {
  let fake: FakeTingTing;
  beforeAll(async () => {
    fake = await startFakeTingTing();
  });
  afterAll(() => fake.close());

  it('the text arrives with the code on its last line, as a phone reads it', async () => {
    const { engine } = makeEngine({ sender: tokenClient(fake), webOTPOrigin: ORIGIN });
    await engine.send({ phone: '9841234567' });
    const delivered = fake.outbox.last('9841234567');
    expect(delivered?.message).toBe(
      `Your sign-in code is ${delivered?.otp}. It expires in 5 minutes. Do not share it.\n@app.example.com #${delivered?.otp}`,
    );
    expect(delivered?.creditsUsed).toBe(1);
  });
});

describe('the README', () => {
  it('shows the exact SMS the engine produces (English and Nepali, the line last)', async () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### One-tap code entry on phones'));
    const shown = [...section.matchAll(/^```text\n([\s\S]*?)\n```/gm)].map(([, text]) => text);
    expect(shown).toHaveLength(2);
    // The README's option, with a recording sender standing in for its TingTingClient.
    const { engine, sender } = makeEngine({ webOTPOrigin: 'https://app.example.com' });
    for (const [index, locale] of (['en', 'ne'] as const).entries()) {
      await engine.send({ phone: phoneNumber(), locale });
      expect(sender.last().message.replaceAll('{otp}', '604218')).toBe(shown[index]);
    }
  });
});
