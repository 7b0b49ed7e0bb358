/**
 * The Express demo app: phone sign-in with `@tingting-auth/express`, pages from `./views.js`.
 *
 * With no `TINGTING_API_TOKEN`, a fake TingTing server runs in this process: every code is printed
 * to the terminal and listed at `/dev/outbox`. With it, codes go through the real API.
 */

import { MemoryStore, OTPEngine } from '@tingting-auth/core';
import { createTingTingAuth } from '@tingting-auth/express';
import express from 'express';
import session from 'express-session';
import helmet from 'helmet';
import { demoOrigin, startDevTingTing } from './dev-tingting.js';
import * as views from './views.js';

/**
 * @typedef {object} DemoOptions
 * @property {NodeJS.ProcessEnv} [env] Environment to read (`TINGTING_API_TOKEN`, `TINGTING_BASE_URL`, `OTP_SECRET`, `SESSION_SECRET`, `REDIS_URL`, `TRUST_PROXY`, `PUBLIC_URL`, `PORT`). Default: process.env.
 * @property {import('@tingting-auth/core').OTPPolicy} [policy] Engine policy overrides (tests shorten the resend cooldown).
 * @property {(line: string) => void} [log] Where notices and delivered codes go. Default: console.log.
 */

/**
 * @typedef {object} Demo
 * @property {import('express').Express} app
 * @property {import('@tingting-auth/testing').FakeTingTing | undefined} fake The embedded fake, when no API token is set.
 * @property {() => Promise<void>} close Stops the fake and closes Redis connections.
 */

/**
 * Build the demo app (it does not listen).
 * @param {DemoOptions} [options]
 * @returns {Promise<Demo>}
 */
export async function createDemo({ env = process.env, policy, log = console.log } = {}) {
  const { secret, sender, fake, close } = await startDevTingTing({
    env,
    log,
    name: 'express-demo',
  });
  /** @type {Array<() => Promise<unknown>>} */
  const closers = [close];

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
  const tingting = createTingTingAuth(engine, {
    redirects: {
      afterSend: '/',
      afterVerify: '/account',
      onError: '/',
      afterSignOut: '/',
      signIn: '/',
    },
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
      }),
    );
  });

  app.get('/account', tingting.requireVerified, (req, res) => {
    const verified =
      /** @type {{ tingting?: import('@tingting-auth/express').VerifiedIdentity }} */ (req)
        .tingting;
    if (!verified) throw new Error('requireVerified let an unverified request through');
    page(res, views.accountPage({ verified }));
  });

  app.use('/auth', tingting.router);

  if (fake) {
    const outbox = fake.outbox;
    app.get('/dev/outbox', (_req, res) => {
      page(res, views.outboxPage({ deliveries: outbox.messages, credits: fake.credits }));
    });
  }

  app.use(tingting.errorHandler);

  return {
    app,
    fake,
    close: async () => {
      await Promise.all(closers.map((close) => close()));
    },
  };
}
