import type { Channel, Purpose, Voice } from './otp-types.js';

/** One code to deliver. Handed to an {@link OTPSender}; never logged. */
export interface OTPDelivery {
  /** Canonical E.164 number: `+9779812345678`. */
  phone: string;
  /** National significant number, as TingTing expects: `9812345678`. */
  nationalNumber: string;
  /** The code to deliver. */
  code: string;
  /** The message template, containing the `{otp}` placeholder (not yet substituted). */
  message: string;
  channel: Channel;
  /** Set when `channel` is `voice`. */
  voice?: Voice;
  purpose: Purpose;
}

/** What a sender may report back after a delivery. */
export interface OTPSendReceipt {
  /** Credits left, as the provider reports them (TingTing's `remaining_sms_credits` / `remaining_phone_credits`). */
  remainingCredits?: { text?: number; voice?: number };
}

/**
 * Delivers a code. Resolves when the provider accepted the message. Rejects with
 * `DeliveryFailedError` (or any `TingTingAuthError`) when it failed; an error with code
 * `UNKNOWN_OUTCOME` means the message may have gone out.
 */
export type OTPSender = (delivery: OTPDelivery) => Promise<OTPSendReceipt | undefined>;
