/**
 * What a custom OTP store implements (`@tingting-auth/core/store`): the {@link OTPStore}
 * interface and the records it takes and returns. Types only. `packages/core/test/store-contract.ts`
 * is the executable form of the contract every store must pass.
 *
 * @packageDocumentation
 */

export type { Channel } from './otp-types.js';
export type {
  ChallengeRecord,
  DeliveryFailure,
  HitOutcome,
  IssueOutcome,
  OTPStore,
  SendLimits,
  Subject,
  VerifyOutcome,
  VerifyPolicy,
} from './store.js';
