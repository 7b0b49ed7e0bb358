import type { IncomingMessage, ServerResponse } from 'node:http';
import { finished } from 'node:stream/promises';
import { isTingTingAuthError, type OTPEngineAPI } from '@tingting-auth/core';
import {
  createOTPProtocol,
  type ProtocolAnswer,
  type ProtocolRefusal,
  type ProtocolRequest,
} from '@tingting-auth/core/protocol';
import { rateLimit } from 'express-rate-limit';
import getRawBody from 'raw-body';
import { isTingTingHTTPError, TingTingHTTPError } from './http-error.js';
import { type RateLimitOptions, resolveOptions, type TingTingExpressOptions } from './options.js';
import type {
  ErrorMiddleware,
  FormState,
  Middleware,
  ExpressLikeRequest as Req,
  SessionLike,
  VerifiedIdentity,
} from './types.js';

/** What {@link createTingTingAuth} returns. */
export interface TingTingExpress {
  /** `POST /send`, `POST /verify` and `POST /sign-out`: `app.use('/auth/otp', tingting.router)`. Parses its own bodies. */
  router: Middleware;
  /** Sends a code to `phone` (`channel`: `text` | `voice`, optional `voice`, `resend`). Answers 202. */
  send: Middleware;
  /** Checks `code` for `phone`; on success runs `onVerified` or signs the session in (200). */
  verify: Middleware;
  /** Clears the verified number and rotates the session id. Answers 204. */
  signOut: Middleware;
  /** Lets requests with a verified number through (`req.tingting`), else 401 `NOT_VERIFIED`. */
  requireVerified: Middleware;
  /** Renders this package's errors as `{ error: { code, message } }` with status and headers; passes others on. */
  errorHandler: ErrorMiddleware;
  /** For server-rendered pages (with `redirects`): the verified number, the pending code, the last form error (cleared once read). */
  formState(req: IncomingMessage): FormState;
}

const sessionOf = (req: Req): SessionLike | undefined =>
  typeof req.session?.regenerate === 'function' ? req.session : undefined;

const callback = (fn: (done: (error?: unknown) => void) => unknown): Promise<void> =>
  new Promise((resolve, reject) => {
    fn((error) => (error ? reject(error) : resolve()));
  });

function respond(res: ServerResponse, answer: ProtocolAnswer): void {
  const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
  // One writeHead (merged with headers set before, e.g. RateLimit) and a known length.
  res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location, 'cache-control': 'no-store' });
  res.end();
}

function hasBody(req: Req): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** After a refused read, read off the rest (as body-parser does), so a keep-alive socket stays usable. */
const drain = (req: Req) => async (error: unknown) => {
  req.resume();
  await finished(req).catch(() => {});
  throw error;
};

/** The neutral request: `req.body` when the app parsed it, else the raw stream, read by core's rules. */
function toProtocol(req: Req): ProtocolRequest {
  // Express 4's own parsers leave `{}` and an unread stream for a content type they skip.
  const body = req.body;
  const skipped =
    typeof body === 'object' &&
    body !== null &&
    Object.keys(body).length === 0 &&
    hasBody(req) &&
    !req.complete;
  return {
    method: req.method ?? 'POST',
    headers: req.headers,
    ...(req.ip === undefined ? {} : { clientIP: req.ip }),
    trustForwardedHost: Boolean(req.app?.get('trust proxy')),
    ...(body !== undefined && !skipped
      ? { fields: body }
      : { body: (limit: number) => getRawBody(req, { limit }).catch(drain(req)) }),
  };
}

/** A refusal as the error `next(err)` gets; engine errors keep their cause for logs. */
function toError(refusal: ProtocolRefusal): TingTingHTTPError {
  const cause = refusal.cause;
  return new TingTingHTTPError(refusal.code, {
    ...(refusal.retryAfter === undefined ? {} : { retryAfter: refusal.retryAfter }),
    ...(cause === undefined ? {} : { cause }),
    ...(isTingTingAuthError(cause) ? { message: `OTP engine failed: ${cause.code}` } : {}),
  });
}

function createLimiter(options: RateLimitOptions | false): Middleware | undefined {
  if (options === false) return undefined;
  return rateLimit({
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    ...(options as object),
    handler: (req, _res, next) => {
      const reset = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = reset === undefined ? undefined : (reset.getTime() - Date.now()) / 1_000;
      next(
        new TingTingHTTPError('RATE_LIMITED', {
          ...(seconds === undefined ? {} : { retryAfter: seconds }),
          message: 'Per-IP rate limit reached',
        }),
      );
    },
  }) as unknown as Middleware;
}

function addQuery(location: string, name: string, value: string): string {
  const [base = '', fragment] = location.split(/(?=#)/);
  return `${base}${base.includes('?') ? '&' : '?'}${name}=${encodeURIComponent(value)}${fragment ?? ''}`;
}

/**
 * Express middleware for phone sign-in with a one-time code: a router and the individual handlers
 * (send, verify, sign out), a guard, and an error handler. Works on Express 4 and 5. The protocol
 * (options, bodies, cross-site check, answers) is core's; this package adds sessions, per-IP
 * limits and the no-JavaScript form redirects.
 *
 * @param engine An `OTPEngine` from `@tingting-auth/core` (or anything implementing `OTPEngineAPI`).
 * @param options See {@link TingTingExpressOptions}; validated here (`TypeError` on a mistake).
 * @example
 * ```ts
 * const tingting = createTingTingAuth(engine);
 * app.use(session({ secret, resave: false, saveUninitialized: false }));
 * app.use('/auth/otp', tingting.router);
 * app.get('/account', tingting.requireVerified, (req, res) => res.json(req.tingting));
 * app.use(tingting.errorHandler);
 * ```
 */
export function createTingTingAuth(
  engine: OTPEngineAPI,
  options?: TingTingExpressOptions,
): TingTingExpress {
  const o = resolveOptions(engine, options);
  const otp = createOTPProtocol(o.protocol);
  const protection = o.protocol.crossSiteProtection;
  const limiters = {
    send: createLimiter(o.rateLimit.send),
    verify: createLimiter(o.rateLimit.verify),
  };
  let warnedNoSession = false;

  const isFormPost = (req: Req): boolean =>
    o.redirects !== undefined &&
    /^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '') &&
    req.accepts?.(['json', 'html']) === 'html';

  function formOf(session: SessionLike): FormState {
    const state = (session[o.formKey] ?? {}) as FormState;
    session[o.formKey] = state;
    return state;
  }

  /** Method and cross-site checks (or the app's CSRF middleware), then the per-IP limiter. */
  async function guard(req: Req, res: ServerResponse, limiter?: Middleware): Promise<void> {
    const refusal = otp.check(toProtocol(req));
    if (refusal !== undefined) throw toError(refusal);
    if (typeof protection === 'function') {
      await callback((done) => protection(req as never, res as never, done as never)).catch(
        (cause) => {
          throw new TingTingHTTPError('CROSS_SITE_REQUEST', {
            cause,
            message: 'The CSRF middleware refused the request',
          });
        },
      );
    }
    if (limiter !== undefined) await callback((done) => limiter(req, res, done));
  }

  /** A refused form post: back to a page with the error in the session (or `?error=` without one). */
  function failForm(req: Req, res: ServerResponse, error: TingTingHTTPError, target: string): void {
    const session = sessionOf(req);
    if (session === undefined) {
      redirect(res, addQuery(target, 'error', error.code));
      return;
    }
    formOf(session).error = {
      code: error.code,
      message: error.publicMessage,
      ...(error.retryAfter === undefined ? {} : { retryAfter: error.retryAfter }),
    };
    session.save(() => redirect(res, target));
  }

  function handle(
    step: 'send' | 'verify' | 'signOut',
    run: (req: Req, res: ServerResponse) => Promise<void>,
  ): Middleware {
    return (request, res, next) => {
      const req = request as Req;
      run(req, res).then(undefined, (error: unknown) => {
        const redirects = o.redirects;
        if (res.headersSent || !isTingTingHTTPError(error)) return next(error);
        // Cross-site and configuration errors never get the friendly form redirect.
        if (
          redirects === undefined ||
          error.code === 'CROSS_SITE_REQUEST' ||
          error.code === 'SESSION_REQUIRED' ||
          !isFormPost(req)
        ) {
          return next(error);
        }
        // A refused code goes back to the code page, where the user can try again.
        failForm(req, res, error, step === 'verify' ? redirects.afterSend : redirects.onError);
      });
    };
  }

  const send = handle('send', async (req, res) => {
    await guard(req, res, limiters.send);
    const result = await otp.send(toProtocol(req));
    if (!result.ok) throw toError(result.error);
    const session = sessionOf(req);
    // Only pages without JavaScript read the pending code from the session: a JSON API never
    // writes the session before sign-in (no stored session for an anonymous send).
    if (session !== undefined && o.redirects !== undefined) {
      const { phone, channel, expiresAt, resendAt, delivery } = result.value;
      const state = formOf(session);
      state.pending = {
        phone,
        channel,
        expiresAt: expiresAt.toISOString(),
        resendAt: resendAt.toISOString(),
        ...(delivery === undefined ? {} : { delivery }),
      };
      delete state.error;
    }
    if (!isFormPost(req) || o.redirects === undefined) return respond(res, result.answer);
    const location = o.redirects.afterSend;
    if (session === undefined) redirect(res, location);
    else session.save(() => redirect(res, location));
  });

  const verify = handle('verify', async (req, res) => {
    await guard(req, res);
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
    await guard(req, res, limiters.verify);
    const result = await otp.verify(toProtocol(req));
    if (!result.ok) throw toError(result.error);
    const identity: VerifiedIdentity = {
      phone: result.value.phone,
      verifiedAt: result.value.verifiedAt,
    };
    if (o.onVerified !== undefined) {
      if (session !== undefined) delete session[o.formKey];
      await o.onVerified(req, res, {
        ok: true,
        phone: result.value.phone,
        purpose: result.value.purpose,
      });
      if (res.headersSent) return;
    } else {
      // A new session id at sign-in: an id planted before sign-in (fixation) is worth nothing.
      await callback((done) => (req.session as SessionLike).regenerate(done));
      const fresh = req.session as SessionLike;
      fresh[o.sessionKey] = identity;
      await callback((done) => fresh.save(done));
    }
    if (isFormPost(req) && o.redirects !== undefined) return redirect(res, o.redirects.afterVerify);
    respond(res, result.answer);
  });

  const signOut = handle('signOut', async (req, res) => {
    await guard(req, res);
    const refusal = otp.signOut(toProtocol(req));
    if (!refusal.ok) throw toError(refusal.error);
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
    if (isFormPost(req) && o.redirects !== undefined)
      return redirect(res, o.redirects.afterSignOut);
    respond(res, refusal.answer);
  });

  async function verifiedOf(req: Req): Promise<VerifiedIdentity | undefined> {
    if (o.getVerified !== undefined) return (await o.getVerified(req)) ?? undefined;
    const value = sessionOf(req)?.[o.sessionKey] as VerifiedIdentity | undefined;
    return typeof value?.phone === 'string' ? value : undefined;
  }

  const requireVerified: Middleware = (request, res, next) => {
    const req = request as Req;
    verifiedOf(req).then((identity) => {
      if (identity !== undefined) {
        req.tingting = identity;
        return next();
      }
      const signInPage = o.redirects?.signIn;
      const isPage =
        (req.method === 'GET' || req.method === 'HEAD') &&
        req.accepts?.(['json', 'html']) === 'html';
      if (signInPage !== undefined && isPage) return redirect(res, signInPage);
      next(new TingTingHTTPError('NOT_VERIFIED'));
    }, next);
  };

  const routes: Record<string, Middleware> = {
    '/send': send,
    '/verify': verify,
    '/sign-out': signOut,
  };
  const router: Middleware = (req, res, next) => {
    const path = (req.url ?? '/').split('?')[0]?.replace(/\/$/, '') ?? '';
    const route = req.method === 'POST' && Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (route === undefined) return next();
    route(req, res, next);
  };

  const errorHandler: ErrorMiddleware = (error, _req, res, next) => {
    if (!isTingTingHTTPError(error) || res.headersSent) return next(error);
    for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
    respond(res, {
      status: error.status,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      body: error.toJSON(),
    });
  };

  function formState(request: IncomingMessage): FormState {
    const session = sessionOf(request as Req);
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
