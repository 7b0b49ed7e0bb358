import { upstreamControlResponse, upstreamStatsResponse } from 'next-demo-shared/dev-upstream';
import { upstream } from '@/lib/upstream';

export const dynamic = 'force-dynamic';

/** Dev only: the embedded fake upstream's counters (see `upstreamStatsResponse`). */
export function GET(): Promise<Response> {
  return upstreamStatsResponse(upstream);
}

/** Dev only: move the fake's clock, reset its counters (see `upstreamControlResponse`). */
export function POST(request: Request): Promise<Response> {
  return upstreamControlResponse(upstream, request);
}
