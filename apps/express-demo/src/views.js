/**
 * The demo's pages: pure functions from data to HTML strings, every value HTML-escaped, plus the
 * stylesheet and the small progressive-enhancement script. Plain ESM JavaScript (JSDoc types), so
 * other demos import it without a TypeScript loader: `import * as views from 'express-demo/views'`.
 *
 * The pages work without JavaScript (plain form posts answered with redirects); with JavaScript,
 * forms post with `fetch`, errors appear without a reload, and the resend button counts down.
 */

import { fileURLToPath } from 'node:url';

/**
 * @typedef {{ code: string; message: string; retryAfter?: number }} FormError
 * @typedef {{ send: string; verify: string; signOut: string }} Actions
 * @typedef {{ phone: string; channel: 'text' | 'voice'; expiresAt: string; resendAt: string }} Pending
 * @typedef {{ phone: string; verifiedAt: string }} Verified
 * @typedef {{ label: string; value: string; datetime?: string }} Detail A labelled value on the account page; `datetime` (ISO) renders the value as a `<time>`.
 * @typedef {{ number: string; channel: string; otp: string; message: string; at: Date }} OutboxDelivery
 * @typedef {{ signIn: string; signOut: string }} PasswordActions
 * @typedef {{ title: string; identifierField: 'username' | 'email' }} UpstreamInfo How the password pages name the upstream, and what the form asks for.
 * @typedef {{ subject: string; provider: string; identifier: string }} UpstreamAccount
 * @typedef {{ id: string; device?: string; ip?: string; createdAt: string; lastSeenAt: string; current: boolean }} SessionView One active session (the libraries' `SessionView`): a public id, never a session id.
 * @typedef {{ endSession: (id: string) => string; signOutEverywhere: string }} SessionActions Where the session list's forms post.
 */

/** Default form actions: where `@tingting-auth/express`'s router is mounted in this demo. */
export const DEFAULT_ACTIONS = Object.freeze({
  send: '/auth/send',
  verify: '/auth/verify',
  signOut: '/auth/sign-out',
});

/** Default form actions of the password pages: where `createUpstreamAuth`'s router is mounted. */
export const DEFAULT_PASSWORD_ACTIONS = Object.freeze({
  signIn: '/auth/password/sign-in',
  signOut: '/auth/password/sign-out',
});

/**
 * Where the stylesheet and the scripts are served: `js` on every page, `webOTP` (the one-tap code
 * entry of `public/web-otp.js`) on the code page.
 */
export const ASSETS = Object.freeze({
  css: '/assets/style.css',
  js: '/assets/enhance.js',
  webOTP: '/assets/web-otp.js',
});

/** The file behind {@link ASSETS}`.webOTP`, for `res.sendFile` (absolute path). */
export const WEB_OTP_SCRIPT_FILE = fileURLToPath(new URL('../public/web-otp.js', import.meta.url));

const ESCAPES = /** @type {Record<string, string>} */ ({
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
});

/**
 * Escape a value for HTML text and double- or single-quoted attributes.
 * @param {unknown} value
 * @returns {string}
 */
export function escapeHTML(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/**
 * `+9779812345678` -> `+977 981-2345678`, for reading.
 * @param {string} phone
 * @returns {string}
 */
export function formatPhone(phone) {
  const match = /^\+977(\d{3})(\d{7})$/.exec(phone);
  return match ? `+977 ${match[1]}-${match[2]}` : phone;
}

/**
 * @param {number} seconds
 * @returns {string}
 */
function inWords(seconds) {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/**
 * The user-facing text of a form error, with the wait when there is one.
 * @param {FormError | undefined} error
 * @param {{ password?: boolean }} [options] `password`: a sign-in attempt, not a code request.
 * @returns {string}
 */
export function errorText(error, { password = false } = {}) {
  if (!error) return '';
  if (error.code === 'RATE_LIMITED' && error.retryAfter && !password) {
    return `Please wait ${inWords(error.retryAfter)} before asking for a new code.`;
  }
  if (error.retryAfter)
    return `${error.message} You can try again in ${inWords(error.retryAfter)}.`;
  return error.message;
}

/**
 * @param {FormError | undefined} error
 * @param {{ password?: boolean }} [options]
 * @returns {string}
 */
function alertRegion(error, options) {
  const text = errorText(error, options);
  return `<div class="alert" role="alert" data-error${text ? '' : ' hidden'}>${escapeHTML(text)}</div>`;
}

/**
 * A whole HTML document. `scripts`: more deferred scripts for this page (after `assets.js`).
 * @param {{ title: string; main: string; outboxHref?: string; assets?: { css: string; js: string }; scripts?: readonly string[] }} options
 * @returns {string}
 */
export function layout({ title, main, outboxHref, assets = ASSETS, scripts = [] }) {
  const banner = outboxHref
    ? `<aside class="dev-banner" aria-label="Development mode">Development mode: no SMS is really sent. Codes appear in the terminal and in the <a href="${escapeHTML(outboxHref)}">dev outbox</a>.</aside>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHTML(title)}</title>
<link rel="stylesheet" href="${escapeHTML(assets.css)}">
<script src="${escapeHTML(assets.js)}" defer></script>
${scripts.map((src) => `<script src="${escapeHTML(src)}" defer></script>\n`).join('')}</head>
<body>
${banner}
<main class="card">
<p class="brand" aria-hidden="true"><span class="logo">☎</span> TingTing sign-in</p>
${main}
</main>
</body>
</html>
`;
}

/**
 * Step 1: the number and how to receive the code.
 * @param {{ actions?: Actions; error?: FormError; phone?: string; channel?: 'text' | 'voice'; outboxHref?: string; passwordHref?: string }} [options]
 *   `passwordHref`: link to the password sign-in page, shown under the form.
 * @returns {string}
 */
export function signInPage({
  actions = DEFAULT_ACTIONS,
  error,
  phone = '',
  channel = 'text',
  outboxHref,
  passwordHref,
} = {}) {
  const main = `<h1>Sign in with your mobile number</h1>
<p class="lead">We will send you a one-time code.</p>
${alertRegion(error)}
<form method="post" action="${escapeHTML(actions.send)}" data-enhance data-next="/" novalidate>
  <label for="phone">Mobile number</label>
  <input id="phone" name="phone" type="tel" autocomplete="tel" inputmode="tel" required
    placeholder="98XXXXXXXX" aria-describedby="phone-hint" value="${escapeHTML(phone)}">
  <p class="hint" id="phone-hint">A Nepali mobile number, like 9812345678.</p>
  <fieldset class="channels">
    <legend>Send the code by</legend>
    <label class="choice"><input type="radio" name="channel" value="text"${channel === 'voice' ? '' : ' checked'}> SMS</label>
    <label class="choice"><input type="radio" name="channel" value="voice"${channel === 'voice' ? ' checked' : ''}> Voice call</label>
  </fieldset>
  <button type="submit" class="primary">Send code</button>
</form>${
    passwordHref
      ? `\n<p class="secondary-actions"><a href="${escapeHTML(passwordHref)}">Sign in with a password</a></p>`
      : ''
  }`;
  return layout({ title: 'Sign in', main, ...(outboxHref ? { outboxHref } : {}) });
}

/**
 * Step 2: enter the code, ask for a new one (after the cooldown), or change the number. With
 * JavaScript, `web-otp.js` offers the code of the SMS with one tap where the browser can (WebOTP).
 * @param {{ actions?: Actions; pending: Pending; error?: FormError; codeLength?: number; now?: number; changeNumberHref?: string; outboxHref?: string }} options
 * @returns {string}
 */
export function codePage({
  actions = DEFAULT_ACTIONS,
  pending,
  error,
  codeLength = 6,
  now = Date.now(),
  changeNumberHref = '/?step=phone',
  outboxHref,
}) {
  const wait = Math.max(0, Math.ceil((Date.parse(pending.resendAt) - now) / 1000));
  const how = pending.channel === 'voice' ? 'We are calling' : 'We sent a code by SMS to';
  const main = `<h1>Enter your code</h1>
<p class="lead">${how} <strong class="phone">${escapeHTML(formatPhone(pending.phone))}</strong>.</p>
${alertRegion(error)}
<form method="post" action="${escapeHTML(actions.verify)}" data-enhance data-next="/account" novalidate>
  <input type="hidden" name="phone" value="${escapeHTML(pending.phone)}">
  <label for="code">${codeLength}-digit code</label>
  <input id="code" name="code" class="code" type="text" autocomplete="one-time-code" inputmode="numeric"
    pattern="[0-9]{${codeLength}}" maxlength="${codeLength}" required autofocus aria-describedby="code-hint">
  <p class="hint" id="code-hint">The code works for a few minutes, once.</p>
  <button type="submit" class="primary">Verify and sign in</button>
</form>
<form method="post" action="${escapeHTML(actions.send)}" class="secondary-actions" data-enhance data-resend data-next="/" novalidate>
  <input type="hidden" name="phone" value="${escapeHTML(pending.phone)}">
  <input type="hidden" name="channel" value="${escapeHTML(pending.channel)}">
  <button type="submit" class="link" data-resend-at="${escapeHTML(pending.resendAt)}">Send a new code</button>
  <p class="hint" data-resend-hint>${wait > 0 ? `You can ask for a new code in ${inWords(wait)}.` : 'Did not get it? Ask for a new code.'}</p>
</form>
<p class="secondary-actions"><a href="${escapeHTML(changeNumberHref)}">Use a different number</a></p>`;
  return layout({
    title: 'Enter your code',
    main,
    scripts: [ASSETS.webOTP],
    ...(outboxHref ? { outboxHref } : {}),
  });
}

/**
 * @param {readonly Detail[]} details
 * @returns {string}
 */
function detailList(details) {
  if (details.length === 0) return '';
  const rows = details
    .map((d) => {
      const value = d.datetime
        ? `<time datetime="${escapeHTML(d.datetime)}">${escapeHTML(d.value)}</time>`
        : escapeHTML(d.value);
      return `  <div><dt>${escapeHTML(d.label)}</dt><dd data-detail="${escapeHTML(d.label)}">${value}</dd></div>`;
    })
    .join('\n');
  return `<dl class="details">\n${rows}\n</dl>\n`;
}

/**
 * The signed-in page.
 * @param {{ actions?: Actions; verified: Verified; details?: readonly Detail[]; sessionsHref?: string }} options
 *   `sessionsHref`: the page that lists where the user is signed in (shown as a link when set).
 *   `details`: more about the signed-in user (the Passport demo shows its user record).
 * @returns {string}
 */
export function accountPage({ actions = DEFAULT_ACTIONS, verified, details = [], sessionsHref }) {
  const at = new Date(verified.verifiedAt);
  const main = `<h1>You are signed in</h1>
<div class="verified" aria-label="Verified number">
  <span class="check" aria-hidden="true">✓</span>
  <div><p class="label">Verified number</p><p class="phone" data-verified-phone>${escapeHTML(formatPhone(verified.phone))}</p></div>
</div>
<p class="hint">Verified at <time datetime="${escapeHTML(at.toISOString())}">${escapeHTML(at.toUTCString())}</time>.</p>
${detailList(details)}<form method="post" action="${escapeHTML(actions.signOut)}" data-enhance data-next="/">
  <button type="submit" class="primary">Sign out</button>
</form>${sessionsLink(sessionsHref)}`;
  return layout({ title: 'Signed in', main });
}

/**
 * Password sign-in: username (or email) and password, checked by the upstream. Works without
 * JavaScript (a form post answered with a redirect); with it, errors appear without a reload.
 * @param {{ actions?: PasswordActions; upstream: UpstreamInfo; error?: FormError; identifier?: string; phoneHref?: string; demoAccount?: { identifier: string; password: string }; next?: string }} options
 *   `phoneHref`: link back to the phone sign-in. `demoAccount`: the embedded fake's account, shown as a hint.
 *   `next`: where the page goes after a sign-in with JavaScript. @default '/profile'
 * @returns {string}
 */
export function passwordSignInPage({
  actions = DEFAULT_PASSWORD_ACTIONS,
  upstream,
  error,
  identifier = '',
  phoneHref = '/',
  demoAccount,
  next = '/profile',
}) {
  const isEmail = upstream.identifierField === 'email';
  const hint = demoAccount
    ? `<p class="hint" data-demo-account>Demo account: <code>${escapeHTML(demoAccount.identifier)}</code> / <code>${escapeHTML(demoAccount.password)}</code></p>\n`
    : '';
  const main = `<h1>Sign in with a password</h1>
<p class="lead">Your ${escapeHTML(upstream.title)} account.</p>
${alertRegion(error, { password: true })}
<form method="post" action="${escapeHTML(actions.signIn)}" data-enhance data-password data-next="${escapeHTML(next)}" novalidate>
  <label for="identifier">${isEmail ? 'Email' : 'Username or email'}</label>
  <input id="identifier" name="${isEmail ? 'email' : 'username'}" type="${isEmail ? 'email' : 'text'}" autocomplete="username"
    autocapitalize="none" spellcheck="false" required value="${escapeHTML(identifier)}">
  <label for="password" class="spaced">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  ${hint}<button type="submit" class="primary">Sign in</button>
</form>
<p class="secondary-actions"><a href="${escapeHTML(phoneHref)}">Sign in with your mobile number</a></p>`;
  return layout({ title: 'Sign in with a password', main });
}

/**
 * The signed-in page of a password sign-in: the account, and its profile as the upstream tells it
 * (read with the session's upstream token, server-side).
 * @param {{ actions?: PasswordActions; upstream: UpstreamInfo; account: UpstreamAccount; details?: readonly Detail[]; error?: string; sessionsHref?: string }} options
 *   `error`: the profile could not be read (the page still shows the account).
 * @returns {string}
 */
export function profilePage({
  actions = DEFAULT_PASSWORD_ACTIONS,
  upstream,
  account,
  details = [],
  error,
  sessionsHref,
}) {
  const main = `<h1>You are signed in</h1>
<div class="verified" aria-label="Signed-in account">
  <span class="check" aria-hidden="true">✓</span>
  <div><p class="label">${escapeHTML(upstream.title)} account</p><p class="account" data-account>${escapeHTML(account.identifier)}</p></div>
</div>
<h2>Profile</h2>
<p class="hint">Read from ${escapeHTML(upstream.title)} with your session's access token, which never leaves the server.</p>
${error ? `<div class="alert" role="alert">${escapeHTML(error)}</div>\n` : ''}${detailList([
  { label: 'Subject', value: account.subject },
  ...details,
])}<form method="post" action="${escapeHTML(actions.signOut)}" data-enhance data-next="/password">
  <button type="submit" class="primary">Sign out</button>
</form>${sessionsLink(sessionsHref)}`;
  return layout({ title: 'Your profile', main });
}

/**
 * @param {string | undefined} href
 * @returns {string}
 */
function sessionsLink(href) {
  return href
    ? `\n<p class="secondary-actions"><a href="${escapeHTML(href)}">Where you are signed in</a></p>`
    : '';
}

/** @param {string} iso */
function when(iso) {
  return `<time datetime="${escapeHTML(iso)}">${escapeHTML(new Date(iso).toUTCString())}</time>`;
}

/**
 * Where the user is signed in: each active session (device, when, where from) with "Sign out this
 * one", and "Sign out everywhere". Plain form posts, answered with redirects (no JavaScript needed).
 * @param {{ actions: SessionActions; who: string; sessions: readonly SessionView[]; error?: FormError; backHref: string }} options
 *   `who`: the number or account the sessions belong to, as the page shows it.
 * @returns {string}
 */
export function sessionsPage({ actions, who, sessions, error, backHref }) {
  const items = sessions
    .map(
      (s) => `  <li data-session-id="${escapeHTML(s.id)}"${s.current ? ' data-current' : ''}>
    <p class="device"><strong>${escapeHTML(s.device ?? 'Unknown device')}</strong>${s.current ? ' <span class="badge">This device</span>' : ''}</p>
    <p class="hint">Signed in ${when(s.createdAt)}, last seen ${when(s.lastSeenAt)}${s.ip ? `, from <span data-ip>${escapeHTML(s.ip)}</span>` : ''}.</p>
    <form method="post" action="${escapeHTML(actions.endSession(s.id))}">
      <button type="submit" class="link">Sign out this one</button>
    </form>
  </li>`,
    )
    .join('\n');
  const main = `<h1>Where you are signed in</h1>
<p class="lead">Active sessions of <span data-who>${escapeHTML(who)}</span>.</p>
${alertRegion(error)}
<ul class="sessions" data-session-list>
${items}
</ul>
<form method="post" action="${escapeHTML(actions.signOutEverywhere)}">
  <button type="submit" class="primary">Sign out everywhere</button>
</form>
<p class="secondary-actions"><a href="${escapeHTML(backHref)}">Back</a></p>`;
  return layout({ title: 'Where you are signed in', main });
}

/**
 * The dev-only outbox of the fake TingTing server: the credits it has left, and every delivered
 * code, newest first.
 * @param {{ deliveries: readonly OutboxDelivery[]; credits?: { sms: number; phone: number } }} options
 * @returns {string}
 */
export function outboxPage({ deliveries, credits }) {
  const rows = [...deliveries]
    .reverse()
    .map(
      (d) => `<tr>
  <td><time datetime="${escapeHTML(d.at.toISOString())}">${escapeHTML(d.at.toLocaleTimeString('en-GB'))}</time></td>
  <td>${escapeHTML(d.number)}</td>
  <td>${d.channel === 'voice' ? 'Voice call' : 'SMS'}</td>
  <td><code class="otp" data-otp>${escapeHTML(d.otp)}</code></td>
  <td class="message" data-message>${escapeHTML(d.message)}</td>
</tr>`,
    )
    .join('\n');
  const main = `<h1>Dev outbox</h1>
<p class="lead">What the embedded fake TingTing server "delivered". Only shown when no <code>TINGTING_API_TOKEN</code> is set.</p>
${
  credits
    ? `<p class="credits" data-credits>Credits left: <strong data-credits-sms>${escapeHTML(credits.sms.toLocaleString('en-US'))}</strong> SMS, <strong data-credits-phone>${escapeHTML(credits.phone.toLocaleString('en-US'))}</strong> voice calls (the demo tops them up, so they never run out).</p>`
    : ''
}
${
  deliveries.length === 0
    ? '<p class="empty">Nothing delivered yet.</p>'
    : `<div class="table-wrap"><table>
<caption class="visually-hidden">Delivered codes, newest first</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Number</th><th scope="col">By</th><th scope="col">Code</th><th scope="col">Message</th></tr></thead>
<tbody>
${rows}
</tbody>
</table></div>`
}
<p class="secondary-actions"><a href="/dev/outbox">Refresh</a> · <a href="/">Back to sign-in</a></p>`;
  return layout({ title: 'Dev outbox', main });
}

/** The stylesheet of every page. */
export const STYLES = `:root {
  --bg: #f4f6fb; --card: #ffffff; --text: #1b2030; --muted: #5b6478; --line: #d9deea;
  --accent: #c8102e; --accent-dark: #9e0c24; --focus: #1d4ed8; --ok: #0f7b3f;
  --error-bg: #fdecee; --error-text: #8a1020; --banner: #fff6d6; --banner-text: #5c4500;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Devanagari", sans-serif;
  color: var(--text); background: var(--bg); line-height: 1.5;
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #0f1320; --card: #181d2c; --text: #e8ebf3; --muted: #a3abc0; --line: #2c3348;
    --accent: #ff4d67; --accent-dark: #ff7a8d; --focus: #8ab4ff; --ok: #4ade80;
    --error-bg: #3a1620; --error-text: #ffc2cb; --banner: #3a3110; --banner-text: #ffe69c; }
}
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; align-items: center; padding: 1rem; }
.card { width: 100%; max-width: 28rem; margin: 8vh auto 2rem; background: var(--card); border: 1px solid var(--line);
  border-radius: 1rem; padding: 2rem; box-shadow: 0 10px 30px rgb(20 30 60 / 0.08); }
.brand { margin: 0 0 1.5rem; font-weight: 600; color: var(--muted); letter-spacing: 0.01em; }
.logo { display: inline-grid; place-items: center; width: 2rem; height: 2rem; border-radius: 0.5rem;
  background: var(--accent); color: #fff; margin-right: 0.35rem; }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0 0 0.5rem; }
.lead { color: var(--muted); margin: 0 0 1.5rem; }
label { display: block; font-weight: 600; margin: 0 0 0.35rem; }
input[type="tel"], input[type="text"], input[type="email"], input[type="password"] { width: 100%; font: inherit; font-size: 1.125rem; padding: 0.7rem 0.85rem;
  border: 1px solid var(--line); border-radius: 0.6rem; background: var(--bg); color: var(--text); }
input.code { font-size: 1.75rem; letter-spacing: 0.5em; text-align: center; font-variant-numeric: tabular-nums;
  font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; }
input:focus-visible, button:focus-visible, a:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.hint { color: var(--muted); font-size: 0.9rem; margin: 0.35rem 0 1.25rem; }
fieldset.channels { border: 0; padding: 0; margin: 0 0 1.5rem; display: flex; gap: 0.75rem; flex-wrap: wrap; }
fieldset.channels legend { font-weight: 600; margin-bottom: 0.5rem; padding: 0; }
.choice { display: flex; align-items: center; gap: 0.5rem; font-weight: 500; border: 1px solid var(--line);
  border-radius: 0.6rem; padding: 0.55rem 0.9rem; cursor: pointer; margin: 0; }
.choice:has(input:checked) { border-color: var(--accent); box-shadow: inset 0 0 0 1px var(--accent); }
.choice input { accent-color: var(--accent); width: 1.1rem; height: 1.1rem; margin: 0; }
button { font: inherit; cursor: pointer; }
button.primary { width: 100%; border: 0; border-radius: 0.6rem; padding: 0.8rem 1rem; font-weight: 600; font-size: 1.05rem;
  background: var(--accent); color: #fff; }
button.primary:hover { background: var(--accent-dark); }
button:disabled { opacity: 0.6; cursor: not-allowed; }
button.link { border: 0; background: none; padding: 0; color: var(--accent); font-weight: 600; text-decoration: underline; }
.secondary-actions { margin-top: 1.25rem; text-align: center; }
.secondary-actions .hint { margin: 0.25rem 0 0; }
a { color: var(--accent); }
.alert { background: var(--error-bg); color: var(--error-text); border-radius: 0.6rem; padding: 0.75rem 0.9rem;
  margin: 0 0 1.25rem; font-weight: 500; }
.alert[hidden] { display: none; }
.phone { font-variant-numeric: tabular-nums; white-space: nowrap; }
.verified { display: flex; gap: 1rem; align-items: center; border: 1px solid var(--line); border-radius: 0.75rem;
  padding: 1rem; margin: 1rem 0 0.5rem; }
.verified .check { display: grid; place-items: center; width: 2.5rem; height: 2.5rem; border-radius: 50%;
  background: var(--ok); color: #fff; font-weight: 700; font-size: 1.25rem; flex: none; }
.verified p { margin: 0; }
.verified .label { color: var(--muted); font-size: 0.9rem; }
.verified .phone { font-size: 1.35rem; font-weight: 700; }
.details { margin: 0 0 1.5rem; border-top: 1px solid var(--line); }
.details div { display: flex; justify-content: space-between; gap: 1rem; padding: 0.5rem 0; border-bottom: 1px solid var(--line); }
.details dt { color: var(--muted); flex: none; white-space: nowrap; }
.details dd { margin: 0; font-weight: 600; text-align: right; overflow-wrap: anywhere; }
.dev-banner { max-width: 28rem; width: 100%; background: var(--banner); color: var(--banner-text); border-radius: 0.6rem;
  padding: 0.6rem 0.9rem; font-size: 0.9rem; }
.dev-banner a { color: inherit; font-weight: 600; }
.dev-banner + .card { margin-top: 1.5rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
code.otp { font-size: 1.1rem; font-weight: 700; letter-spacing: 0.1em; }
td.message { color: var(--muted); white-space: pre-wrap; overflow-wrap: anywhere; }
.empty { color: var(--muted); }
label.spaced { margin-top: 1rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 0.25rem; }
.account { font-size: 1.25rem; font-weight: 700; overflow-wrap: anywhere; }
.credits { margin: -0.75rem 0 1.25rem; }
.sessions { list-style: none; padding: 0; margin: 0 0 1.5rem; border-top: 1px solid var(--line); }
.sessions li { padding: 0.75rem 0; border-bottom: 1px solid var(--line); }
.sessions .device { margin: 0; overflow-wrap: anywhere; }
.sessions .hint { margin: 0.25rem 0 0.5rem; }
.badge { display: inline-block; font-size: 0.8rem; font-weight: 600; color: var(--ok); border: 1px solid var(--ok);
  border-radius: 999px; padding: 0 0.5rem; margin-left: 0.25rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

/**
 * The progressive-enhancement script: forms marked `data-enhance` post with `fetch` (JSON answers),
 * show errors in the page's `role="alert"` region, and go to `data-next` on success; the resend
 * button (`data-resend-at`) stays disabled with a countdown until the cooldown is over.
 */
export const SCRIPT = `(() => {
  'use strict';
  const alertBox = () => document.querySelector('[data-error]');
  const showError = (message) => {
    const box = alertBox();
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
  };
  const words = (s) => (s < 60 ? s + ' second' + (s === 1 ? '' : 's') : Math.ceil(s / 60) + ' minute' + (Math.ceil(s / 60) === 1 ? '' : 's'));
  const countdown = (button, until) => {
    const label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    const hint = button.parentElement && button.parentElement.querySelector('[data-resend-hint]');
    const tick = () => {
      const left = Math.ceil((until - Date.now()) / 1000);
      if (left <= 0) {
        button.disabled = false;
        button.textContent = label;
        if (hint) hint.textContent = 'Did not get it? Ask for a new code.';
        return;
      }
      button.disabled = true;
      button.textContent = label + ' (' + left + ' s)';
      if (hint) hint.textContent = 'You can ask for a new code in ' + words(left) + '.';
      setTimeout(tick, 1000);
    };
    tick();
  };
  for (const button of document.querySelectorAll('button[data-resend-at]')) {
    const until = Date.parse(button.dataset.resendAt);
    if (until > Date.now()) countdown(button, until);
  }
  document.addEventListener('submit', async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-enhance')) return;
    event.preventDefault();
    const button = event.submitter || form.querySelector('button');
    if (button) button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    let keepDisabled = false;
    try {
      const response = await fetch(form.action, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(new FormData(form)),
        credentials: 'same-origin',
      });
      if (response.ok) {
        keepDisabled = true;
        window.location.assign(form.dataset.next || '/');
        return;
      }
      const body = await response.json().catch(() => null);
      const retry = Number(response.headers.get('retry-after')) || 0;
      const code = body && body.error && body.error.code;
      let message = (body && body.error && body.error.message) || 'Something went wrong. Please try again.';
      if (code === 'RATE_LIMITED' && retry > 0 && !form.hasAttribute('data-password')) message = 'Please wait ' + words(retry) + ' before asking for a new code.';
      else if (retry > 0) message += ' You can try again in ' + words(retry) + '.';
      showError(message);
      if (button && form.hasAttribute('data-resend') && retry > 0) {
        keepDisabled = true;
        countdown(button, Date.now() + retry * 1000);
        return;
      }
      const field = form.querySelector('input:not([type="hidden"])');
      if (field) field.focus();
    } catch {
      showError('The network is not answering. Check your connection and try again.');
    } finally {
      form.removeAttribute('aria-busy');
      if (button && !keepDisabled) button.disabled = false;
    }
  });
})();
`;
