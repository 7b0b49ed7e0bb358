/**
 * Dev only: the embedded fake upstream's counters (logins, refreshes, reuse detected), and a way
 * to move its clock, as `/api/dev/upstream`. Answers 404 with a real upstream, and in production
 * unless `TINGTING_DEMO_OUTBOX=1` (the browser test sets it), exactly like the dev outbox.
 */

import type { DemoUpstream } from './upstream';

const NO_STORE = { 'cache-control': 'no-store' };

/** The largest step the clock takes at once (a day): the route is a test aid, not a time machine. */
const MAX_ADVANCE_IN_SECONDS = 86_400;

function enabled(upstream: DemoUpstream): boolean {
  return upstream.isDevToolsEnabled && upstream.usesEmbeddedFake;
}

/** `GET /api/dev/upstream`: which upstream, and the fake's counters. */
export async function upstreamStatsResponse(upstream: DemoUpstream): Promise<Response> {
  const fake = enabled(upstream) ? upstream.getFake() : undefined;
  if (fake === undefined) return new Response('Not found', { status: 404 });
  const server = await fake;
  return Response.json({ upstream: upstream.name, stats: server.stats }, { headers: NO_STORE });
}

/**
 * `POST /api/dev/upstream` with a JSON body: `{ "advanceSeconds": n }` moves the clock of the fake
 * and of the password sessions forward (an access token expires without waiting for it);
 * `{ "resetStats": true }` zeroes the counters. Answers the counters after the change.
 */
export async function upstreamControlResponse(
  upstream: DemoUpstream,
  request: Request,
): Promise<Response> {
  const fake = enabled(upstream) ? upstream.getFake() : undefined;
  if (fake === undefined) return new Response('Not found', { status: 404 });
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    body = undefined;
  }
  const { advanceSeconds, resetStats } = (
    typeof body === 'object' && body !== null ? body : {}
  ) as Record<string, unknown>;
  const advance = advanceSeconds ?? 0;
  if (
    typeof advance !== 'number' ||
    !Number.isSafeInteger(advance) ||
    advance < 0 ||
    advance > MAX_ADVANCE_IN_SECONDS ||
    (resetStats !== undefined && typeof resetStats !== 'boolean')
  ) {
    return Response.json(
      {
        error: {
          code: 'INVALID_REQUEST',
          message: `Send { "advanceSeconds": 0-${MAX_ADVANCE_IN_SECONDS} } and/or { "resetStats": true }.`,
        },
      },
      { status: 400, headers: NO_STORE },
    );
  }
  const server = await fake;
  if (resetStats === true) server.resetStats();
  upstream.advanceClock(advance * 1000);
  return Response.json({ upstream: upstream.name, stats: server.stats }, { headers: NO_STORE });
}
