/**
 * Hostile input, property-based (issue 7): fast-check throws random and malformed requests at the
 * router on real Express 5 and Express 4 apps, with and without express-session, with and without
 * the app's own body parsers, and with the no-JavaScript form redirects. For every generated
 * request:
 *
 * 1. never a 5xx;
 * 2. always an answer (each request carries an `AbortSignal.timeout`; nothing is timed);
 * 3. a malformed request sends nothing, signs nobody in and spends no attempt of the pending
 *    challenge: checked after every request through the engine's `failed` events, and after the
 *    run by making `maxAttemptsPerCode - 1` wrong guesses before the right code works exactly once;
 * 4. every 4xx is `{ error: { code, message } }` with a documented code, its status and its
 *    generic message (a refused form post with `redirects`: a 303 to the error page, the code in
 *    the query string only when there is no session);
 * 5. no secret (the pending code, the TingTing API token, the HMAC and session secrets) in any
 *    answer, headers included.
 *
 * The runs are seeded (`FC_SEED=<n>` replays another seed); fast-check prints the seed and the
 * path of a failure.
 */

import express5 from 'express';
import session from 'express-session';
import express4 from 'express4';
import fc from 'fast-check';
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
import {
  type Answer,
  type HostileRequest,
  hostileRequests,
  readable,
} from 'test-support/hostile-requests';
import { describe, expect, it } from 'vitest';
import { createTingTingAuth, HTTP_ERROR_MESSAGES, type HTTPErrorCode } from '../src/index.js';

const SEED = Number(process.env.FC_SEED ?? 7);
const RUNS = 200;
/** The router's default `bodyLimit` ('4kb') and express.json()'s default ('100kb'), in bytes. */
const ROUTER_LIMIT = 4 * 1024;
const APP_PARSER_LIMIT = 100 * 1024;
/** Documented statuses (README "Errors"): the oracle, written independently of the source. */
const STATUS_OF: Partial<Record<HTTPErrorCode, number>> = {
  INVALID_REQUEST: 400,
  MALFORMED_BODY: 400,
  INVALID_PHONE: 400,
  INVALID_CODE: 401,
  CROSS_SITE_REQUEST: 403,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  LOCKED: 429,
};
const SEND_CODES = new Set<HTTPErrorCode>([
  'INVALID_REQUEST',
  'MALFORMED_BODY',
  'INVALID_PHONE',
  'CROSS_SITE_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
]);
const VERIFY_CODES = new Set<HTTPErrorCode>([
  'INVALID_REQUEST',
  'MALFORMED_BODY',
  'INVALID_CODE',
  'CROSS_SITE_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'LOCKED',
]);

/** The generators around the pending challenge, with the sizes around this app's two limits. */
const bodies = (rightCode: string): HostileBodies =>
  hostileBodies(rightCode, {
    phone: KNOWN,
    poolPrefix: POOL_PREFIX,
    sizes: fc.oneof(
      around(ROUTER_LIMIT),
      fc.integer({ min: 3_000, max: 6_000 }),
      around(APP_PARSER_LIMIT),
      fc.constant(1024 * 1024),
    ),
  });

/** Hostile POSTs to `path` of the router as `variant` mounts it. */
function toRequests(
  a: HostileBodies,
  path: string,
  endpoint: Endpoint,
  variant: Variant,
): fc.Arbitrary<HostileRequest> {
  return hostileRequests(a, endpoint, {
    paths: [path],
    suffixes: ['', '/', '?phone=1&code=2'],
    qs: variant.ownParser,
    limit: variant.ownParser ? APP_PARSER_LIMIT : ROUTER_LIMIT,
    // The router's own form parser takes 20 parameters.
    ...(variant.ownParser ? {} : { maxFormParts: 21 }),
    // What a browser's form post accepts, so the redirects variants take their form path.
    ...(variant.redirects
      ? { defaultHeaders: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } }
      : {}),
  });
}

// ---------------------------------------------------------------------------------------------
// The apps

const harness = hostileHarness();
const { client } = harness;

type Express = typeof express5;
interface Variant {
  name: string;
  express: Express;
  withSession: boolean;
  ownParser: boolean;
  /** The `redirects` option: browser form posts get 303 redirects instead of JSON. */
  redirects: boolean;
}

const REDIRECTS = {
  afterSend: '/?step=code',
  afterVerify: '/account',
  onError: '/sign-in',
  afterSignOut: '/bye',
} as const;

const VARIANTS: Variant[] = [];
for (const [major, express] of [
  ['Express 5', express5],
  ['Express 4', express4],
] as const) {
  for (const withSession of [true, false]) {
    for (const ownParser of [false, true]) {
      VARIANTS.push({
        name: `${major}, ${withSession ? 'express-session' : 'no session (onVerified)'}, ${ownParser ? "the app's express.json()/urlencoded() and trust proxy" : 'no app body parser'}`,
        express,
        withSession,
        ownParser,
        redirects: false,
      });
    }
    // The no-JavaScript form flow: refusals become redirects (with the code in the session, or
    // in the query string without one).
    VARIANTS.push({
      name: `${major}, ${withSession ? 'express-session' : 'no session (onVerified)'}, redirects for HTML forms`,
      express,
      withSession,
      ownParser: false,
      redirects: true,
    });
  }
}

async function start(variant: Variant) {
  const { engine, deliveries, spent } = hostileEngine(harness.fake);
  const verified: string[] = [];
  const tingting = createTingTingAuth(engine, {
    rateLimit: { send: { limit: 10_000 }, verify: { limit: 10_000 } },
    ...(variant.redirects ? { redirects: REDIRECTS } : {}),
    ...(variant.withSession
      ? {}
      : {
          onVerified: (_req, _res, result) => {
            verified.push(result.phone);
          },
        }),
  });
  const app = variant.express();
  if (variant.withSession) {
    app.use(session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }));
  }
  if (variant.ownParser) {
    // Garbage `X-Forwarded-For` then reaches req.ip, the limiter and the engine's per-IP cap.
    app.set('trust proxy', 1);
    app.use(appParser(variant.express.json()));
    app.use(appParser(variant.express.urlencoded({ extended: true })));
  }
  app.use('/auth', tingting.router);
  app.use(tingting.errorHandler);
  app.use(appErrorHandler);
  const { port, close, rightCode, secrets } = await harness.serve(app, deliveries);

  return {
    port,
    rightCode,
    deliveries,
    spent,
    verified,
    close,
    /** Properties 1, 4 and 5 for one answer. */
    check(r: HostileRequest, answer: Answer, codes: Set<HTTPErrorCode>) {
      expect(answer.status, `${r.kind}: no 5xx`).toBeLessThan(500);
      expectNoSecret(r.kind, answer, secrets);
      if (answer.status === 303) {
        expect(variant.redirects, `${r.kind}: a redirect`).toBe(true);
        const location = String(answer.headers.location);
        if (Object.values(REDIRECTS).includes(location as never)) return;
        // Without a session the code rides in the query string; it must be a documented one.
        expect(variant.withSession, `${r.kind}: ${location}`).toBe(false);
        // A refused verify goes back to the code page (afterSend), anything else to onError.
        const url = new URL(location, 'http://app.example');
        const page = [REDIRECTS.onError, REDIRECTS.afterSend].find(
          (target) => location.split('?')[0] === target.split('?')[0],
        );
        expect(page, location).toBeDefined();
        const pageQuery = [...new URL(page!, 'http://app.example').searchParams.keys()];
        expect([...url.searchParams.keys()]).toEqual([...pageQuery, 'error']);
        expect(codes.has(url.searchParams.get('error') as HTTPErrorCode), location).toBe(true);
        return;
      }
      if (answer.status < 400) return;
      const body = JSON.parse(answer.text) as Record<string, unknown>;
      if (variant.ownParser && body.appParser === answer.status) return;
      expect(Object.keys(body)).toEqual(['error']);
      const error = body.error as Record<string, unknown>;
      expect(Object.keys(error).sort()).toEqual(['code', 'message']);
      const code = error.code as HTTPErrorCode;
      expect(codes.has(code), `${r.kind}: code ${String(code)}`).toBe(true);
      expect(answer.status).toBe(STATUS_OF[code]);
      expect(error.message).toBe(HTTP_ERROR_MESSAGES[code]);
      expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
      if (answer.status === 429) expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    },
    /**
     * A refusal: a 4xx, or (form posts with `redirects`) a redirect to the error page; a refused
     * verify goes back to the code page (`afterSend`).
     */
    isRefusal(answer: Answer, step: 'send' | 'verify' = 'send'): boolean {
      if (answer.status >= 400) return true;
      const location = answer.headers.location;
      return (
        answer.status === 303 &&
        (step === 'verify' || location !== REDIRECTS.afterSend) &&
        location !== REDIRECTS.afterVerify &&
        location !== REDIRECTS.afterSignOut
      );
    },
    /** Property 3 after the run: the attempt budget is whole and the code works exactly once. */
    expectChallengeIntact: () =>
      expectChallengeIntact({
        rightCode,
        spent,
        refused: '401 INVALID_CODE',
        guess: async (code) => {
          const answer = await client.postJSON(port, '/auth/verify', { phone: KNOWN, code });
          const body = JSON.parse(answer.text);
          return answer.status === 200 && body.phone === KNOWN_E164
            ? 'ok'
            : `${answer.status} ${body.error?.code}`;
        },
      }),
  };
}

const options = { seed: SEED, numRuns: RUNS } as const;

describe.each(VARIANTS)('hostile input: $name', (variant) => {
  // The redirect variants add one code path to variants run in full already: half the runs.
  const runs = { ...options, numRuns: variant.redirects ? RUNS / 2 : RUNS };
  it('send: no 5xx, no hang, nothing sent for a malformed body, one error shape, no secret', async () => {
    const app = await start(variant);
    try {
      const a = bodies(app.rightCode);
      await fc.assert(
        fc.asyncProperty(toRequests(a, '/auth/send', a.send, variant), async (r) => {
          const before = app.deliveries.length;
          const answer = await client.send(app.port, r);
          app.check(r, answer, SEND_CODES);
          if (answer.status < 300) {
            expect(answer.status).toBe(202);
            expect(Object.keys(JSON.parse(answer.text)).sort()).toEqual([
              'channel',
              'expiresAt',
              'phone',
              'resendAt',
            ]);
          }
          // A send never lands where a sign-in does.
          expect(answer.headers.location).not.toBe(REDIRECTS.afterVerify);
          if (r.mustRefuse) {
            expect(app.isRefusal(answer), `${r.kind} must be refused`).toBe(true);
            expect(app.deliveries.length).toBe(before);
          }
          // The pending code is never replaced (the cooldown refuses a send to its number).
          expect(app.deliveries.filter((d) => d.phone === KNOWN_E164)).toHaveLength(1);
        }),
        runs,
      );
      await app.expectChallengeIntact();
    } finally {
      await app.close();
    }
  });

  it('verify: no 5xx, no hang, no sign-in, no attempt spent, one error shape, no secret', async () => {
    const app = await start(variant);
    try {
      const a = bodies(app.rightCode);
      await fc.assert(
        fc.asyncProperty(toRequests(a, '/auth/verify', a.verify, variant), async (r) => {
          // Deltas, not totals: a shrunk counterexample then names the request that spent.
          const spent = app.spent.length;
          const verified = app.verified.length;
          const answer = await client.send(app.port, r);
          app.check(r, answer, VERIFY_CODES);
          expect(app.isRefusal(answer, 'verify'), `${r.kind} must not sign in`).toBe(true);
          expect(app.spent.slice(spent), `${r.kind} spent an attempt`).toEqual([]);
          expect(app.verified.slice(verified)).toEqual([]);
        }),
        runs,
      );
      await app.expectChallengeIntact();
    } finally {
      await app.close();
    }
  });

  it('odd methods and paths, and sign-out with any body: nothing sent, spent or signed in', async () => {
    const app = await start(variant);
    try {
      const a = bodies(app.rightCode);
      const right = Buffer.from(JSON.stringify({ phone: KNOWN, code: app.rightCode }));
      const odd = fc
        .tuple(
          fc.constantFrom(
            'GET',
            'HEAD',
            'PUT',
            'PATCH',
            'DELETE',
            'OPTIONS',
            'TRACE',
            'SEARCH',
            'PROPFIND',
            'LOCK',
          ),
          fc.constantFrom(
            '/auth/send',
            '/auth/verify',
            '/auth/sign-out',
            '/auth/verify/',
            `/auth/verify?phone=${KNOWN}&code=${app.rightCode}`,
          ),
          fc.option(a.headers, { nil: undefined }),
          fc.boolean(),
        )
        .map(
          ([method, path, headers, withBody]): HostileRequest =>
            readable({
              kind: `${method} ${path}`,
              method,
              path,
              headers: {
                ...(headers ?? {}),
                ...(withBody ? { 'content-type': 'application/json' } : {}),
              },
              body: withBody && method !== 'TRACE' ? right : undefined,
              chunked: false,
              mustRefuse: true,
            }),
        );
      const oddPath = fc
        .tuple(
          fc.constantFrom(
            '/auth/SEND',
            '/auth//send',
            '/auth/send%00',
            '/auth/%2e%2e/send',
            '/auth/send;x',
            '/auth/verify.json',
            '/auth/veri%66y',
            '/auth/',
            '/auth',
          ),
          fc.option(a.headers, { nil: undefined }),
        )
        .map(
          ([path, headers]): HostileRequest =>
            readable({
              kind: `POST ${path}`,
              method: 'POST',
              path,
              headers: { ...(headers ?? {}), 'content-type': 'application/json' },
              body: right,
              chunked: false,
              mustRefuse: true,
            }),
        );
      // Sign-out reads no body: any body, any type, still 204 (or its redirect), or 403 cross-site.
      const signOut = toRequests(
        a,
        '/auth/sign-out',
        { ...a.verify, refused: () => false },
        variant,
      ).map(
        (r): HostileRequest => readable({ ...r, kind: `sign-out, ${r.kind}`, mustRefuse: false }),
      );
      await fc.assert(
        fc.asyncProperty(fc.oneof(odd, oddPath, signOut), async (r) => {
          const before = app.deliveries.length;
          const spent = app.spent.length;
          const verified = app.verified.length;
          const answer = await client.send(app.port, r);
          expect(answer.status, r.kind).toBeLessThan(500);
          // Only the router's own paths answer with its error shape; everything else is the app's 404.
          if (answer.status !== 404) app.check(r, answer, VERIFY_CODES);
          if (answer.status < 400) {
            expect(r.method === 'POST' && r.path.startsWith('/auth/sign-out'), r.kind).toBe(true);
            expect([204, 303]).toContain(answer.status);
          }
          expect(app.deliveries.length).toBe(before);
          expect(app.spent.slice(spent)).toEqual([]);
          expect(app.verified.slice(verified)).toEqual([]);
        }),
        { ...runs, numRuns: runs.numRuns / 2 },
      );
      await app.expectChallengeIntact();
    } finally {
      await app.close();
    }
  });
});
