import { describe, expect, it } from 'vitest';
import { isNepaliMobile, parsePhoneNumber } from './phone.js';

const NTC = { e164: '+9779841234567', national: '9841234567' };

describe('parsePhoneNumber', () => {
  it.each([
    ['9841234567'],
    ['+9779841234567'],
    ['+977 984 123 4567'],
    ['+977-984-1234567'],
    ['00977 9841234567'],
    ['009779841234567'],
    ['984-123-4567'],
    [' 9841234567 '],
    ['(984) 123 4567'],
    ['९८४१२३४५६७'], // Devanagari digits
    ['+९७७ ९८४१२३४५६७'],
    ['+９７７９８４１２３４５６７'], // full-width digits (NFKC)
  ])('reads %s as one canonical number', (input) => {
    const phone = parsePhoneNumber(input);
    expect(phone).toMatchObject({ ...NTC, country: 'NP', isMobile: true });
    expect(isNepaliMobile(phone!)).toBe(true);
  });

  it('reads the operators TingTing serves (NTC 984/985/986, Ncell 980/981/982, Smart 961/988)', () => {
    for (const number of ['9851023212', '9861489014', '9801234567', '9812345678', '9821234567']) {
      const phone = parsePhoneNumber(number);
      expect(phone?.national).toBe(number);
      expect(isNepaliMobile(phone!)).toBe(true);
    }
  });

  it.each([
    [''],
    ['abc'],
    ['98412345'], // too short
    ['98412345678'], // too long for Nepal
    ['9'.repeat(65)], // overlong input, refused before parsing
    ['+977'],
    ['😀'],
    ['9841234567; DROP TABLE'], // no number picked out of surrounding text
    ['call me at 9841234567'],
    ['tel:+9779841234567'],
    ['9841234567 ext. 5'],
  ])('refuses junk %j', (input) => {
    expect(parsePhoneNumber(input)).toBeUndefined();
  });

  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 9841234567, {}, ['9841234567']]) {
      expect(parsePhoneNumber(value)).toBeUndefined();
    }
  });
});

describe('isNepaliMobile', () => {
  it('rejects Nepali landlines (parsePhoneNumber reads mobile metadata, so they do not parse)', () => {
    for (const input of ['01-4412345', '+977 1 4412345', '061-521234']) {
      const landline = parsePhoneNumber(input);
      expect(landline === undefined || !isNepaliMobile(landline)).toBe(true);
    }
  });

  it('rejects foreign mobiles, even written like a national number', () => {
    for (const input of ['+919812345678', '+14155552671', '+447911123456', '+8613812345678']) {
      const phone = parsePhoneNumber(input);
      expect(phone).toBeDefined();
      expect(isNepaliMobile(phone!)).toBe(false);
    }
    const indian = parsePhoneNumber('9812345678', 'IN');
    expect(indian?.country).toBe('IN');
    expect(isNepaliMobile(indian!)).toBe(false);
  });
});
