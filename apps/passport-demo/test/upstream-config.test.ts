/**
 * The Passport demo takes the Express demo's password sign-in knobs: `UPSTREAM` defaults to
 * `timbr`, the embedded fake's account is `demo` / `demo-password-1`, and one
 * `UPSTREAM_SESSION_SECRET` seals the phone and password sessions (the old `UPSTREAM_SECRET` still
 * works, with a warning).
 */

import { describe, expect, it } from 'vitest';
import { createDemo } from '../src/app.js';

async function started(env: NodeJS.ProcessEnv) {
  const lines: string[] = [];
  const demo = await createDemo({ env, log: (line) => lines.push(line) });
  await demo.close();
  return { demo, lines };
}

describe('the Passport demo’s upstream configuration', () => {
  it('with no variables set: an embedded fake Timbr with the demo account, a notice for the secret', async () => {
    const { demo, lines } = await started({});
    expect(demo.upstream.kind).toBe('timbr');
    expect(demo.upstream.devAccount).toEqual({ identifier: 'demo', password: 'demo-password-1' });
    expect(lines.join('\n')).toContain(
      'sign in as demo / demo-password-1. Access tokens live 60 s.',
    );
    expect(lines.some((line) => line.includes('UPSTREAM_SESSION_SECRET is not set'))).toBe(true);
  });

  it('reads UPSTREAM_SESSION_SECRET without a notice', async () => {
    const { lines } = await started({ UPSTREAM_SESSION_SECRET: 's'.repeat(43) });
    expect(lines.some((line) => line.includes('UPSTREAM_SESSION_SECRET'))).toBe(false);
  });

  it('still takes the old UPSTREAM_SECRET, with a warning', async () => {
    const { lines } = await started({ UPSTREAM_SECRET: 'o'.repeat(43) });
    expect(lines).toContain(
      '[passport-demo] UPSTREAM_SECRET is deprecated: rename it to UPSTREAM_SESSION_SECRET.',
    );
    expect(lines.some((line) => line.includes('UPSTREAM_SESSION_SECRET is not set'))).toBe(false);
  });

  it('refuses an unknown UPSTREAM or a bad UPSTREAM_ACCESS_SECONDS at start-up', async () => {
    await expect(createDemo({ env: { UPSTREAM: 'github' }, log: () => {} })).rejects.toThrow(
      /UPSTREAM must be timbr, notes or tingting/,
    );
    await expect(
      createDemo({ env: { UPSTREAM_ACCESS_SECONDS: 'soon' }, log: () => {} }),
    ).rejects.toThrow(/UPSTREAM_ACCESS_SECONDS/);
  });
});
