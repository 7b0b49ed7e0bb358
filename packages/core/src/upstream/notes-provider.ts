/**
 * `notesProvider`: the {@link UpstreamProvider} for the notes service (seed 003), over
 * {@link NotesClient}.
 *
 * @packageDocumentation
 */

import { NotesClient, type NotesClientOptions } from './notes-client.js';
import { createTokenSet, tokenSetSecrets } from './token-set.js';
import type {
  CallCtx,
  TokenSet,
  UpstreamCredentials,
  UpstreamGrant,
  UpstreamProvider,
  UpstreamSignup,
} from './types.js';
import { RefreshRejectedError } from './upstream-errors.js';
import { callOptionsOf, clockOf, credentialsOf } from './upstream-http.js';

/** Options of {@link notesProvider}: the client's, plus the provider id. */
export interface NotesProviderOptions extends NotesClientOptions {
  /** The provider id in sessions and events. @default 'notes' */
  id?: string;
}

/** The notes provider: login, refresh (rotating) and signup, plus its client. */
export interface NotesProvider extends UpstreamProvider {
  readonly client: NotesClient;
  signup(account: UpstreamSignup, ctx: CallCtx): Promise<{ created: boolean }>;
}

/**
 * Sign users in against the notes service (`/auth/login`, `/auth/refresh`, `/auth/signup`, all
 * form-encoded).
 *
 * - `accessExpiresAt` is our clock at receipt + `valid_for` seconds. The refresh token's lifetime
 *   is not documented, so `refreshExpiresAt` stays unset.
 * - `refresh` returns the rotated refresh token (the seed's example returns a new one), or keeps
 *   the old one if an answer leaves it out. `reference_token` and `type` are ignored.
 * - The notes tokens carry no user id, so the grant's `subject` is the identifier as typed
 *   (trimmed): a username or an email, whichever the user signed in with.
 *
 * @example
 * ```ts
 * const notes = notesProvider({ baseURL: 'https://notes.example.com' });
 * const { tokens } = await notes.login({ identifier: 'ram', password }, { signal, now: Date.now });
 * ```
 */
export function notesProvider(options: NotesProviderOptions): NotesProvider {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('notesProvider: options with a baseURL are required');
  }
  const { id = 'notes', ...clientOptions } = options;
  if (typeof id !== 'string' || id === '') {
    throw new TypeError('notesProvider: id must be a non-empty string');
  }
  const client = new NotesClient(clientOptions);
  return {
    id,
    client,
    async login(credentials: UpstreamCredentials, ctx: CallCtx): Promise<UpstreamGrant> {
      // Taken before the request: the token cannot outlive the time we compute for it.
      const receivedAt = clockOf(ctx)();
      const { identifier: username, password } = credentialsOf('notesProvider', credentials);
      const answer = await client.login({ username, password }, callOptionsOf(ctx));
      const tokens = createTokenSet({
        accessToken: answer.accessToken,
        ...(answer.refreshToken === undefined ? {} : { refreshToken: answer.refreshToken }),
        accessExpiresAt: receivedAt + answer.validForInSeconds * 1000,
        receivedAt,
        tokenType: 'Bearer',
        generation: 0,
      });
      return { tokens, subject: username };
    },
    async refresh(tokens: TokenSet, ctx: CallCtx): Promise<TokenSet> {
      if (tokens?.refreshToken === undefined) {
        throw new RefreshRejectedError('Notes service refresh: the session has no refresh token', {
          provider: id,
          endpoint: 'refresh',
        });
      }
      const receivedAt = clockOf(ctx)();
      const answer = await client.refresh(
        tokens.refreshToken,
        callOptionsOf(ctx, tokenSetSecrets(tokens)),
      );
      return createTokenSet({
        accessToken: answer.accessToken,
        refreshToken: answer.refreshToken ?? tokens.refreshToken,
        accessExpiresAt: receivedAt + answer.validForInSeconds * 1000,
        receivedAt,
        tokenType: 'Bearer',
        generation: tokens.generation + 1,
      });
    },
    async signup(account: UpstreamSignup, ctx: CallCtx): Promise<{ created: boolean }> {
      await client.signup(account, callOptionsOf(ctx));
      return { created: true };
    },
  };
}
