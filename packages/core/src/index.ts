export * from './client/client-errors.js';
export type { FetchLike } from './client/http.js';
export {
  buildSendOTPBody,
  MAX_MESSAGE_LENGTH,
  MAX_OTP_LENGTH,
  MIN_OTP_LENGTH,
  type SendOTPInput,
} from './client/send-input.js';
export * from './client/tingting-client.js';
export * from './client/tingting-sender.js';
export type * from './client/types.js';
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
export * from './errors.js';
export * from './otp-types.js';
export * from './phone.js';
export * from './public-errors.js';
export type * from './sender.js';
export type * from './store.js';
export * from './stores/memory-store.js';
