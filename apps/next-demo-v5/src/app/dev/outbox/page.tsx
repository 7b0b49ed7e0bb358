import { OutboxPage } from 'next-demo-shared/dev-outbox';
import type { ReactNode } from 'react';
import { demo } from '@/lib/otp';

export const dynamic = 'force-dynamic';

/** Dev only: what the embedded fake TingTing "delivered". */
export default function Page(): ReactNode {
  return <OutboxPage demo={demo} />;
}
