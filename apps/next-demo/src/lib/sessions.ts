import type { UpstreamSessions } from '@tingting-auth/core/upstream';
import { createDemoSessions } from 'next-demo-shared/sessions';

/** This app's revocable sessions, one per server process (see `createDemoSessions`). */
export const sessions: UpstreamSessions = createDemoSessions('next-demo');
