import { createDemoUpstream, type DemoUpstream } from 'next-demo-shared/upstream';

/**
 * This app's password upstream (`UPSTREAM=timbr|notes|tingting`, an embedded fake unless
 * `UPSTREAM_URL`) and its sessions, one per server process (see `createDemoUpstream`).
 */
export const upstream: DemoUpstream = createDemoUpstream('next-demo-v5');
