/**
 * The shapes {@link TingTingClient} returns (camelCase, mapped from TingTing's wire names).
 *
 * @packageDocumentation
 */

import type { Channel } from '../otp-types.js';

/** Result of `TingTingClient.getAPIToken`. */
export interface TingTingAPIToken {
  /** The API token. */
  token: string;
  /** Last use, `null` when never used. */
  lastUsed: Date | null;
  /** Creation time, `null` when TingTing does not say. */
  createdAt: Date | null;
}

/** Result of `TingTingClient.getUserProfile`. */
export interface TingTingUserProfile {
  id: number;
  user: { firstName: string; lastName: string; username: string; email: string };
  profilePictureURL: string | null;
  contactNumber: string | null;
  address: string | null;
  isVerifiedContact: boolean;
}

/** Result of `TingTingClient.sendOTP`. */
export interface SendOTPResult {
  /** The number as TingTing received it (national form). */
  number: string;
  otpOptions: 'personnel' | 'generated';
  /** The message as sent, with `{otp}`. */
  message: string;
  /**
   * The code TingTing delivered. Non-enumerable: readable, but left out of `JSON.stringify` and
   * `util.inspect` so that logging the result does not log the code. In `generated` mode this is
   * the only copy: hash it at once (the OTP engine does) and drop it.
   */
  otp: string;
  channel: Channel;
  /** Credits this send cost (SMS credits for text, phone credits for voice). */
  creditsUsed: number;
  /** Credits left: `text` is TingTing's `remaining_sms_credits`, `voice` its `remaining_phone_credits`. */
  remainingCredits: { text: number; voice: number };
}

/** One sent OTP, from `TingTingClient.listSentOTPs`. */
export interface SentOTP {
  id: number;
  /** TingTing's `phone_number` (national form). */
  number: string;
  /** The delivered message (with the code). */
  message: string;
  /** The code, as TingTing lists it (`null` when it does not). */
  otp: string | null;
  otpOptions: 'personnel' | 'generated';
  channel: Channel;
  createdAt: Date;
}

/** One page of `TingTingClient.listSentOTPs`. */
export interface SentOTPPage {
  /** Records across all pages. */
  count: number;
  totalPages: number;
  /** URL of the next page, `null` on the last. */
  next: string | null;
  /** URL of the previous page, `null` on the first. */
  previous: string | null;
  items: SentOTP[];
}

/** Options of `TingTingClient.listSentOTPs`. */
export interface ListSentOTPsOptions {
  /** 1-based page. @default 1 */
  page?: number;
  /** Records per page (TingTing's `page_size`). @default TingTing's */
  pageSize?: number;
}
