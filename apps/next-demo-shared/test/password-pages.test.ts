/**
 * The password pages' server helpers: which failed sign-ins go to the password page, the CSRF
 * token read from next-auth's cookie (v4 and v5 names), and the profile read behind the account
 * page and `/api/upstream/profile` (401 without a session, 503 on an outage, never a 500).
 */

import { SessionUnavailableError } from '@tingting-auth/core/upstream';
import { describe, expect, it } from 'vitest';
import { readProfile, upstreamProfileResponse } from '../src/password-account.js';
import {
  csrfTokenOf,
  PASSWORD_ERROR_MESSAGES,
  passwordErrorPath,
} from '../src/password-sign-in.js';

describe('passwordErrorPath', () => {
  it.each([
    'INVALID_CREDENTIALS',
    'RATE_LIMITED',
    'INVALID_REQUEST',
    'SERVICE_UNAVAILABLE',
    'ACCESS_DENIED',
  ])('%s goes to the password page, with the callback URL', (code) => {
    const path = passwordErrorPath(code, '/account?tab=1');
    const url = new URL(path ?? '', 'http://x');
    expect(url.pathname).toBe('/signin/password');
    expect(url.searchParams.get('error')).toBe(code);
    expect(url.searchParams.get('callbackUrl')).toBe('/account?tab=1');
  });

  it.each(['INVALID_CODE', 'LOCKED', 'CredentialsSignin', 'Configuration', undefined, ['x']])(
    '%s stays on the phone page',
    (code) => {
      expect(passwordErrorPath(code, '/account')).toBeUndefined();
    },
  );

  it('has a message for every code, none of them the code itself', () => {
    for (const [code, message] of Object.entries(PASSWORD_ERROR_MESSAGES)) {
      expect(message.length).toBeGreaterThan(10);
      expect(message).not.toContain(code);
    }
  });
});

describe('csrfTokenOf', () => {
  it.each([
    'next-auth.csrf-token',
    '__Host-next-auth.csrf-token',
    'authjs.csrf-token',
    '__Host-authjs.csrf-token',
  ])('reads the token part of %s', (name) => {
    const cookies = [
      { name: 'next-auth.session-token', value: 'jwt' },
      { name, value: 'tok123|hash456' },
    ];
    expect(csrfTokenOf(cookies)).toBe('tok123');
  });

  it('reads a percent-encoded cookie as next-auth sets it', () => {
    expect(csrfTokenOf([{ name: 'authjs.csrf-token', value: 'tok123%7Chash456' }])).toBe('tok123');
  });

  it('is empty without the cookie (next-auth then refuses the post)', () => {
    expect(csrfTokenOf([{ name: 'other', value: 'a|b' }])).toBe('');
  });
});

describe('readProfile and upstreamProfileResponse', () => {
  const upstream = {
    name: 'notes' as const,
    profile: async (token: string) => [{ label: 'Token seen', value: String(token.length) }],
  };

  it('reads the profile with the token', async () => {
    expect(await readProfile(upstream, async () => 'abc')).toEqual({
      ok: true,
      details: [{ label: 'Token seen', value: '3' }],
    });
    const response = await upstreamProfileResponse(upstream, async () => 'abcd');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      upstream: 'notes',
      profile: [{ label: 'Token seen', value: '4' }],
    });
  });

  it('no session: 401 SESSION_EXPIRED', async () => {
    const response = await upstreamProfileResponse(upstream, async () => null);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'SESSION_EXPIRED',
    );
  });

  it('an outage while refreshing: 503 SERVICE_UNAVAILABLE with Retry-After', async () => {
    const response = await upstreamProfileResponse(upstream, async () => {
      throw new SessionUnavailableError('notes', 42);
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('42');
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'SERVICE_UNAVAILABLE',
    );
  });

  it('the upstream failing the profile call: 503, and nothing of the failure in the answer', async () => {
    const failing = {
      ...upstream,
      profile: async () => {
        throw new Error('the upstream answered 500 secret-token-value');
      },
    };
    const response = await upstreamProfileResponse(failing, async () => 'secret-token-value');
    expect(response.status).toBe(503);
    expect(await response.text()).not.toContain('secret-token-value');
  });

  it('any other error is not swallowed', async () => {
    await expect(
      readProfile(upstream, async () => {
        throw new TypeError('misconfigured');
      }),
    ).rejects.toThrow('misconfigured');
  });
});
