import { getFakeTingTing, isOutboxEnabled } from '@/lib/otp';

export const dynamic = 'force-dynamic';

/**
 * Dev only: the codes the embedded fake "delivered", newest first, optionally for one number
 * (`?phone=98…`). 404 with a real TingTing account, and in production unless
 * `TINGTING_DEMO_OUTBOX=1` (the browser test sets it).
 */
export async function GET(request: Request): Promise<Response> {
  const fake = isOutboxEnabled ? getFakeTingTing() : undefined;
  if (fake === undefined) return new Response('Not found', { status: 404 });
  const phone = new URL(request.url).searchParams.get('phone');
  const national = phone?.replace(/^\+977/, '');
  const messages = (await fake).outbox.messages
    .filter((d) => !national || d.number === national)
    .map(({ id, number, channel, otp, at }) => ({ id, number, channel, code: otp, at }))
    .reverse();
  return Response.json({ messages }, { headers: { 'cache-control': 'no-store' } });
}
