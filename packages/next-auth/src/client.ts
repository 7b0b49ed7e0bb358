/**
 * `@tingting-auth/next-auth/client`: browser helpers for a sign-in form (no server import: safe in
 * a `'use client'` component, with next-auth v4 or v5). Neither throws: every result is a value.
 *
 * @packageDocumentation
 */

import type { Channel, Voice } from '@tingting-auth/core';
import {
  ERROR_MESSAGES,
  type SendErrorCode,
  SIGN_IN_ERROR_CODES,
  type SignInErrorCode,
} from './codes.js';

export {
  hasWebOTP,
  type ListenForOneTimeCodeOptions,
  listenForOneTimeCode,
  type ReceiveOneTimeCodeOptions,
  receiveOneTimeCode,
} from './web-otp.js';
export { ERROR_MESSAGES, type SendErrorCode, type SignInErrorCode };

/** Input of {@link sendCode}: the number as typed; `resend: true` for "send again". */
export interface SendCodeInput {
  phone: string;
  /** @default the server's, `'text'` */
  channel?: Channel;
  voice?: Voice;
  resend?: boolean;
}

/** Options of {@link sendCode}. */
export interface SendCodeOptions {
  /** @default '/api/auth/otp/send' */
  endpoint?: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** Result of {@link sendCode}. */
export type SendCodeResult =
  | {
      ok: true;
      /** E.164. */
      phone: string;
      channel: Channel;
      expiresAt: Date;
      /** When "send again" may be enabled. */
      resendAt: Date;
      /** `'unknown'`, with a `message` to show, when TingTing's answer was lost: the code may come. */
      delivery?: 'unknown';
      message?: string;
    }
  | {
      ok: false;
      /** `NETWORK_ERROR`: no answer (`status` 0); `UNEXPECTED_RESPONSE`: an unreadable one. */
      code: SendErrorCode | 'NETWORK_ERROR' | 'UNEXPECTED_RESPONSE';
      /** Generic, safe to show. */
      message: string;
      status: number;
      /** Seconds, from `Retry-After`. */
      retryAfter?: number;
    };

const NETWORK_ERROR = 'No connection. Check your network and try again.';

/** Ask the send route for a code: `const sent = await sendCode({ phone }); if (!sent.ok) show(sent.message)`. */
export async function sendCode(
  input: SendCodeInput,
  options: SendCodeOptions = {},
): Promise<SendCodeResult> {
  let response: Response;
  try {
    response = await (options.fetch ?? globalThis.fetch)(options.endpoint ?? '/api/auth/otp/send', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(input),
      credentials: 'same-origin',
    });
  } catch {
    return { ok: false, code: 'NETWORK_ERROR', message: NETWORK_ERROR, status: 0 };
  }
  const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | null;
  const { phone, channel, expiresAt, resendAt, delivery, message, error } = body ?? {};
  if (
    response.status === 202 &&
    typeof phone === 'string' &&
    (channel === 'text' || channel === 'voice') &&
    typeof expiresAt === 'string' &&
    typeof resendAt === 'string'
  ) {
    const unknown = delivery === 'unknown' && typeof message === 'string';
    return {
      ...{ ok: true, phone, channel, expiresAt: new Date(expiresAt), resendAt: new Date(resendAt) },
      ...(unknown ? { delivery, message } : {}),
    };
  }
  const retryAfter = Number(response.headers.get('retry-after'));
  const given = (error as { code?: unknown } | null | undefined)?.code;
  const code =
    typeof given === 'string' && Object.keys(ERROR_MESSAGES).includes(given)
      ? (given as SendErrorCode)
      : undefined;
  return {
    ok: false,
    code: code ?? 'UNEXPECTED_RESPONSE',
    message: code === undefined ? 'Something went wrong. Try again.' : ERROR_MESSAGES[code],
    status: response.status,
    ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfter } : {}),
  };
}

/** The `signIn` of `next-auth/react` (v4 or v5), as {@link verifyCode} calls it. */
export type SignInFunction = (
  provider: string,
  options: { phone: string; code: string; redirect: false; callbackUrl?: string },
) => Promise<unknown>;

/** Result of {@link verifyCode}: `url` is next-auth's redirect; codes are the provider's, generic. */
export type VerifyCodeResult =
  | { ok: true; url?: string }
  | { ok: false; code: SignInErrorCode | 'SIGN_IN_FAILED' | 'NETWORK_ERROR'; message: string };

/**
 * Sign in with the code: `signIn(providerId, { phone, code, redirect: false })`, with the app's
 * own `signIn` (v4 or v5): `const result = await verifyCode(signIn, { phone, code })`.
 */
export async function verifyCode(
  signIn: SignInFunction,
  input: { phone: string; code: string },
  options: { providerId?: string; callbackUrl?: string } = {},
): Promise<VerifyCodeResult> {
  let response: unknown;
  try {
    response = await signIn(options.providerId ?? 'tingting', {
      phone: input.phone,
      code: input.code,
      redirect: false,
      ...(options.callbackUrl === undefined ? {} : { callbackUrl: options.callbackUrl }),
    });
  } catch {
    return { ok: false, code: 'NETWORK_ERROR', message: NETWORK_ERROR };
  }
  const result = (response ?? {}) as {
    error?: unknown;
    code?: unknown;
    ok?: unknown;
    url?: unknown;
  };
  if ((typeof result.error !== 'string' || result.error === '') && result.ok !== false) {
    return { ok: true, ...(typeof result.url === 'string' ? { url: result.url } : {}) };
  }
  // v4 puts the thrown message in `error`; v5 puts `CredentialsSignin` there and ours in `code`.
  const candidate = typeof result.code === 'string' ? result.code : result.error;
  const code = SIGN_IN_ERROR_CODES.find((known) => known === candidate);
  return {
    ok: false,
    code: code ?? 'SIGN_IN_FAILED',
    message: code === undefined ? 'Sign-in failed. Try again.' : ERROR_MESSAGES[code],
  };
}
