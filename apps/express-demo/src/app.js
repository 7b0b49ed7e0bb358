/**
 * The Express demo app: phone sign-in with `@tingting-auth/express`, and password sign-in against
 * an upstream token API (`UPSTREAM=timbr|notes|tingting`, see `./dev-upstream.js`); pages from
 * `./views.js`.
 *
 * With no `TINGTING_API_TOKEN`, a fake TingTing server runs in this process: every code is printed
 * to the terminal and listed at `/dev/outbox`. With it, codes go through the real API. Likewise,
 * with no `UPSTREAM_URL`, passwords are checked by an embedded fake upstream with a demo account.
 */

import { MemoryStore, OTPEngine } from '@tingting-auth/core';
import { MemorySessionStore, UpstreamSessions } from '@tingting-auth/core/upstream';
import { createTingTingAuth, createUpstreamAuth } from '@tingting-auth/express';
import express from 'express';
import session from 'express-session';
import helmet from 'helmet';
import { demoOrigin, startDevTingTing } from './dev-tingting.js';
import { startDevUpstream, upstreamSessionSecretOf } from './dev-upstream.js';
import * as views from './views.js';

/**
 * @typedef {object} DemoOptions
 * @property {NodeJS.ProcessEnv} [env] Environment to read (`TINGTING_API_TOKEN`, `TINGTING_BASE_URL`, `OTP_SECRET`, `SESSION_SECRET`, `UPSTREAM_SESSION_SECRET`, `REDIS_URL`, `TRUST_PROXY`, `NODE_ENV`, `PUBLIC_URL`, `PORT`, and the upstream's: see `./dev-upstream.js`). Default: process.env.
 * @property {import('@tingting-auth/core').OTPPolicy} [policy] Engine policy overrides (tests shorten the resend cooldown).
 * @property {(line: string) => void} [log] Where notices and delivered codes go. Default: console.log.
 * @property {() => number} [upstreamClock] The clock of the password sessions and the embedded fake upstream (tests move it). Default: Date.now.
 */

/**
 * @typedef {object} Demo
 * @property {import('express').Express} app
 * @property {import('@tingting-auth/testing').FakeTingTing | undefined} fake The embedded fake, when no API token is set.
 * @property {import('./dev-upstream.js').DevUpstream} upstream The password upstream (its embedded fake, when no UPSTREAM_URL is set).
 * @property {UpstreamSessions} sessions The password sessions (upstream tokens, sealed, server-side).
 * @property {UpstreamSessions} phoneSessions The phone sign-ins' sessions (revocable: "sign out everywhere").
 * @property {() => Promise<void>} close Stops the fakes and closes Redis connections.
 */

/**
 * Build the demo app (it does not listen).
 * @param {DemoOptions} [options]
 * @returns {Promise<Demo>}
 */
export async function createDemo({
  env = process.env,
  policy,
  log = console.log,
  upstreamClock,
} = {}) {
  const { secret, sender, fake, close } = await startDevTingTing({
    env,
    log,
    name: 'express-demo',
  });
  const upstream = await startDevUpstream({
    env,
    log,
    name: 'express-demo',
    ...(upstreamClock ? { clock: upstreamClock } : {}),
  });
  /** @type {Array<() => Promise<unknown>>} */
  const closers = [close, upstream.close];
  /** @type {import('@tingting-auth/core/upstream').UpstreamSessionStore & import('@tingting-auth/core/upstream').LoginThrottleStore} */
  let upstreamStore = new MemorySessionStore();

  /** @type {session.Store | undefined} */
  let sessionStore;
  /** @type {import('@tingting-auth/core').OTPStore} */
  let otpStore = new MemoryStore();
  if (env.REDIS_URL) {
    const [{ createClient }, { RedisStore: RedisSessionStore }, { RedisStore }] = await Promise.all(
      [import('redis'), import('connect-redis'), import('@tingting-auth/redis')],
    );
    // No offline queue: while Redis is down, commands fail at once (the engine answers 503)
    // instead of piling up until a timeout.
    const client = createClient({ url: env.REDIS_URL, disableOfflineQueue: true });
    client.on('error', (error) =>
      log(`[express-demo] Redis: ${error instanceof Error ? error.message : error}`),
    );
    await client.connect();
    closers.push(() => client.quit());
    sessionStore = new RedisSessionStore({ client, prefix: 'express-demo:sess:' });
    otpStore = new RedisStore({
      prefix: 'express-demo:otp',
      sendCommand: (args) => client.sendCommand(args),
    });
    const { RedisSessionStore: UpstreamRedisStore } = await import('@tingting-auth/redis');
    upstreamStore = new UpstreamRedisStore({
      prefix: 'express-demo:upstream',
      sendCommand: (args) => client.sendCommand(args),
    });
    log('[express-demo] Sessions and OTP challenges in Redis: run as many processes as you like.');
  }

  const engine = new OTPEngine({
    sender,
    secret,
    store: otpStore,
    ...(policy ? { policy } : {}),
    // One-tap code entry: texts end with `@<host> #<code>` for this demo's origin.
    webOTPOrigin: demoOrigin(env, 3000),
  });
  const upstreamSecret = upstreamSessionSecretOf({ env, log, name: 'express-demo' });
  // Phone sign-ins are revocable sessions in the same store as the password sessions ("sign out
  // everywhere" reaches every process sharing it); filed under their own provider id.
  const phoneSessions = new UpstreamSessions({
    store: upstreamStore,
    secret: upstreamSecret,
    providerId: 'phone',
    throttle: false,
  });
  const tingting = createTingTingAuth(engine, {
    sessions: phoneSessions,
    redirects: {
      afterSend: '/',
      afterVerify: '/account',
      onError: '/',
      afterSignOut: '/',
      signIn: '/',
      afterEndSession: '/account/sessions',
    },
  });
  const sessions = new UpstreamSessions({
    store: upstreamStore,
    secret: upstreamSecret,
    provider: upstream.provider,
    ...(upstreamClock ? { clock: upstreamClock } : {}),
  });
  const password = createUpstreamAuth({
    sessions,
    provider: upstream.provider,
    baseURL: upstream.baseURL,
    redirects: {
      afterSignIn: '/profile',
      onError: '/password',
      afterSignOut: '/password',
      signIn: '/password',
      afterEndSession: '/profile/sessions',
    },
  });
  const upstreamInfo = { title: upstream.title, identifierField: upstream.identifierField };

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
      name: 'demo.sid',
      secret: env.SESSION_SECRET || secret,
      resave: false,
      saveUninitialized: false,
      ...(sessionStore ? { store: sessionStore } : {}),
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure: env.NODE_ENV === 'production' ? 'auto' : false,
        maxAge: 8 * 3600_000,
      },
    }),
  );

  const outboxHref = fake ? '/dev/outbox' : undefined;
  /** @param {import('express').Response} res @param {string} html */
  const page = (res, html) => {
    res.set('Cache-Control', 'no-store').type('html').send(html);
  };

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
    const state = tingting.formState(req);
    if (state.verified) {
      res.redirect(303, '/account');
      return;
    }
    const wantsPhoneStep = req.query.step === 'phone';
    if (state.pending && !wantsPhoneStep) {
      page(
        res,
        views.codePage({
          pending: state.pending,
          error: state.error,
          codeLength: engine.codeLength,
          outboxHref,
        }),
      );
      return;
    }
    page(
      res,
      views.signInPage({
        error: state.error,
        ...(state.pending ? { phone: state.pending.phone, channel: state.pending.channel } : {}),
        outboxHref,
        passwordHref: '/password',
      }),
    );
  });

  app.get('/password', (req, res) => {
    const state = password.formState(req);
    if (state.account) {
      res.redirect(303, '/profile');
      return;
    }
    page(
      res,
      views.passwordSignInPage({
        upstream: upstreamInfo,
        error: state.error,
        ...(upstream.demoAccount ? { demoAccount: upstream.demoAccount } : {}),
      }),
    );
  });

  app.get('/profile', password.requireUpstreamSession, async (req, res) => {
    const { account } = password.formState(req);
    if (!account || !req.upstream) throw new Error('requireUpstreamSession let a request through');
    /** @type {import('./dev-upstream.js').Detail[]} */
    let details = [];
    let error;
    try {
      details = await upstream.profile(req.upstream);
    } catch (cause) {
      // The session errors (expired, upstream down) go to the error handler; the rest is shown.
      const code = /** @type {{ code?: unknown }} */ (cause)?.code;
      if (code === 'SESSION_EXPIRED' || code === 'UPSTREAM_UNAVAILABLE') throw cause;
      error = `The profile could not be read (${cause instanceof Error ? cause.message : 'unknown error'}).`;
    }
    page(
      res,
      views.profilePage({
        upstream: upstreamInfo,
        account,
        details,
        ...(error ? { error } : {}),
        sessionsHref: '/profile/sessions',
      }),
    );
  });

  app.get('/profile/sessions', password.requireUpstreamSession, async (req, res) => {
    const { account, error } = password.formState(req);
    if (!account) throw new Error('requireUpstreamSession let a request through');
    page(
      res,
      views.sessionsPage({
        actions: {
          endSession: (id) => `/auth/password/sessions/${encodeURIComponent(id)}/end`,
          signOutEverywhere: '/auth/password/sign-out-everywhere',
        },
        who: account.identifier,
        sessions: await password.listSessions(req),
        ...(error ? { error } : {}),
        backHref: '/profile',
      }),
    );
  });

  app.get('/account', tingting.requireVerified, (req, res) => {
    const verified =
      /** @type {{ tingting?: import('@tingting-auth/express').VerifiedIdentity }} */ (req)
        .tingting;
    if (!verified) throw new Error('requireVerified let an unverified request through');
    page(res, views.accountPage({ verified, sessionsHref: '/account/sessions' }));
  });

  app.get('/account/sessions', tingting.requireVerified, async (req, res) => {
    const { verified, error } = tingting.formState(req);
    if (!verified) throw new Error('requireVerified let an unverified request through');
    page(
      res,
      views.sessionsPage({
        actions: {
          endSession: (id) => `/auth/sessions/${encodeURIComponent(id)}/end`,
          signOutEverywhere: '/auth/sign-out-everywhere',
        },
        who: views.formatPhone(verified.phone),
        sessions: await tingting.listSessions(req),
        ...(error ? { error } : {}),
        backHref: '/account',
      }),
    );
  });

  app.use('/auth/password', password.router);
  app.use('/auth', tingting.router);

  if (fake) {
    const outbox = fake.outbox;
    app.get('/dev/outbox', (_req, res) => {
      page(res, views.outboxPage({ deliveries: outbox.messages, credits: fake.credits }));
    });
  }

  app.use(password.errorHandler);
  app.use(tingting.errorHandler);

  return {
    app,
    fake,
    upstream,
    sessions,
    phoneSessions,
    close: async () => {
      await Promise.all(closers.map((close) => close()));
    },
  };
}
