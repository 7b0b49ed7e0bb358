/**
 * `timbrProvider`: the {@link UpstreamProvider} for Timbr (seed 002), over {@link TimbrClient};
 * and {@link TimbrTeamTokens}, the per-team API tokens over a live session.
 *
 * @packageDocumentation
 */

import { computeExpiresAt, jwtSubject } from './expiry.js';
import {
  type TimbrClient,
  TimbrClient as TimbrClientClass,
  type TimbrClientOptions,
  type TimbrDeleteResult,
  type TimbrTeamToken,
} from './timbr-client.js';
import { createTokenSet, tokenSetSecrets } from './token-set.js';
import type {
  CallCtx,
  TokenSet,
  UpstreamCredentials,
  UpstreamGrant,
  UpstreamProvider,
} from './types.js';
import { RefreshRejectedError } from './upstream-errors.js';
import {
  callOptionsOf,
  clockOf,
  credentialsOf,
  type UpstreamCallOptions,
} from './upstream-http.js';

/** simplejwt's default `ACCESS_TOKEN_LIFETIME`, used when the access token says nothing. */
const DEFAULT_ACCESS_SECONDS = 300;
/** simplejwt's default `REFRESH_TOKEN_LIFETIME`. */
const DEFAULT_REFRESH_SECONDS = 86_400;

/** Options of {@link timbrProvider}: the client's, plus the provider id. */
export interface TimbrProviderOptions extends TimbrClientOptions {
  /** The provider id in sessions and events. @default 'timbr' */
  id?: string;
}

/** The Timbr provider: login, refresh and verify, plus the client for the team-token endpoints. */
export interface TimbrProvider extends UpstreamProvider {
  /** The typed client it calls (team tokens, or any endpoint directly). */
  readonly client: TimbrClient;
  verify(tokens: TokenSet, ctx: CallCtx): Promise<boolean>;
}

/**
 * Sign users in against Timbr's JWT endpoints (`/api/auth/jwt/`, `/jwt/refresh/`, `/jwt/verify/`).
 *
 * - Expiry comes from each JWT's `exp − iat`, added to our clock at receipt (not verified: it only
 *   schedules refreshes); simplejwt's defaults (5 min, 1 day) when a token has no such claims.
 * - `refresh` keeps the old refresh token when Timbr does not rotate (`ROTATE_REFRESH_TOKENS` off)
 *   and returns the new one when it does.
 * - The grant's `subject` is simplejwt's `user_id` claim, else the username as typed (trimmed).
 *
 * @example
 * ```ts
 * const timbr = timbrProvider({ baseURL: 'https://app.timbr.studio' });
 * const { tokens, subject } = await timbr.login({ identifier: 'ram', password }, { signal, now: Date.now });
 * ```
 */
export function timbrProvider(options: TimbrProviderOptions = {}): TimbrProvider {
  const { id = 'timbr', ...clientOptions } = options ?? {};
  if (typeof id !== 'string' || id === '') {
    throw new TypeError('timbrProvider: id must be a non-empty string');
  }
  const client = new TimbrClientClass(clientOptions);
  return {
    id,
    client,
    async login(credentials: UpstreamCredentials, ctx: CallCtx): Promise<UpstreamGrant> {
      const now = clockOf(ctx);
      // Taken before the request: the token cannot outlive the time we compute for it.
      const receivedAt = now();
      const { identifier: username, password } = credentialsOf('timbrProvider', credentials);
      const pair = await client.createJWT({ username, password }, callOptionsOf(ctx));
      const tokens = createTokenSet({
        accessToken: pair.access,
        ...(pair.refresh === undefined ? {} : { refreshToken: pair.refresh }),
        accessExpiresAt:
          computeExpiresAt(receivedAt, { jwt: pair.access }) ??
          receivedAt + DEFAULT_ACCESS_SECONDS * 1000,
        ...(pair.refresh === undefined
          ? {}
          : {
              refreshExpiresAt:
                computeExpiresAt(receivedAt, { jwt: pair.refresh }) ??
                receivedAt + DEFAULT_REFRESH_SECONDS * 1000,
            }),
        receivedAt,
        tokenType: 'Bearer',
        generation: 0,
      });
      return { tokens, subject: jwtSubject(pair.access) ?? username };
    },
    async refresh(tokens: TokenSet, ctx: CallCtx): Promise<TokenSet> {
      if (tokens?.refreshToken === undefined) {
        throw new RefreshRejectedError('Timbr JWT refresh: the session has no refresh token', {
          provider: id,
          endpoint: 'jwtRefresh',
        });
      }
      const receivedAt = clockOf(ctx)();
      const pair = await client.refreshJWT(
        tokens.refreshToken,
        callOptionsOf(ctx, tokenSetSecrets(tokens)),
      );
      const refreshToken = pair.refresh ?? tokens.refreshToken;
      const refreshExpiresAt =
        pair.refresh === undefined
          ? tokens.refreshExpiresAt
          : (computeExpiresAt(receivedAt, { jwt: pair.refresh }) ??
            receivedAt + DEFAULT_REFRESH_SECONDS * 1000);
      return createTokenSet({
        accessToken: pair.access,
        refreshToken,
        accessExpiresAt:
          computeExpiresAt(receivedAt, { jwt: pair.access }) ??
          receivedAt + DEFAULT_ACCESS_SECONDS * 1000,
        ...(refreshExpiresAt === undefined ? {} : { refreshExpiresAt }),
        receivedAt,
        tokenType: 'Bearer',
        generation: tokens.generation + 1,
      });
    },
    verify(tokens: TokenSet, ctx: CallCtx): Promise<boolean> {
      return client.verifyJWT(tokens?.accessToken, callOptionsOf(ctx, tokenSetSecrets(tokens)));
    },
  };
}

/**
 * Timbr's per-team API tokens (`/api/openapi/token/{team_uuid}/`) on behalf of a signed-in user.
 * These are **not** session tokens: they are returned to the caller (secrets non-enumerable) and
 * never stored in a session.
 *
 * @example
 * ```ts
 * const teamTokens = new TimbrTeamTokens(timbr.client, () => sessions.getAccessToken(sid));
 * const issued = await teamTokens.issue(teamUUID);
 * ```
 */
export class TimbrTeamTokens {
  readonly #client: TimbrClient;
  readonly #accessToken: () => Promise<string> | string;

  /**
   * @param accessToken the user's current access JWT (e.g. `() => sessions.getAccessToken(sid)`,
   *   which refreshes when needed).
   */
  constructor(client: TimbrClient, accessToken: () => Promise<string> | string) {
    if (!(client instanceof TimbrClientClass)) {
      throw new TypeError('TimbrTeamTokens: client must be a TimbrClient (timbrProvider().client)');
    }
    if (typeof accessToken !== 'function') {
      throw new TypeError(
        'TimbrTeamTokens: accessToken must be a function returning the access JWT',
      );
    }
    this.#client = client;
    this.#accessToken = accessToken;
  }

  /** The team's API tokens. */
  async list(teamUUID: string, options: UpstreamCallOptions = {}): Promise<TimbrTeamToken[]> {
    return this.#client.listTeamTokens(await this.#accessToken(), teamUUID, options);
  }

  /** Issue a new API token for the team. */
  async issue(teamUUID: string, options: UpstreamCallOptions = {}): Promise<TimbrTeamToken> {
    return this.#client.issueTeamToken(await this.#accessToken(), teamUUID, options);
  }

  /** Delete the team's API tokens. */
  async delete(teamUUID: string, options: UpstreamCallOptions = {}): Promise<TimbrDeleteResult> {
    return this.#client.deleteTeamTokens(await this.#accessToken(), teamUUID, options);
  }
}
