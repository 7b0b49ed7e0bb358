/**
 * Hostile input, property-based (issue 7): fast-check throws random and malformed requests at the
 * Passport routes (`passport.authenticate('tingting', …)`, send and verify) of real Express 5 and
 * Express 4 apps with their own body parsers (`urlencoded` extended or not), express-session and
 * passport 0.7: the default failure answer, a custom callback, `failureRedirect` with
 * `failureMessage`, `failWithError`, and a route no body parser runs for. For every request:
 *
 * 1. never a 5xx;
 * 2. always an answer (each request carries an `AbortSignal.timeout`; nothing is timed);
 * 3. a malformed request sends nothing, signs nobody in and spends no attempt of the pending
 *    challenge: checked after every request through the engine's `failed` events and the verify
 *    callback, and after the run by making `maxAttemptsPerCode - 1` wrong guesses before the right
 *    code works exactly once;
 * 4. the documented failures: `fail` with the documented status (Passport's own plain answer, a
 *    redirect, an `AuthenticationError`), and through a custom callback the challenge
 *    `{ code, message, retryAfter? }` with a documented code and its generic message;
 * 5. no secret (the pending code, the TingTing API token, the HMAC and session secrets) in any
 *    answer, headers included.
 *
 * The runs are seeded (`FC_SEED=<n>` replays another seed); fast-check prints the seed and the
 * path of a failure.
 */

import { STATUS_CODES } from 'node:http';
import { PUBLIC_ERROR_MESSAGES as FAILURE_MESSAGES } from '@tingting-auth/core';
import express5, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import express4 from 'express4';
import fc from 'fast-check';
import passport from 'passport';
import { expectChallengeIntact } from 'test-support/hostile';
import {
  appErrorHandler,
  appParser,
  expectNoSecret,
  hostileEngine,
  hostileHarness,
  KNOWN,
  KNOWN_E164,
  POOL_PREFIX,
  SESSION_SECRET,
} from 'test-support/hostile-app';
import {
  around,
  type Endpoint,
  type HostileBodies,
  hostileBodies,
} from 'test-support/hostile-bodies';
import { type Answer, type HostileRequest, hostileRequests } from 'test-support/hostile-requests';
import { describe, expect, it } from 'vitest';
import { Strategy, type TingTingChallenge, type TingTingFailureCode } from '../src/index.js';
import { mountVerifyRoutes } from './routes.js';

const SEED = Number(process.env.FC_SEED ?? 7);
const RUNS = 200;
/** The default limit of the app's `express.json()` and `express.urlencoded()`, in bytes. */
const LIMIT = 100 * 1024;

/** The documented fail statuses (passport-api.md, README "Failures"): the oracle. */
const STATUS_OF: Partial<Record<TingTingFailureCode, number>> = {
  INVALID_REQUEST: 400,
  INVALID_PHONE: 400,
  INVALID_CODE: 401,
  CROSS_SITE_REQUEST: 403,
  RATE_LIMITED: 429,
  LOCKED: 429,
};
const SEND_CODES = new Set<TingTingFailureCode>([
  'INVALID_REQUEST',
  'INVALID_PHONE',
  'CROSS_SITE_REQUEST',
  'RATE_LIMITED',
]);
const VERIFY_CODES = new Set<TingTingFailureCode>([
  'INVALID_REQUEST',
  'INVALID_CODE',
  'CROSS_SITE_REQUEST',
  'LOCKED',
]);
const SEND_ROUTES = ['/auth/send', '/auth/send-custom'] as const;
const VERIFY_ROUTES = [
  '/auth/verify',
  '/auth/verify-custom',
  '/auth/verify-form',
  '/auth/verify-api',
  '/raw/verify',
] as const;

/** The generators around the pending challenge, with the sizes around the app's body limit. */
const bodies = (rightCode: string): HostileBodies =>
  hostileBodies(rightCode, {
    phone: KNOWN,
    poolPrefix: POOL_PREFIX,
    sizes: fc.oneof(
      fc.integer({ min: 3_000, max: 6_000 }),
      around(LIMIT),
      fc.constant(1024 * 1024),
    ),
  });

/** Hostile POSTs to the routes `paths`, all of one action, read by the app's own parsers. */
function toRequests(
  a: HostileBodies,
  paths: readonly string[],
  endpoint: Endpoint,
  variant: Variant,
): fc.Arbitrary<HostileRequest> {
  return hostileRequests(a, endpoint, {
    paths,
    // The strategy reads the body only: the query string never counts.
    suffixes: ['', '/', `?phone=${KNOWN}&code=${a.rightCode}`],
    qs: variant.extended,
    limit: LIMIT,
  });
}

// ---------------------------------------------------------------------------------------------
// The apps

const harness = hostileHarness();
const { client } = harness;

interface Variant {
  name: string;
  express: typeof express5;
  /** `express.urlencoded({ extended })`: qs (brackets make arrays and objects) or querystring. */
  extended: boolean;
}

const VARIANTS: Variant[] = [];
for (const [major, express] of [
  ['Express 5', express5],
  ['Express 4', express4],
] as const) {
  for (const extended of [false, true]) {
    VARIANTS.push({ name: `${major}, urlencoded({ extended: ${extended} })`, express, extended });
  }
}

interface User {
  id: string;
  phone: string;
}

async function start(variant: Variant) {
  const { engine, deliveries, spent } = hostileEngine(harness.fake);
  const signedIn: string[] = [];
  const authenticator = new passport.Passport();
  authenticator.use(
    new Strategy({ engine }, async (phone): Promise<User> => {
      signedIn.push(phone);
      return { id: phone, phone };
    }),
  );
  authenticator.serializeUser((user, done) => done(null, (user as User).phone));
  authenticator.deserializeUser((phone: string, done) => done(null, { id: phone, phone }));

  const { express } = variant;
  const app = express();
  // A route no body parser runs for (`req.body` stays undefined, or `{}` on Express 4).
  app.post('/raw/verify', authenticator.authenticate('tingting'), (_req, res) => {
    res.sendStatus(200);
  });
  app.use(appParser(express.json()));
  app.use(appParser(express.urlencoded({ extended: variant.extended })));
  app.use(session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }));
  app.use(authenticator.session());
  const sent = (req: Request, res: Response) => {
    res.status(202).json(req.tingtingSent);
  };
  const custom =
    (action: 'send' | 'verify') => (req: Request, res: Response, next: NextFunction) => {
      authenticator.authenticate(
        'tingting',
        { tingtingAction: action },
        (error: unknown, user: User | false, info: TingTingChallenge, status: number) => {
          if (error) return next(error);
          if (!user) return res.status(status).json({ error: info });
          req.login(user, (loginError) => (loginError ? next(loginError) : res.json({ user })));
        },
      )(req, res, next);
    };
  app.post('/auth/send', authenticator.authenticate('tingting', { tingtingAction: 'send' }), sent);
  app.post('/auth/send-custom', custom('send'), sent);
  mountVerifyRoutes(app, authenticator);
  app.post('/auth/verify-custom', custom('verify'));
  // An `error()` from the strategy or a throw ends here as a 500, and fails the property.
  app.use(appErrorHandler);
  const { port, close, rightCode, secrets } = await harness.serve(app, deliveries);

  return {
    port,
    rightCode,
    deliveries,
    spent,
    signedIn,
    close,
    /** Properties 1, 4 and 5 for one answer. */
    check(r: HostileRequest, answer: Answer, codes: Set<TingTingFailureCode>) {
      const path = r.path.split('?')[0]!.replace(/\/$/, '');
      expect(answer.status, `${r.kind} on ${path}: no 5xx`).toBeLessThan(500);
      expectNoSecret(r.kind, answer, secrets);
      if (answer.status === 202) {
        expect(SEND_ROUTES).toContain(path);
        expect(Object.keys(JSON.parse(answer.text)).sort()).toEqual([
          'channel',
          'expiresAt',
          'phone',
          'resendAt',
        ]);
        return;
      }
      if (answer.status === 429) expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
      if (path !== '/raw/verify' && answer.text.startsWith('{"appParser"')) {
        expect(JSON.parse(answer.text)).toEqual({ appParser: answer.status });
        return;
      }
      switch (path) {
        case '/auth/send-custom':
        case '/auth/verify-custom': {
          const body = JSON.parse(answer.text) as { error: TingTingChallenge };
          expect(Object.keys(body)).toEqual(['error']);
          const { code, message, retryAfter, ...rest } = body.error;
          expect(rest).toEqual({});
          expect(codes.has(code), `${r.kind}: code ${String(code)}`).toBe(true);
          expect(answer.status).toBe(STATUS_OF[code]);
          expect(message).toBe(FAILURE_MESSAGES[code]);
          if (retryAfter !== undefined) expect(retryAfter).toBeGreaterThan(0);
          return;
        }
        case '/auth/verify-form':
          expect(answer.status).toBe(302);
          expect(answer.headers.location).toBe('/sign-in');
          return;
        case '/auth/verify-api':
          expect([400, 401, 403, 429]).toContain(answer.status);
          expect(JSON.parse(answer.text)).toEqual({ error: 'AuthenticationError' });
          return;
        case '/raw/verify':
          // No body parser ran: 400, unless the cross-site check refused it first.
          expect([400, 403]).toContain(answer.status);
          expect(answer.text).toBe(STATUS_CODES[answer.status]);
          return;
        default:
          // Passport's own answer to a failure: the status, its reason phrase as the body.
          expect([400, 401, 403, 429]).toContain(answer.status);
          expect(answer.text).toBe(STATUS_CODES[answer.status]);
      }
    },
    /** Property 3 after the run: the attempt budget is whole and the code works exactly once. */
    async expectChallengeIntact() {
      await expectChallengeIntact({
        rightCode,
        spent,
        refused: '401 INVALID_CODE',
        guess: async (code) => {
          const answer = await client.postJSON(port, '/auth/verify-custom', { phone: KNOWN, code });
          const body = JSON.parse(answer.text);
          return answer.status === 200 && body.user?.phone === KNOWN_E164
            ? 'ok'
            : `${answer.status} ${body.error?.code}`;
        },
      });
      expect(signedIn).toEqual([KNOWN_E164]);
    },
  };
}

const options = { seed: SEED, numRuns: RUNS } as const;

describe.each(VARIANTS)('hostile input: $name', (variant) => {
  it('send: no 5xx, no hang, nothing sent for a malformed body, documented failures, no secret', async () => {
    const app = await start(variant);
    try {
      const a = bodies(app.rightCode);
      await fc.assert(
        fc.asyncProperty(toRequests(a, SEND_ROUTES, a.send, variant), async (r) => {
          const before = app.deliveries.length;
          const signedIn = app.signedIn.length;
          const answer = await client.send(app.port, r);
          app.check(r, answer, SEND_CODES);
          if (r.mustRefuse) {
            expect(answer.status, `${r.kind} must be refused`).toBeGreaterThanOrEqual(400);
            expect(app.deliveries.length).toBe(before);
          }
          // The pending code is never replaced (the cooldown refuses a send to its number).
          expect(app.deliveries.filter((d) => d.phone === KNOWN_E164)).toHaveLength(1);
          expect(app.signedIn.slice(signedIn)).toEqual([]);
        }),
        options,
      );
      await app.expectChallengeIntact();
    } finally {
      await app.close();
    }
  });

  it('verify: no 5xx, no hang, no sign-in, no attempt spent, documented failures, no secret', async () => {
    const app = await start(variant);
    try {
      const a = bodies(app.rightCode);
      await fc.assert(
        fc.asyncProperty(toRequests(a, VERIFY_ROUTES, a.verify, variant), async (r) => {
          // Deltas, not totals: a shrunk counterexample then names the request that spent.
          const spent = app.spent.length;
          const signedIn = app.signedIn.length;
          const answer = await client.send(app.port, r);
          app.check(r, answer, VERIFY_CODES);
          expect(answer.status, `${r.kind} must not sign in`).toBeGreaterThanOrEqual(300);
          expect(answer.headers.location ?? '/sign-in').toBe('/sign-in');
          expect(app.spent.slice(spent), `${r.kind} spent an attempt`).toEqual([]);
          expect(app.signedIn.slice(signedIn), `${r.kind} signed in`).toEqual([]);
        }),
        options,
      );
      await app.expectChallengeIntact();
    } finally {
      await app.close();
    }
  });
});
