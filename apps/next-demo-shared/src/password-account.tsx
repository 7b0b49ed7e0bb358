/**
 * The account page of a password sign-in: the account, and its profile as the upstream tells it,
 * read server-side with the session's upstream access token (which never reaches the browser).
 * The same read answers `GET /api/upstream/profile` ({@link upstreamProfileResponse}), a route
 * handler behind the app's proxy, so a token rotation happens behind a Server Component and behind
 * the proxy alike.
 */

import { PUBLIC_ERROR_MESSAGES } from '@tingting-auth/core/public-errors';
import { SessionUnavailableError } from '@tingting-auth/core/upstream';
import type { ReactNode } from 'react';
import type { DemoUpstream, ProfileDetail } from './upstream';

/** The upstream access token of the request's session; `null` when it has none (signed out, ended). */
export type AccessTokenReader = () => Promise<string | null>;

/** Outcome of {@link readProfile}. */
export type ProfileRead =
  | { ok: true; details: ProfileDetail[] }
  | { ok: false; reason: 'signed_out' }
  | { ok: false; reason: 'unavailable'; retryAfterInSeconds: number };

/**
 * The profile of the request's session: the access token (one store read while fresh, a shared
 * refresh near expiry), then one upstream call with it.
 */
export async function readProfile(
  upstream: Pick<DemoUpstream, 'profile'>,
  accessToken: AccessTokenReader,
): Promise<ProfileRead> {
  let token: string | null;
  try {
    token = await accessToken();
  } catch (error) {
    if (error instanceof SessionUnavailableError) {
      return { ok: false, reason: 'unavailable', retryAfterInSeconds: error.retryAfterInSeconds };
    }
    throw error;
  }
  if (token === null) return { ok: false, reason: 'signed_out' };
  try {
    return { ok: true, details: await upstream.profile(token) };
  } catch {
    // The upstream refused or failed the profile call: the account page still shows the account.
    return { ok: false, reason: 'unavailable', retryAfterInSeconds: 30 };
  }
}

/** `GET /api/upstream/profile`: the profile as JSON; 401 `SESSION_EXPIRED`, 503 `SERVICE_UNAVAILABLE`. */
export async function upstreamProfileResponse(
  upstream: Pick<DemoUpstream, 'profile' | 'name'>,
  accessToken: AccessTokenReader,
): Promise<Response> {
  const headers = { 'cache-control': 'no-store' };
  const read = await readProfile(upstream, accessToken);
  if (read.ok)
    return Response.json({ upstream: upstream.name, profile: read.details }, { headers });
  const code = read.reason === 'signed_out' ? 'SESSION_EXPIRED' : 'SERVICE_UNAVAILABLE';
  return Response.json(
    { error: { code, message: PUBLIC_ERROR_MESSAGES[code] } },
    {
      status: read.reason === 'signed_out' ? 401 : 503,
      headers:
        read.reason === 'unavailable'
          ? { ...headers, 'retry-after': String(read.retryAfterInSeconds) }
          : headers,
    },
  );
}

/** The account page's body for a password session (the app has read its session and profile). */
export function PasswordAccountDetails({
  upstream,
  account,
  subject,
  profile,
  children,
}: {
  /** How pages name the upstream. */
  upstream: { title: string };
  /** How the session names the account (its email or name). */
  account: string;
  /** The upstream's id of the account. */
  subject: string;
  /** {@link readProfile}'s outcome, `signed_out` excepted (the page redirects). */
  profile: ProfileRead;
  /** The app's sign-out button. */
  children: ReactNode;
}): ReactNode {
  const details = [{ label: 'Subject', value: subject }, ...(profile.ok ? profile.details : [])];
  return (
    <>
      <h1>Your account</h1>
      <p>
        Signed in to {upstream.title} as <strong data-testid="session-account">{account}</strong>
      </p>
      <h2>Profile</h2>
      <p className="hint">
        Read from {upstream.title} with your session's access token, which never leaves the server.
      </p>
      {profile.ok ? null : (
        <div id="profile-error" role="alert">
          The profile could not be read just now. Please try again later.
        </div>
      )}
      <dl className="details" data-testid="profile">
        {details.map((d) => (
          <div key={d.label}>
            <dt>{d.label}</dt>
            <dd data-detail={d.label}>{d.value}</dd>
          </div>
        ))}
      </dl>
      {children}
    </>
  );
}
