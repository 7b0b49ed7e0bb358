/**
 * The password sign-in knobs the Express and Passport demos share (`src/dev-upstream.js`): the
 * variable names, their defaults and the demo account, pinned here because the READMEs (and the
 * Next demos' `next-demo-shared/upstream`) promise the same ones.
 */

import { describe, expect, it } from 'vitest';
import {
  accessSecondsOf,
  DEMO_ACCOUNT,
  startDevUpstream,
  upstreamNameOf,
  upstreamSessionSecretOf,
} from '../src/dev-upstream.js';

describe('the demos’ upstream configuration', () => {
  it('has one demo account: demo / demo-password-1 (TingTing: demo@example.com)', () => {
    expect(DEMO_ACCOUNT).toEqual({
      username: 'demo',
      email: 'demo@example.com',
      password: 'demo-password-1',
    });
  });

  it('UPSTREAM defaults to timbr and refuses an unknown name', () => {
    expect(upstreamNameOf(undefined)).toBe('timbr');
    expect(upstreamNameOf('')).toBe('timbr');
    expect(upstreamNameOf('notes')).toBe('notes');
    expect(upstreamNameOf('tingting')).toBe('tingting');
    expect(() => upstreamNameOf('github')).toThrow(/UPSTREAM must be timbr, notes or tingting/);
  });

  it('UPSTREAM_ACCESS_SECONDS defaults to 60 and refuses what is not a whole number >= 2', () => {
    expect(accessSecondsOf(undefined)).toBe(60);
    expect(accessSecondsOf('')).toBe(60);
    expect(accessSecondsOf('20')).toBe(20);
    for (const bad of ['soon', '1', '1.5', '-5']) {
      expect(() => accessSecondsOf(bad)).toThrow(/UPSTREAM_ACCESS_SECONDS/);
    }
  });

  it('UPSTREAM_SESSION_SECRET seals the sessions; unset, a random one with a notice', () => {
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const env = { UPSTREAM_SESSION_SECRET: 's'.repeat(32), UPSTREAM_SECRET: 'o'.repeat(32) };
    expect(upstreamSessionSecretOf({ env, log, name: 'x', legacy: ['UPSTREAM_SECRET'] })).toBe(
      's'.repeat(32),
    );
    expect(lines).toEqual([]);

    const a = upstreamSessionSecretOf({ env: {}, log, name: 'x' });
    const b = upstreamSessionSecretOf({ env: {}, log, name: 'x' });
    expect(a).not.toBe(b);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[x\] UPSTREAM_SESSION_SECRET is not set/);
  });

  it('takes an old name only where a demo lists it, with a warning', () => {
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const env = { UPSTREAM_SECRET: 'o'.repeat(32) };
    expect(upstreamSessionSecretOf({ env, log, name: 'x', legacy: ['UPSTREAM_SECRET'] })).toBe(
      'o'.repeat(32),
    );
    expect(lines).toEqual([
      '[x] UPSTREAM_SECRET is deprecated: rename it to UPSTREAM_SESSION_SECRET.',
    ]);
    expect(upstreamSessionSecretOf({ env, log: () => {}, name: 'x' })).not.toBe('o'.repeat(32));
  });

  it('with no variables set: an embedded fake Timbr, the demo account, 60 s tokens', async () => {
    const lines: string[] = [];
    const upstream = await startDevUpstream({
      env: {},
      log: (line) => lines.push(line),
      name: 'express-demo',
    });
    try {
      expect(upstream.name).toBe('timbr');
      expect(upstream.fake).toBeDefined();
      expect(upstream.demoAccount).toEqual({ identifier: 'demo', password: 'demo-password-1' });
      expect(lines.join('\n')).toContain(
        'sign in as demo / demo-password-1. Access tokens live 60 s.',
      );
    } finally {
      await upstream.close();
    }
  });
});
