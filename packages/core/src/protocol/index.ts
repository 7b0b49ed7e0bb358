/**
 * The sign-in protocol every adapter speaks, once, framework-neutral:
 * `@tingting-auth/core/protocol`. An adapter maps its host's request to a
 * {@link ProtocolRequest} and the {@link ProtocolAnswer} back to its host's response; it keeps only
 * what is truly host-specific (sessions, redirects, Passport's `success`/`fail`/`error`/`pass`,
 * next-auth's `authorize`). Nothing here imports a framework.
 *
 * ## How an adapter uses it
 *
 * 1. **Options, once, at construction.** Pass the user's options object through
 *    {@link resolveProtocolOptions}, naming your adapter and listing the options only you take:
 *
 *    ```ts
 *    const shared = resolveProtocolOptions('TingTing Strategy', options, {
 *      adapterOptions: ['name', 'passReqToCallback', 'ip', 'phoneField', 'codeField'],
 *      // engine: engineArgument,   // when the engine is a positional argument (Express)
 *      // clientIPFromHeaders: true, // Web hosts: accept trustProxy / ipHeader
 *      // crossSiteMiddleware: true, // accept a CSRF middleware as crossSiteProtection
 *    });
 *    ```
 *
 *    It checks every key against the shared names plus yours (`TypeError: TingTing Strategy:
 *    unknown option \`purpse\`; known options: engine, purpose, …`), the engine duck type, the
 *    purpose, `allowedOrigins` (an origin with a path is refused, never trimmed), the one body
 *    limit `maxBodyInBytes` (default 4096), `trustProxy`/`ipHeader`. Check your own options after it.
 * 2. **Handlers.** `const otp = createOTPProtocol(shared, { fieldNames })` gives `send`, `verify`,
 *    `signOut` and `check`. Each takes a {@link ProtocolRequest}:
 *    - `method` (omit when your host routed by method), `headers` (Node or Fetch),
 *    - `url` (Web requests: its host counts as the app's own for the cross-site check),
 *    - `clientIP` (Express's `req.ip`; unset: read from `ipHeader` only with `trustProxy`),
 *    - the body, one of: `fields` (your host already parsed it: Passport's `req.body`, next-auth's
 *      `credentials`), or `body` (raw: a Web `ReadableStream`, bytes, or `(max) => Promise<bytes>`
 *      that reads a Node stream with that cap; reject with `{ status: 413 }` when it is larger).
 *      A Web `Request` becomes one with {@link fromWebRequest}, a Node request (Express, Passport,
 *      Next.js Pages API routes) with {@link fromNodeRequest} (`req.body` if a parser ran, else
 *      the stream, read to its end past the cap so keep-alive sockets stay usable).
 * 3. **Results.** Every handler resolves (it never throws) to a {@link ProtocolResult}:
 *    - `answer`: `{ status, headers, body }`, ready to send (`body` is JSON or `undefined`;
 *      {@link toWebResponse} makes a Web `Response`, {@link sendNodeAnswer} writes a Node one).
 *      The table in `public-errors.ts` decides it.
 *    - `ok: true` and `value`: the engine's `SendSuccess` (send; `delivery: 'unknown'` when
 *      TingTing's answer was lost: still 202, with `delivery` and a `message` in the body, so pages
 *      move on to the code entry), the {@link VerifiedPhone} (verify: sign the user in here).
 *    - `ok: false` and `error`: the {@link ProtocolRefusal} `{ code, status, message, retryAfter? }`
 *      (Passport: `fail({ message, code, retryAfter }, status)`); `error.cause` is set when the
 *      engine threw (store down, delivery failed): log it, or hand it to your host's error path.
 * 4. **Host steps in between.** `check(request)` runs the method and cross-site checks alone
 *    (pure, so the handler repeating them is harmless): run it first when you have work before the
 *    body is read (Express's per-IP limiter). Refuse with {@link refuse}/{@link refusalOf} and the
 *    public codes (`ACCESS_DENIED` when your app's callback says no).
 *
 * Password sign-in against an upstream token API is one more handler built the same way:
 * {@link createPasswordProtocol} over {@link resolveRequestOptions} (the request options without
 * an engine) and an `UpstreamSessions`, with `signIn`, `signOut` and (notes) `signUp`; see the
 * top of `password-handlers.ts` for how an adapter uses it. Only its types come from
 * `@tingting-auth/core/upstream`, so this entry loads no upstream code.
 *
 * @example
 * ```ts
 * import { createOTPProtocol, fromWebRequest, resolveProtocolOptions, toWebResponse } from '@tingting-auth/core/protocol';
 * const otp = createOTPProtocol(resolveProtocolOptions('createSendHandler', { engine, trustProxy: true }, { clientIPFromHeaders: true }));
 * export async function POST(request: Request): Promise<Response> {
 *   const result = await otp.send(fromWebRequest(request));
 *   if (!result.ok && result.error.cause !== undefined) console.error(result.error.cause);
 *   return toWebResponse(result.answer);
 * }
 * ```
 *
 * @packageDocumentation
 */

// Core types the protocol's signatures use, so an adapter imports them from here too.
export type { RequestHeaders } from '../cross-site.js';
export type { Channel, OTPEngineAPI, Purpose, SendSuccess } from '../otp-types.js';
export type { PublicErrorCode } from '../public-errors.js';
// Ending a session while the store may be down (sign-out, an abandoned sign-in): no upstream
// runtime code either, so an adapter that loads this entry loads no other for it.
export {
  errorNameAndCode,
  SessionEnder,
  type SessionEnderOptions,
  type SessionEndFailure,
  type SessionEndStore,
} from '../upstream/session-ender.js';
// Types only (erased at build): this entry still loads no upstream code.
export type {
  CreatedSession,
  SessionInfo,
  SessionStatus,
  SignInInput,
  SignInResult,
} from '../upstream/sessions.js';
export type { SessionEndReason } from '../upstream/sessions-store.js';
export type { SignUpLimit } from '../upstream/throttle.js';
export type { ConsumeOutcome } from '../upstream/throttle-store.js';
export type { UpstreamProfile, UpstreamSignup } from '../upstream/types.js';
// The session's fetch (`req.upstream.fetch`): no upstream runtime code, so adapters take it here.
export {
  type UpstreamFetch,
  type UpstreamFetchOptions,
  type UpstreamFetchSessions,
  upstreamFetch,
} from '../upstream/upstream-fetch.js';
export {
  answerOf,
  jsonAnswer,
  type ProtocolAnswer,
  type ProtocolErrorBody,
  type ProtocolRefusal,
  type ProtocolResult,
  refusalOf,
  refuse,
  retryAfterOf,
} from './answers.js';
export { clientIPFromHeaders } from './client-ip.js';
export {
  type FieldsResult,
  MAX_FORM_PARTS,
  type ProtocolBody,
  type ProtocolFields,
  readFields,
} from './fields.js';
export {
  answerOfHTTPError,
  type HTTPErrorCode,
  isTingTingHTTPError,
  TingTingHTTPError,
  type TingTingHTTPErrorOptions,
} from './http-error.js';
export { fromNodeRequest, type NodeRequest, sendNodeAnswer } from './node.js';
export {
  type AdapterOptionKind,
  type AdapterSpec,
  DEFAULT_MAX_BODY_IN_BYTES,
  isOTPEngine,
  originOf,
  type ProtocolOptions,
  type ResolvedProtocolOptions,
  type ResolvedRequestOptions,
  resolveProtocolOptions,
  resolveRequestOptions,
} from './options.js';
export {
  checkRequest,
  createOTPProtocol,
  type OTPFieldNames,
  type OTPProtocol,
  type ProtocolRequest,
  type SendCodeAnswer,
  stringField,
  type VerifiedPhone,
} from './otp-handlers.js';
export {
  createPasswordProtocol,
  DEFAULT_SIGN_UP_LIMIT,
  type PasswordFieldNames,
  type PasswordProtocol,
  type PasswordProtocolConfig,
  type PasswordSessions,
  type PasswordSignIn,
  type PasswordSignupProvider,
  type PasswordUser,
  refusalOfSessionError,
  SIGN_UP_ACCEPTED_MESSAGE,
  type SignUpAnswer,
} from './password-handlers.js';
export {
  type CurrentSession,
  createSessionsProtocol,
  type RevocableSessionStore,
  type SessionListAnswer,
  type SessionsProtocol,
  type SessionsProtocolConfig,
  type SessionView,
  sessionViewOf,
} from './session-handlers.js';
export {
  createSessionSwap,
  type SessionSwap,
  type SessionSwapInput,
  type SessionSwapState,
  type SwapSession,
} from './session-swap.js';
export { fromWebRequest, toWebResponse } from './web.js';
