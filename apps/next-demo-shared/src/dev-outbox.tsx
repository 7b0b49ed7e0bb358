/**
 * Dev only: what the embedded fake TingTing "delivered", as a page and as JSON. Both answer 404
 * with a real TingTing account, and in production unless `TINGTING_DEMO_OUTBOX=1` (the browser
 * test sets it).
 */

import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import type { DemoOTP } from './otp';

/** The `/dev/outbox` page of the app whose engine is `demo`. */
export async function OutboxPage({ demo }: { demo: DemoOTP }): Promise<ReactNode> {
  const fake = demo.isOutboxEnabled ? demo.getFakeTingTing() : undefined;
  if (fake === undefined) notFound();
  const server = await fake;
  const messages = [...server.outbox.messages].reverse();
  const { sms, phone } = server.credits;
  return (
    <>
      <h1>Dev outbox</h1>
      <p className="hint">
        Codes the embedded fake TingTing delivered (newest first). Never shown with a real account.
      </p>
      <p data-credits>
        Credits left: <strong data-credits-sms>{sms.toLocaleString('en-US')}</strong> SMS,{' '}
        <strong data-credits-phone>{phone.toLocaleString('en-US')}</strong> voice calls (the demo
        tops them up, so they never run out).
      </p>
      <table>
        <thead>
          <tr>
            <th>Number</th>
            <th>Channel</th>
            <th>Code</th>
            <th>Message, as it arrives</th>
            <th>At</th>
          </tr>
        </thead>
        <tbody>
          {messages.map((d) => (
            <tr key={d.id}>
              <td>{d.number}</td>
              <td>{d.channel}</td>
              <td>{d.otp}</td>
              <td data-message style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                {d.message}
              </td>
              <td>{d.at.toISOString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/**
 * The answer of `GET /api/dev/outbox` for the app whose engine is `demo`: the codes, newest
 * first, optionally for one number (`?phone=98…`), and the fake's credits left.
 */
export async function outboxResponse(demo: DemoOTP, request: Request): Promise<Response> {
  const fake = demo.isOutboxEnabled ? demo.getFakeTingTing() : undefined;
  if (fake === undefined) return new Response('Not found', { status: 404 });
  const phone = new URL(request.url).searchParams.get('phone');
  const national = phone?.replace(/^\+977/, '');
  const server = await fake;
  const messages = server.outbox.messages
    .filter((d) => !national || d.number === national)
    .map(({ id, number, channel, otp, message, at }) => ({
      id,
      number,
      channel,
      code: otp,
      message,
      at,
    }))
    .reverse();
  return Response.json(
    { messages, credits: server.credits },
    { headers: { 'cache-control': 'no-store' } },
  );
}
