import { outboxResponse } from 'next-demo-shared/dev-outbox';
import { demo } from '@/lib/otp';

export const dynamic = 'force-dynamic';

/** Dev only: the codes the embedded fake "delivered", as JSON (see `outboxResponse`). */
export function GET(request: Request): Promise<Response> {
  return outboxResponse(demo, request);
}
