/**
 * Response schemas of TingTing's endpoints (seeds 000 and 001), checked with valibot. Unknown fields
 * are ignored; the fields the client reads must be there with the right type.
 *
 * @packageDocumentation
 */

import * as v from 'valibot';
import {
  describeEndpoint,
  type TingTingEndpoint,
  TingTingUnexpectedBodyError,
} from './client-errors.js';
import type { SendOTPResult, SentOTPPage, TingTingAPIToken, TingTingUserProfile } from './types.js';

/** A count TingTing may send as a number or a numeric string. */
const count = v.union([
  v.pipe(v.number(), v.finite()),
  v.pipe(
    v.string(),
    v.regex(/^\d+(?:\.\d+)?$/),
    v.transform((value) => Number(value)),
  ),
]);

/** A string TingTing may send as a number (a code, a phone number). */
const stringy = v.union([
  v.string(),
  v.pipe(
    v.number(),
    v.transform((value) => String(value)),
  ),
]);

/** An ISO 8601 timestamp, as a `Date`. */
const timestamp = v.pipe(
  v.string(),
  v.check((value) => !Number.isNaN(Date.parse(value)), 'a date'),
  v.transform((value) => new Date(value)),
);

const otpOptions = v.picklist(['personnel', 'generated']);
const channel = v.picklist(['text', 'voice']);

/** Login: `{ has_logged_in: true, message }`. */
const loginSchema = v.object({
  has_logged_in: v.optional(v.boolean()),
  message: v.optional(v.string()),
});

/** Refresh: `{ message }`. */
const refreshSchema = v.object({ message: v.optional(v.string()) });

/** Generate API token: `{ token, message }`. */
const generateAPITokenSchema = v.object({
  token: v.pipe(v.string(), v.minLength(1)),
  message: v.optional(v.string()),
});

/** Get API token: the token with its timestamps, or `{ message: "No API token found…" }`. */
const getAPITokenSchema = v.union([
  v.object({
    token: v.pipe(v.string(), v.minLength(1)),
    last_used: v.nullish(timestamp),
    created_at: v.nullish(timestamp),
  }),
  v.object({ message: v.pipe(v.string(), v.regex(/no api token/i)) }),
]);

/** User profile. */
const userProfileSchema = v.object({
  id: v.number(),
  user: v.object({
    first_name: v.nullish(v.string()),
    last_name: v.nullish(v.string()),
    username: v.nullish(v.string()),
    email: v.nullish(v.string()),
  }),
  profile_picture: v.nullish(v.string()),
  contact_no: v.nullish(stringy),
  address: v.nullish(v.string()),
  is_verified_contact: v.nullish(v.boolean()),
});

/** Send OTP: the success envelope with `data.details`. */
const sendOTPSchema = v.object({
  success: v.optional(v.boolean()),
  data: v.object({
    details: v.object({
      number: stringy,
      otp_options: otpOptions,
      message: v.string(),
      otp: stringy,
      sms_send_options: channel,
      credits_used: count,
      remaining_sms_credits: count,
      remaining_phone_credits: count,
    }),
  }),
});

const sentOTPItem = v.object({
  id: v.number(),
  phone_number: stringy,
  message: v.string(),
  otp: v.nullish(stringy),
  otp_options: otpOptions,
  sms_send_options: channel,
  created_at: timestamp,
});

/** List sent OTPs: DRF page-number pagination, `results` as the envelope (or a bare list). */
const listSentOTPsSchema = v.object({
  count: v.pipe(v.number(), v.integer(), v.minValue(0)),
  total_pages: v.pipe(v.number(), v.integer(), v.minValue(0)),
  next: v.nullish(v.string()),
  previous: v.nullish(v.string()),
  results: v.union([v.array(sentOTPItem), v.object({ data: v.array(sentOTPItem) })]),
});

/**
 * Validate `body` against `schema`.
 *
 * @throws {TingTingUnexpectedBodyError} naming the paths at fault and what was expected, never the
 *   values (they may be secrets).
 */
function parseBody<TSchema extends v.GenericSchema>(
  schema: TSchema,
  body: unknown,
  endpoint: TingTingEndpoint,
  status: number,
): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, body);
  if (result.success) return result.output;
  const where = result.issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path?.map((item) => String(item.key)).join('.') ?? '(body)';
      return `${path}: expected ${issue.expected ?? 'another value'}`;
    })
    .join('; ');
  throw new TingTingUnexpectedBodyError(
    `TingTing ${describeEndpoint(endpoint)} answered ${status} with a body of the wrong shape (${where})`,
    { endpoint, status, reason: 'wrong-shape' },
  );
}

/** Login's body; `false` when TingTing says `has_logged_in: false`. */
export function parseLogin(body: unknown, status: number): boolean {
  return parseBody(loginSchema, body, 'login', status).has_logged_in !== false;
}

/** Refresh's body. */
export function parseRefresh(body: unknown, status: number): void {
  parseBody(refreshSchema, body, 'refresh', status);
}

/** Generate API token's body. */
export function parseGenerateAPIToken(body: unknown, status: number): { token: string } {
  return { token: parseBody(generateAPITokenSchema, body, 'generateAPIToken', status).token };
}

/** Get API token's body; `undefined` for "No API token found". */
export function parseGetAPIToken(body: unknown, status: number): TingTingAPIToken | undefined {
  const parsed = parseBody(getAPITokenSchema, body, 'getAPIToken', status);
  if (!('token' in parsed)) return undefined;
  return {
    token: parsed.token,
    lastUsed: parsed.last_used ?? null,
    createdAt: parsed.created_at ?? null,
  };
}

/** User profile's body. */
export function parseUserProfile(body: unknown, status: number): TingTingUserProfile {
  const parsed = parseBody(userProfileSchema, body, 'userProfile', status);
  return {
    id: parsed.id,
    user: {
      firstName: parsed.user.first_name ?? '',
      lastName: parsed.user.last_name ?? '',
      username: parsed.user.username ?? '',
      email: parsed.user.email ?? '',
    },
    profilePictureURL: parsed.profile_picture ?? null,
    contactNumber: parsed.contact_no ?? null,
    address: parsed.address ?? null,
    isVerifiedContact: parsed.is_verified_contact ?? false,
  };
}

/** Send OTP's body; `otp` is non-enumerable (left out of JSON and inspect output). */
export function parseSendOTP(body: unknown, status: number): SendOTPResult {
  const { details } = parseBody(sendOTPSchema, body, 'sendOTP', status).data;
  const result = {
    number: details.number,
    otpOptions: details.otp_options,
    message: details.message,
    channel: details.sms_send_options,
    creditsUsed: details.credits_used,
    remainingCredits: {
      text: details.remaining_sms_credits,
      voice: details.remaining_phone_credits,
    },
  } as SendOTPResult;
  Object.defineProperty(result, 'otp', { value: details.otp, enumerable: false, writable: false });
  return result;
}

/** List sent OTPs' body. */
export function parseSentOTPPage(body: unknown, status: number): SentOTPPage {
  const parsed = parseBody(listSentOTPsSchema, body, 'listSentOTPs', status);
  const rows = Array.isArray(parsed.results) ? parsed.results : parsed.results.data;
  return {
    count: parsed.count,
    totalPages: parsed.total_pages,
    next: parsed.next ?? null,
    previous: parsed.previous ?? null,
    items: rows.map((row) => ({
      id: row.id,
      number: row.phone_number,
      message: row.message,
      otp: row.otp ?? null,
      otpOptions: row.otp_options,
      channel: row.sms_send_options,
      createdAt: row.created_at,
    })),
  };
}
