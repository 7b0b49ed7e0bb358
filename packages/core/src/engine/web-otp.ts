/**
 * Origin-bound one-time codes: the last line of a text, `@app.example.com #123456`, lets Chrome on
 * Android (the WebOTP API) and Safari (security-code autofill) offer the code with one tap, and
 * only on that origin, which also blunts phishing pages that relay codes.
 *
 * @see https://wicg.github.io/sms-one-time-codes/ (the format)
 * @see https://developer.mozilla.org/docs/Web/API/WebOTP_API
 */

/** Host names a development origin may use over plain `http:`. */
function isLocalhost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    /^127(?:\.\d{1,3}){3}$/.test(hostname) ||
    hostname === '[::1]'
  );
}

const FAIL =
  'OTPEngine: webOTPOrigin must be your app’s origin, https://<host> (e.g. https://app.example.com), ' +
  'or http://localhost[:port] for development';

/**
 * Validate the engine's `webOTPOrigin` option and return the host of the origin-bound line, or
 * `undefined` when the option is not set.
 *
 * Accepted: `https://<host>` on the default port (the line cannot name a port, so the code would
 * be offered on another origin), or `http://localhost`, `http://*.localhost`, `http://127.x.x.x`,
 * `http://[::1]` with any port for development. Refused with a `TypeError`: anything with a path,
 * query, fragment or credentials, any other scheme, plain `http:` elsewhere.
 */
export function resolveWebOTPOrigin(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new TypeError(`${FAIL}, got ${typeof value}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${FAIL}, got "${value}" (not a URL)`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new TypeError(`${FAIL}, got an origin with credentials`);
  }
  // `new URL` turns "https://a.example" into "https://a.example/": a bare trailing slash is fine.
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || /[?#]/.test(value)) {
    throw new TypeError(
      `${FAIL}, got "${value}": an origin has no path, query or fragment (the code is bound to the whole origin)`,
    );
  }
  if (url.protocol === 'https:') {
    if (url.port !== '') {
      throw new TypeError(
        `${FAIL}, got "${value}": the SMS line cannot name a port, so serve the sign-in page on the default port 443`,
      );
    }
    return url.hostname;
  }
  if (url.protocol === 'http:' && isLocalhost(url.hostname)) return url.hostname;
  throw new TypeError(
    `${FAIL}, got "${value}": WebOTP works only on https origins (plain http only on localhost)`,
  );
}

/** The origin-bound last line for `host`, with TingTing's `{otp}` placeholder, never the code. */
export function webOTPLine(host: string): string {
  return `@${host} #{otp}`;
}
