/**
 * `@tingting-auth/next-auth/client`: browser helpers for a sign-in form. No server import: safe
 * in a `'use client'` component, with next-auth v4 or v5.
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

/** Input of {@link sendCode}. */
export interface SendCodeInput {
  /** The number as the user typed it. */
  phone: string;
  /** @default 'text' (the server's default) */
  channel?: Channel;
  /** Voice for `channel: 'voice'`. @default the server's */
  voice?: Voice;
  /** `true` for the "send again" button (the engine may switch channel when configured). */
  resend?: boolean;
}

/** Options of {@link sendCode}. */
export interface SendCodeOptions {
  /** The send route. @default '/api/auth/otp/send' */
  endpoint?: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** Result of {@link sendCode}: a value, never a throw. */
export type SendCodeResult =
  | {
      ok: true;
      /** Canonical E.164 number. */
      phone: string;
      channel: Channel;
      expiresAt: Date;
      /** Earliest time the "send again" button should be enabled. */
      resendAt: Date;
    }
  | {
      ok: false;
      /** A stable code; `NETWORK_ERROR` when no answer came, `UNEXPECTED_RESPONSE` for anything unparsable. */
      code: SendErrorCode | 'NETWORK_ERROR' | 'UNEXPECTED_RESPONSE';
      /** A generic message safe to show. */
      message: string;
      /** HTTP status, `0` when no answer came. */
      status: number;
      /** Seconds to wait (from `Retry-After`), when the server said. */
      retryAfter?: number;
    };

/**
 * Ask the send route to send a code.
 *
 * @example
 * ```ts
 * const sent = await sendCode({ phone, channel: 'text' });
 * if (!sent.ok) setError(sent.message);
 * ```
 */
export async function sendCode(
  input: SendCodeInput,
  options: SendCodeOptions = {},
): Promise<SendCodeResult> {
  const doFetch = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await doFetch(options.endpoint ?? '/api/auth/otp/send', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(input),
      credentials: 'same-origin',
    });
  } catch {
    return {
      ok: false,
      code: 'NETWORK_ERROR',
      message: 'No connection. Check your network and try again.',
      status: 0,
    };
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (response.status === 202 && isRecord(body)) {
    const { phone, channel, expiresAt, resendAt } = body;
    if (
      typeof phone === 'string' &&
      (channel === 'text' || channel === 'voice') &&
      typeof expiresAt === 'string' &&
      typeof resendAt === 'string'
    ) {
      return {
        ok: true,
        phone,
        channel,
        expiresAt: new Date(expiresAt),
        resendAt: new Date(resendAt),
      };
    }
  }
  const retryAfterHeader = Number(response.headers.get('retry-after'));
  const retryAfter =
    Number.isFinite(retryAfterHeader) && retryAfterHeader > 0 ? retryAfterHeader : undefined;
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const code =
    typeof error?.code === 'string' && error.code in ERROR_MESSAGES
      ? (error.code as SendErrorCode)
      : undefined;
  return {
    ok: false,
    code: code ?? 'UNEXPECTED_RESPONSE',
    message: code === undefined ? 'Something went wrong. Try again.' : ERROR_MESSAGES[code],
    status: response.status,
    ...(retryAfter === undefined ? {} : { retryAfter }),
  };
}

/** The `signIn` of `next-auth/react` (v4 or v5), as {@link verifyCode} calls it. */
export type SignInFunction = (
  provider: string,
  options: { phone: string; code: string; redirect: false; callbackUrl?: string },
) => Promise<unknown>;

/** Input of {@link verifyCode}. */
export interface VerifyCodeInput {
  phone: string;
  code: string;
}

/** Options of {@link verifyCode}. */
export interface VerifyCodeOptions {
  /** The provider id given to `TingTing({ id })`. @default 'tingting' */
  providerId?: string;
  /** Where next-auth should consider the sign-in headed (returned as `url`). */
  callbackUrl?: string;
}

/** Result of {@link verifyCode}: a value, never a throw. */
export type VerifyCodeResult =
  | { ok: true /** next-auth's redirect URL, when it gave one. */; url?: string }
  | {
      ok: false;
      /** The provider's generic code; `SIGN_IN_FAILED` for any other next-auth error. */
      code: SignInErrorCode | 'SIGN_IN_FAILED' | 'NETWORK_ERROR';
      /** A generic message safe to show. */
      message: string;
    };

/**
 * Sign in with the code through next-auth: `signIn(providerId, { phone, code, redirect: false })`.
 * Pass `signIn` from the app's `next-auth/react` (v4 or v5); the result is the same for both.
 *
 * @example
 * ```ts
 * import { signIn } from 'next-auth/react';
 * const result = await verifyCode(signIn, { phone, code });
 * if (result.ok) router.push('/account');
 * else setError(result.message);
 * ```
 */
export async function verifyCode(
  signIn: SignInFunction,
  input: VerifyCodeInput,
  options: VerifyCodeOptions = {},
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
    return {
      ok: false,
      code: 'NETWORK_ERROR',
      message: 'No connection. Check your network and try again.',
    };
  }
  const result = isRecord(response) ? response : {};
  const error = typeof result.error === 'string' && result.error !== '' ? result.error : undefined;
  if (error === undefined && result.ok !== false) {
    return { ok: true, ...(typeof result.url === 'string' ? { url: result.url } : {}) };
  }
  // v4 puts the thrown message in `error`; v5 puts `CredentialsSignin` in `error` and ours in `code`.
  const candidate = typeof result.code === 'string' ? result.code : error;
  const code = SIGN_IN_ERROR_CODES.find((known) => known === candidate);
  return {
    ok: false,
    code: code ?? 'SIGN_IN_FAILED',
    message: code === undefined ? 'Sign-in failed. Try again.' : ERROR_MESSAGES[code],
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}
