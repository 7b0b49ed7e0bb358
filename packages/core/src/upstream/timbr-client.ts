/**
 * `TimbrClient`: a typed client for every endpoint of the Timbr API (seed 002): the JWT pair
 * (create, refresh, verify; djoser + djangorestframework-simplejwt) and per-team API tokens (list,
 * issue, delete).
 *
 * @see seed `002_*.txt` (app.timbr.studio)
 * @packageDocumentation
 */

import * as v from 'valibot';
import { ValidationError } from '../errors.js';
import { withSecrets } from './redact.js';
import {
  AccessTokenRejectedError,
  RefreshRejectedError,
  UpstreamInvalidCredentialsError,
} from './upstream-errors.js';
import {
  callWithOptions,
  nonEmptyString,
  parseAnswer,
  resolveUpstreamSettings,
  throwUnlessSuccess,
  type UpstreamAnswer,
  type UpstreamCallOptions,
  type UpstreamFailures,
  type UpstreamHTTPOptions,
  type UpstreamHTTPSettings,
} from './upstream-http.js';

/** Timbr's public API origin. */
export const TIMBR_BASE_URL = 'https://app.timbr.studio';

/** Options of {@link TimbrClient}. */
export interface TimbrClientOptions extends UpstreamHTTPOptions {
  /** API origin. @default 'https://app.timbr.studio' */
  baseURL?: string;
}

/**
 * A JWT pair (or, after a refresh without rotation, an access token alone). The tokens are
 * non-enumerable: `JSON.stringify` and `util.inspect` show `[redacted]`.
 */
export interface TimbrTokenPair {
  readonly access: string;
  /** Absent after a refresh when Timbr does not rotate refresh tokens (`ROTATE_REFRESH_TOKENS`). */
  readonly refresh?: string;
}

/** One per-team API token. `accessToken` is non-enumerable (redacted in JSON and inspect). */
export interface TimbrTeamToken {
  readonly accessToken: string;
  readonly tokenIssuerUUID: string | null;
  readonly createdAt: Date | null;
  readonly updatedAt: Date | null;
  /** When the token stops working, `null` when Timbr does not say. */
  readonly expiresAt: Date | null;
}

/** What `deleteTeamTokens` reports. */
export interface TimbrDeleteResult {
  readonly requestedCount: number;
  readonly deletedCount: number;
}

const token = v.pipe(v.string(), v.minLength(1));

/** A timestamp Timbr may send in any `Date.parse` form, or not at all. */
const timestamp = v.pipe(
  v.nullish(v.string()),
  v.transform((value) => {
    if (value === undefined || value === null) return null;
    const time = Date.parse(value);
    return Number.isNaN(time) ? null : new Date(time);
  }),
);

const teamTokenSchema = v.object({
  access_token: token,
  token_issuer_uuid: v.nullish(v.string()),
  created_at: timestamp,
  updated_at: timestamp,
  expires_at: timestamp,
});

/** List: `{ tokens: [...] }` as the seed shows; a bare list is accepted as well. */
const teamTokenListSchema = v.union([
  v.object({ tokens: v.array(teamTokenSchema) }),
  v.array(teamTokenSchema),
]);

const deleteSchema = v.object({
  requested_count: v.pipe(v.number(), v.integer(), v.minValue(0)),
  deleted_count: v.pipe(v.number(), v.integer(), v.minValue(0)),
});

const refreshSchema = v.object({ access: token, refresh: v.optional(token) });

/** A team UUID as a single path segment (no `/`, `..` or encoding tricks). */
const TEAM_UUID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

function teamToken(row: v.InferOutput<typeof teamTokenSchema>): TimbrTeamToken {
  return withSecrets(
    'TimbrTeamToken',
    {
      tokenIssuerUUID: row.token_issuer_uuid ?? null,
      createdAt: row.created_at ?? null,
      updatedAt: row.updated_at ?? null,
      expiresAt: row.expires_at ?? null,
    },
    { accessToken: row.access_token },
  );
}

function pair(access: string, refresh: string | undefined): TimbrTokenPair {
  return withSecrets('TimbrTokenPair', {}, { access, refresh });
}

/**
 * A typed client for Timbr (seed 002). Every call is one request, never retried, never
 * redirected, with connect and total timeouts and a capped body; every failure is a typed
 * `UpstreamError` with a stable `code`, whose message holds no password or token.
 *
 * Seed 002 lists `Authorization: Bearer` on every endpoint, but that is its page template: the
 * JWT endpoints take credentials or a token in the body, so the client sends `Authorization` only
 * to the team-token endpoints (with the user's access JWT).
 *
 * @example
 * ```ts
 * const timbr = new TimbrClient();
 * const { access, refresh } = await timbr.createJWT({ username: 'ram', password: '…' });
 * const tokens = await timbr.listTeamTokens(access, teamUUID);
 * ```
 */
export class TimbrClient {
  readonly #settings: UpstreamHTTPSettings;

  constructor(options: TimbrClientOptions = {}) {
    this.#settings = resolveUpstreamSettings(
      'TimbrClient',
      'timbr',
      'Timbr',
      options,
      TIMBR_BASE_URL,
    );
  }

  /** The API origin and path prefix requests go to. */
  get baseURL(): string {
    return this.#settings.base.href;
  }

  /**
   * `POST /api/auth/jwt/ {username, password}` → the access/refresh pair.
   *
   * Seed 002's example answers 201 by echoing the request body (`{username, password}`), which
   * cannot be what the endpoint does: its own summary says it "returns an access and refresh JSON
   * web token pair", as djoser's `TokenObtainPairView` does (200 or 201). Both statuses are
   * accepted; a body with `access` is the pair, the echo (no `access`) is `UPSTREAM_MALFORMED`
   * with reason `echo`, and its content is never read into a message (it holds the password).
   *
   * @throws {UpstreamInvalidCredentialsError} 401 (wrong password, unknown or inactive user:
   *   simplejwt gives the same "No active account found with the given credentials").
   * @throws {UpstreamBadRequestError} 400 (a field missing or blank).
   */
  async createJWT(
    credentials: { readonly username: string; readonly password: string },
    options: UpstreamCallOptions = {},
  ): Promise<TimbrTokenPair> {
    const username = nonEmptyString('TimbrClient.createJWT', 'username', credentials?.username);
    const password = nonEmptyString('TimbrClient.createJWT', 'password', credentials?.password);
    const { answer, failures } = await callWithOptions(
      this.#settings,
      {
        endpoint: 'jwtCreate',
        label: 'JWT create',
        method: 'POST',
        path: 'api/auth/jwt/',
        json: { username, password },
        secrets: [password],
      },
      options,
    );
    throwUnlessSuccess(answer, failures, (status) =>
      status === 401 ? UpstreamInvalidCredentialsError : undefined,
    );
    const body = answer.json;
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
      const record = body as Record<string, unknown>;
      if (typeof record.access === 'string' && record.access !== '') {
        const refresh =
          typeof record.refresh === 'string' && record.refresh !== '' ? record.refresh : undefined;
        return pair(record.access, refresh);
      }
      if ('username' in record || 'password' in record) {
        throw failures.malformed(
          'echo',
          answer.status,
          'by echoing the request body instead of a token pair (the shape of seed 002’s example)',
        );
      }
    }
    throw failures.malformed('wrong-shape', answer.status, 'without an access token');
  }

  /**
   * `POST /api/auth/jwt/refresh/ {refresh}` → a new access token, and a new refresh token when
   * Timbr rotates them (`ROTATE_REFRESH_TOKENS`; the seed's example shows both).
   *
   * @throws {RefreshRejectedError} 401 (`token_not_valid`: expired, blacklisted, not a refresh token).
   * @throws {RefreshUnknownOutcomeError} sent, but no readable answer: Timbr may have rotated.
   */
  async refreshJWT(refresh: string, options: UpstreamCallOptions = {}): Promise<TimbrTokenPair> {
    const token = nonEmptyString('TimbrClient.refreshJWT', 'refresh', refresh);
    const { answer, failures } = await callWithOptions(
      this.#settings,
      {
        endpoint: 'jwtRefresh',
        label: 'JWT refresh',
        method: 'POST',
        path: 'api/auth/jwt/refresh/',
        json: { refresh: token },
        secrets: [token],
        mayRotate: true,
      },
      options,
    );
    throwUnlessSuccess(answer, failures, (status) =>
      status === 401 ? RefreshRejectedError : undefined,
    );
    const parsed = parseAnswer(refreshSchema, answer, failures);
    return pair(parsed.access, parsed.refresh);
  }

  /**
   * `POST /api/auth/jwt/verify/ {token}`: whether Timbr accepts the token (signature, expiry,
   * blacklist). Seed 002 says it "provides no information about a token's fitness for a
   * particular use". 2xx → `true`, 401 → `false`.
   */
  async verifyJWT(token: string, options: UpstreamCallOptions = {}): Promise<boolean> {
    const value = nonEmptyString('TimbrClient.verifyJWT', 'token', token);
    const { answer, failures } = await callWithOptions(
      this.#settings,
      {
        endpoint: 'jwtVerify',
        label: 'JWT verify',
        method: 'POST',
        path: 'api/auth/jwt/verify/',
        json: { token: value },
        secrets: [value],
      },
      options,
    );
    const common = failures.common(answer);
    if (common !== undefined) throw common;
    if (answer.status === 401) return false;
    throwUnlessSuccess(answer, failures);
    return true;
  }

  /** `GET /api/openapi/token/{team_uuid}/`: the team's API tokens (secrets non-enumerable). */
  async listTeamTokens(
    accessToken: string,
    teamUUID: string,
    options: UpstreamCallOptions = {},
  ): Promise<TimbrTeamToken[]> {
    const { answer, failures } = await this.#teamCall(
      'teamTokensList',
      'list team API tokens',
      'GET',
      accessToken,
      teamUUID,
      '',
      options,
    );
    const parsed = parseAnswer(teamTokenListSchema, answer, failures);
    return (Array.isArray(parsed) ? parsed : parsed.tokens).map(teamToken);
  }

  /** `POST /api/openapi/token/{team_uuid}/`: issue a new team API token. */
  async issueTeamToken(
    accessToken: string,
    teamUUID: string,
    options: UpstreamCallOptions = {},
  ): Promise<TimbrTeamToken> {
    const { answer, failures } = await this.#teamCall(
      'teamTokensIssue',
      'issue team API token',
      'POST',
      accessToken,
      teamUUID,
      '',
      options,
    );
    return teamToken(parseAnswer(teamTokenSchema, answer, failures));
  }

  /** `POST /api/openapi/token/{team_uuid}/delete/`: delete the team's API tokens. */
  async deleteTeamTokens(
    accessToken: string,
    teamUUID: string,
    options: UpstreamCallOptions = {},
  ): Promise<TimbrDeleteResult> {
    const { answer, failures } = await this.#teamCall(
      'teamTokensDelete',
      'delete team API tokens',
      'POST',
      accessToken,
      teamUUID,
      'delete/',
      options,
    );
    const parsed = parseAnswer(deleteSchema, answer, failures);
    return { requestedCount: parsed.requested_count, deletedCount: parsed.deleted_count };
  }

  /** A JSON form without any secret. */
  toJSON(): { baseURL: string } {
    return { baseURL: this.#settings.base.href };
  }

  async #teamCall(
    endpoint: string,
    label: string,
    method: 'GET' | 'POST',
    accessToken: string,
    teamUUID: string,
    suffix: string,
    options: UpstreamCallOptions,
  ): Promise<{ answer: UpstreamAnswer; failures: UpstreamFailures }> {
    const token = nonEmptyString(`TimbrClient.${endpoint}`, 'accessToken', accessToken);
    if (typeof teamUUID !== 'string' || !TEAM_UUID.test(teamUUID)) {
      throw new ValidationError(
        'teamUUID',
        `TimbrClient: teamUUID must be a team UUID (letters, digits, -)`,
      );
    }
    const result = await callWithOptions(
      this.#settings,
      {
        endpoint,
        label,
        method,
        path: `api/openapi/token/${teamUUID}/${suffix}`,
        authorization: `Bearer ${token}`,
        secrets: [token],
      },
      options,
    );
    throwUnlessSuccess(result.answer, result.failures, (status) =>
      status === 401 ? AccessTokenRejectedError : undefined,
    );
    return result;
  }
}
