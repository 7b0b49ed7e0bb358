/**
 * One-tap code entry on phones (WebOTP API, Chrome on Android), for the code step of a sign-in
 * form. Works with the engine's `webOTPOrigin` option, which ends every text with `@host #<code>`.
 * A progressive enhancement: where the API is missing nothing happens, and the field's
 * `autocomplete="one-time-code"` still lets Safari and keyboards offer the code.
 *
 * @see https://developer.mozilla.org/docs/Web/API/WebOTP_API
 * @packageDocumentation
 */

/** Options of {@link receiveOneTimeCode}. */
export interface ReceiveOneTimeCodeOptions {
  /** Stops waiting (the promise then resolves `undefined`). */
  signal?: AbortSignal;
}

/** `true` where the browser has the WebOTP API (`OTPCredential` and `navigator.credentials`). */
export function hasWebOTP(): boolean {
  return (
    typeof window !== 'undefined' &&
    'OTPCredential' in window &&
    typeof navigator !== 'undefined' &&
    typeof navigator.credentials?.get === 'function'
  );
}

/**
 * Ask the browser for the code of the SMS that ends with this origin's line:
 * `navigator.credentials.get({ otp: { transport: ['sms'] } })`. Resolves with the code, or
 * `undefined` where the API is missing, when `signal` aborts, or when the browser refuses or gives
 * up. Never throws.
 *
 * @example
 * ```ts
 * const code = await receiveOneTimeCode({ signal });
 * if (code !== undefined) submit(code);
 * ```
 */
export async function receiveOneTimeCode(
  options: ReceiveOneTimeCodeOptions = {},
): Promise<string | undefined> {
  const { signal } = options;
  const isAborted = (): boolean => signal?.aborted === true;
  if (!hasWebOTP() || isAborted()) return undefined;
  try {
    const credential = (await navigator.credentials.get({
      otp: { transport: ['sms'] },
      ...(signal === undefined ? {} : { signal }),
    } as CredentialRequestOptions)) as { code?: unknown } | null;
    if (isAborted()) return undefined;
    return typeof credential?.code === 'string' ? credential.code : undefined;
  } catch {
    // Aborted, refused, or no SMS in time: the user types the code, as without the API.
    return undefined;
  }
}

/** Options of {@link listenForOneTimeCode}. */
export interface ListenForOneTimeCodeOptions {
  /**
   * Called with the code when it arrives (a React form sets its state and submits here). Without
   * it, the code is written into the field and its form is submitted (`requestSubmit`).
   */
  onCode?: (code: string) => void;
}

/**
 * Wait for the SMS code for the field `input` (the code step's `<input
 * autocomplete="one-time-code">`): when it arrives, hand it to `onCode`, or fill the field and
 * submit its form. The wait is aborted as soon as the user types in the field, the form is
 * submitted, or the page is left; call the returned function to stop it yourself (a `useEffect`
 * cleanup). Does nothing where the API is missing.
 *
 * @example
 * ```tsx
 * useEffect(() => {
 *   if (step !== 'code' || !codeRef.current) return;
 *   return listenForOneTimeCode(codeRef.current, { onCode: (code) => submitCode(code) });
 * }, [step]);
 * ```
 */
export function listenForOneTimeCode(
  input: HTMLInputElement,
  options: ListenForOneTimeCodeOptions = {},
): () => void {
  if (!hasWebOTP()) return () => {};
  const controller = new AbortController();
  const stop = (): void => {
    controller.abort();
    input.removeEventListener('input', stop);
    input.form?.removeEventListener('submit', stop);
    window.removeEventListener('pagehide', stop);
  };
  input.addEventListener('input', stop);
  input.form?.addEventListener('submit', stop);
  window.addEventListener('pagehide', stop);
  void receiveOneTimeCode({ signal: controller.signal }).then((code) => {
    if (code === undefined || controller.signal.aborted) return;
    stop();
    if (options.onCode !== undefined) {
      options.onCode(code);
      return;
    }
    input.value = code;
    const form = input.form;
    if (form === null || !input.checkValidity()) return;
    if (typeof form.requestSubmit === 'function') form.requestSubmit();
    else form.submit();
  });
  return stop;
}
