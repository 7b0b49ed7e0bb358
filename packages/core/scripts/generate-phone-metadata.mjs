/**
 * Writes `src/phone-metadata.json`: libphonenumber-js's mobile metadata, cut down to the country
 * calling codes in CALLING_CODES. tsup.config.ts runs it before every build of
 * @tingting-auth/core, and
 * `src/phone-metadata.test.ts` fails when the committed file differs from what this prints, so
 * a libphonenumber-js update in the lockfile brings its metadata with it.
 *
 * libphonenumber-js's own generator (libphonenumber-metadata-generator) downloads the newest
 * PhoneNumberMetadata.xml from Google's repository: newer than the installed library, and not
 * reproducible from the lockfile. This takes the metadata the installed version ships instead
 * (the same `metadata.mobile.json` that `libphonenumber-js/mobile` reads) and keeps every field of
 * the chosen countries as it is: only whole calling codes are left out.
 *
 *   node scripts/generate-phone-metadata.mjs          write src/phone-metadata.json
 *   node scripts/generate-phone-metadata.mjs --print  print it instead
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Country calling codes read: Nepal's (TingTing delivers there only), its neighbours India and
 * China, the UK and North America. Every country under these codes is kept, so a number with one
 * of them parses exactly as with the full metadata (a foreign mobile is refused by the default
 * allow-list, or allowed by an app's own); a number with any other code does not parse (refused as
 * `invalid_phone`).
 */
export const CALLING_CODES = ['977', '91', '86', '44', '1'];

const require = createRequire(import.meta.url);

/** The sliced metadata, as the JSON text written to the file. */
export function generatePhoneMetadata() {
  const library = require('libphonenumber-js/package.json');
  const full = require('libphonenumber-js/metadata.mobile.json');
  const callingCodes = {};
  const countries = {};
  for (const code of CALLING_CODES) {
    const owners = full.country_calling_codes[code];
    if (owners === undefined) {
      throw new Error(`libphonenumber-js ${library.version} has no metadata for +${code}`);
    }
    callingCodes[code] = owners;
    for (const country of owners) countries[country] = full.countries[country];
  }
  const metadata = { version: full.version, country_calling_codes: callingCodes, countries };
  return `${JSON.stringify(metadata)}\n`;
}

const here = dirname(fileURLToPath(import.meta.url));

/** Writes `src/phone-metadata.json` when it differs (tsup.config.ts calls this before building). */
export function writePhoneMetadata() {
  const text = generatePhoneMetadata();
  const out = join(here, '..', 'src', 'phone-metadata.json');
  let before;
  try {
    before = readFileSync(out, 'utf8');
  } catch {}
  if (before !== text) writeFileSync(out, text);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--print')) process.stdout.write(generatePhoneMetadata());
  else writePhoneMetadata();
}
