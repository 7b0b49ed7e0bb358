/*
 * One-tap code entry on phones (WebOTP API), a progressive enhancement of the code page.
 *
 * When the browser has the API (Chrome on Android), ask it for the code of the SMS that ends with
 * this origin's line (`@host #123456`, the engine's `webOTPOrigin` option); when it answers, fill
 * the code field and submit the form. The request is aborted as soon as the user types in the
 * field, submits, or leaves the page. Where the API is missing, nothing happens: the field keeps
 * `autocomplete="one-time-code"`, which Safari and keyboards use to offer the code themselves.
 *
 * Used by the Express demo and the Passport demo (which shares the Express demo's pages).
 * @see https://developer.mozilla.org/docs/Web/API/WebOTP_API
 */
(() => {
  const input = document.querySelector('input[autocomplete="one-time-code"]');
  const form = input?.form;
  if (!form || !('OTPCredential' in window) || !navigator.credentials) return;

  const controller = new AbortController();
  const stop = () => controller.abort();
  input.addEventListener('input', stop, { once: true });
  form.addEventListener('submit', stop, { once: true });
  window.addEventListener('pagehide', stop, { once: true });

  let request;
  try {
    request = navigator.credentials.get({ otp: { transport: ['sms'] }, signal: controller.signal });
  } catch {
    return;
  }
  Promise.resolve(request).then(
    (credential) => {
      if (controller.signal.aborted || !credential || typeof credential.code !== 'string') return;
      input.value = credential.code;
      if (!input.checkValidity()) return;
      if (typeof form.requestSubmit === 'function') form.requestSubmit();
      else form.submit();
    },
    () => {
      // Aborted, refused or timed out: the user types the code, as without the API.
    },
  );
})();
