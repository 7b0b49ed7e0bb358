/**
 * Checks of send-OTP input, made before any request: a bad call costs nothing and reaches no one.
 *
 * @packageDocumentation
 */

import { ValidationError } from '../errors.js';
import { type Channel, VOICES, type Voice } from '../otp-types.js';
import { isNepaliMobile, type PhoneNumber, parsePhoneNumber } from '../phone.js';

/** Input of {@link TingTingClient.sendOTP}. */
export interface SendOTPInput {
  /**
   * The recipient: as people type it (`98XXXXXXXX`, `+977 98…`, Devanagari digits), parsed and
   * checked to be a Nepali mobile here; or a number the caller parsed already (`{ national }`,
   * as the engine's sender passes it after its allow-list decided), sent as it is: parsed once.
   */
  number: string | Pick<PhoneNumber, 'national'>;
  /** The text (or the words of the call), with the `{otp}` placeholder. */
  message: string;
  /** `text` (SMS) or `voice` (call). TingTing's `sms_send_options`. */
  channel: Channel;
  /** Required for `voice`: one of `np_rija`, `np_prashanna`, `np_shreegya`, `np_binod`. TingTing's `voice_input`. */
  voice?: Voice;
  /** Your own code (4-10 digits): sent with `otp_options: "personnel"`. Without it TingTing generates one. */
  otp?: string;
  /** Length of the code TingTing generates (4-10); only without `otp`. TingTing's `otp_length`. */
  otpLength?: number;
}

/** Shortest code accepted, given (`otp`) or generated (`otpLength`). */
export const MIN_OTP_LENGTH = 4;
/** Longest code accepted, given (`otp`) or generated (`otpLength`). */
export const MAX_OTP_LENGTH = 10;
/** Longest message accepted: a bound on what one call can cost, well above any OTP text. */
export const MAX_MESSAGE_LENGTH = 1000;

/** The wire body of a send-OTP request. */
export interface SendOTPWireBody {
  number: string;
  message: string;
  sms_send_options: Channel;
  otp_options: 'personnel' | 'generated';
  otp?: string;
  otp_length?: number;
  voice_input?: Voice;
}

const DIGITS = new RegExp(`^[0-9]{${MIN_OTP_LENGTH},${MAX_OTP_LENGTH}}$`);

/**
 * Check a send input and build the wire body.
 *
 * @throws {ValidationError} with the field at fault; the message never contains the code.
 */
export function buildSendOTPBody(input: SendOTPInput): SendOTPWireBody {
  if (typeof input !== 'object' || input === null) {
    throw new ValidationError(
      'input',
      'sendOTP: input must be an object { number, message, channel, … }',
    );
  }
  const given = input.number;
  const parsed = typeof given === 'object' && given !== null;
  const phone = parsed ? given : parsePhoneNumber(given);
  if (
    phone === undefined ||
    typeof phone.national !== 'string' ||
    !/^[0-9]{4,15}$/.test(phone.national) ||
    (!parsed && !isNepaliMobile(phone as PhoneNumber))
  ) {
    throw new ValidationError(
      'number',
      'sendOTP: number must be a Nepali mobile number, e.g. 98XXXXXXXX',
    );
  }
  const { message, channel, voice, otp, otpLength } = input;
  if (typeof message !== 'string' || !message.includes('{otp}')) {
    throw new ValidationError(
      'message',
      'sendOTP: message must be a string containing the {otp} placeholder',
    );
  }
  if (message.length > MAX_MESSAGE_LENGTH) {
    throw new ValidationError(
      'message',
      `sendOTP: message must be at most ${MAX_MESSAGE_LENGTH} characters, got ${message.length}`,
    );
  }
  if (channel !== 'text' && channel !== 'voice') {
    throw new ValidationError('channel', "sendOTP: channel must be 'text' or 'voice'");
  }
  if (channel === 'voice' && voice === undefined) {
    throw new ValidationError(
      'voice',
      `sendOTP: voice is required for a call, one of ${VOICES.join(', ')}`,
    );
  }
  if (voice !== undefined && !VOICES.includes(voice)) {
    throw new ValidationError('voice', `sendOTP: voice must be one of ${VOICES.join(', ')}`);
  }
  const body: SendOTPWireBody = {
    number: phone.national,
    message,
    sms_send_options: channel,
    otp_options: otp === undefined ? 'generated' : 'personnel',
  };
  if (otp !== undefined) {
    if (typeof otp !== 'string' || !DIGITS.test(otp)) {
      throw new ValidationError(
        'otp',
        `sendOTP: otp must be ${MIN_OTP_LENGTH} to ${MAX_OTP_LENGTH} ASCII digits`,
      );
    }
    if (otpLength !== undefined) {
      throw new ValidationError(
        'otpLength',
        'sendOTP: otpLength applies only when TingTing generates the code (no otp given)',
      );
    }
    body.otp = otp;
  } else if (otpLength !== undefined) {
    if (!Number.isInteger(otpLength) || otpLength < MIN_OTP_LENGTH || otpLength > MAX_OTP_LENGTH) {
      throw new ValidationError(
        'otpLength',
        `sendOTP: otpLength must be an integer from ${MIN_OTP_LENGTH} to ${MAX_OTP_LENGTH}`,
      );
    }
    body.otp_length = otpLength;
  }
  if (channel === 'voice') body.voice_input = voice;
  return body;
}
