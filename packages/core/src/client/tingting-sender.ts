import type { Voice } from '../otp-types.js';
import type { OTPSender } from '../sender.js';
import type { SendOTPInput } from './send-input.js';
import type { SendOTPResult } from './types.js';

/** Anything with the client's `sendOTP` (a `TingTingClient`). */
export interface TingTingSendOTPCapable {
  sendOTP(input: SendOTPInput): Promise<SendOTPResult>;
}

/** Options of {@link createTingTingSender}. */
export interface TingTingSenderOptions {
  /** Voice of a call when the delivery names none. @default 'np_rija' */
  defaultVoice?: Voice;
}

/**
 * Adapt a {@link TingTingClient} to the engine's {@link OTPSender}: sends the engine's code with
 * `otp_options: "personnel"` (so the code never depends on a value echoed by TingTing) to the
 * national number, and reports TingTing's remaining credits.
 *
 * Errors pass through: a `TingTingUnknownOutcomeError` tells the engine the code may have gone out.
 */
export function createTingTingSender(
  client: TingTingSendOTPCapable,
  options: TingTingSenderOptions = {},
): OTPSender {
  if (typeof client?.sendOTP !== 'function') {
    throw new TypeError('createTingTingSender: client must be a TingTingClient (with sendOTP)');
  }
  const defaultVoice = options.defaultVoice ?? 'np_rija';
  return async (delivery) => {
    const result = await client.sendOTP({
      // The engine parsed the number and its allow-list decided: no second parse or check here.
      number: { national: delivery.nationalNumber },
      message: delivery.message,
      channel: delivery.channel,
      otp: delivery.code,
      ...(delivery.channel === 'voice' ? { voice: delivery.voice ?? defaultVoice } : {}),
    });
    return { remainingCredits: { ...result.remainingCredits } };
  };
}
