import { randomInt } from 'node:crypto';

/** The voices seed 001 lists for `voice_input`. */
export const VOICES: readonly string[] = ['np_rija', 'np_prashanna', 'np_shreegya', 'np_binod'];

/** Generated code length when `otp_length` is absent (seed 001 gives no default). */
export const DEFAULT_OTP_LENGTH = 6;
/** Bounds the fake enforces on `otp_length` and on a `personnel` code's length. */
export const MIN_OTP_LENGTH = 4;
export const MAX_OTP_LENGTH = 10;
/** Longest `message` the fake accepts (seed 001 gives no limit). */
export const MAX_MESSAGE_LENGTH = 1000;

/**
 * A Nepali mobile number in the national form the seed's examples use (`9851023212`,
 * `9861489014`): ten digits starting 96/97/98. Prefixed forms (`+977…`) are refused so that a
 * client which forgets to normalise fails its tests here rather than in production.
 */
const NATIONAL_MOBILE = /^9[678]\d{8}$/;

/** A validated send-OTP request. */
export interface SendOTPRequest {
  readonly number: string;
  readonly message: string;
  readonly channel: 'text' | 'voice';
  readonly otpOptions: 'personnel' | 'generated';
  /** The personnel code, or the generated length. */
  readonly otp: string | undefined;
  readonly otpLength: number;
  readonly voice: string | undefined;
}

/** One field error of the send-OTP envelope. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

const REQUIRED = 'This field is required.';
const BLANK = 'This field may not be blank.';

/** DRF `CharField` semantics: numbers are accepted as strings, other types are not. */
function readString(
  data: Record<string, unknown>,
  field: string,
  errors: FieldError[],
  required: string | undefined,
): string | undefined {
  const value = data[field];
  if (value === undefined || value === null) {
    if (required !== undefined) errors.push({ field, message: required });
    return undefined;
  }
  if (typeof value !== 'string' && typeof value !== 'number') {
    errors.push({ field, message: 'Not a valid string.' });
    return undefined;
  }
  const text = String(value);
  if (text.trim() === '') {
    if (required !== undefined) errors.push({ field, message: BLANK });
    return undefined;
  }
  return text;
}

function readChoice<T extends string>(
  data: Record<string, unknown>,
  field: string,
  choices: readonly T[],
  errors: FieldError[],
  required: string | undefined,
): T | undefined {
  const value = readString(data, field, errors, required);
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) {
    errors.push({ field, message: `"${value}" is not a valid choice.` });
    return undefined;
  }
  return value as T;
}

/** Validates a send-OTP body as seed 001 describes it; returns the request or the field errors. */
export function validateSendOTP(data: unknown): SendOTPRequest | FieldError[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    const got = Array.isArray(data) ? 'list' : data === null ? 'null' : typeof data;
    return [
      {
        field: 'non_field_errors',
        message: `Invalid data. Expected a dictionary, but got ${got}.`,
      },
    ];
  }
  const body = data as Record<string, unknown>;
  const errors: FieldError[] = [];

  const number = readString(body, 'number', errors, REQUIRED);
  if (number !== undefined && !NATIONAL_MOBILE.test(number)) {
    errors.push({
      field: 'number',
      message: 'Enter a valid 10-digit Nepali mobile number, e.g. 98XXXXXXXX.',
    });
  }

  const message = readString(body, 'message', errors, REQUIRED);
  if (message !== undefined) {
    if (!message.includes('{otp}')) {
      errors.push({ field: 'message', message: 'The message must contain the {otp} placeholder.' });
    } else if (message.length > MAX_MESSAGE_LENGTH) {
      errors.push({
        field: 'message',
        message: `Ensure this field has no more than ${MAX_MESSAGE_LENGTH} characters.`,
      });
    }
  }

  const channel = readChoice(body, 'sms_send_options', ['text', 'voice'], errors, REQUIRED);
  const otpOptions =
    readChoice(body, 'otp_options', ['personnel', 'generated'], errors, undefined) ?? 'generated';

  let otp: string | undefined;
  let otpLength = DEFAULT_OTP_LENGTH;
  if (otpOptions === 'personnel') {
    otp = readString(
      body,
      'otp',
      errors,
      'This field is required when otp_options is "personnel".',
    );
    if (otp !== undefined && !new RegExp(`^\\d{${MIN_OTP_LENGTH},${MAX_OTP_LENGTH}}$`).test(otp)) {
      errors.push({
        field: 'otp',
        message: `The OTP must be ${MIN_OTP_LENGTH} to ${MAX_OTP_LENGTH} digits.`,
      });
      otp = undefined;
    }
  } else {
    const raw = body.otp_length;
    if (raw !== undefined && raw !== null && raw !== '') {
      const length =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw)
            ? Number(raw)
            : Number.NaN;
      if (!Number.isInteger(length)) {
        errors.push({ field: 'otp_length', message: 'A valid integer is required.' });
      } else if (length < MIN_OTP_LENGTH) {
        errors.push({
          field: 'otp_length',
          message: `Ensure this value is greater than or equal to ${MIN_OTP_LENGTH}.`,
        });
      } else if (length > MAX_OTP_LENGTH) {
        errors.push({
          field: 'otp_length',
          message: `Ensure this value is less than or equal to ${MAX_OTP_LENGTH}.`,
        });
      } else {
        otpLength = length;
      }
    }
  }

  let voice: string | undefined;
  if (channel === 'voice') {
    voice = readChoice(
      body,
      'voice_input',
      VOICES,
      errors,
      'This field is required when sms_send_options is "voice".',
    );
  }

  if (errors.length > 0 || number === undefined || message === undefined || channel === undefined) {
    return errors;
  }
  return { number, message, channel, otpOptions, otp, otpLength, voice };
}

/** `length` uniformly random decimal digits from the CSPRNG (`randomInt` has no modulo bias). */
export function generateOTP(length: number): string {
  let code = '';
  for (let index = 0; index < length; index++) code += String(randomInt(0, 10));
  return code;
}

const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENDED = new Set('^{}\\[~]|€\f');

/**
 * SMS credits a text costs: one per 160 GSM-7 characters (extension characters count twice),
 * or one per 70 UTF-16 units when any character is outside GSM-7 (Devanagari, emoji).
 */
export function smsSegments(text: string): number {
  let gsmLength = 0;
  for (const character of text) {
    if (GSM_BASIC.has(character)) gsmLength += 1;
    else if (GSM_EXTENDED.has(character)) gsmLength += 2;
    else return Math.max(1, Math.ceil(text.length / 70));
  }
  return Math.max(1, Math.ceil(gsmLength / 160));
}
