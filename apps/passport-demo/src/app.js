/**
 * The Passport demo app: phone sign-in with the TingTing strategy of `@tingting-auth/passport`,
 * Express 5 and express-session, with the Express demo's pages (`express-demo/views`).
 *
 * With no `TINGTING_API_TOKEN`, a fake TingTing server runs in this process: every code is printed
 * to the terminal and listed at `/dev/outbox`. With it, codes go through the real API.
 */

import {
  ErrorCode,
  isCrossSiteRequest,
  isTingTingAuthError,
  MemoryStore,
  OTPEngine,
  PUBLIC_ERROR_MESSAGES,
} from '@tingting-auth/core';
import { isTingTingHTTPError } from '@tingting-auth/core/protocol';
import { MemorySessionStore, UpstreamSessions } from '@tingting-auth/core/upstream';
import { Strategy, UpstreamStrategy } from '@tingting-auth/passport';
import express from 'express';
import { demoOrigin, startDevTingTing } from 'express-demo/dev-tingting';
import { upstreamSessionSecretOf } from 'express-demo/dev-upstream';
import * as views from 'express-demo/views';
import { rateLimit } from 'express-rate-limit';
import session from 'express-session';
import helmet from 'helmet';
import passport from 'passport';
import { startDevUpstream } from './dev-upstream.js';
import { passwordAccountPage, passwordForm, withPasswordForm } from './password-views.js';
import { createUserTable } from './users.js';

/**
 * Where the pages' forms post. Not the Express demo's `/auth/*`: the views take any actions.
 * (The pages' script navigates to `/` after a send and to `/account` after a sign-in.)
 */
export const ACTIONS = Object.freeze({
  send: '/login/send-code',
  verify: '/login/verify-code',
  signOut: '/logout',
  password: '/login/password',
});

/**
 * Verifies allowed per client IP (`req.ip`: set `TRUST_PROXY` behind a proxy), as in
 * `@tingting-auth/express`. The engine locks a number after a few wrong codes, but one guess tried
 * against many numbers that have a pending code stays under every number's lockout: only a per-IP
 * limit stops that.
 */
export const VERIFY_LIMIT = Object.freeze({ limit: 60, windowMs: 15 * 60_000 });

/**
 * @typedef {object} DemoOptions
 * @property {NodeJS.ProcessEnv} [env] Environment to read (`TINGTING_API_TOKEN`, `TINGTING_BASE_URL`, `OTP_SECRET`, `SESSION_SECRET`, `UPSTREAM_SESSION_SECRET`, `TRUST_PROXY`, `NODE_ENV`, `PUBLIC_URL`, `PORT`, and the upstream's: see `./dev-upstream.js`). Default: process.env.
 * @property {import('@tingting-auth/core').OTPPolicy} [policy] Engine policy overrides (tests shorten the resend cooldown).
 * @property {(line: string) => void} [log] Where notices and delivered codes go. Default: console.log.
 * @property {() => number} [clock] The clock of the embedded fake upstream and of the upstream sessions (tests move it).
 */

/**
 * @typedef {object} Demo
 * @property {import('express').Express} app
 * @property {import('@tingting-auth/testing').FakeTingTing | undefined} fake The embedded fake, when no API token is set.
 * @property {import('./users.js').UserTable} users The in-memory user table.
 * @property {import('./dev-upstream.js').DevUpstream} upstream The upstream of password sign-in (embedded fake unless UPSTREAM_URL).
 * @property {UpstreamStrategy} passwordStrategy The password strategy (`upstream`).
 * @property {UpstreamSessions} phoneSessions The phone sign-ins' revocable sessions.
 * @property {() => Promise<void>} close Stops the fakes.
 */

/**
 * @typedef {{ code: string; message: string; retryAfter?: number }} PublicError
 * @typedef {{ phone: string; channel: 'text' | 'voice'; expiresAt: string; resendAt: string }} Pending
 * @typedef {import('express-session').Session & { pending?: Pending; flash?: PublicError; passwordFlash?: PublicError; signedInAt?: string }} DemoSession
 * @typedef {{ id: string; provider: string; subject: string; username: string; createdAt: Date }} UpstreamUser
 */

/** Answers to a thrown engine error (store or TingTing down): generic, the cause only in the log. */
const ENGINE_ERRORS = Object.freeze({
  delivery: {
    status: 502,
    code: 'DELIVERY_FAILED',
    message: 'The code could not be delivered. Please try again.',
  },
  unavailable: {
    status: 503,
    code: 'SERVICE_UNAVAILABLE',
    message: 'The service is unavailable. Please try again later.',
  },
});

/**
 * @param {import('express').Request} req
 * @returns {DemoSession}
 */
function sessionOf(req) {
  return /** @type {DemoSession} */ (req.session);
}

/**
 * The pages' script asks for JSON; a plain form post (JavaScript off) prefers HTML.
 * @param {import('express').Request} req
 */
function wantsJSON(req) {
  return req.accepts(['html', 'json']) === 'json';
}

/**
 * The strategy's challenge (`{ message, code, retryAfter? }`) as the pages' error.
 * @param {unknown} info
 * @returns {PublicError}
 */
function publicErrorOf(info) {
  const challenge = /** @type {Partial<PublicError> | undefined} */ (
    typeof info === 'object' && info !== null ? info : undefined
  );
  return {
    code: typeof challenge?.code === 'string' ? challenge.code : 'INVALID_REQUEST',
    message:
      typeof challenge?.message === 'string' ? challenge.message : 'The request is not valid.',
    ...(typeof challenge?.retryAfter === 'number' ? { retryAfter: challenge.retryAfter } : {}),
  };
}

/**
 * Build the demo app (it does not listen).
 * @param {DemoOptions} [options]
 * @returns {Promise<Demo>}
 */
export async function createDemo({ env = process.env, policy, log = console.log, clock } = {}) {
  const { secret, sender, fake, close } = await startDevTingTing({
    env,
    log,
    name: 'passport-demo',
  });

  const engine = new OTPEngine({
    sender,
    secret,
    store: new MemoryStore(),
    ...(policy ? { policy } : {}),
    // One-tap code entry: texts end with `@<host> #<code>` for this demo's origin.
    webOTPOrigin: demoOrigin(env, 3001),
  });

  // One secret seals the phone and password sessions, as in the Express demo (`UPSTREAM_SECRET`,
  // this demo's old name for it, still works, with a warning).
  const upstreamSecret = upstreamSessionSecretOf({
    env,
    log,
    name: 'passport-demo',
    legacy: ['UPSTREAM_SECRET'],
  });
  const upstream = await startDevUpstream({
    env,
    secret: upstreamSecret,
    log,
    ...(clock ? { clock } : {}),
  });
  const users = createUserTable();
  /** Users signed in with a password, by id and by `provider:subject`. @type {Map<string, UpstreamUser>} */
  const upstreamUsers = new Map();
  // An instance of its own rather than the `passport` singleton: two demos in one process (tests)
  // do not share strategies or serializers.
  const authenticator = new passport.Passport();
  // Phone sign-ins are revocable sessions ("sign out everywhere"), in core's UpstreamSessions
  // (the mechanism password sign-in keeps its sessions in), filed under their own provider id.
  const phoneSessions = new UpstreamSessions({
    store: new MemorySessionStore(),
    secret: upstreamSecret,
    providerId: 'phone',
    throttle: false,
  });
  const phoneStrategy = new Strategy({ engine, sessions: phoneSessions }, (phone, done) => {
    // The strategy calls this only with a verified number; a new number is a new user.
    done(null, users.findOrCreate(phone));
  });
  authenticator.use(phoneStrategy);
  // Password sign-in: the upstream checks the password; the verify callback maps its account to
  // our user. The upstream tokens stay in `upstream.sessions` (sealed), never in our session.
  const passwordStrategy = new UpstreamStrategy(
    { sessions: upstream.sessions },
    (account, done) => {
      const key = `${account.provider}:${account.subject}`;
      let user = upstreamUsers.get(key);
      if (!user) {
        user = Object.freeze({
          id: `${account.provider}-${account.subject}`,
          provider: account.provider,
          subject: account.subject,
          username: account.username,
          createdAt: new Date(),
        });
        upstreamUsers.set(key, user);
        upstreamUsers.set(user.id, user);
      }
      done(null, user);
    },
  );
  authenticator.use(passwordStrategy);
  authenticator.serializeUser((user, done) => {
    done(null, /** @type {import('./users.js').User} */ (user).id);
  });
  authenticator.deserializeUser((id, done) => {
    // `false` (not an error) for an unknown id: the session outlived the user table (a restart).
    // Never a call to the upstream here: pages that do not need it cost no token refresh.
    done(
      null,
      typeof id === 'string' ? (users.findById(id) ?? upstreamUsers.get(id) ?? false) : false,
    );
  });

  const app = express();
  app.disable('x-powered-by');
  if (env.TRUST_PROXY)
    app.set(
      'trust proxy',
      /^\d+$/.test(env.TRUST_PROXY) ? Number(env.TRUST_PROXY) : env.TRUST_PROXY,
    );
  app.use(helmet({ contentSecurityPolicy: { directives: { 'form-action': ["'self'"] } } }));
  app.use(
    session({
      name: 'passport-demo.sid',
      secret: env.SESSION_SECRET || secret,
      resave: false,
      saveUninitialized: false,
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure: env.NODE_ENV === 'production' ? 'auto' : false,
        maxAge: 8 * 3600_000,
      },
    }),
  );
  app.use(authenticator.initialize());
  app.use(authenticator.session());

  /**
   * The strategy's cross-site test (core's), with `X-Forwarded-Host` trusted only behind a trusted
   * proxy, as the strategy does.
   * @param {import('express').Request} req
   */
  const crossSite = (req) =>
    isCrossSiteRequest(req, { trustForwardedHost: Boolean(req.app.get('trust proxy')) });

  const outboxHref = fake ? '/dev/outbox' : undefined;
  /** @param {import('express').Response} res @param {string} html */
  const page = (res, html) => {
    res.set('Cache-Control', 'no-store').type('html').send(html);
  };

  /**
   * Answers a refused send or verify: JSON for the pages' script; for a plain form post, the
   * error goes into the session for the next page and the browser is sent back to it.
   * @param {import('express').Request} req
   * @param {import('express').Response} res
   * @param {number} status
   * @param {PublicError} error
   */
  function refuse(req, res, status, error) {
    res.set('Cache-Control', 'no-store');
    if (error.retryAfter !== undefined)
      res.set('Retry-After', String(Math.max(1, Math.ceil(error.retryAfter))));
    if (wantsJSON(req)) {
      res.status(status).json({ error: { code: error.code, message: error.message } });
      return;
    }
    // A cross-site request gets no friendly redirect: it did not come from our page.
    if (error.code === 'CROSS_SITE_REQUEST') {
      res.status(status).type('text').send(error.message);
      return;
    }
    sessionOf(req).flash = error;
    res.redirect(303, '/');
  }

  /**
   * The strategy with a custom callback, so that one place answers every outcome, for both the
   * pages' script (JSON) and plain form posts (redirects), and keeps the challenge's `code` and
   * `retryAfter` (a `failureMessage` would keep only the message).
   * @param {'send' | 'verify'} action
   * @returns {import('express').RequestHandler}
   */
  function authenticate(action) {
    return (req, res, next) => {
      authenticator.authenticate(
        'tingting',
        { tingtingAction: action },
        /** @type {import('passport').AuthenticateCallback} */
        (error, user, info, status) => {
          if (error) {
            if (!isTingTingAuthError(error)) {
              next(error);
              return;
            }
            // The code says which part failed; the message is never shown to the user.
            log(`[passport-demo] ${action} failed: ${error.name} ${error.code}`);
            const answer =
              error.code === ErrorCode.DELIVERY_FAILED
                ? ENGINE_ERRORS.delivery
                : ENGINE_ERRORS.unavailable;
            refuse(req, res, answer.status, { code: answer.code, message: answer.message });
            return;
          }
          if (!user) {
            refuse(req, res, typeof status === 'number' ? status : 401, publicErrorOf(info));
            return;
          }
          const signedInAt = new Date().toISOString();
          // Passport 0.7 regenerates the session here: the pending number and any planted
          // session id are gone.
          req.logIn(user, (error) => {
            if (error) {
              next(error);
              return;
            }
            sessionOf(req).signedInAt = signedInAt;
            res.set('Cache-Control', 'no-store');
            if (wantsJSON(req)) {
              const { id, phone } = /** @type {import('./users.js').User} */ (user);
              res.status(200).json({ user: { id, phone }, signedInAt });
            } else res.redirect(303, '/account');
          });
        },
      )(req, res, next);
    };
  }

  /** @type {import('express').RequestHandler} */
  function requireUser(req, res, next) {
    if (req.isAuthenticated()) {
      next();
      return;
    }
    res.set('Cache-Control', 'no-store');
    if (req.method === 'GET' && !wantsJSON(req)) {
      res.redirect(303, '/');
      return;
    }
    res.status(401).json({
      error: { code: 'NOT_SIGNED_IN', message: 'Sign in with your mobile number first.' },
    });
  }

  app.get(views.ASSETS.css, (_req, res) => {
    res.type('css').set('Cache-Control', 'public, max-age=300').send(views.STYLES);
  });
  app.get(views.ASSETS.js, (_req, res) => {
    res.type('js').set('Cache-Control', 'public, max-age=300').send(views.SCRIPT);
  });
  app.get(views.ASSETS.webOTP, (_req, res) => {
    res.type('js').set('Cache-Control', 'public, max-age=300').sendFile(views.WEB_OTP_SCRIPT_FILE);
  });

  app.get('/', (req, res) => {
    if (req.isAuthenticated()) {
      res.redirect(303, '/account');
      return;
    }
    const state = sessionOf(req);
    const error = state.flash;
    if (error) delete state.flash;
    const passwordError = state.passwordFlash;
    if (passwordError) delete state.passwordFlash;
    const password = passwordForm({
      action: ACTIONS.password,
      upstreamLabel: upstream.label,
      identifierLabel: upstream.identifierLabel,
      ...(passwordError ? { error: passwordError } : {}),
      ...(upstream.devAccount
        ? {
            hint: `Development mode: sign in as ${upstream.devAccount.identifier} / ${upstream.devAccount.password} (an embedded fake ${upstream.label}).`,
          }
        : {}),
    });
    const pending =
      state.pending && Date.parse(state.pending.expiresAt) > Date.now() ? state.pending : undefined;
    if (pending && req.query.step !== 'phone') {
      page(
        res,
        withPasswordForm(
          views.codePage({
            actions: ACTIONS,
            pending,
            ...(error ? { error } : {}),
            codeLength: engine.codeLength,
            ...(outboxHref ? { outboxHref } : {}),
          }),
          password,
        ),
      );
      return;
    }
    page(
      res,
      withPasswordForm(
        views.signInPage({
          actions: ACTIONS,
          ...(error ? { error } : {}),
          ...(pending ? { phone: pending.phone, channel: pending.channel } : {}),
          ...(outboxHref ? { outboxHref } : {}),
        }),
        password,
      ),
    );
  });

  /**
   * The strategy that signed in the user of `req` (its sessions, its helpers).
   * @param {import('express').Request} req
   */
  const strategyOf = (req) =>
    upstreamUsers.get(/** @type {{ id: string }} */ (req.user).id) === req.user
      ? passwordStrategy
      : phoneStrategy;
  const phoneGuard = phoneStrategy.sessionGuard({ signIn: '/' });
  const passwordGuard = passwordStrategy.sessionGuard({ signIn: '/' });
  /**
   * One sessions-store read per request: a session ended elsewhere ("Sign out this one" on
   * another device, "Sign out everywhere") is logged out here on its next request.
   * @type {import('express').RequestHandler}
   */
  function liveSession(req, res, next) {
    const guard = strategyOf(req) === passwordStrategy ? passwordGuard : phoneGuard;
    return guard(req, res, next);
  }

  /**
   * Runs a session action (end one, end all); a refusal (another user's id, an ended session) is
   * shown on the sessions page; a cross-site post gets no friendly redirect.
   * @param {(req: import('express').Request) => Promise<string>} action Resolves where to go next.
   * @returns {import('express').RequestHandler}
   */
  const sessionAction = (action) => (req, res, next) => {
    action(req).then(
      (next) => res.set('Cache-Control', 'no-store').redirect(303, next),
      (error) => {
        if (!isTingTingHTTPError(error)) return next(error);
        if (error.code === 'CROSS_SITE_REQUEST' || wantsJSON(req)) {
          return refuse(req, res, error.status, {
            code: error.code,
            message: error.publicMessage,
          });
        }
        sessionOf(req).flash = { code: error.code, message: error.publicMessage };
        res.set('Cache-Control', 'no-store').redirect(303, '/account/sessions');
      },
    );
  };

  app.get('/account/sessions', requireUser, liveSession, async (req, res) => {
    const strategy = strategyOf(req);
    const state = sessionOf(req);
    const error = state.flash;
    if (error) delete state.flash;
    const user = /** @type {{ phone?: string; username?: string }} */ (req.user);
    page(
      res,
      views.sessionsPage({
        actions: {
          endSession: (id) => `/account/sessions/${encodeURIComponent(id)}/end`,
          signOutEverywhere: '/account/sign-out-everywhere',
        },
        who: user.phone ? views.formatPhone(user.phone) : (user.username ?? ''),
        sessions: await strategy.listSessions(req),
        ...(error ? { error } : {}),
        backHref: '/account',
      }),
    );
  });
  app.post(
    '/account/sessions/:id/end',
    requireUser,
    liveSession,
    sessionAction(async (req) => {
      const id = /** @type {{ id?: string }} */ (req.params).id;
      const current = await strategyOf(req).endSession(req, id);
      return current ? '/' : '/account/sessions';
    }),
  );
  app.post(
    '/account/sign-out-everywhere',
    requireUser,
    liveSession,
    sessionAction(async (req) => {
      await strategyOf(req).signOutEverywhere(req);
      return '/';
    }),
  );

  app.get('/account', requireUser, liveSession, async (req, res, next) => {
    if (upstreamUsers.get(/** @type {{ id: string }} */ (req.user).id) === req.user) {
      await passwordAccount(req, res).catch(next);
      return;
    }
    const user = /** @type {import('./users.js').User} */ (req.user);
    page(
      res,
      views.accountPage({
        actions: ACTIONS,
        verified: {
          phone: user.phone,
          verifiedAt: sessionOf(req).signedInAt ?? user.createdAt.toISOString(),
        },
        details: [
          { label: 'User id', value: user.id },
          {
            label: 'Member since',
            value: user.createdAt.toUTCString(),
            datetime: user.createdAt.toISOString(),
          },
        ],
        sessionsHref: '/account/sessions',
      }),
    );
  });

  // The strategy reads `req.body` only: parse small forms (JavaScript off) and JSON.
  /** @type {import('express').RequestHandler[]} */
  const body = [
    express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 20 }),
    express.json({ limit: '4kb' }),
  ];

  app.post(ACTIONS.send, ...body, authenticate('send'), (req, res) => {
    const sent = req.tingtingSent;
    if (!sent) throw new Error('the send step passed without req.tingtingSent');
    /** @type {Pending} */
    const pending = {
      phone: sent.phone,
      channel: sent.channel,
      expiresAt: sent.expiresAt.toISOString(),
      resendAt: sent.resendAt.toISOString(),
    };
    // Only for the code page (which number, when a resend is allowed): the verify step reads the
    // number from the form, since Passport renews the session at sign-in.
    const state = sessionOf(req);
    state.pending = pending;
    delete state.flash;
    res.set('Cache-Control', 'no-store');
    // TingTing's answer was lost: the code may still arrive; the page moves on to the code entry.
    const unknown =
      sent.delivery === 'unknown' ? { delivery: sent.delivery, message: sent.message } : {};
    if (wantsJSON(req)) res.status(202).json({ ...pending, ...unknown });
    else res.redirect(303, '/');
  });

  const verifyLimit = rateLimit({
    ...VERIFY_LIMIT,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // A cross-site post is refused by the strategy anyway; counting it would let another site
    // spend a visitor's allowance.
    skip: (req) => crossSite(req),
    handler: (req, res) => {
      const reset = /** @type {{ rateLimit?: { resetTime?: Date } }} */ (req).rateLimit?.resetTime;
      const retryAfter = reset ? Math.max(1, (reset.getTime() - Date.now()) / 1_000) : undefined;
      refuse(req, res, 429, {
        code: 'RATE_LIMITED',
        message: PUBLIC_ERROR_MESSAGES.RATE_LIMITED,
        ...(retryAfter === undefined ? {} : { retryAfter }),
      });
    },
  });

  app.post(ACTIONS.verify, verifyLimit, body, authenticate('verify'));

  app.post(ACTIONS.signOut, (req, res, next) => {
    // The strategy guards send and verify; sign-out is the app's own route, so the app checks
    // with the same test (core's). Without it, another site could sign users out.
    if (crossSite(req)) {
      refuse(req, res, 403, {
        code: 'CROSS_SITE_REQUEST',
        message: 'Requests from other sites are not allowed.',
      });
      return;
    }
    // A password user's upstream session ends first (its tokens are deleted); then Passport 0.7
    // clears the user and renews the session id (a copied cookie is dead).
    Promise.all([passwordStrategy.signOut(req), phoneStrategy.signOut(req)])
      .catch((error) => {
        // The sign-out goes on: the upstream session expires on its own.
        log(`[passport-demo] upstream sign-out failed: ${error?.name} ${error?.code ?? ''}`);
      })
      .then(() => logOut(req, res, next));
  });

  /**
   * @param {import('express').Request} req
   * @param {import('express').Response} res
   * @param {import('express').NextFunction} next
   */
  function logOut(req, res, next) {
    req.logout((error) => {
      if (error) {
        next(error);
        return;
      }
      res.set('Cache-Control', 'no-store');
      if (wantsJSON(req)) res.status(204).end();
      else res.redirect(303, '/');
    });
  }

  /**
   * Answers a refused password sign-in: JSON for the pages' script; for a plain form post, the
   * error goes into the session for the sign-in page.
   * @param {import('express').Request} req
   * @param {import('express').Response} res
   * @param {number} status
   * @param {PublicError} error
   */
  function refusePassword(req, res, status, error) {
    if (wantsJSON(req) || error.code === 'CROSS_SITE_REQUEST') {
      refuse(req, res, status, error);
      return;
    }
    res.set('Cache-Control', 'no-store');
    sessionOf(req).passwordFlash = error;
    res.redirect(303, '/');
  }

  // Password sign-in: the strategy reads `req.body` only (never the query string).
  app.post(ACTIONS.password, ...body, (req, res, next) => {
    authenticator.authenticate(
      'upstream',
      /** @type {import('passport').AuthenticateCallback} */
      (error, user, info, status) => {
        if (error) {
          // The upstream or the store is down: the error is a 503 with Retry-After (no details).
          const http = /** @type {{ status?: unknown; code?: unknown; retryAfter?: unknown }} */ (
            error
          );
          log(`[passport-demo] password sign-in failed: ${error?.name} ${String(http.code ?? '')}`);
          refusePassword(req, res, 503, {
            code: 'SERVICE_UNAVAILABLE',
            message: ENGINE_ERRORS.unavailable.message,
            ...(typeof http.retryAfter === 'number' ? { retryAfter: http.retryAfter } : {}),
          });
          return;
        }
        if (!user) {
          refusePassword(req, res, typeof status === 'number' ? status : 401, publicErrorOf(info));
          return;
        }
        const signedInAt = new Date().toISOString();
        // Passport regenerates the session; the strategy puts the upstream session id in the new one.
        req.logIn(user, (error) => {
          if (error) {
            next(error);
            return;
          }
          sessionOf(req).signedInAt = signedInAt;
          res.set('Cache-Control', 'no-store');
          if (wantsJSON(req)) {
            const { id, username, provider } = /** @type {UpstreamUser} */ (user);
            res.status(200).json({ user: { id, username, provider }, signedInAt });
          } else res.redirect(303, '/account');
        });
      },
    )(req, res, next);
  });

  /**
   * The account page of a password user: the profile read from the upstream with its access token
   * (refreshed here when due, once for every tab), or sign-in again when the session is over.
   * @param {import('express').Request} req
   * @param {import('express').Response} res
   */
  async function passwordAccount(req, res) {
    const user = /** @type {UpstreamUser} */ (req.user);
    /** @type {{ label: string; value: string; datetime?: string }[]} */
    let details = [];
    let error;
    try {
      const tokens = await upstream.sessions.getTokens(passwordStrategy.sessionIdOf(req) ?? '');
      details = await upstream.describe(tokens);
      const expires = new Date(tokens.accessExpiresAt);
      details.push({
        label: 'Access token expires',
        value: expires.toUTCString(),
        datetime: expires.toISOString(),
      });
    } catch (thrown) {
      const code = /** @type {{ code?: unknown }} */ (thrown)?.code;
      if (code === 'SESSION_EXPIRED') {
        // The upstream refused the refresh (or the session ended elsewhere): sign in again.
        sessionOf(req).passwordFlash = {
          code: 'SESSION_EXPIRED',
          message: 'Your session has ended. Please sign in again.',
        };
        const flash = sessionOf(req).passwordFlash;
        req.logout(() => {
          if (flash) sessionOf(req).passwordFlash = flash;
          res.set('Cache-Control', 'no-store').redirect(303, '/');
        });
        return;
      }
      log(
        `[passport-demo] upstream profile failed: ${/** @type {Error} */ (thrown)?.name} ${String(code ?? '')}`,
      );
      error = `${upstream.label} is not answering right now. Please try again later.`;
    }
    page(
      res,
      passwordAccountPage({
        signOut: ACTIONS.signOut,
        upstreamLabel: upstream.label,
        username: user.username,
        signedInAt: sessionOf(req).signedInAt ?? user.createdAt.toISOString(),
        details: [
          ...details,
          { label: 'User id', value: user.id },
          ...(upstream.fake
            ? [
                {
                  label: 'Upstream refreshes (dev)',
                  value: String(upstream.fake.stats.refreshCalls),
                },
              ]
            : []),
        ],
        ...(error ? { error } : {}),
        sessionsHref: '/account/sessions',
      }),
    );
  }

  if (fake) {
    const outbox = fake.outbox;
    app.get('/dev/outbox', (_req, res) => {
      page(res, views.outboxPage({ deliveries: outbox.messages, credits: fake.credits }));
    });
  }

  /** @type {import('express').ErrorRequestHandler} */
  const errorHandler = (error, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const status = /** @type {{ status?: unknown; expose?: unknown }} */ (error ?? {});
    // body-parser's refusals (broken JSON, too large) are the client's; show no details.
    const isClientError =
      typeof status.status === 'number' &&
      status.status >= 400 &&
      status.status < 500 &&
      status.expose === true;
    if (!isClientError) {
      const name = error instanceof Error ? error.name : typeof error;
      log(`[passport-demo] ${req.method} ${req.path}: unexpected ${name}`);
    }
    const answer = isClientError
      ? {
          status: /** @type {number} */ (status.status),
          ...(status.status === 413
            ? { code: 'BODY_TOO_LARGE', message: 'The request is too large.' }
            : { code: 'INVALID_REQUEST', message: 'The request is not valid.' }),
        }
      : { status: 500, code: 'INTERNAL_ERROR', message: 'Something went wrong on our side.' };
    res.set('Cache-Control', 'no-store');
    if (wantsJSON(req)) {
      res.status(answer.status).json({ error: { code: answer.code, message: answer.message } });
    } else res.status(answer.status).type('text').send(answer.message);
  };
  app.use(errorHandler);

  return {
    app,
    fake,
    users,
    upstream,
    passwordStrategy,
    phoneSessions,
    close: async () => {
      await close();
      await upstream.close();
    },
  };
}
