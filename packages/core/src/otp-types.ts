/**
 * The public shapes of the OTP engine: inputs, results and events. Adapters (Express, Passport,
 * NextAuth) code against these types only.
 *
 * @packageDocumentation
 */

/** How the code is delivered: SMS (`text`) or a voice call (`voice`). TingTing's `sms_send_options`. */
export type Channel = 'text' | 'voice';

/** TingTing's voices for voice calls (`voice_input`). */
export type Voice = 'np_rija' | 'np_prashanna' | 'np_shreegya' | 'np_binod';

/** Every voice TingTing accepts. */
export const VOICES: readonly Voice[] = ['np_rija', 'np_prashanna', 'np_shreegya', 'np_binod'];

/** Languages of the built-in message templates. */
export type Locale = 'en' | 'ne';

/** What a challenge is for; codes issued for one purpose never verify for another. */
export type Purpose = string;

/** The purpose used when none is given. */
export const DEFAULT_PURPOSE: Purpose = 'sign-in';

const PURPOSE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/**
 * `true` when `value` is a valid purpose: 1-64 letters, digits, or `. _ : -`, starting with a
 * letter or digit (e.g. `'sign-in'`). The one rule the engine and every adapter check.
 */
export function isPurpose(value: unknown): value is Purpose {
  return typeof value === 'string' && PURPOSE_PATTERN.test(value);
}

/** Input of {@link OTPEngineAPI.send} and {@link OTPEngineAPI.resend}. */
export interface SendInput {
  /** The number as the user typed it; the engine normalises it. `unknown` on purpose: adapters pass request input through. */
  phone: unknown;
  /** @default 'text' */
  channel?: Channel;
  /** Voice for `channel: 'voice'`. @default the engine's `defaultVoice` */
  voice?: Voice;
  /** @default 'sign-in' */
  purpose?: Purpose;
  /** Caller's IP address, for the per-IP send cap. */
  ip?: string;
  /** Language of the message. @default the engine's `defaultLocale` */
  locale?: Locale;
}

/** A code was sent (or, in test mode, would have been). Never contains the code. */
export interface SendSuccess {
  ok: true;
  /** Canonical E.164 number the code was sent to. */
  phone: string;
  channel: Channel;
  purpose: Purpose;
  /** When the code stops working. */
  expiresAt: Date;
  /** Earliest time a resend is allowed. */
  resendAt: Date;
  /**
   * Absent when TingTing accepted the send. `'unknown'` when the request may have reached
   * TingTing but no readable answer came back (a timeout, a reset connection, a garbled 2xx): the
   * code may or may not arrive. The code is pending either way, so the user moves on to entering
   * it, with an honest message; a resend is allowed at `resendAt` as usual.
   */
  delivery?: 'unknown';
}

/**
 * Why a send was refused. These are safe to show: they describe the request, not the account.
 * - `invalid_request`: malformed input (wrong types, unknown channel or voice).
 * - `invalid_phone`: not a phone number, or outside the allowed ranges.
 * - `rate_limited`: cooldown, per-number window cap, per-IP cap, or the number is locked; see `retryAfter`.
 * - `unavailable`: the global send budget is spent; try later.
 */
export type SendFailureReason =
  | 'invalid_request'
  | 'invalid_phone'
  | 'rate_limited'
  | 'unavailable';

/** A send that was refused. Nothing was delivered. */
export interface SendFailure {
  ok: false;
  reason: SendFailureReason;
  /** Seconds until trying again can succeed (for `rate_limited` and `unavailable`). */
  retryAfter?: number;
}

/**
 * Result of a send: a value, not an exception. Infrastructure failures (store down, a definite
 * delivery failure) throw; a lost answer from TingTing is a success with `delivery: 'unknown'`.
 */
export type SendResult = SendSuccess | SendFailure;

/** Input of {@link OTPEngineAPI.verify}. */
export interface VerifyInput {
  phone: unknown;
  code: unknown;
  /** @default 'sign-in' */
  purpose?: Purpose;
  ip?: string;
}

/** The code was right: the challenge is consumed. */
export interface VerifySuccess {
  ok: true;
  /** Canonical E.164 number that was proven. */
  phone: string;
  purpose: Purpose;
}

/**
 * Why a verify failed, as shown outward. Deliberately coarse (no enumeration):
 * - `invalid_request`: the input is malformed (not a string, not digits of the configured length, bad number).
 *   No attempt is spent.
 * - `invalid_code`: wrong, expired, already used, never sent, or too many attempts on this code.
 * - `locked`: too many failures for this number; `retryAfter` says when to try again.
 * The precise reason goes to the `failed` event.
 */
export type VerifyFailureReason = 'invalid_request' | 'invalid_code' | 'locked';

export interface VerifyFailure {
  ok: false;
  reason: VerifyFailureReason;
  retryAfter?: number;
}

/** Result of a verify. */
export type VerifyResult = VerifySuccess | VerifyFailure;

/** The precise reason a verify failed, for events and logs only. */
export type VerifyFailureDetail =
  | 'malformed'
  | 'no_challenge'
  | 'expired'
  | 'wrong_code'
  | 'too_many_attempts'
  | 'locked';

/** The precise reason a send was refused, for events and logs only. */
export type SendRefusalDetail =
  | 'malformed'
  | 'invalid_phone'
  | 'not_allowed'
  | 'cooldown'
  | 'window_cap'
  | 'ip_cap'
  | 'locked'
  | 'budget_exhausted';

/** Events the engine emits. None carries a code, a hash or a secret. */
export type OTPEvent =
  | {
      type: 'sent';
      phone: string;
      channel: Channel;
      purpose: Purpose;
      at: Date;
      testMode: boolean;
      /** `'unknown'` when TingTing's answer was lost (see {@link SendSuccess.delivery}). */
      delivery?: 'unknown';
    }
  | {
      type: 'send_refused';
      phone?: string;
      purpose: Purpose;
      detail: SendRefusalDetail;
      ip?: string;
      at: Date;
    }
  | { type: 'verified'; phone: string; purpose: Purpose; at: Date }
  | {
      type: 'failed';
      phone?: string;
      purpose: Purpose;
      detail: VerifyFailureDetail;
      ip?: string;
      at: Date;
    }
  | { type: 'locked'; phone: string; purpose: Purpose; until: Date; failures: number; at: Date }
  | { type: 'budget_low'; used: number; budget: number; at: Date }
  | { type: 'budget_exhausted'; used: number; budget: number; at: Date }
  | { type: 'credits_low'; channel: Channel; remaining: number; at: Date };

/** The names of {@link OTPEvent}s. */
export type OTPEventType = OTPEvent['type'];

/** The operations every adapter uses. `OTPEngine` implements it. */
export interface OTPEngineAPI {
  /** Issue a new code for a number and send it. Replaces any pending code for that number and purpose. */
  send(input: SendInput): Promise<SendResult>;
  /** Same as `send`, named for the resend button; may fall back from text to voice when configured. */
  resend(input: SendInput): Promise<SendResult>;
  /** Check a code. Consumes it on success. */
  verify(input: VerifyInput): Promise<VerifyResult>;
  /** Drop any pending code for a number and purpose. */
  cancel(input: { phone: unknown; purpose?: Purpose }): Promise<void>;
  /** Subscribe to events; returns a function that unsubscribes. */
  on<T extends OTPEventType>(
    type: T,
    listener: (event: Extract<OTPEvent, { type: T }>) => void,
  ): () => void;
  /** The code length in use (adapters use it to validate input and set `maxlength`). */
  readonly codeLength: number;
}
