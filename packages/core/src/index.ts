/**
 * TingTing API client and hardened OTP challenge engine for phone sign-in in Nepal.
 *
 * Subpaths: `./protocol` (the sign-in protocol adapters speak), `./store` (the types a custom
 * OTP store implements), `./public-errors` (the outward answer table, browser-safe).
 *
 * @packageDocumentation
 */

export {
  type TimeoutPhase,
  TingTingAPIError,
  TingTingAuthenticationError,
  TingTingClientError,
  type TingTingClientErrorJSON,
  type TingTingEndpoint,
  type TingTingErrorBody,
  type TingTingFieldError,
  TingTingInsufficientCreditsError,
  TingTingRateLimitError,
  TingTingTimeoutError,
  TingTingTransportError,
  TingTingUnexpectedBodyError,
  TingTingUnexpectedStatusError,
  TingTingUnknownOutcomeError,
  type UnexpectedBodyReason,
} from './client/client-errors.js';
export type { FetchLike } from './client/http.js';
export {
  MAX_MESSAGE_LENGTH,
  MAX_OTP_LENGTH,
  MIN_OTP_LENGTH,
  type SendOTPInput,
} from './client/send-input.js';
export {
  DEFAULT_BASE_URL,
  TingTingClient,
  type TingTingClientOptions,
} from './client/tingting-client.js';
export {
  createTingTingSender,
  type TingTingSenderOptions,
  type TingTingSendOTPCapable,
} from './client/tingting-sender.js';
export type {
  ListSentOTPsOptions,
  SendOTPResult,
  SentOTP,
  SentOTPPage,
  TingTingAPIToken,
  TingTingUserProfile,
} from './client/types.js';
export {
  type CrossSiteOptions,
  isCrossSiteRequest,
  type RequestHeaders,
} from './cross-site.js';
export type { OTPEventListener } from './engine/events.js';
export { countSMSSegments, type MessageTemplates, type SMSSegments } from './engine/messages.js';
export { OTPEngine, type OTPEngineOptions, type SendOTPCapable } from './engine/otp-engine.js';
export { DEFAULT_POLICY, type OTPPolicy } from './engine/policy.js';
export type { TestModeOptions } from './engine/test-mode.js';
export {
  DeliveryFailedError,
  ErrorCode,
  isTingTingAuthError,
  StoreUnavailableError,
  TingTingAuthError,
  type TingTingAuthErrorOptions,
  ValidationError,
} from './errors.js';
export {
  type Channel,
  DEFAULT_PURPOSE,
  isPurpose,
  type Locale,
  type OTPEngineAPI,
  type OTPEvent,
  type OTPEventType,
  type Purpose,
  type SendFailure,
  type SendFailureReason,
  type SendInput,
  type SendRefusalDetail,
  type SendResult,
  type SendSuccess,
  type VerifyFailure,
  type VerifyFailureDetail,
  type VerifyFailureReason,
  type VerifyInput,
  type VerifyResult,
  type VerifySuccess,
  VOICES,
  type Voice,
} from './otp-types.js';
export {
  isNepaliMobile,
  type PhoneNumber,
  parsePhoneNumber,
  TINGTING_MOBILE_PREFIXES,
} from './phone.js';
export {
  DELIVERY_UNKNOWN_MESSAGE,
  PUBLIC_ERROR_MESSAGES,
  PUBLIC_ERROR_STATUS,
  type PublicErrorCode,
  publicCodeOfError,
  SEND_FAILURE_CODES,
  UNAVAILABLE_RETRY_AFTER_IN_SECONDS,
  VERIFY_FAILURE_CODES,
} from './public-errors.js';
export type { OTPDelivery, OTPSender, OTPSendReceipt } from './sender.js';
export type { DeliveryFailure, OTPStore } from './store.js';
export { MemoryStore, type MemoryStoreOptions } from './stores/memory-store.js';
