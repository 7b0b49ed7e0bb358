import { randomBytes } from 'node:crypto';
import { createTingTingSender, type TingTingSendOTPCapable } from '../client/tingting-sender.js';
import {
  DeliveryFailedError,
  ErrorCode,
  isTingTingAuthError,
  StoreUnavailableError,
  TingTingAuthError,
} from '../errors.js';
import {
  type Channel,
  DEFAULT_PURPOSE,
  isPurpose,
  type Locale,
  type OTPEngineAPI,
  type OTPEvent,
  type OTPEventType,
  type Purpose,
  type SendInput,
  type SendRefusalDetail,
  type SendResult,
  type VerifyFailureDetail,
  type VerifyInput,
  type VerifyResult,
  VOICES,
  type Voice,
} from '../otp-types.js';
import { type PhoneNumber, parsePhoneNumber } from '../phone.js';
import type { OTPSender, OTPSendReceipt } from '../sender.js';
import type { HitOutcome, OTPStore, SendLimits, Subject, VerifyPolicy } from '../store.js';
import { MemoryStore } from '../stores/memory-store.js';
import { generateCode, hashCode, toHashKey } from './code.js';
import { type OTPEventListener, OTPEvents } from './events.js';
import { ipRateLimitKey } from './ip.js';
import { Messages, type MessageTemplates } from './messages.js';
import { type OTPPolicy, type ResolvedPolicy, resolvePolicy } from './policy.js';
import { resolveTestMode, type TestModeOptions } from './test-mode.js';
import { resolveWebOTPOrigin, webOTPLine } from './web-otp.js';

/** Something with TingTing's `sendOTP` method: a `TingTingClient`, adapted with `createTingTingSender`. */
export interface SendOTPCapable {
  sendOTP(...args: never[]): Promise<unknown>;
}

/** Options of {@link OTPEngine}. */
export interface OTPEngineOptions {
  /** Delivers codes: a `TingTingClient`, or any {@link OTPSender} function. */
  sender: OTPSender | SendOTPCapable;
  /**
   * Key of the keyed hash of codes at rest: at least 32 bytes (a string counts its UTF-8 bytes).
   * Keep it in your secret store; rotating it invalidates pending codes only.
   */
  secret: string | Uint8Array;
  /** Where challenges and limits live. @default new MemoryStore() */
  store?: OTPStore;
  /** Policy overrides; every property is on by default. */
  policy?: OTPPolicy;
  /** Message templates; built-in English and Nepali ones otherwise. */
  messages?: MessageTemplates;
  /** Fixed codes for listed numbers, nothing sent to them. Refused under `NODE_ENV=production`. */
  testMode?: TestModeOptions;
  /** Epoch milliseconds. @default Date.now */
  clock?: () => number;
  /** @default 'en' */
  defaultLocale?: Locale;
  /** @default 'np_rija' */
  defaultVoice?: Voice;
  /**
   * Your app's origin, for one-tap code entry on phones: every text message then ends with the
   * origin-bound line `@<host> #<code>` (TingTing's `{otp}` placeholder, never the code itself), so
   * Chrome on Android (WebOTP API) and Safari (security-code autofill) offer the code on that
   * origin only. `https://<host>` on the default port, or `http://localhost[:port]` for
   * development; anything else (a path, another scheme, plain http elsewhere) is a `TypeError`.
   * Voice messages are unchanged.
   * @default undefined (no line)
   * @see https://wicg.github.io/sms-one-time-codes/
   */
  webOTPOrigin?: string;
  /** Receives warnings (multi-segment templates, throwing listeners). @default process.emitWarning */
  logger?: { warn(message: string): void };
}

const BUDGET_KEY = 'otp:budget';
const PARSE_CACHE_SIZE = 10_000;

type Refusal = {
  ok: false;
  reason: 'invalid_request' | 'invalid_phone' | 'rate_limited' | 'unavailable';
  retryAfter?: number;
};

function secondsUntil(milliseconds: number): number {
  return Math.max(1, Math.ceil(milliseconds / 1_000));
}

function isUnknownOutcome(error: unknown): boolean {
  return isTingTingAuthError(error) && error.code === ErrorCode.UNKNOWN_OUTCOME;
}

/**
 * The OTP challenge engine: issues, sends and verifies one-time codes for phone numbers, keeping
 * every property of its policy (code length, lifetime, single use, binding to number and purpose,
 * attempt and failure limits, send limits, allow-list, budget, hashing at rest) whatever the store.
 *
 * Results are values: a wrong code is `{ ok: false, reason: 'invalid_code' }`, with the precise
 * reason in the `failed` event. Bad options throw a `TypeError` here. Infrastructure failures
 * (store, sender) throw a {@link TingTingAuthError} and fail closed.
 *
 * @example
 * ```ts
 * const engine = new OTPEngine({ sender: client, secret: process.env.OTP_SECRET });
 * await engine.send({ phone: '9812345678', ip: req.ip });
 * const result = await engine.verify({ phone: '9812345678', code: req.body.code });
 * ```
 * @see NIST SP 800-63B-4 3.1.3, OWASP ASVS 5.0 V6
 */
export class OTPEngine implements OTPEngineAPI {
  /** Digits per code (adapters use it to validate input and for `maxlength`). */
  readonly codeLength: number;
  readonly #key: ReturnType<typeof toHashKey>;
  readonly #sender: OTPSender;
  readonly #store: OTPStore;
  readonly #policy: ResolvedPolicy;
  readonly #limits: SendLimits;
  readonly #verifyPolicy: VerifyPolicy;
  readonly #messages: Messages;
  readonly #testCodes: ReadonlyMap<string, string> | undefined;
  readonly #clock: () => number;
  readonly #locale: Locale;
  readonly #voice: Voice;
  readonly #events: OTPEvents;
  readonly #warn: (message: string) => void;
  readonly #lastCredits = new Map<Channel, number>();
  readonly #codeShape: RegExp;
  /** Recent parses: libphonenumber takes ~10 µs, and a verify usually follows a send of the same input. */
  readonly #parsed = new Map<string, PhoneNumber>();
  /**
   * The cached inputs in insertion order, as a ring: the oldest is dropped in O(1). Taking it from
   * `#parsed.keys()` instead steps over every hole V8 leaves for a deleted entry (~17 µs a send
   * once the cache is full).
   */
  readonly #parsedOrder: string[] = [];
  #parsedNext = 0;

  constructor(options: OTPEngineOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('OTPEngine: options are required: { sender, secret, store?, policy? }');
    }
    const logger = options.logger;
    if (logger !== undefined && typeof logger?.warn !== 'function') {
      throw new TypeError('OTPEngine: logger must have a warn(message) method');
    }
    this.#warn = logger
      ? (message) => logger.warn(message)
      : (message) => process.emitWarning(message, { code: 'TINGTING_OTP' });
    this.#key = toHashKey(options.secret);
    this.#sender = resolveSender(options.sender);
    this.#policy = resolvePolicy(options.policy);
    this.codeLength = this.#policy.codeLength;
    this.#codeShape = new RegExp(`^[0-9]{${this.codeLength}}$`);
    const store = options.store ?? new MemoryStore();
    for (const method of ['issue', 'abandon', 'verify', 'cancel', 'hit'] as const) {
      if (typeof (store as unknown as Record<string, unknown>)[method] !== 'function') {
        throw new TypeError(`OTPEngine: store must implement OTPStore (missing ${method}())`);
      }
    }
    this.#store = store;
    if (options.clock !== undefined && typeof options.clock !== 'function') {
      throw new TypeError('OTPEngine: clock must be a function returning epoch milliseconds');
    }
    this.#clock = options.clock ?? Date.now;
    this.#locale = options.defaultLocale ?? 'en';
    if (this.#locale !== 'en' && this.#locale !== 'ne') {
      throw new TypeError("OTPEngine: defaultLocale must be 'en' or 'ne'");
    }
    this.#voice = options.defaultVoice ?? 'np_rija';
    if (!VOICES.includes(this.#voice)) {
      throw new TypeError(`OTPEngine: defaultVoice must be one of ${VOICES.join(', ')}`);
    }
    const webOTPHost = resolveWebOTPOrigin(options.webOTPOrigin);
    this.#messages = new Messages(
      options.messages,
      this.codeLength,
      Math.ceil(this.#policy.ttlInMilliseconds / 60_000),
      this.#warn,
      webOTPHost === undefined ? undefined : webOTPLine(webOTPHost),
    );
    this.#testCodes = resolveTestMode(options.testMode, this.codeLength);
    const p = this.#policy;
    this.#limits = {
      cooldownInMilliseconds: p.cooldownInMilliseconds,
      maxSendsPerWindow: p.maxSendsPerWindow,
      sendWindowInMilliseconds: p.sendWindowInMilliseconds,
    };
    this.#verifyPolicy = {
      maxAttemptsPerCode: p.maxAttemptsPerCode,
      lockAfterFailures: p.lockAfterFailures,
      lockBaseInMilliseconds: p.lockBaseInMilliseconds,
      lockMaxInMilliseconds: p.lockMaxInMilliseconds,
      failureWindowInMilliseconds: p.failureWindowInMilliseconds,
    };
    this.#events = new OTPEvents((type, error) => {
      this.#warn(
        `tingting-auth: a "${type}" event listener threw (${error instanceof Error ? error.name : typeof error}); the operation went on`,
      );
    });
  }

  /** Subscribe to an event type; returns a function that unsubscribes. */
  on<T extends OTPEventType>(type: T, listener: OTPEventListener<T>): () => void {
    return this.#events.on(type, listener);
  }

  /** Issue a new code for a number and purpose, replacing any pending one, and send it. */
  send(input: SendInput): Promise<SendResult> {
    return this.#send(input, false);
  }

  /** Like {@link OTPEngine.send}; with `policy.resendFallbackToVoice`, a text code is called instead. */
  resend(input: SendInput): Promise<SendResult> {
    return this.#send(input, true);
  }

  /** Check a code; on success the code is consumed. Malformed input spends no attempt. */
  async verify(input: VerifyInput): Promise<VerifyResult> {
    const now = this.#clock();
    const at = new Date(now);
    const fields = typeof input === 'object' && input !== null ? input : ({} as VerifyInput);
    const purpose = fields.purpose ?? DEFAULT_PURPOSE;
    const ip = typeof fields.ip === 'string' ? fields.ip : undefined;
    const code = typeof fields.code === 'string' ? fields.code.trim() : undefined;
    const phone = this.#parse(fields.phone);
    if (
      !isPurpose(purpose) ||
      code === undefined ||
      !this.#codeShape.test(code) ||
      phone === undefined
    ) {
      this.#emitFailed(undefined, typeof purpose === 'string' ? purpose : '', 'malformed', ip, at);
      return { ok: false, reason: 'invalid_request' };
    }
    const subject: Subject = { phone: phone.e164, purpose };
    const codeHash = hashCode(this.#key, phone.e164, purpose, code);
    const outcome = await this.#ask(() =>
      this.#store.verify(subject, codeHash, this.#verifyPolicy, now),
    );
    if (outcome?.ok === true) {
      this.#events.emit({ type: 'verified', phone: phone.e164, purpose, at });
      return { ok: true, phone: phone.e164, purpose };
    }
    if (outcome?.detail === 'locked') {
      const retryAfterInMilliseconds = Number(outcome.retryAfterInMilliseconds) || 0;
      this.#emitFailed(phone.e164, purpose, outcome.lockedNow ? 'wrong_code' : 'locked', ip, at);
      if (outcome.lockedNow) {
        this.#events.emit({
          type: 'locked',
          phone: phone.e164,
          purpose,
          until: new Date(now + retryAfterInMilliseconds),
          failures: outcome.failures,
          at,
        });
      }
      return { ok: false, reason: 'locked', retryAfter: secondsUntil(retryAfterInMilliseconds) };
    }
    // Anything else, including an answer the store should never give, is a failed verify.
    const detail: VerifyFailureDetail =
      outcome?.detail === 'no_challenge' ||
      outcome?.detail === 'expired' ||
      outcome?.detail === 'too_many_attempts' ||
      outcome?.detail === 'wrong_code'
        ? outcome.detail
        : 'no_challenge';
    this.#emitFailed(phone.e164, purpose, detail, ip, at);
    return { ok: false, reason: 'invalid_code' };
  }

  /** Drop any pending code for a number and purpose; limits and failure counts stay. */
  async cancel(input: { phone: unknown; purpose?: Purpose }): Promise<void> {
    const phone = this.#parse(input?.phone);
    const purpose = input?.purpose ?? DEFAULT_PURPOSE;
    if (phone === undefined || !isPurpose(purpose)) return;
    const now = this.#clock();
    await this.#call(() => this.#store.cancel({ phone: phone.e164, purpose }, now));
  }

  async #send(input: SendInput, isResend: boolean): Promise<SendResult> {
    const now = this.#clock();
    const at = new Date(now);
    const fields = typeof input === 'object' && input !== null ? input : ({} as SendInput);
    const purpose = fields.purpose ?? DEFAULT_PURPOSE;
    const ip = fields.ip;
    const refuse = (
      detail: SendRefusalDetail,
      reason: Refusal['reason'],
      phone?: string,
      retryAfterInMilliseconds?: number,
    ): Refusal => {
      this.#events.emit({
        type: 'send_refused',
        ...(phone === undefined ? {} : { phone }),
        purpose: typeof purpose === 'string' ? purpose : '',
        detail,
        ...(typeof ip === 'string' ? { ip } : {}),
        at,
      });
      return retryAfterInMilliseconds === undefined
        ? { ok: false, reason }
        : { ok: false, reason, retryAfter: secondsUntil(retryAfterInMilliseconds) };
    };

    let channel: unknown = fields.channel ?? 'text';
    const voice: unknown = fields.voice ?? this.#voice;
    const locale: unknown = fields.locale ?? this.#locale;
    const ipKey = typeof ip === 'string' ? ipRateLimitKey(ip) : undefined;
    if (
      !isPurpose(purpose) ||
      (channel !== 'text' && channel !== 'voice') ||
      !VOICES.includes(voice as Voice) ||
      (locale !== 'en' && locale !== 'ne') ||
      (ip !== undefined && ipKey === undefined)
    ) {
      return refuse('malformed', 'invalid_request');
    }
    const phone = this.#parse(fields.phone);
    if (phone === undefined) return refuse('invalid_phone', 'invalid_phone');
    const testCode = this.#testCodes?.get(phone.e164);
    if (testCode === undefined && !this.#isAllowed(phone)) {
      return refuse('not_allowed', 'invalid_phone', phone.e164);
    }
    const policy = this.#policy;
    if (ipKey !== undefined && policy.maxSendsPerIP !== Number.POSITIVE_INFINITY) {
      const hit = await this.#hit(`otp:ip:${ipKey}`, policy.ipWindowInMilliseconds, now);
      if (hit.count > policy.maxSendsPerIP) {
        return refuse('ip_cap', 'rate_limited', phone.e164, hit.resetAt - now);
      }
    }
    if (isResend && policy.resendFallbackToVoice && channel === 'text') channel = 'voice';

    const subject: Subject = { phone: phone.e164, purpose };
    const code = testCode ?? generateCode(this.codeLength);
    const challenge = {
      id: randomBytes(12).toString('base64url'),
      codeHash: hashCode(this.#key, phone.e164, purpose, code),
      expiresAt: now + policy.ttlInMilliseconds,
      channel: channel as Channel,
    };
    const issued = await this.#ask(() => this.#store.issue(subject, challenge, this.#limits, now));
    if (issued.ok !== true) {
      const detail = issued.detail;
      return refuse(
        detail === 'locked' || detail === 'cooldown' || detail === 'window_cap'
          ? detail
          : 'cooldown',
        'rate_limited',
        phone.e164,
        Number(issued.retryAfterInMilliseconds) || 1_000,
      );
    }
    const undo = async (deliveryFailed = false): Promise<void> => {
      try {
        await this.#store.abandon(
          subject,
          challenge.id,
          now,
          ...(deliveryFailed ? [{ limits: this.#limits }] : []),
        );
      } catch {
        // The store is failing too: the pending code stays and simply never verifies.
      }
    };

    if (testCode === undefined && policy.sendBudget !== Number.POSITIVE_INFINITY) {
      let budget: HitOutcome;
      try {
        budget = await this.#hit(BUDGET_KEY, policy.budgetWindowInMilliseconds, now);
      } catch (error) {
        await undo();
        throw error;
      }
      const used = Math.min(budget.count, policy.sendBudget);
      if (budget.count === Math.ceil(policy.sendBudget * policy.budgetLowRatio)) {
        this.#events.emit({ type: 'budget_low', used, budget: policy.sendBudget, at });
      }
      if (budget.count === policy.sendBudget) {
        this.#events.emit({ type: 'budget_exhausted', used, budget: policy.sendBudget, at });
      }
      if (budget.count > policy.sendBudget) {
        await undo();
        return refuse('budget_exhausted', 'unavailable', phone.e164, budget.resetAt - now);
      }
    }

    let deliveryUnknown = false;
    if (testCode === undefined) {
      let receipt: OTPSendReceipt | undefined;
      try {
        receipt = await this.#sender({
          phone: phone.e164,
          nationalNumber: phone.national,
          code,
          message: this.#messages.template(locale, channel as Channel, purpose),
          channel: channel as Channel,
          ...(channel === 'voice' ? { voice: voice as Voice } : {}),
          purpose,
        });
      } catch (error) {
        // The message may have gone out: keep the code so the user can still use it, and say
        // so (a value, not an outage: the user should move on to entering the code).
        if (isUnknownOutcome(error)) deliveryUnknown = true;
        else {
          // Counted against the number's send window: a repeated definite failure closes it, so
          // retries to a number the provider refuses never become unbounded provider calls.
          await undo(true);
          // One code for every definite failure (TingTing's 4xx/5xx, no credits, refused
          // connection): adapters answer it the same way; TingTing's own error stays as `cause`.
          if (isTingTingAuthError(error) && error.code === ErrorCode.DELIVERY_FAILED) throw error;
          throw new DeliveryFailedError(
            isTingTingAuthError(error)
              ? `The one-time code could not be delivered (${error.code})`
              : undefined,
            { cause: error },
          );
        }
      }
      this.#checkCredits(receipt, at);
    }
    this.#events.emit({
      type: 'sent',
      phone: phone.e164,
      channel: channel as Channel,
      purpose,
      at,
      testMode: testCode !== undefined,
      ...(deliveryUnknown ? { delivery: 'unknown' as const } : {}),
    });
    return {
      ok: true,
      phone: phone.e164,
      channel: channel as Channel,
      purpose,
      expiresAt: new Date(challenge.expiresAt),
      resendAt: new Date(now + policy.cooldownInMilliseconds),
      ...(deliveryUnknown ? { delivery: 'unknown' as const } : {}),
    };
  }

  /** {@link parsePhoneNumber} with a small bounded cache of valid numbers (oldest out first). */
  #parse(input: unknown): PhoneNumber | undefined {
    if (typeof input !== 'string') return undefined;
    const cached = this.#parsed.get(input);
    if (cached !== undefined) return cached;
    const phone = parsePhoneNumber(input);
    if (phone !== undefined) {
      if (this.#parsed.size >= PARSE_CACHE_SIZE) {
        this.#parsed.delete(this.#parsedOrder[this.#parsedNext]!);
      }
      this.#parsed.set(input, Object.freeze(phone));
      this.#parsedOrder[this.#parsedNext] = input;
      this.#parsedNext = (this.#parsedNext + 1) % PARSE_CACHE_SIZE;
    }
    return phone;
  }

  #isAllowed(phone: PhoneNumber): boolean {
    return this.#policy.allowList(phone) === true;
  }

  #checkCredits(receipt: OTPSendReceipt | undefined, at: Date): void {
    const credits = receipt?.remainingCredits;
    if (credits === undefined) return;
    for (const channel of ['text', 'voice'] as const) {
      const remaining = credits[channel];
      if (typeof remaining !== 'number' || !Number.isFinite(remaining)) continue;
      const previous = this.#lastCredits.get(channel);
      this.#lastCredits.set(channel, remaining);
      const threshold = this.#policy.creditsLowThreshold;
      if (remaining <= threshold && (previous === undefined || previous > threshold)) {
        this.#events.emit({ type: 'credits_low', channel, remaining, at });
      }
    }
  }

  #emitFailed(
    phone: string | undefined,
    purpose: string,
    detail: VerifyFailureDetail,
    ip: string | undefined,
    at: Date,
  ): void {
    const event: OTPEvent = {
      type: 'failed',
      ...(phone === undefined ? {} : { phone }),
      purpose,
      detail,
      ...(ip === undefined ? {} : { ip }),
      at,
    };
    this.#events.emit(event);
  }

  /**
   * Run a store operation; anything it throws, or an answer that is not an outcome, becomes a
   * {@link StoreUnavailableError} (fail closed).
   */
  async #call<T>(operation: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await operation();
    } catch (error) {
      if (error instanceof TingTingAuthError && error.code === ErrorCode.STORE_UNAVAILABLE) {
        throw error;
      }
      throw new StoreUnavailableError('The OTP store failed', { cause: error });
    }
    if (result !== undefined && (typeof result !== 'object' || result === null)) {
      throw new StoreUnavailableError('The OTP store answered something that is not an outcome');
    }
    return result;
  }

  /** Like {@link OTPEngine.#call} for `issue`, `verify` and `hit`, which must answer an object. */
  async #ask<T extends object>(operation: () => Promise<T>): Promise<T> {
    const result = await this.#call(operation);
    if (typeof result !== 'object' || result === null) {
      throw new StoreUnavailableError('The OTP store answered something that is not an outcome');
    }
    return result;
  }

  /** A store `hit`, with its count checked to be a number (a NaN count must not pass a cap). */
  async #hit(key: string, windowInMilliseconds: number, now: number): Promise<HitOutcome> {
    const hit = await this.#ask(() => this.#store.hit(key, windowInMilliseconds, now));
    if (!Number.isFinite(hit.count) || !Number.isFinite(hit.resetAt)) {
      throw new StoreUnavailableError('The OTP store answered a hit count that is not a number');
    }
    return hit;
  }
}

function resolveSender(sender: unknown): OTPSender {
  if (typeof sender === 'function') return sender as OTPSender;
  if (
    typeof sender === 'object' &&
    sender !== null &&
    typeof (sender as { sendOTP?: unknown }).sendOTP === 'function'
  ) {
    return createTingTingSender(sender as TingTingSendOTPCapable);
  }
  throw new TypeError(
    'OTPEngine: `sender` is required: a TingTingClient, or a function (delivery) => Promise<receipt>',
  );
}
