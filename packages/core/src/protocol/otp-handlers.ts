/**
 * The one-time-code sign-in steps (send a code, verify it, sign out) as neutral handlers:
 * a {@link ProtocolRequest} in, a {@link ProtocolResult} out.
 *
 * @packageDocumentation
 */

import { isCrossSiteRequest, type RequestHeaders } from '../cross-site.js';
import type { Channel, Purpose, SendSuccess, Voice } from '../otp-types.js';
import {
  DELIVERY_UNKNOWN_MESSAGE,
  publicCodeOfError,
  SEND_FAILURE_CODES,
  VERIFY_FAILURE_CODES,
} from '../public-errors.js';
import {
  answerOf,
  jsonAnswer,
  type ProtocolAnswer,
  type ProtocolRefusal,
  type ProtocolResult,
  refusalOf,
  refuse,
} from './answers.js';
import { clientIPFromHeaders } from './client-ip.js';
import { type ProtocolBody, type ProtocolFields, readFields } from './fields.js';
import type { ResolvedProtocolOptions, ResolvedRequestOptions } from './options.js';

/** A request as every host can describe it. */
export interface ProtocolRequest {
  /** The HTTP method; anything but `POST` is refused (405). Omit when the host routed by method already. */
  method?: string;
  /** Node's `req.headers` or a Fetch `Headers`. */
  headers: RequestHeaders;
  /** The absolute request URL, when the host has one (Web `Request`): its host counts as the app's own. */
  url?: string;
  /** The client IP as the host knows it (Express's `req.ip`). Unset: read by `trustProxy`/`ipHeader`. */
  clientIP?: string;
  /** Count `X-Forwarded-Host` as the app's own host (the host trusts its proxy). @default options.trustProxy */
  trustForwardedHost?: boolean;
  /** A body the host already parsed (`req.body`, next-auth's `credentials`): only its shape is checked. */
  fields?: unknown;
  /** Otherwise the raw body, read with the byte cap and the content-type rules of {@link readFields}. */
  body?: ProtocolBody;
}

/** The body of a 202 answer to a send. Never contains the code. */
export interface SendCodeAnswer {
  /** Canonical E.164 number the code was sent to. */
  phone: string;
  channel: Channel;
  /** ISO 8601: when the code stops working. */
  expiresAt: string;
  /** ISO 8601: the earliest time a resend is allowed. */
  resendAt: string;
  /**
   * `'unknown'` when TingTing's answer was lost: the code may or may not arrive (it works if it
   * does). Pages move on to the code entry and show {@link SendCodeAnswer.message}. Absent: sent.
   */
  delivery?: 'unknown';
  /** With `delivery: 'unknown'`: core's `DELIVERY_UNKNOWN_MESSAGE`, safe to show. */
  message?: string;
}

/** The verified number: the value of a successful verify, and (without `purpose`) its 200 body. */
export interface VerifiedPhone {
  /** E.164 (`+9779812345678`). */
  phone: string;
  purpose: Purpose;
  /** ISO 8601. */
  verifiedAt: string;
}

/** Body field names of the one-time-code steps. */
export interface OTPFieldNames {
  /** @default 'phone' */
  phone: string;
  /** @default 'code' */
  code: string;
  /** `text` or `voice`. @default 'channel' */
  channel: string;
  /** @default 'voice' */
  voice: string;
  /** `true`, `'true'` or `'1'` asks for `engine.resend` (may fall back to voice). @default 'resend' */
  resend: string;
}

/** The one-time-code handlers (see the module documentation of `@tingting-auth/core/protocol`). */
export interface OTPProtocol {
  readonly options: ResolvedProtocolOptions;
  readonly fieldNames: Readonly<OTPFieldNames>;
  /** Method and cross-site checks only: a refusal, or `undefined`. Pure, so handlers may repeat it. */
  check(request: ProtocolRequest): ProtocolRefusal | undefined;
  /** Send a code: 202 {@link SendCodeAnswer}; the value is the engine's `SendSuccess`. */
  send(request: ProtocolRequest): Promise<ProtocolResult<SendSuccess>>;
  /** Verify a code: 200 `{ phone, verifiedAt }`; the value is the {@link VerifiedPhone}. */
  verify(request: ProtocolRequest): Promise<ProtocolResult<VerifiedPhone>>;
  /** Sign out: the checks, then 204. The host clears its own session. */
  signOut(request: ProtocolRequest): ProtocolResult<undefined>;
}

const DEFAULT_FIELDS: OTPFieldNames = {
  phone: 'phone',
  code: 'code',
  channel: 'channel',
  voice: 'voice',
  resend: 'resend',
};

/** Method and cross-site checks of one request. */
export function checkRequest(
  options: ResolvedRequestOptions,
  request: ProtocolRequest,
): ProtocolRefusal | undefined {
  if (request.method !== undefined && request.method.toUpperCase() !== 'POST') {
    return refusalOf('METHOD_NOT_ALLOWED');
  }
  if (options.crossSiteProtection !== 'origin') return undefined;
  let hosts: string[] | undefined;
  if (request.url !== undefined) {
    try {
      hosts = [new URL(request.url).host];
    } catch {}
  }
  const crossSite = isCrossSiteRequest(request, {
    allowedOrigins: options.allowedOrigins,
    allowRequestsWithoutOrigin: options.allowRequestsWithoutOrigin,
    trustForwardedHost: request.trustForwardedHost ?? options.trustProxy,
    ...(hosts === undefined ? {} : { hosts }),
  });
  return crossSite ? refusalOf('CROSS_SITE_REQUEST') : undefined;
}

/**
 * A field's string value: `undefined` when absent or empty, `null` when present but not a string
 * (a list from a repeated form field, a JSON number or object), which handlers refuse.
 */
export function stringField(fields: ProtocolFields, name: string): string | undefined | null {
  const value = Object.hasOwn(fields, name) ? fields[name] : undefined;
  if (value === undefined || value === '') return undefined;
  return typeof value === 'string' ? value : null;
}

/** A refusal as a handler's result. */
export function failed<T>(error: ProtocolRefusal): ProtocolResult<T> {
  return { ok: false, answer: answerOf(error), error };
}

/** The 204 answer of a handler with nothing to say (`Cache-Control: no-store`). */
export function noContentAnswer(): ProtocolAnswer {
  return { status: 204, headers: { 'cache-control': 'no-store' }, body: undefined };
}

/** The fields of a request that passes {@link checkRequest}, or the refusal of either step. */
export async function checkedFields(
  options: ResolvedRequestOptions,
  request: ProtocolRequest,
): Promise<{ ok: true; fields: ProtocolFields } | { ok: false; error: ProtocolRefusal }> {
  const refusal = checkRequest(options, request);
  if (refusal !== undefined) return { ok: false, error: refusal };
  return readFields(request, options.maxBodyInBytes);
}

function resolveFieldNames(caller: string, given: Partial<OTPFieldNames> = {}): OTPFieldNames {
  const names = { ...DEFAULT_FIELDS };
  for (const key of Object.keys(DEFAULT_FIELDS) as (keyof OTPFieldNames)[]) {
    const value: unknown = given[key] ?? DEFAULT_FIELDS[key];
    if (typeof value !== 'string' || value === '') {
      throw new TypeError(`${caller}: the ${key} field name must be a non-empty string`);
    }
    names[key] = value;
  }
  if (new Set(Object.values(names)).size !== Object.keys(names).length) {
    throw new TypeError(`${caller}: the body field names must differ`);
  }
  return names;
}

/**
 * The one-time-code handlers over resolved options.
 *
 * @param options From {@link resolveProtocolOptions}.
 * @param config Body field names, when the adapter lets users rename them (Passport).
 */
export function createOTPProtocol(
  options: ResolvedProtocolOptions,
  config: { fieldNames?: Partial<OTPFieldNames> } = {},
): OTPProtocol {
  const { engine, purpose } = options;
  const names = resolveFieldNames(options.caller, config.fieldNames);
  const noContent = noContentAnswer();
  const ipOf = (request: ProtocolRequest): string | undefined =>
    request.clientIP ?? clientIPFromHeaders(request.headers, options);

  return {
    options,
    fieldNames: Object.freeze(names),
    check: (request) => checkRequest(options, request),

    async send(request) {
      const read = await checkedFields(options, request);
      if (!read.ok) return failed(read.error);
      const { fields } = read;
      const phone = stringField(fields, names.phone);
      const channel = stringField(fields, names.channel);
      const voice = stringField(fields, names.voice);
      if (phone == null || channel === null || voice === null) return refuse('INVALID_REQUEST');
      const resendFlag = Object.hasOwn(fields, names.resend) ? fields[names.resend] : undefined;
      const resend = resendFlag === true || resendFlag === 'true' || resendFlag === '1';
      const ip = ipOf(request);
      const input = {
        phone,
        // The engine checks the channel and voice; a missing one means its default.
        ...(channel === undefined ? {} : { channel: channel as Channel }),
        ...(voice === undefined ? {} : { voice: voice as Voice }),
        purpose,
        ...(ip === undefined ? {} : { ip }),
      };
      let result: Awaited<ReturnType<typeof engine.send>>;
      try {
        result =
          resend && typeof engine.resend === 'function'
            ? await engine.resend(input)
            : await engine.send(input);
      } catch (error) {
        return refuse(publicCodeOfError(error), { cause: error });
      }
      if (!result.ok) {
        return refuse(
          // Own keys only: a reason such as `toString` must not find Object.prototype's.
          Object.hasOwn(SEND_FAILURE_CODES, result.reason)
            ? SEND_FAILURE_CODES[result.reason]
            : 'SERVICE_UNAVAILABLE',
          {
            ...(result.retryAfter === undefined ? {} : { retryAfter: result.retryAfter }),
          },
        );
      }
      const body: SendCodeAnswer = {
        phone: result.phone,
        channel: result.channel,
        expiresAt: result.expiresAt.toISOString(),
        resendAt: result.resendAt.toISOString(),
        ...(result.delivery === 'unknown'
          ? { delivery: 'unknown' as const, message: DELIVERY_UNKNOWN_MESSAGE }
          : {}),
      };
      return { ok: true, answer: jsonAnswer(202, body), value: result };
    },

    async verify(request) {
      const read = await checkedFields(options, request);
      if (!read.ok) return failed(read.error);
      const phone = stringField(read.fields, names.phone);
      const code = stringField(read.fields, names.code);
      if (phone == null || code == null) return refuse('INVALID_REQUEST');
      const ip = ipOf(request);
      let result: Awaited<ReturnType<typeof engine.verify>>;
      try {
        result = await engine.verify({ phone, code, purpose, ...(ip === undefined ? {} : { ip }) });
      } catch (error) {
        return refuse(publicCodeOfError(error), { cause: error });
      }
      if (!result.ok) {
        return refuse(
          Object.hasOwn(VERIFY_FAILURE_CODES, result.reason)
            ? VERIFY_FAILURE_CODES[result.reason]
            : 'SERVICE_UNAVAILABLE',
          {
            ...(result.retryAfter === undefined ? {} : { retryAfter: result.retryAfter }),
          },
        );
      }
      const value: VerifiedPhone = {
        phone: result.phone,
        purpose: result.purpose,
        verifiedAt: new Date().toISOString(),
      };
      return {
        ok: true,
        answer: jsonAnswer(200, { phone: value.phone, verifiedAt: value.verifiedAt }),
        value,
      };
    },

    signOut(request) {
      const refusal = checkRequest(options, request);
      if (refusal !== undefined) return failed(refusal);
      return { ok: true, answer: noContent, value: undefined };
    },
  };
}
