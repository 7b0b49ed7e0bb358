/**
 * One call to an upstream token API: the shared exchange (connect/total timeouts, no redirects,
 * capped body) plus the failures every endpoint shares, as typed upstream errors. Each client then
 * maps the statuses its seed documents (a 406 means a wrong password on notes login, a rejected
 * refresh on notes refresh) and validates the 2xx body.
 *
 * @packageDocumentation
 */

import * as v from 'valibot';
import packageJSON from '../../package.json' with { type: 'json' };
import { ValidationError } from '../errors.js';
import {
  type ExchangeSettings,
  exchangeOnce,
  type FetchLike,
  NOT_JSON,
  parseRetryAfter,
  requestHeaders,
  scrub,
  Timer,
} from '../http/exchange.js';
import { positiveInteger, resolveBaseURL, resolveFetch } from '../http/options.js';
import type { CallCtx, UpstreamCredentials } from './types.js';
import {
  RefreshUnknownOutcomeError,
  UpstreamBadRequestError,
  type UpstreamError,
  type UpstreamErrorOptions,
  UpstreamMalformedError,
  type UpstreamMalformedReason,
  UpstreamUnavailableError,
} from './upstream-errors.js';

/** Options every upstream client takes. */
export interface UpstreamHTTPOptions {
  /** API origin (a path prefix is allowed). `http:` only for loopback hosts. */
  baseURL?: string;
  /** `fetch` implementation. @default globalThis.fetch */
  fetch?: FetchLike;
  /** Limit for a whole call, body included. @default 15000 */
  timeoutInMilliseconds?: number;
  /** Limit to get the response headers. @default 10000 */
  connectTimeoutInMilliseconds?: number;
  /** Largest response body read; larger ones fail with `UPSTREAM_MALFORMED`. @default 65536 */
  maxResponseSizeInBytes?: number;
}

/** Per-call options of the client methods. */
export interface UpstreamCallOptions {
  /** Aborts the call. */
  signal?: AbortSignal;
  /**
   * More strings to scrub from any upstream text kept in an error (the rest of a token set: a
   * refresh error must not quote the access token either). The call's own secrets always are.
   */
  secrets?: readonly string[];
}

/** Settings resolved once from the options. */
export interface UpstreamHTTPSettings extends ExchangeSettings {
  readonly provider: string;
  /** `Timbr`, `Notes service`, `TingTing`: for messages. */
  readonly label: string;
  readonly base: URL;
  readonly timeoutInMilliseconds: number;
  readonly userAgent: string;
}

/** `User-Agent` of upstream calls. */
const USER_AGENT = `tingting-auth/${packageJSON.version}`;

/** Resolve the options of an upstream client (throws `TypeError` for bad ones). */
export function resolveUpstreamSettings(
  owner: string,
  provider: string,
  label: string,
  options: UpstreamHTTPOptions | undefined,
  defaultBaseURL: string | undefined,
): UpstreamHTTPSettings {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`${owner}: options must be an object`);
  }
  const baseURL = options?.baseURL ?? defaultBaseURL;
  if (typeof baseURL !== 'string') {
    throw new TypeError(`${owner}: baseURL is required (the service's API origin)`);
  }
  const timeoutInMilliseconds = positiveInteger(
    owner,
    'timeoutInMilliseconds',
    options?.timeoutInMilliseconds,
    15_000,
  );
  return {
    provider,
    label,
    base: resolveBaseURL(
      owner,
      baseURL,
      defaultBaseURL ?? 'https://api.example.com',
      'passwords and tokens',
    ),
    fetch: resolveFetch(owner, options?.fetch),
    timeoutInMilliseconds,
    connectTimeoutInMilliseconds: Math.min(
      timeoutInMilliseconds,
      positiveInteger(
        owner,
        'connectTimeoutInMilliseconds',
        options?.connectTimeoutInMilliseconds,
        10_000,
      ),
    ),
    maxResponseSizeInBytes: positiveInteger(
      owner,
      'maxResponseSizeInBytes',
      options?.maxResponseSizeInBytes,
      64 * 1024,
    ),
    userAgent: USER_AGENT,
  };
}

/** One request to an upstream. */
export interface UpstreamRequest {
  /** Endpoint name for errors (`jwtCreate`). */
  readonly endpoint: string;
  /** Human label (`JWT create`). */
  readonly label: string;
  readonly method: 'GET' | 'POST';
  /** Path relative to the base URL (no leading slash). */
  readonly path: string;
  /** A JSON body. */
  readonly json?: unknown;
  /** A form body (`application/x-www-form-urlencoded`). */
  readonly form?: Readonly<Record<string, string>>;
  readonly authorization?: string;
  /** A cookie-jar fetch. */
  readonly fetch?: FetchLike;
  /** Strings to scrub from any text kept (password, tokens, cookie values). */
  readonly secrets: readonly string[];
  readonly signal?: AbortSignal | undefined;
  /**
   * A refresh: a lost answer (sent, no reply; a 502/504 from a gateway; an unreadable 2xx) is
   * {@link RefreshUnknownOutcomeError}, since the upstream may have rotated the token already.
   */
  readonly mayRotate?: boolean;
}

/** A non-redirect answer with a JSON body (or {@link NOT_JSON} for an error status). */
export interface UpstreamAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: unknown;
}

/** `detail`, `error` or `message` of an error body, scrubbed and bounded. */
export function upstreamText(json: unknown, secrets: readonly string[]): string | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const record = json as Record<string, unknown>;
  for (const key of ['detail', 'error', 'message', 'non_field_errors']) {
    const value = record[key];
    const text = Array.isArray(value) ? value.find((item) => typeof item === 'string') : value;
    if (typeof text === 'string' && text !== '') return scrub(text, secrets);
  }
  return undefined;
}

/** Builds the errors of one request. */
export class UpstreamFailures {
  constructor(
    readonly settings: UpstreamHTTPSettings,
    readonly request: UpstreamRequest,
  ) {}

  /** `Timbr JWT create` */
  get where(): string {
    return `${this.settings.label} ${this.request.label}`;
  }

  options(
    status?: number,
    json?: unknown,
  ): {
    provider: string;
    endpoint: string;
    status?: number;
    upstreamMessage?: string;
  } {
    const upstreamMessage =
      json === undefined ? undefined : upstreamText(json, this.request.secrets);
    return {
      provider: this.settings.provider,
      endpoint: this.request.endpoint,
      ...(status === undefined ? {} : { status }),
      ...(upstreamMessage === undefined ? {} : { upstreamMessage }),
    };
  }

  /** A status answer's summary for a message: `answered 401: No active account…`. */
  answered(answer: UpstreamAnswer): string {
    const text =
      answer.json === NOT_JSON ? undefined : upstreamText(answer.json, this.request.secrets);
    return `${this.where} answered ${answer.status}${text === undefined ? '' : `: ${text}`}`;
  }

  malformed(
    reason: UpstreamMalformedReason,
    status: number,
    detail: string,
  ): UpstreamMalformedError | RefreshUnknownOutcomeError {
    const error = new UpstreamMalformedError(`${this.where} answered ${status} ${detail}`, {
      ...this.options(status),
      reason,
    });
    return status >= 200 && status < 300 ? this.unreadableSuccess(error) : error;
  }

  /**
   * A 2xx whose body cannot be used. For a refresh the upstream acted (it may have rotated the
   * refresh token and we cannot read the new one): an unknown outcome, with the body error as cause.
   */
  unreadableSuccess(
    error: UpstreamMalformedError,
  ): UpstreamMalformedError | RefreshUnknownOutcomeError {
    if (this.request.mayRotate !== true) return error;
    return new RefreshUnknownOutcomeError(
      `${error.message}; the refresh may have rotated the token upstream`,
      { ...this.options(error.status), cause: error },
    );
  }

  /** The body of a 2xx answer did not match `schema`: which paths, never the values. */
  wrongShape(status: number, issues: readonly v.BaseIssue<unknown>[]): UpstreamError {
    const where = issues
      .slice(0, 3)
      .map((issue) => {
        const path = issue.path?.map((item) => String(item.key)).join('.') ?? '(body)';
        return `${path}: expected ${issue.expected ?? 'another value'}`;
      })
      .join('; ');
    return this.malformed('wrong-shape', status, `with a body of the wrong shape (${where})`);
  }

  /**
   * The error for an answer no endpoint documents: 5xx and 429 are `UPSTREAM_UNAVAILABLE` (502 and
   * 504 on a refresh: unknown outcome), anything else without a readable body `UPSTREAM_MALFORMED`.
   * `undefined` when the caller must map the status itself.
   */
  common(answer: UpstreamAnswer): UpstreamError | undefined {
    const { status } = answer;
    if (this.request.mayRotate === true && (status === 502 || status === 504)) {
      // A gateway's "the origin did not answer (in time)": the refresh may have been processed.
      return new RefreshUnknownOutcomeError(
        `${this.answered(answer)} (a gateway error: the refresh may have rotated the token upstream)`,
        this.options(status),
      );
    }
    if (status === 429 || status >= 500) {
      const retryAfterInSeconds =
        status === 429 || status === 503
          ? parseRetryAfter(answer.headers.get('retry-after'))
          : undefined;
      return new UpstreamUnavailableError(this.answered(answer), {
        ...this.options(status, answer.json === NOT_JSON ? undefined : answer.json),
        reason: status === 429 ? 'rate-limited' : 'server-error',
        ...(retryAfterInSeconds === undefined ? {} : { retryAfterInSeconds }),
      });
    }
    if (answer.json === NOT_JSON) {
      return status >= 200 && status < 300
        ? this.malformed(
            'not-json',
            status,
            'with a body that is not JSON (an HTML page from a proxy?)',
          )
        : this.malformed('unexpected-status', status, 'without a JSON error body');
    }
    return undefined;
  }

  /** A status the endpoint does not document (after `common`). */
  unexpected(answer: UpstreamAnswer): UpstreamMalformedError | RefreshUnknownOutcomeError {
    return this.malformed(
      'unexpected-status',
      answer.status,
      'which this endpoint does not document',
    );
  }
}

/**
 * Make one call (never retried: a login or a refresh must not be sent twice by accident).
 * Resolves with any non-redirect answer whose body could be read, for the caller to map; throws
 * typed errors for no answer (`UPSTREAM_UNAVAILABLE`, or `REFRESH_UNKNOWN_OUTCOME` when a refresh
 * may have been processed), a redirect or an oversized body (`UPSTREAM_MALFORMED`).
 */
export async function callUpstream(
  settings: UpstreamHTTPSettings,
  request: UpstreamRequest,
): Promise<{ answer: UpstreamAnswer; failures: UpstreamFailures }> {
  const failures = new UpstreamFailures(settings, request);
  const total = new Timer(settings.timeoutInMilliseconds);
  let body: string | URLSearchParams | undefined;
  if (request.json !== undefined) body = JSON.stringify(request.json);
  else if (request.form !== undefined)
    body = new URLSearchParams(request.form as Record<string, string>);
  try {
    if (request.signal?.aborted === true) {
      throw new UpstreamUnavailableError(`${failures.where}: aborted before it was sent`, {
        ...failures.options(),
        reason: 'timeout',
        cause: request.signal.reason,
      });
    }
    const outcome = await exchangeOnce(
      settings,
      {
        method: request.method,
        url: new URL(request.path, settings.base),
        headers: requestHeaders(
          settings.userAgent,
          request.form !== undefined
            ? 'application/x-www-form-urlencoded'
            : request.json !== undefined
              ? 'application/json'
              : undefined,
          request.authorization,
        ),
        ...(body === undefined ? {} : { body }),
        ...(request.fetch === undefined ? {} : { fetch: request.fetch }),
      },
      total.signal,
      request.signal,
    );
    switch (outcome.kind) {
      case 'no-answer': {
        const why =
          outcome.phase === 'aborted'
            ? 'the call was aborted'
            : outcome.phase !== undefined
              ? `no ${outcome.phase === 'connect' ? 'response' : 'complete answer'} within ${outcome.phase === 'connect' ? settings.connectTimeoutInMilliseconds : settings.timeoutInMilliseconds} ms`
              : outcome.answered
                ? 'the answer was cut off'
                : `the connection failed${outcome.code === undefined ? '' : ` (${outcome.code})`}`;
        if (request.mayRotate === true && !outcome.notSent) {
          throw new RefreshUnknownOutcomeError(
            `${failures.where}: ${why} after the request may have reached ${settings.label}; the refresh token may have been rotated`,
            { ...failures.options(), cause: outcome.error },
          );
        }
        throw new UpstreamUnavailableError(`${failures.where}: ${why}`, {
          ...failures.options(),
          reason: outcome.phase === undefined ? 'transport' : 'timeout',
          cause: outcome.error,
        });
      }
      case 'redirect':
        // Never followed: the password or token would go to wherever the Location points. A
        // redirect is an answer given instead of handling the request, so a refresh did not happen.
        throw new UpstreamMalformedError(
          `${failures.where} answered a redirect (${outcome.status}); redirects are never followed, so credentials never leave for another URL`,
          { ...failures.options(outcome.status), reason: 'redirect' },
        );
      case 'too-large':
        throw failures.malformed(
          'too-large',
          outcome.status,
          `with a body larger than ${settings.maxResponseSizeInBytes} bytes (maxResponseSizeInBytes)`,
        );
      default:
        return {
          answer: { status: outcome.status, headers: outcome.headers, json: outcome.json },
          failures,
        };
    }
  } finally {
    total.clear();
  }
}

/**
 * {@link callUpstream} with a client method's per-call options: their signal, and their secrets
 * added to the request's own.
 */
export function callWithOptions(
  settings: UpstreamHTTPSettings,
  request: Omit<UpstreamRequest, 'signal'>,
  options: UpstreamCallOptions | undefined,
): Promise<{ answer: UpstreamAnswer; failures: UpstreamFailures }> {
  return callUpstream(settings, {
    ...request,
    secrets: [...request.secrets, ...(options?.secrets ?? [])],
    signal: options?.signal,
  });
}

/** An error class an endpoint maps a status it documents to. */
export type UpstreamStatusError = new (
  message: string,
  options: UpstreamErrorOptions,
) => UpstreamError;

/**
 * Throw for any answer that is not a usable 2xx: 5xx/429 (unavailable) and bodies that are not
 * JSON first (a proxy's HTML 401 is not the upstream's verdict), then the class `special(status)`
 * names, then any other 4xx as `UPSTREAM_BAD_REQUEST` (our request or its input), else
 * `UPSTREAM_MALFORMED`. A 2xx that is not JSON is `UPSTREAM_MALFORMED` as well.
 */
export function throwUnlessSuccess(
  answer: UpstreamAnswer,
  failures: UpstreamFailures,
  special: (status: number) => UpstreamStatusError | undefined = () => undefined,
): void {
  const common = failures.common(answer);
  if (common !== undefined) throw common;
  if (isSuccess(answer)) return;
  const options = failures.options(answer.status, answer.json);
  const ErrorClass = special(answer.status);
  if (ErrorClass !== undefined) throw new ErrorClass(failures.answered(answer), options);
  if (answer.status >= 400 && answer.status < 500) {
    throw new UpstreamBadRequestError(failures.answered(answer), options);
  }
  throw failures.unexpected(answer);
}

/** Validate a 2xx body against `schema`; a mismatch is `UPSTREAM_MALFORMED` (or unknown outcome). */
export function parseAnswer<TSchema extends v.GenericSchema>(
  schema: TSchema,
  answer: UpstreamAnswer,
  failures: UpstreamFailures,
): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, answer.json);
  if (result.success) return result.output;
  throw failures.wrongShape(answer.status, result.issues);
}

/** Whether an answer is a 2xx. */
export function isSuccess(answer: UpstreamAnswer): boolean {
  return answer.status >= 200 && answer.status < 300;
}

/** The clock of a call (`Date.now` when a caller passes no ctx). */
export function clockOf(ctx: CallCtx | undefined): () => number {
  return typeof ctx?.now === 'function' ? ctx.now : Date.now;
}

/** The per-call options of a ctx. */
export function callOptionsOf(
  ctx: CallCtx | undefined,
  secrets?: readonly string[],
): UpstreamCallOptions {
  return {
    ...(ctx?.signal === undefined ? {} : { signal: ctx.signal }),
    ...(secrets === undefined ? {} : { secrets }),
  };
}

/**
 * `value` when it is a non-empty string.
 *
 * @throws {ValidationError} `field` `name`, `<owner>: <name> must be a non-empty string`.
 */
export function nonEmptyString(owner: string, name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new ValidationError(name, `${owner}: ${name} must be a non-empty string`);
  }
  return value;
}

/**
 * The credentials of a `login`, checked before any request: a non-empty identifier (trimmed) and
 * a non-empty password (kept as typed).
 *
 * @throws {ValidationError} `field` `identifier` or `password`.
 */
export function credentialsOf(
  owner: string,
  credentials: UpstreamCredentials,
): UpstreamCredentials {
  const identifier: unknown = (credentials as Partial<UpstreamCredentials> | null)?.identifier;
  const password: unknown = (credentials as Partial<UpstreamCredentials> | null)?.password;
  if (typeof identifier !== 'string' || identifier.trim() === '') {
    throw new ValidationError(
      'identifier',
      `${owner}.login: identifier must be a non-empty string`,
    );
  }
  return {
    identifier: identifier.trim(),
    password: nonEmptyString(`${owner}.login`, 'password', password),
  };
}
