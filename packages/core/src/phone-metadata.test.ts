import { readFileSync } from 'node:fs';
import { parsePhoneNumberFromString } from 'libphonenumber-js/mobile';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script, no types
import { CALLING_CODES, generatePhoneMetadata } from '../scripts/generate-phone-metadata.mjs';
import { parsePhoneNumber } from './phone.js';

describe('phone metadata', () => {
  it('is what the generator makes from the installed libphonenumber-js (run `pnpm build` after an update)', () => {
    const committed = readFileSync(new URL('./phone-metadata.json', import.meta.url), 'utf8');
    expect(committed).toBe(generatePhoneMetadata());
  });

  // Numbers of every shape under each kept calling code: the sliced metadata must read them
  // exactly as libphonenumber-js does with its full mobile metadata.
  const samples = [
    '9841234567',
    '९८४१२३४५६७',
    '+977 1 4412345',
    '+977 9801234567',
    '+977 9831234567',
    '+91 98123 45678',
    '+91 22 2345 6789',
    '+86 138 1234 5678',
    '+44 7911 123456',
    '+44 7400 123456',
    '+44 20 7946 0958',
    '+44 7781 123456',
    '+44 7624 123456',
    '+1 415 555 2671',
    '+1 416 555 0123',
    '+1 204 234 5678',
    '+1 787 234 5678',
    '+1 876 234 5678',
    '00 977 9851023212',
  ];

  it.each(samples)('reads %s as the full mobile metadata does', (input) => {
    const full = parsePhoneNumberFromString(
      input.replace(/[\u0966-\u096F]/g, (d) => String(d.charCodeAt(0) - 0x0966)),
      {
        defaultCountry: 'NP',
        extract: false,
      },
    );
    const expected =
      full?.isValid() === true
        ? {
            e164: full.number,
            national: full.nationalNumber,
            country: full.country,
            isMobile: full.getType() === 'MOBILE' || full.getType() === 'FIXED_LINE_OR_MOBILE',
          }
        : undefined;
    expect(parsePhoneNumber(input)).toEqual(expected);
  });

  it('keeps Nepal and the calling codes it documents, and nothing else', () => {
    expect(CALLING_CODES).toContain('977');
    const metadata = JSON.parse(
      readFileSync(new URL('./phone-metadata.json', import.meta.url), 'utf8'),
    ) as { country_calling_codes: Record<string, string[]> };
    expect(Object.keys(metadata.country_calling_codes).sort()).toEqual([...CALLING_CODES].sort());
    // A valid mobile under a code left out does not parse: refused as invalid_phone.
    expect(parsePhoneNumberFromString('+61 412 345 678')?.isValid()).toBe(true);
    expect(parsePhoneNumber('+61 412 345 678')).toBeUndefined();
  });
});
