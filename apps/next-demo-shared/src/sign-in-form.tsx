/**
 * The demos' sign-in form: number and channel, then the code, with "send again" cooling down.
 *
 * No `next-auth` import, on purpose: a file resolves its imports from where it lives, not from the
 * app that renders it, so `next-auth/react` imported here could not be the app's own (the v5 app
 * must never sign in with v4's client, nor the other way round). Each app renders this form from
 * its own `'use client'` module and passes the `signIn` of its own `next-auth/react`. No
 * `'use client'` here either: that module is the boundary, and a function prop cannot cross one.
 */

import {
  ERROR_MESSAGES,
  type SignInFunction,
  sendCode,
  verifyCode,
} from '@tingting-auth/next-auth/client';
import { useRouter } from 'next/navigation';
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';

type Channel = 'text' | 'voice';

function messageFor(code: string | undefined): string {
  if (!code) return '';
  return code in ERROR_MESSAGES
    ? ERROR_MESSAGES[code as keyof typeof ERROR_MESSAGES]
    : 'Sign-in failed. Try again.';
}

/** Props of {@link SignInForm}. */
export interface SignInFormProps {
  /** The `signIn` of the app's own `next-auth/react` (v4 or v5). */
  signIn: SignInFunction;
  /** The provider's error code from the URL (v4 `?error=`, v5 `?code=`) after a failed sign-in. */
  initialError?: string | undefined;
  /** Where to go once signed in: a same-origin path (see `callbackPath`). */
  callbackUrl: string;
}

/** The two-step sign-in form; render it from a `'use client'` module of the app. */
export function SignInForm({ signIn, initialError, callbackUrl }: SignInFormProps): ReactNode {
  const router = useRouter();
  const [phone, setPhone] = useState('');
  const [channel, setChannel] = useState<Channel>('text');
  const [code, setCode] = useState('');
  const [sentTo, setSentTo] = useState<string | undefined>();
  const [resendAt, setResendAt] = useState<number>(0);
  const [now, setNow] = useState(() => Date.now());
  const [error, setError] = useState(messageFor(initialError));
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (resendAt <= now) return;
    const timer = setTimeout(() => setNow(Date.now()), 1000);
    return () => clearTimeout(timer);
  }, [resendAt, now]);

  async function send(resend: boolean): Promise<void> {
    setBusy(true);
    setError('');
    const result = await sendCode({ phone, channel, resend });
    setBusy(false);
    if (!result.ok) {
      setError(result.retryAfter ? `${result.message} (${result.retryAfter} s)` : result.message);
      return;
    }
    setSentTo(result.phone);
    setResendAt(result.resendAt.getTime());
    setNow(Date.now());
    // TingTing's answer was lost: the code may or may not come, so say so (it works if it does).
    setStatus(
      result.delivery === 'unknown'
        ? (result.message ?? '')
        : `We sent a code to ${result.phone} by ${result.channel === 'voice' ? 'voice call' : 'SMS'}.`,
    );
  }

  async function onSend(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    await send(false);
  }

  async function onVerify(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (!sentTo) return;
    setBusy(true);
    setError('');
    const result = await verifyCode(signIn, { phone: sentTo, code }, { callbackUrl });
    if (result.ok) {
      router.push(callbackUrl);
      router.refresh();
      return;
    }
    setBusy(false);
    setCode('');
    setError(result.message);
  }

  const secondsLeft = Math.max(0, Math.ceil((resendAt - now) / 1000));

  return (
    <>
      {sentTo === undefined ? (
        <form onSubmit={onSend} noValidate>
          <label htmlFor="phone">Mobile number</label>
          <input
            id="phone"
            name="phone"
            type="tel"
            autoComplete="tel"
            inputMode="tel"
            placeholder="98XXXXXXXX"
            required
            value={phone}
            onChange={(e) => setPhone(e.target.value)}
          />
          <fieldset>
            <legend className="hint">Send the code by</legend>
            <input
              id="channel-text"
              type="radio"
              name="channel"
              value="text"
              checked={channel === 'text'}
              onChange={() => setChannel('text')}
            />
            <label htmlFor="channel-text">SMS</label>
            <input
              id="channel-voice"
              type="radio"
              name="channel"
              value="voice"
              checked={channel === 'voice'}
              onChange={() => setChannel('voice')}
            />
            <label htmlFor="channel-voice">Voice call</label>
          </fieldset>
          <button type="submit" disabled={busy}>
            Send code
          </button>
        </form>
      ) : (
        <form onSubmit={onVerify} noValidate>
          <p className="hint" aria-live="polite">
            {status}
          </p>
          <label htmlFor="code">Code</label>
          <input
            id="code"
            name="code"
            type="text"
            autoComplete="one-time-code"
            inputMode="numeric"
            pattern="[0-9]*"
            maxLength={10}
            required
            value={code}
            onChange={(e) => setCode(e.target.value.trim())}
          />
          <button type="submit" disabled={busy || code.length === 0}>
            Sign in
          </button>{' '}
          <button
            type="button"
            className="secondary"
            disabled={busy || secondsLeft > 0}
            onClick={() => send(true)}
          >
            {secondsLeft > 0 ? `Send again in ${secondsLeft} s` : 'Send again'}
          </button>{' '}
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setSentTo(undefined);
              setCode('');
              setError('');
            }}
          >
            Use another number
          </button>
        </form>
      )}
      <div id="form-error" role="alert">
        {error}
      </div>
    </>
  );
}
