import { describe, expect, it } from 'vitest';
import { Messages } from '../src/engine/messages.js';

// The built-in texts are what every user reads or hears: pinned word for word, for each locale,
// channel and purpose, with {otp} left for TingTing and {minutes} filled in.
const BUILT_IN = {
  en: {
    text: {
      'sign-in': 'Your sign-in code is {otp}. It expires in 5 minutes. Do not share it.',
      'phone-change':
        'Your code to change your phone number is {otp}. It expires in 5 minutes. Do not share it.',
      other: 'Your verification code is {otp}. It expires in 5 minutes. Do not share it.',
    },
    voice: {
      'sign-in':
        'Hello. Your sign-in code is {otp}. Again, your code is {otp}. Do not share it with anyone.',
      'phone-change':
        'Hello. Your code to change your phone number is {otp}. Again, your code is {otp}. Do not share it with anyone.',
      other:
        'Hello. Your verification code is {otp}. Again, your code is {otp}. Do not share it with anyone.',
    },
  },
  ne: {
    text: {
      'sign-in': 'साइन-इन कोड: {otp}। 5 मिनेटसम्म मान्य। कसैलाई नदिनुहोस्।',
      'phone-change': 'नम्बर परिवर्तन कोड: {otp}। 5 मिनेटसम्म मान्य। कसैलाई नदिनुहोस्।',
      other: 'प्रमाणीकरण कोड: {otp}। 5 मिनेटसम्म मान्य। कसैलाई नदिनुहोस्।',
    },
    voice: {
      'sign-in': 'नमस्ते। तपाईंको साइन-इन कोड {otp} हो। फेरि सुन्नुहोस्, {otp}। यो कोड कसैलाई नदिनुहोस्।',
      'phone-change':
        'नमस्ते। तपाईंको नम्बर परिवर्तन कोड {otp} हो। फेरि सुन्नुहोस्, {otp}। यो कोड कसैलाई नदिनुहोस्।',
      other: 'नमस्ते। तपाईंको प्रमाणीकरण कोड {otp} हो। फेरि सुन्नुहोस्, {otp}। यो कोड कसैलाई नदिनुहोस्।',
    },
  },
} as const;

const noWarnings = (message: string): never => {
  throw new Error(`unexpected warning: ${message}`);
};

describe('built-in messages', () => {
  for (const locale of ['en', 'ne'] as const) {
    for (const channel of ['text', 'voice'] as const) {
      for (const [purpose, expected] of Object.entries(BUILT_IN[locale][channel])) {
        it(`${locale} ${channel} ${purpose}`, () => {
          const messages = new Messages(undefined, 6, 5, noWarnings);
          expect(messages.template(locale, channel, purpose)).toBe(expected);
          // Asked again: the same text (from the cache).
          expect(messages.template(locale, channel, purpose)).toBe(expected);
        });
      }
    }
  }

  it('a custom template for a purpose wins over the custom catch-all, which wins over the built-in', () => {
    const messages = new Messages(
      { en: { text: { 'sign-in': 'A {otp}', '*': 'B {otp} {minutes}' } } },
      6,
      3,
      noWarnings,
    );
    expect(messages.template('en', 'text', 'sign-in')).toBe('A {otp}');
    expect(messages.template('en', 'text', 'other')).toBe('B {otp} 3');
    expect(messages.template('en', 'voice', 'sign-in')).toBe(
      'Hello. Your sign-in code is {otp}. Again, your code is {otp}. Do not share it with anyone.',
    );
    expect(messages.template('ne', 'text', 'sign-in')).toBe(
      BUILT_IN.ne.text['sign-in'].replace('5', '3'),
    );
  });

  it('warns once per text template that costs more than one SMS, with the exact advice', () => {
    const warnings: string[] = [];
    const messages = new Messages(
      { en: { text: { long: `{otp} ${'x'.repeat(160)}` } } },
      6,
      5,
      (message) => warnings.push(message),
    );
    expect(warnings).toEqual([
      'tingting-auth: the en text message for purpose "long" needs 2 SMS segments (GSM-7: 160 ' +
        'characters per single SMS), and each segment costs a credit. Shorten it in the `messages` option.',
    ]);
    messages.template('en', 'text', 'long');
    expect(warnings).toHaveLength(1);
    new Messages({ ne: { text: { '*': `{otp} ${'क'.repeat(70)}` } } }, 6, 5, (message) =>
      warnings.push(message),
    );
    expect(warnings[1]).toBe(
      'tingting-auth: the ne text message for purpose "*" needs 2 SMS segments (UCS-2: 70 ' +
        'characters per single SMS), and each segment costs a credit. Shorten it in the `messages` option.',
    );
  });
});

describe('message cache', () => {
  it('keeps at most 1,000 templates: the 1,001st is worked out (and warned about) each time', () => {
    const warnings: string[] = [];
    const messages = new Messages(
      { en: { text: { '*': `{otp} ${'x'.repeat(160)}` } } },
      6,
      5,
      (message) => warnings.push(message),
    );
    // The constructor already warned once for '*' and cached it.
    for (let i = 0; i < 999; i++) messages.template('en', 'text', `p${i}`);
    expect(warnings).toHaveLength(1_000);
    messages.template('en', 'text', 'p0');
    expect(warnings).toHaveLength(1_000);
    messages.template('en', 'text', 'one-too-many');
    messages.template('en', 'text', 'one-too-many');
    expect(warnings).toHaveLength(1_002);
  });
});

describe('message template validation', () => {
  const make = (templates: unknown) => () => new Messages(templates, 6, 5, noWarnings);

  it('accepts no templates and an empty object', () => {
    expect(make(undefined)).not.toThrow();
    expect(make({})).not.toThrow();
    expect(make({ en: {}, ne: { text: {}, voice: {} } })).not.toThrow();
  });

  it.each([
    [null, 'OTPEngine: messages must be an object'],
    ['text', 'OTPEngine: messages must be an object'],
    [{ fr: {} }, "OTPEngine: messages.fr is not a locale: use 'en' or 'ne'"],
    [{ en: null }, 'OTPEngine: messages.en must be an object'],
    [{ ne: 'x' }, 'OTPEngine: messages.ne must be an object'],
    [{ en: { sms: {} } }, "OTPEngine: messages.en.sms is not a channel: use 'text' or 'voice'"],
    [{ en: { text: null } }, "OTPEngine: messages.en.text must map purposes (or '*') to templates"],
    [{ ne: { voice: 5 } }, "OTPEngine: messages.ne.voice must map purposes (or '*') to templates"],
    [
      { en: { text: { 'sign-in': 'no code here' } } },
      "OTPEngine: messages.en.text['sign-in'] must be a string containing {otp}, where TingTing puts the code",
    ],
    [
      { en: { voice: { '*': 42 } } },
      "OTPEngine: messages.en.voice['*'] must be a string containing {otp}, where TingTing puts the code",
    ],
    [
      { en: { voice: { '*': `{otp}${'x'.repeat(996)}` } } },
      "OTPEngine: messages.en.voice['*'] is longer than 1000 characters",
    ],
  ])('refuses %j: %s', (templates, message) => {
    expect(make(templates)).toThrow(new TypeError(message));
  });

  it('takes a template of exactly 1000 characters', () => {
    expect(make({ en: { voice: { '*': `{otp}${'x'.repeat(995)}` } } })).not.toThrow();
  });
});
