import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type Channel,
  type CrossSiteOptions,
  isCrossSiteRequest,
  isTingTingAuthError,
  type OTPEngineAPI,
  publicCodeOfError,
  SEND_FAILURE_CODES,
  UNAVAILABLE_RETRY_AFTER_IN_SECONDS,
  VERIFY_FAILURE_CODES,
  type VerifySuccess,
} from '@tingting-auth/core';
import { rateLimit } from 'express-rate-limit';
import { createBodyReader } from './body.js';
import { isTingTingHTTPError, TingTingHTTPError } from './http-error.js';
import { type ResolvedOptions, resolveOptions, type TingTingExpressOptions } from './options.js';
import type {
  ErrorMiddleware,
  ExpressLikeRequest,
  FormState,
  Middleware,
  NextFunction,
  PendingChallenge,
  SessionLike,
  VerifiedIdentity,
} from './types.js';

/** What {@link createTingTingAuth} returns. */
export interface TingTingExpress {
  /**
   * A router with `POST /send`, `POST /verify` and `POST /sign-out`; mount it where you like:
   * `app.use('/auth/otp', tingting.router)`. It parses its own bodies (JSON or URL-encoded).
   */
  router: Middleware;
  /** `POST` handler: sends a code to `phone` (`channel`: `text` | `voice`, optional `voice`). Answers 202. */
  send: Middleware;
  /** `POST` handler: checks `code` for `phone`; on success runs `onVerified` or signs the session in. */
  verify: Middleware;
  /** `POST` handler: clears the verified number (and rotates the session id). Answers 204. */
  signOut: Middleware;
  /** Guard: lets requests with a verified number through (`req.tingting`), else 401 `NOT_VERIFIED`. */
  requireVerified: Middleware;
  /** Renders this package's errors as `{ error: { code, message } }` with their status and headers; passes others on. */
  errorHandler: ErrorMiddleware;
  /**
   * For server-rendered pages: the verified number, the pending code's number and times, and the
   * last form error (cleared once read). Needs express-session.
   */
  formState(req: IncomingMessage): FormState;
}

type Handler = (req: ExpressLikeRequest, res: ServerResponse) => Promise<void>;

function sessionOf(req: ExpressLikeRequest): SessionLike | undefined {
  const session = req.session;
  return typeof session === 'object' && session !== null && typeof session.regenerate === 'function'
    ? session
    : undefined;
}

function callback(fn: (done: (error?: unknown) => void) => unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    fn((error) => (error ? reject(error) : resolve()));
  });
}

function sendJSON(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  // One writeHead (merged with headers set before, e.g. RateLimit) and a known length: no
  // chunked encoding, one write.
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function redirect(res: ServerResponse, location: string): void {
  res.statusCode = 303;
  res.setHeader('Location', location);
  res.setHeader('Cache-Control', 'no-store');
  res.end();
}

function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new TingTingHTTPError('INVALID_REQUEST');
  return value;
}

function requiredString(body: Record<string, unknown>, name: string): string {
  const value = optionalString(body, name);
  if (value === undefined) throw new TingTingHTTPError('INVALID_REQUEST');
  return value;
}

/** Engine errors (store or TingTing down) become generic 503/502 answers; the cause stays for logs. */
function fromEngineError(error: unknown): unknown {
  if (isTingTingHTTPError(error) || !isTingTingAuthError(error)) return error;
  const code = publicCodeOfError(error);
  return new TingTingHTTPError(code, {
    cause: error,
    message: `OTP engine failed: ${error.code}`,
    ...(code === 'SERVICE_UNAVAILABLE' ? { retryAfter: UNAVAILABLE_RETRY_AFTER_IN_SECONDS } : {}),
  });
}

function addQuery(location: string, name: string, value: string): string {
  const hash = location.indexOf('#');
  const base = hash === -1 ? location : location.slice(0, hash);
  const fragment = hash === -1 ? '' : location.slice(hash);
  return `${base}${base.includes('?') ? '&' : '?'}${name}=${encodeURIComponent(value)}${fragment}`;
}

/**
 * Express middleware for phone sign-in with a one-time code: a router and the individual handlers
 * (send, verify, sign out), a guard, and an error handler. Works on Express 4 and 5.
 *
 * @param engine An `OTPEngine` from `@tingting-auth/core` (or anything implementing `OTPEngineAPI`).
 * @param options See {@link TingTingExpressOptions}; validated here (`TypeError` on a mistake).
 * @example
 * ```ts
 * const tingting = createTingTingAuth(engine);
 * app.use(session({ secret, resave: false, saveUninitialized: false }));
 * app.use('/auth/otp', tingting.router);
 * app.get('/account', tingting.requireVerified, (req, res) => res.json(req.session.tingting));
 * app.use(tingting.errorHandler);
 * ```
 */
export function createTingTingAuth(
  engine: OTPEngineAPI,
  options?: TingTingExpressOptions,
): TingTingExpress {
  if (
    typeof engine !== 'object' ||
    engine === null ||
    typeof engine.send !== 'function' ||
    typeof engine.verify !== 'function'
  ) {
    throw new TypeError(
      'createTingTingAuth: the first argument must be an OTPEngine: createTingTingAuth(new OTPEngine({ sender, secret }), options)',
    );
  }
  const o: ResolvedOptions = resolveOptions(options);
  const body = createBodyReader(o.bodyLimit);
  const crossSite: CrossSiteOptions = {
    allowedOrigins: o.allowedOrigins,
    allowRequestsWithoutOrigin: o.allowRequestsWithoutOrigin,
  };
  const limiters = {
    send: o.rateLimit.send === false ? undefined : createLimiter(o.rateLimit.send),
    verify: o.rateLimit.verify === false ? undefined : createLimiter(o.rateLimit.verify),
  };
  let warnedNoSession = false;

  function isFormPost(req: ExpressLikeRequest): boolean {
    if (o.redirects === undefined) return false;
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/x-www-form-urlencoded\b/i.test(type)) return false;
    return typeof req.accepts === 'function' && req.accepts(['json', 'html']) === 'html';
  }

  /** Refuses cross-site requests; a promise only when a CSRF middleware has to run. */
  function guardCrossSite(req: ExpressLikeRequest, res: ServerResponse): Promise<void> | undefined {
    const protection = o.crossSiteProtection;
    if (protection === false) return undefined;
    if (protection === 'origin') {
      if (isCrossSiteRequest(req, crossSite)) {
        throw new TingTingHTTPError('CROSS_SITE_REQUEST');
      }
      return undefined;
    }
    return callback((done) => protection(req, res, done)).catch((error: unknown) => {
      throw new TingTingHTTPError('CROSS_SITE_REQUEST', {
        cause: error,
        message: 'The CSRF middleware refused the request',
      });
    });
  }

  async function limit(
    limiter: ReturnType<typeof createLimiter> | undefined,
    req: ExpressLikeRequest,
    res: ServerResponse,
  ): Promise<void> {
    if (limiter !== undefined) await callback((done) => limiter(req, res, done));
  }

  function failForm(req: ExpressLikeRequest, res: ServerResponse, error: TingTingHTTPError): void {
    const redirects = o.redirects;
    if (redirects === undefined) return;
    const session = sessionOf(req);
    if (session === undefined) {
      redirect(res, addQuery(redirects.onError, 'error', error.code));
      return;
    }
    const state = (session[o.formKey] ?? {}) as FormState;
    state.error = {
      code: error.code,
      message: error.publicMessage,
      ...(error.retryAfter === undefined ? {} : { retryAfter: error.retryAfter }),
    };
    session[o.formKey] = state;
    session.save(() => redirect(res, redirects.onError));
  }

  function wrap(handler: Handler): Middleware {
    return (request, res, next) => {
      const req = request as ExpressLikeRequest;
      handler(req, res).then(undefined, (error: unknown) => {
        if (res.headersSent) {
          next(error);
          return;
        }
        const answer = fromEngineError(error);
        // Cross-site and configuration errors never get the friendly form redirect.
        if (
          isTingTingHTTPError(answer) &&
          answer.code !== 'CROSS_SITE_REQUEST' &&
          answer.code !== 'SESSION_REQUIRED' &&
          isFormPost(req)
        ) {
          failForm(req, res, answer);
          return;
        }
        next(answer);
      });
    };
  }

  const send = wrap(async (req, res) => {
    const csrf = guardCrossSite(req, res);
    if (csrf !== undefined) await csrf;
    await limit(limiters.send, req, res);
    const fields = await body.read(req, res);
    const phone = requiredString(fields, 'phone');
    const channel = optionalString(fields, 'channel');
    const voice = optionalString(fields, 'voice');
    const result = await engine.send({
      phone,
      ...(channel === undefined ? {} : { channel: channel as Channel }),
      ...(voice === undefined ? {} : { voice: voice as never }),
      purpose: o.purpose,
      ...(req.ip === undefined ? {} : { ip: req.ip }),
    });
    if (!result.ok) {
      throw new TingTingHTTPError(SEND_FAILURE_CODES[result.reason], {
        ...(result.retryAfter === undefined ? {} : { retryAfter: result.retryAfter }),
      });
    }
    const pending: PendingChallenge = {
      phone: result.phone,
      channel: result.channel,
      expiresAt: result.expiresAt.toISOString(),
      resendAt: result.resendAt.toISOString(),
    };
    const session = sessionOf(req);
    if (session !== undefined) {
      const state = (session[o.formKey] ?? {}) as FormState;
      state.pending = pending;
      delete state.error;
      session[o.formKey] = state;
    }
    if (isFormPost(req) && o.redirects !== undefined) {
      const location = o.redirects.afterSend;
      if (session === undefined) redirect(res, location);
      else session.save(() => redirect(res, location));
      return;
    }
    sendJSON(res, 202, pending);
  });

  const verify = wrap(async (req, res) => {
    const csrf = guardCrossSite(req, res);
    if (csrf !== undefined) await csrf;
    const session = sessionOf(req);
    // Checked before the engine, so a misconfigured app never spends a user's attempt.
    if (o.onVerified === undefined && session === undefined) {
      if (!warnedNoSession) {
        warnedNoSession = true;
        process.emitWarning(
          'tingting-auth/express: verify needs express-session mounted before the router, or an onVerified hook',
          { code: 'TINGTING_EXPRESS_NO_SESSION' },
        );
      }
      throw new TingTingHTTPError('SESSION_REQUIRED', {
        message:
          'verify needs express-session mounted before the router, or createTingTingAuth(engine, { onVerified })',
      });
    }
    await limit(limiters.verify, req, res);
    const fields = await body.read(req, res);
    const phone = requiredString(fields, 'phone');
    const code = requiredString(fields, 'code');
    const result = await engine.verify({
      phone,
      code,
      purpose: o.purpose,
      ...(req.ip === undefined ? {} : { ip: req.ip }),
    });
    if (!result.ok) {
      throw new TingTingHTTPError(VERIFY_FAILURE_CODES[result.reason], {
        ...(result.retryAfter === undefined ? {} : { retryAfter: result.retryAfter }),
      });
    }
    await signIn(req, res, result);
  });

  async function signIn(
    req: ExpressLikeRequest,
    res: ServerResponse,
    result: VerifySuccess,
  ): Promise<void> {
    const identity: VerifiedIdentity = {
      phone: result.phone,
      verifiedAt: new Date().toISOString(),
    };
    if (o.onVerified !== undefined) {
      const session = sessionOf(req);
      if (session !== undefined) delete session[o.formKey];
      await o.onVerified(req, res, result);
      if (res.headersSent) return;
    } else {
      // A new session id at sign-in: an id planted before sign-in (fixation) is worth nothing.
      await callback((done) => (req.session as SessionLike).regenerate(done));
      const session = req.session as SessionLike;
      session[o.sessionKey] = identity;
      await callback((done) => session.save(done));
    }
    if (isFormPost(req) && o.redirects !== undefined) {
      redirect(res, o.redirects.afterVerify);
      return;
    }
    sendJSON(res, 200, identity);
  }

  const signOut = wrap(async (req, res) => {
    const csrf = guardCrossSite(req, res);
    if (csrf !== undefined) await csrf;
    const session = sessionOf(req);
    if (session !== undefined) {
      delete session[o.sessionKey];
      delete session[o.formKey];
      // Rotate the id as well, so a copied cookie from the signed-in session is dead.
      await callback((done) => session.regenerate(done));
    }
    if (o.onSignOut !== undefined) {
      await o.onSignOut(req, res);
      if (res.headersSent) return;
    }
    if (isFormPost(req) && o.redirects !== undefined) {
      redirect(res, o.redirects.afterSignOut);
      return;
    }
    res.statusCode = 204;
    res.setHeader('Cache-Control', 'no-store');
    res.end();
  });

  async function verifiedOf(req: ExpressLikeRequest): Promise<VerifiedIdentity | undefined> {
    if (o.getVerified !== undefined) return (await o.getVerified(req)) ?? undefined;
    const value = sessionOf(req)?.[o.sessionKey] as VerifiedIdentity | undefined;
    return value !== undefined && typeof value === 'object' && typeof value.phone === 'string'
      ? value
      : undefined;
  }

  const requireVerified: Middleware = (request, res, next) => {
    const req = request as ExpressLikeRequest;
    verifiedOf(req).then((identity) => {
      if (identity !== undefined) {
        req.tingting = identity;
        next();
        return;
      }
      const signInPage = o.redirects?.signIn;
      if (
        signInPage !== undefined &&
        (req.method === 'GET' || req.method === 'HEAD') &&
        typeof req.accepts === 'function' &&
        req.accepts(['json', 'html']) === 'html'
      ) {
        redirect(res, signInPage);
        return;
      }
      next(new TingTingHTTPError('NOT_VERIFIED'));
    }, next);
  };

  const router: Middleware = (req, res, next) => {
    if (req.method !== 'POST') {
      next();
      return;
    }
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = (query === -1 ? url : url.slice(0, query)).replace(/\/$/, '');
    if (path === '/send') send(req, res, next);
    else if (path === '/verify') verify(req, res, next);
    else if (path === '/sign-out') signOut(req, res, next);
    else next();
  };

  const errorHandler: ErrorMiddleware = (error, _req, res, next) => {
    if (!isTingTingHTTPError(error) || res.headersSent) {
      next(error);
      return;
    }
    for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
    sendJSON(res, error.status, error.toJSON());
  };

  function formState(request: IncomingMessage): FormState {
    const req = request as ExpressLikeRequest;
    const session = sessionOf(req);
    if (session === undefined) return {};
    const stored = session[o.formKey] as FormState | undefined;
    const verified = session[o.sessionKey] as VerifiedIdentity | undefined;
    const state: FormState = {};
    if (verified !== undefined) state.verified = verified;
    if (stored?.pending !== undefined && Date.parse(stored.pending.expiresAt) > Date.now()) {
      state.pending = stored.pending;
    }
    if (stored?.error !== undefined) {
      state.error = stored.error;
      delete stored.error;
    }
    return state;
  }

  return { router, send, verify, signOut, requireVerified, errorHandler, formState };
}

function createLimiter(options: ResolvedOptions['rateLimit']['send']) {
  return rateLimit({
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    ...(options as object),
    handler: (req, _res, next) => {
      const reset = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const retryAfter =
        reset === undefined ? undefined : Math.max(1, (reset.getTime() - Date.now()) / 1_000);
      next(
        new TingTingHTTPError('RATE_LIMITED', {
          ...(retryAfter === undefined ? {} : { retryAfter }),
          message: 'Per-IP rate limit reached',
        }),
      );
    },
  }) as unknown as (req: IncomingMessage, res: ServerResponse, next: NextFunction) => void;
}
