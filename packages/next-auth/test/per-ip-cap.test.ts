/**
 * The engine's per-IP send cap in Next.js, which has no socket address to give: on by default
 * where the platform sets a client IP that clients cannot forge (Vercel's `x-real-ip`), and a loud
 * warning (`TINGTING_NO_CLIENT_IP`, once per process) where the app has not said how to find it.
 */

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSendHandler, type SendHandlerOptions } from '../src/index.js';
import { makeEngine } from './helpers.js';

const WARNED = Symbol.for('@tingting-auth/next-auth.no-client-ip');

// 20 sends per IP is the engine's default cap; each send goes to another number, so only the
// per-IP cap can refuse the 21st.
const numbers = Array.from({ length: 24 }, (_, i) => `98410000${String(i).padStart(2, '0')}`);

async function sendFromOneIP(options: SendHandlerOptions, headers: Record<string, string>) {
  const { engine } = makeEngine();
  const handler = createSendHandler(engine, { onError: () => {}, ...options });
  const statuses: number[] = [];
  for (const phone of numbers) {
    const response = await handler(
      new Request('https://app.example.com/api/auth/otp/send', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ phone }),
      }),
    );
    statuses.push(response.status);
  }
  return statuses;
}

let warnings: { mock: { calls: unknown[][] } };

beforeEach(() => {
  delete (globalThis as { [WARNED]?: true })[WARNED];
  warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

function noClientIPWarnings() {
  return warnings.mock.calls.filter(
    ([, options]: unknown[]) =>
      (options as { code?: string } | undefined)?.code === 'TINGTING_NO_CLIENT_IP',
  );
}

describe('per-IP send cap in Next.js', () => {
  it('on Vercel, by default: the 21st send from one x-real-ip is refused, another IP is not', async () => {
    vi.stubEnv('VERCEL', '1');
    const statuses = await sendFromOneIP({}, { 'x-real-ip': '203.0.113.7' });
    expect(statuses.slice(0, 20).every((status) => status === 202)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429, 429, 429]);
    expect(noClientIPWarnings()).toHaveLength(0);
  });

  it('behind a proxy the app trusts (trustProxy: true), from its header', async () => {
    const statuses = await sendFromOneIP(
      { trustProxy: true, ipHeader: 'x-client-ip' },
      { 'x-client-ip': '203.0.113.8' },
    );
    expect(statuses.filter((status) => status === 429)).toHaveLength(4);
  });

  it('elsewhere, unset: no IP to count (a forgeable header is not read), and one warning', async () => {
    const statuses = await sendFromOneIP({}, { 'x-forwarded-for': '203.0.113.9' });
    expect(statuses.every((status) => status === 202)).toBe(true);
    createSendHandler(makeEngine().engine);
    const calls = noClientIPWarnings();
    expect(calls).toHaveLength(1);
    expect(String(calls[0]?.[0])).toMatch(
      /per-IP send cap is off.*trustProxy: true.*trustProxy: false/,
    );
  });

  it('says nothing when the app chose (trustProxy: false), or while `next build` runs', async () => {
    createSendHandler(makeEngine().engine, { trustProxy: false });
    vi.stubEnv('NEXT_PHASE', 'phase-production-build');
    createSendHandler(makeEngine().engine);
    expect(noClientIPWarnings()).toHaveLength(0);
  });

  it('the provider reads the same IP for the engine, and never warns (verify has no per-IP cap)', async () => {
    vi.stubEnv('VERCEL', '1');
    const { TingTing } = await import('../src/index.js');
    const { engine } = makeEngine();
    const verify = vi.spyOn(engine, 'verify');
    await TingTing({ engine })
      .authorize(
        { phone: numbers[0], code: '123456' },
        { headers: { 'x-real-ip': '203.0.113.10' } },
      )
      .catch(() => {});
    expect(verify).toHaveBeenCalledWith(expect.objectContaining({ ip: '203.0.113.10' }));
    vi.unstubAllEnvs();
    TingTing({ engine });
    expect(noClientIPWarnings()).toHaveLength(0);
  });
});
