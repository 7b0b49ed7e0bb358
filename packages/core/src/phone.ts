import { type MetadataJson, parsePhoneNumberFromString } from 'libphonenumber-js/core';
import phoneMetadata from './phone-metadata.json' with { type: 'json' };

/** A phone number, normalised once. */
export interface PhoneNumber {
  /** Canonical E.164 form, used for keys, events and sessions: `+9779812345678`. */
  readonly e164: string;
  /** The national significant number TingTing expects: `9812345678`. */
  readonly national: string;
  /** ISO 3166-1 alpha-2 country, `NP` for Nepal. */
  readonly country: string | undefined;
  /** `true` when the number is a mobile number (libphonenumber's `MOBILE` or `FIXED_LINE_OR_MOBILE`). */
  readonly isMobile: boolean;
}

/**
 * libphonenumber-js's mobile metadata for the countries the project reads, cut from the installed
 * version at build time (`scripts/generate-phone-metadata.mjs`).
 */
const metadata = phoneMetadata as unknown as MetadataJson;

const DEVANAGARI_ZERO = 0x0966;
const MAX_INPUT_LENGTH = 64;

/** Replace Devanagari digits (०-९), which libphonenumber does not read, by ASCII digits. */
function toASCIIDigits(input: string): string {
  return input.replace(/[\u0966-\u096F]/g, (digit) =>
    String(digit.charCodeAt(0) - DEVANAGARI_ZERO),
  );
}

/**
 * Parse a phone number in any of the forms people type (`98XXXXXXXX`, `+977 98…`, `00977…`,
 * spaces, dashes, parentheses, Devanagari digits), with Nepal as the default country.
 *
 * Parsing and validation are libphonenumber-js's (its mobile metadata for the calling codes of
 * Nepal, India, China, the UK and North America: a number with any other code is `undefined`); this only maps Devanagari
 * digits first and bounds the input length. The whole input must be the number (libphonenumber's
 * `extract: false`: no number picked out of surrounding text) and carry no extension.
 *
 * @returns the parsed number, or `undefined` when the input is not a valid phone number.
 */
export function parsePhoneNumber(input: unknown, defaultCountry = 'NP'): PhoneNumber | undefined {
  if (typeof input !== 'string' || input.length === 0 || input.length > MAX_INPUT_LENGTH) {
    return undefined;
  }
  const parsed = parsePhoneNumberFromString(
    toASCIIDigits(input.normalize('NFKC')),
    {
      // biome-ignore lint/suspicious/noExplicitAny: libphonenumber's CountryCode union is not exported to callers
      defaultCountry: defaultCountry as any,
      // The whole input must be the number: no number picked out of surrounding text.
      extract: false,
    },
    metadata,
  );
  if (parsed === undefined || parsed.ext !== undefined) return undefined;
  // A number with a type is valid (libphonenumber's isValid() is `getType() !== undefined` when
  // the country's metadata has types, as the mobile metadata does): one pass of the type patterns
  // instead of two. Without a type, isValid() decides as before.
  const type = parsed.getType();
  if (type === undefined && !parsed.isValid()) return undefined;
  return {
    e164: parsed.number,
    national: parsed.nationalNumber,
    country: parsed.country,
    isMobile: type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE',
  };
}

/**
 * The national prefixes of the Nepali mobile numbers TingTing delivers to: `96`, `97`, `98`
 * (ten-digit numbers such as `9851023212`, the form seed 001's examples use). The one source of
 * truth for {@link isNepaliMobile}, the engine's default allow-list, and for the client's check of
 * `sendOTP`'s number. libphonenumber also calls `900…` mobile, which TingTing refuses.
 *
 * The fake TingTing in `@tingting-auth/testing` keeps its own copy (it depends on nothing of
 * ours); a contract test in this package checks that the two agree.
 */
export const TINGTING_MOBILE_PREFIXES: readonly string[] = Object.freeze(['96', '97', '98']);

/**
 * `true` for a valid Nepali mobile number that TingTing delivers to: a mobile range known to
 * libphonenumber (NTC, Ncell, Smart…) that starts with one of {@link TINGTING_MOBILE_PREFIXES}.
 * This is the engine's default allow-list.
 */
export function isNepaliMobile(phone: PhoneNumber): boolean {
  return (
    phone.country === 'NP' &&
    phone.isMobile &&
    TINGTING_MOBILE_PREFIXES.includes(phone.national.slice(0, 2))
  );
}
