import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { getFakeTingTing, isOutboxEnabled } from '@/lib/otp';

export const dynamic = 'force-dynamic';

/** Dev only: what the embedded fake TingTing "delivered". */
export default async function OutboxPage(): Promise<ReactNode> {
  const fake = isOutboxEnabled ? getFakeTingTing() : undefined;
  if (fake === undefined) notFound();
  const messages = [...(await fake).outbox.messages].reverse();
  return (
    <>
      <h1>Dev outbox</h1>
      <p className="hint">
        Codes the embedded fake TingTing delivered (newest first). Never shown with a real account.
      </p>
      <table>
        <thead>
          <tr>
            <th>Number</th>
            <th>Channel</th>
            <th>Code</th>
            <th>At</th>
          </tr>
        </thead>
        <tbody>
          {messages.map((d) => (
            <tr key={d.id}>
              <td>{d.number}</td>
              <td>{d.channel}</td>
              <td>{d.otp}</td>
              <td>{d.at.toISOString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
