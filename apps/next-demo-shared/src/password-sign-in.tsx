/**
 * The demos' "Sign in with a password" page body: username (or email) and password, checked by
 * the upstream through the app's `UpstreamCredentials` provider.
 *
 * A plain HTML form posting to next-auth's credentials callback with the CSRF token (double
 * submit: the token is read from next-auth's own cookie, which the app's proxy makes sure of), so
 * it works with JavaScript off, and the same with it on. next-auth answers with a redirect: to the
 * callback URL, or back to the sign-in page with a generic code (see {@link passwordErrorPath}).
 * No next-auth import and no `'use client'`: a Server Component.
 */

import { PUBLIC_ERROR_MESSAGES, type PublicErrorCode } from '@tingting-auth/core/public-errors';
import Link from 'next/link';
import type { ReactNode } from 'react';

/** The codes a password sign-in fails with (the provider's contract), in the order they are checked. */
export const PASSWORD_ERROR_CODES = [
  'INVALID_CREDENTIALS',
  'RATE_LIMITED',
  'INVALID_REQUEST',
  'SERVICE_UNAVAILABLE',
  'ACCESS_DENIED',
  'SESSION_EXPIRED',
] as const satisfies readonly PublicErrorCode[];

/** A code {@link PasswordSignIn} shows. */
export type PasswordErrorCode = (typeof PASSWORD_ERROR_CODES)[number];

/** The message a person reads for each code: core's public table, with account wording. */
export const PASSWORD_ERROR_MESSAGES: Readonly<Record<PasswordErrorCode, string>> = {
  INVALID_CREDENTIALS: PUBLIC_ERROR_MESSAGES.INVALID_CREDENTIALS,
  RATE_LIMITED: 'Too many sign-in attempts. Please wait a while and try again.',
  INVALID_REQUEST: 'Enter your username (or email) and your password.',
  SERVICE_UNAVAILABLE: PUBLIC_ERROR_MESSAGES.SERVICE_UNAVAILABLE,
  ACCESS_DENIED: 'This account cannot sign in here.',
  SESSION_EXPIRED: PUBLIC_ERROR_MESSAGES.SESSION_EXPIRED,
};

/** `value` when it is one of {@link PASSWORD_ERROR_CODES}. */
export function passwordErrorCode(value: unknown): PasswordErrorCode | undefined {
  return PASSWORD_ERROR_CODES.find((code) => code === value);
}

/**
 * Where `/signin` sends a failed password sign-in: next-auth redirects every failure to the one
 * sign-in page (v4 `pages.error?error=CODE`, v5 `pages.signIn?error=CredentialsSignin&code=CODE`),
 * and only the password form posts without JavaScript (the phone form signs in with
 * `redirect: false` and shows its errors in place). `undefined` for a phone code.
 */
export function passwordErrorPath(
  code: unknown,
  callbackUrl: string,
  path = '/signin/password',
): string | undefined {
  const known = passwordErrorCode(code);
  if (known === undefined) return undefined;
  return `${path}?${new URLSearchParams({ error: known, callbackUrl })}`;
}

/** The CSRF token in next-auth's double-submit cookie (`<token>|<hash>`, v4 and v5 alike). */
export function csrfTokenOf(cookies: readonly { name: string; value: string }[]): string {
  const cookie = cookies.find((c) => /(^|[.-])csrf-token$/.test(c.name));
  // Raw when the proxy just added it to the request, decoded when the browser sent it.
  return cookie?.value.split(/\||%7C/i)[0] ?? '';
}

/** Props of {@link PasswordSignIn}. */
export interface PasswordSignInProps {
  /** next-auth's credentials callback of the provider: `/api/auth/callback/upstream`. */
  action: string;
  /** From next-auth's CSRF cookie ({@link csrfTokenOf}). */
  csrfToken: string;
  /** Where to go once signed in (a same-origin path, see `callbackPath`). */
  callbackUrl: string;
  /** How pages name the upstream, and what the form asks for. */
  upstream: { title: string; identifierField: 'username' | 'email' };
  /** The embedded fake's account, shown as a hint (never with a real upstream). */
  demoAccount?: { identifier: string; password: string } | undefined;
  /** The failed sign-in's code from the URL. */
  error?: string | undefined;
  /** The phone sign-in page. @default '/signin' */
  phoneHref?: string;
}

/** The password sign-in page's body. */
export function PasswordSignIn({
  action,
  csrfToken,
  callbackUrl,
  upstream,
  demoAccount,
  error,
  phoneHref = '/signin',
}: PasswordSignInProps): ReactNode {
  const isEmail = upstream.identifierField === 'email';
  const code = passwordErrorCode(error);
  const message =
    code !== undefined ? PASSWORD_ERROR_MESSAGES[code] : error ? 'Sign-in failed. Try again.' : '';
  return (
    <>
      <h1>Sign in with a password</h1>
      <p className="hint">Your {upstream.title} account.</p>
      <form method="post" action={action} noValidate>
        <input type="hidden" name="csrfToken" value={csrfToken} />
        <input type="hidden" name="callbackUrl" value={callbackUrl} />
        <label htmlFor="identifier">{isEmail ? 'Email' : 'Username or email'}</label>
        <input
          id="identifier"
          name={isEmail ? 'email' : 'username'}
          type={isEmail ? 'email' : 'text'}
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
        />
        <label htmlFor="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
        />
        {demoAccount ? (
          <p className="hint" data-demo-account>
            Demo account: <code>{demoAccount.identifier}</code> /{' '}
            <code>{demoAccount.password}</code>
          </p>
        ) : null}
        <button type="submit">Sign in</button>
      </form>
      <div id="form-error" role="alert" data-error-code={code}>
        {message}
      </div>
      <p className="hint">
        <Link href={phoneHref}>Sign in with your mobile number</Link>
      </p>
    </>
  );
}
