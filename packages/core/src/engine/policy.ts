import { isNepaliMobile, type PhoneNumber } from '../phone.js';

/**
 * The OTP policy. Every property is on by default; each option tightens or loosens one of them.
 * Durations are in seconds.
 *
 * @see NIST SP 800-63B-4 3.1.3, OWASP ASVS 5.0 V6, OWASP MFA and SMS-pumping guidance
 */
export interface OTPPolicy {
  /** Digits per code (6-10), uniform from the CSPRNG. @default 6 @see NIST 800-63B-4 3.1.3.2, ASVS 6.5.3 */
  codeLength?: number;
  /** How long a code works (at most 600). @default 300 @see NIST 800-63B-4 3.1.3.2, ASVS 6.5.5 */
  ttlInSeconds?: number;
  /** Wrong guesses per code before it stops working, even with the right code. @default 5 */
  maxAttemptsPerCode?: number;
  /** Every N-th failure for a number (across codes, never reset by a resend) locks it. @default 5 @see NIST 800-63B-4 3.2.2 */
  lockAfterFailures?: number;
  /** First lock; each further lock doubles. @default 60 */
  lockBaseInSeconds?: number;
  /** Longest lock. @default 3600 */
  lockMaxInSeconds?: number;
  /** A number's failure count is forgotten after this long without a failure. @default 86400 */
  failureWindowInSeconds?: number;
  /** Minimum time between two sends to a number. @default 60 */
  resendCooldownInSeconds?: number;
  /** Sends per number per window. @default 5 */
  maxSendsPerWindow?: number;
  /** The per-number send window. @default 600 */
  sendWindowInSeconds?: number;
  /** Sends per caller IP per IP window (only when the caller passes `ip`). `Infinity` turns it off. @default 20 */
  maxSendsPerIP?: number;
  /** The per-IP window. @default 3600 */
  ipWindowInSeconds?: number;
  /** Sends per budget window for the whole engine (all numbers). `Infinity` turns it off. @default 1000 */
  sendBudget?: number;
  /** The budget window. @default 86400 */
  budgetWindowInSeconds?: number;
  /** Share of the budget at which `budget_low` is emitted (once per window). @default 0.8 */
  budgetLowRatio?: number;
  /** `credits_low` is emitted when the provider reports this many credits or fewer left. @default 100 */
  creditsLowThreshold?: number;
  /** Which numbers may receive codes. @default isNepaliMobile */
  allowList?: (phone: PhoneNumber) => boolean;
  /** `resend` of a text code calls instead (voice), for users whose SMS does not arrive. @default false */
  resendFallbackToVoice?: boolean;
}

/** The policy with every default applied, durations in milliseconds. */
export interface ResolvedPolicy {
  codeLength: number;
  ttlInMilliseconds: number;
  maxAttemptsPerCode: number;
  lockAfterFailures: number;
  lockBaseInMilliseconds: number;
  lockMaxInMilliseconds: number;
  failureWindowInMilliseconds: number;
  cooldownInMilliseconds: number;
  maxSendsPerWindow: number;
  sendWindowInMilliseconds: number;
  maxSendsPerIP: number;
  ipWindowInMilliseconds: number;
  sendBudget: number;
  budgetWindowInMilliseconds: number;
  budgetLowRatio: number;
  creditsLowThreshold: number;
  allowList: (phone: PhoneNumber) => boolean;
  resendFallbackToVoice: boolean;
}

/** The defaults of {@link OTPPolicy}. */
export const DEFAULT_POLICY: Readonly<Required<OTPPolicy>> = Object.freeze({
  codeLength: 6,
  ttlInSeconds: 300,
  maxAttemptsPerCode: 5,
  lockAfterFailures: 5,
  lockBaseInSeconds: 60,
  lockMaxInSeconds: 3_600,
  failureWindowInSeconds: 86_400,
  resendCooldownInSeconds: 60,
  maxSendsPerWindow: 5,
  sendWindowInSeconds: 600,
  maxSendsPerIP: 20,
  ipWindowInSeconds: 3_600,
  sendBudget: 1_000,
  budgetWindowInSeconds: 86_400,
  budgetLowRatio: 0.8,
  creditsLowThreshold: 100,
  allowList: isNepaliMobile,
  resendFallbackToVoice: false,
});

const MAX_TTL_IN_SECONDS = 600;
const MAX_ATTEMPTS = 100;

function integer(
  name: keyof OTPPolicy,
  value: unknown,
  min: number,
  max: number,
  hint = '',
  allowInfinity = false,
): number {
  if (allowInfinity && value === Number.POSITIVE_INFINITY) return value;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(
      `OTPEngine: policy.${name} must be an integer from ${min} to ${max}${
        allowInfinity ? ' (or Infinity to turn it off)' : ''
      }, got ${String(value)}${hint}`,
    );
  }
  return value;
}

/**
 * Apply the defaults to `policy` and validate every option, or throw an actionable `TypeError`.
 */
export function resolvePolicy(policy: unknown = {}): ResolvedPolicy {
  if (typeof policy !== 'object' || policy === null) {
    throw new TypeError('OTPEngine: `policy` must be an object of policy options');
  }
  for (const key of Object.keys(policy)) {
    if (!(key in DEFAULT_POLICY)) {
      throw new TypeError(
        `OTPEngine: unknown policy option \`${key}\`; known options: ${Object.keys(DEFAULT_POLICY).join(', ')}`,
      );
    }
  }
  const p = { ...DEFAULT_POLICY, ...(policy as OTPPolicy) };
  for (const [key, value] of Object.entries(policy)) {
    if (value === undefined)
      (p as Record<string, unknown>)[key] = (DEFAULT_POLICY as Record<string, unknown>)[key];
  }
  const day = 86_400;
  const codeLength = integer('codeLength', p.codeLength, 6, 10);
  const ttl = integer(
    'ttlInSeconds',
    p.ttlInSeconds,
    1,
    MAX_TTL_IN_SECONDS,
    ' (a code must not work longer than 10 minutes: NIST 800-63B-4 3.1.3.2)',
  );
  const maxAttemptsPerCode = integer('maxAttemptsPerCode', p.maxAttemptsPerCode, 1, MAX_ATTEMPTS);
  const lockAfterFailures = integer('lockAfterFailures', p.lockAfterFailures, 1, MAX_ATTEMPTS);
  const lockBase = integer('lockBaseInSeconds', p.lockBaseInSeconds, 1, day);
  const lockMax = integer('lockMaxInSeconds', p.lockMaxInSeconds, 1, 30 * day);
  if (lockMax < lockBase) {
    throw new TypeError(
      `OTPEngine: policy.lockMaxInSeconds (${lockMax}) must be at least policy.lockBaseInSeconds (${lockBase})`,
    );
  }
  const failureWindow = integer('failureWindowInSeconds', p.failureWindowInSeconds, 1, 30 * day);
  if (failureWindow < lockMax) {
    throw new TypeError(
      `OTPEngine: policy.failureWindowInSeconds (${failureWindow}) must be at least policy.lockMaxInSeconds (${lockMax}), or locks would stop growing`,
    );
  }
  const cooldown = integer('resendCooldownInSeconds', p.resendCooldownInSeconds, 0, day);
  const maxSendsPerWindow = integer('maxSendsPerWindow', p.maxSendsPerWindow, 1, 1_000);
  const sendWindow = integer('sendWindowInSeconds', p.sendWindowInSeconds, 1, 30 * day);
  const maxSendsPerIP = integer('maxSendsPerIP', p.maxSendsPerIP, 1, 1_000_000, '', true);
  const ipWindow = integer('ipWindowInSeconds', p.ipWindowInSeconds, 1, 30 * day);
  const sendBudget = integer('sendBudget', p.sendBudget, 1, 1_000_000_000, '', true);
  const budgetWindow = integer('budgetWindowInSeconds', p.budgetWindowInSeconds, 1, 31 * day);
  if (typeof p.budgetLowRatio !== 'number' || !(p.budgetLowRatio > 0 && p.budgetLowRatio <= 1)) {
    throw new TypeError(
      `OTPEngine: policy.budgetLowRatio must be a number in (0, 1], got ${String(p.budgetLowRatio)}`,
    );
  }
  const creditsLowThreshold = integer(
    'creditsLowThreshold',
    p.creditsLowThreshold,
    0,
    Number.MAX_SAFE_INTEGER,
  );
  if (typeof p.allowList !== 'function') {
    throw new TypeError(
      'OTPEngine: policy.allowList must be a function `(phone: PhoneNumber) => boolean`, e.g. isNepaliMobile',
    );
  }
  if (typeof p.resendFallbackToVoice !== 'boolean') {
    throw new TypeError('OTPEngine: policy.resendFallbackToVoice must be a boolean');
  }
  return {
    codeLength,
    ttlInMilliseconds: ttl * 1_000,
    maxAttemptsPerCode,
    lockAfterFailures,
    lockBaseInMilliseconds: lockBase * 1_000,
    lockMaxInMilliseconds: lockMax * 1_000,
    failureWindowInMilliseconds: failureWindow * 1_000,
    cooldownInMilliseconds: cooldown * 1_000,
    maxSendsPerWindow,
    sendWindowInMilliseconds: sendWindow * 1_000,
    maxSendsPerIP,
    ipWindowInMilliseconds: ipWindow * 1_000,
    sendBudget,
    budgetWindowInMilliseconds: budgetWindow * 1_000,
    budgetLowRatio: p.budgetLowRatio,
    creditsLowThreshold,
    allowList: p.allowList,
    resendFallbackToVoice: p.resendFallbackToVoice,
  };
}
