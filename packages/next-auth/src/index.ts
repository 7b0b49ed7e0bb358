/**
 * `@tingting-auth/next-auth`: phone sign-in with a one-time code sent by TingTing, for
 * next-auth v4 (this entry). For v5 (Auth.js), import from `@tingting-auth/next-auth/v5`.
 *
 * @packageDocumentation
 */

export * from './shared-exports.js';
export {
  getUpstreamAccessToken,
  revocableSessions,
  TingTing,
  TingTingSignInError,
  UpstreamCredentials,
} from './v4.js';
