import type { Channel, Locale, Purpose } from '../otp-types.js';

/**
 * Message templates by locale, channel and purpose (`'*'` for any other purpose). Each must
 * contain `{otp}`, which TingTing replaces by the code; `{minutes}` is replaced by the code's
 * lifetime when the engine is created.
 *
 * @example `{ en: { text: { 'sign-in': 'Your Acme code is {otp}. Valid {minutes} min.' } } }`
 */
export type MessageTemplates = {
  [L in Locale]?: { [C in Channel]?: { [purpose: Purpose]: string } };
};

const NOUNS: Record<Locale, Record<string, string>> = {
  en: {
    'sign-in': 'sign-in code',
    'phone-change': 'code to change your phone number',
    '*': 'verification code',
  },
  ne: {
    'sign-in': 'साइन-इन कोड',
    'phone-change': 'नम्बर परिवर्तन कोड',
    '*': 'प्रमाणीकरण कोड',
  },
};

/**
 * The built-in template for a locale, channel and purpose. `compact`: the Nepali text without the
 * lifetime sentence, so that with the origin-bound line it still fits one UCS-2 segment (70).
 */
function builtIn(locale: Locale, channel: Channel, purpose: Purpose, compact: boolean): string {
  const noun = NOUNS[locale][purpose] ?? NOUNS[locale]['*']!;
  if (locale === 'ne') {
    if (channel === 'text' && compact) return `${noun}: {otp}। कसैलाई नदिनुहोस्।`;
    return channel === 'text'
      ? `${noun}: {otp}। {minutes} मिनेटसम्म मान्य। कसैलाई नदिनुहोस्।`
      : // Read aloud: the code twice, short sentences.
        `नमस्ते। तपाईंको ${noun} {otp} हो। फेरि सुन्नुहोस्, {otp}। यो कोड कसैलाई नदिनुहोस्।`;
  }
  return channel === 'text'
    ? `Your ${noun} is {otp}. It expires in {minutes} minutes. Do not share it.`
    : `Hello. Your ${noun} is {otp}. Again, your code is {otp}. Do not share it with anyone.`;
}

// GSM 03.38 basic character set, and the extension table (two septets each).
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENDED = new Set('^{}\\[~]|€\f');

/** How a text message is encoded and how many SMS segments it costs. */
export interface SMSSegments {
  encoding: 'GSM-7' | 'UCS-2';
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  length: number;
  segments: number;
}

/**
 * Count the SMS segments a text costs: GSM-7 when every character is in the GSM 03.38 set
 * (160 per single message, 153 per part), else UCS-2 (70, 67 per part). Devanagari is UCS-2.
 */
export function countSMSSegments(text: string): SMSSegments {
  let septets = 0;
  for (const char of text) {
    if (GSM_BASIC.has(char)) septets += 1;
    else if (GSM_EXTENDED.has(char)) septets += 2;
    else {
      const length = text.length;
      return { encoding: 'UCS-2', length, segments: length <= 70 ? 1 : Math.ceil(length / 67) };
    }
  }
  return {
    encoding: 'GSM-7',
    length: septets,
    segments: septets <= 160 ? 1 : Math.ceil(septets / 153),
  };
}

/** Resolved templates: one lookup per send, validated once. */
export class Messages {
  private readonly custom: MessageTemplates;
  private readonly cache = new Map<string, string>();

  /**
   * Validate `templates` (each contains `{otp}`) and warn through `warn` about any text template
   * that needs more than one SMS segment with a code of `codeLength` digits. `originLine` (the
   * WebOTP line, `@host #{otp}`) becomes the last line of every text message.
   */
  constructor(
    templates: unknown,
    private readonly codeLength: number,
    private readonly minutes: number,
    private readonly warn: (message: string) => void,
    private readonly originLine?: string,
  ) {
    this.custom = validateTemplates(templates, originLine !== undefined);
    for (const [locale, channels] of Object.entries(this.custom)) {
      for (const [channel, purposes] of Object.entries(channels ?? {})) {
        for (const purpose of Object.keys(purposes ?? {})) {
          this.template(locale as Locale, channel as Channel, purpose);
        }
      }
    }
  }

  /** The template (with `{otp}` still in it) for a locale, channel and purpose. */
  template(locale: Locale, channel: Channel, purpose: Purpose): string {
    const cacheKey = `${locale}\n${channel}\n${purpose}`;
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) return cached;
    const byPurpose = this.custom[locale]?.[channel];
    const withLine = channel === 'text' && this.originLine !== undefined;
    const raw =
      byPurpose?.[purpose] ?? byPurpose?.['*'] ?? builtIn(locale, channel, purpose, withLine);
    let template = raw.replaceAll('{minutes}', String(this.minutes));
    // The origin-bound line must be the message's last line, on its own (WebOTP, Safari).
    if (withLine) template = `${template.trimEnd()}\n${this.originLine}`;
    if (channel === 'text') {
      const sample = template.replaceAll('{otp}', '0'.repeat(this.codeLength));
      const { encoding, segments } = countSMSSegments(sample);
      if (segments > 1) {
        this.warn(
          `tingting-auth: the ${locale} text message for purpose "${purpose}" needs ${segments} SMS segments ` +
            `(${encoding}: ${encoding === 'GSM-7' ? 160 : 70} characters per single SMS${
              withLine ? ', the webOTPOrigin line included' : ''
            }), and each segment costs a credit. Shorten it in the \`messages\` option.`,
        );
      }
    }
    // Bounded: purposes are validated names and the engine serves a handful of them.
    if (this.cache.size < 1_000) this.cache.set(cacheKey, template);
    return template;
  }
}

/** A line that is already an origin-bound code line (`@host #…`). */
const ORIGIN_LINE = /^@\S+ #/m;

function validateTemplates(templates: unknown, hasOriginLine: boolean): MessageTemplates {
  if (templates === undefined) return {};
  const fail = (where: string, what: string): never => {
    throw new TypeError(`OTPEngine: messages${where} ${what}`);
  };
  if (typeof templates !== 'object' || templates === null) fail('', 'must be an object');
  for (const [locale, channels] of Object.entries(templates as object)) {
    if (locale !== 'en' && locale !== 'ne') fail(`.${locale}`, "is not a locale: use 'en' or 'ne'");
    if (typeof channels !== 'object' || channels === null) fail(`.${locale}`, 'must be an object');
    for (const [channel, purposes] of Object.entries(channels as object)) {
      if (channel !== 'text' && channel !== 'voice') {
        fail(`.${locale}.${channel}`, "is not a channel: use 'text' or 'voice'");
      }
      if (typeof purposes !== 'object' || purposes === null) {
        fail(`.${locale}.${channel}`, "must map purposes (or '*') to templates");
      }
      for (const [purpose, template] of Object.entries(purposes as object)) {
        const where = `.${locale}.${channel}['${purpose}']`;
        if (typeof template !== 'string' || !template.includes('{otp}')) {
          fail(where, 'must be a string containing {otp}, where TingTing puts the code');
        }
        if ((template as string).length > 1_000) fail(where, 'is longer than 1000 characters');
        if (hasOriginLine && channel === 'text' && ORIGIN_LINE.test(template as string)) {
          fail(
            where,
            'already has an origin-bound line (@host #{otp}): with webOTPOrigin the engine adds it as the last line, once',
          );
        }
      }
    }
  }
  return templates as MessageTemplates;
}
