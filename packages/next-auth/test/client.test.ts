import { DELIVERY_UNKNOWN_MESSAGE, ErrorCode, TingTingAuthError } from '@tingting-auth/core';
import { describe, expect, it, vi } from 'vitest';
import { type SignInFunction, sendCode, verifyCode } from '../src/client.js';
import { createSendHandler } from '../src/index.js';
import { makeEngine, PHONE, PHONE_E164 } from './helpers.js';

/** A `fetch` that hands the request to the real send handler, as the browser's would via Next. */
function fetchTo(handler: (request: Request) => Promise<Response>): typeof fetch {
  return async (input, init) =>
    handler(
      new Request(new URL(String(input), 'http://localhost:3000'), {
        ...init,
        headers: { ...(init?.headers as Record<string, string>), 'sec-fetch-site': 'same-origin' },
      }),
    );
}

describe('sendCode', () => {
  it('posts JSON to the send route and returns dates', async () => {
    const { engine, deliveries } = makeEngine();
    const fetch = fetchTo(createSendHandler(engine));
    const result = await sendCode({ phone: PHONE, channel: 'voice' }, { fetch });
    expect(result).toMatchObject({ ok: true, phone: PHONE_E164, channel: 'voice' });
    if (!result.ok) throw new Error('unreachable');
    expect(result.resendAt).toBeInstanceOf(Date);
    expect(result.expiresAt.getTime()).toBeGreaterThan(result.resendAt.getTime());
    expect(deliveries[0]?.channel).toBe('voice');
  });

  it('passes on an unknown delivery (TingTing’s answer lost) with its message, as a success', async () => {
    const { engine } = makeEngine({
      sender: async () => {
        throw new TingTingAuthError(ErrorCode.UNKNOWN_OUTCOME, 'answer lost');
      },
    });
    const fetch = fetchTo(createSendHandler(engine, { onError: () => {} }));
    expect(await sendCode({ phone: PHONE }, { fetch })).toMatchObject({
      ok: true,
      phone: PHONE_E164,
      delivery: 'unknown',
      message: DELIVERY_UNKNOWN_MESSAGE,
    });
  });

  it('returns the code, message and Retry-After of a refusal', async () => {
    const { engine } = makeEngine();
    const fetch = fetchTo(createSendHandler(engine));
    await sendCode({ phone: PHONE }, { fetch });
    const limited = await sendCode({ phone: PHONE }, { fetch });
    expect(limited).toMatchObject({ ok: false, code: 'RATE_LIMITED', status: 429 });
    if (limited.ok) throw new Error('unreachable');
    expect(limited.retryAfter).toBeGreaterThan(0);
    expect(await sendCode({ phone: 'nope' }, { fetch })).toMatchObject({
      ok: false,
      code: 'INVALID_PHONE',
      status: 400,
    });
  });

  it('uses the endpoint option', async () => {
    const fetch = vi.fn(async () => Response.json({}, { status: 404 }));
    const result = await sendCode({ phone: PHONE }, { fetch, endpoint: '/otp' });
    expect(fetch).toHaveBeenCalledWith('/otp', expect.objectContaining({ method: 'POST' }));
    expect(result).toMatchObject({ ok: false, code: 'UNEXPECTED_RESPONSE', status: 404 });
  });

  it('turns a network failure into NETWORK_ERROR instead of throwing', async () => {
    const fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    expect(await sendCode({ phone: PHONE }, { fetch })).toMatchObject({
      ok: false,
      code: 'NETWORK_ERROR',
      status: 0,
    });
  });
});

describe('verifyCode', () => {
  it('calls signIn(providerId, { phone, code, redirect: false })', async () => {
    const signIn = vi.fn<SignInFunction>(async () => ({
      ok: true,
      status: 200,
      error: null,
      url: 'http://localhost:3000/account',
    }));
    const result = await verifyCode(
      signIn,
      { phone: PHONE, code: '123456' },
      { providerId: 'phone', callbackUrl: '/account' },
    );
    expect(signIn).toHaveBeenCalledWith('phone', {
      phone: PHONE,
      code: '123456',
      redirect: false,
      callbackUrl: '/account',
    });
    expect(result).toEqual({ ok: true, url: 'http://localhost:3000/account' });
  });

  it.each([
    ['v4 (error holds the code)', { ok: false, status: 401, error: 'INVALID_CODE', url: null }],
    [
      'v5 (error is CredentialsSignin, code holds ours)',
      { ok: false, status: 200, error: 'CredentialsSignin', code: 'INVALID_CODE', url: null },
    ],
  ])('reads the generic code from %s', async (_, response) => {
    const result = await verifyCode(async () => response, { phone: PHONE, code: '000000' });
    expect(result).toEqual({
      ok: false,
      code: 'INVALID_CODE',
      message: expect.stringMatching(/code/i),
    });
  });

  it('maps unknown errors to SIGN_IN_FAILED and rejections to NETWORK_ERROR', async () => {
    expect(
      await verifyCode(async () => ({ ok: false, error: 'Configuration' }), {
        phone: PHONE,
        code: '1',
      }),
    ).toMatchObject({ ok: false, code: 'SIGN_IN_FAILED' });
    expect(
      await verifyCode(
        async () => {
          throw new Error('offline');
        },
        { phone: PHONE, code: '1' },
      ),
    ).toMatchObject({ ok: false, code: 'NETWORK_ERROR' });
  });
});

describe('types', () => {
  it('accepts signIn from next-auth/react of both majors', () => {
    // Compile-time checks (the typecheck runs over tests): both signIn functions fit.
    type V4 = typeof import('next-auth/react')['signIn'];
    type V5 = typeof import('next-auth-v5/react')['signIn'];
    const fromV4 = (f: V4): SignInFunction => f;
    const fromV5 = (f: V5): SignInFunction => f;
    expect([typeof fromV4, typeof fromV5]).toEqual(['function', 'function']);
  });
});
