/**
 * The password sign-in parts of the Passport demo's pages, in the Express demo's look
 * (`express-demo/views`: its layout, classes, script and escaping): a "Sign in with a password"
 * form under the phone sign-in, and the account page of a user signed in through the upstream.
 * Without JavaScript the form posts and the server redirects; with it, the Express demo's script
 * posts it with `fetch` (`data-enhance`) and shows errors in the page's alert region (the
 * password section has its own only for a refused form post, so a page has one `role="alert"`).
 */

import { errorText, escapeHTML, layout } from 'express-demo/views';

/** Styles the Express demo's stylesheet has no rule for (its inputs are `tel` and `text`). */
const STYLE = `<style>
input[type="password"], input.identifier { width: 100%; font: inherit; font-size: 1.125rem; padding: 0.7rem 0.85rem;
  border: 1px solid var(--line); border-radius: 0.6rem; background: var(--bg); color: var(--text); }
.password-lead { color: var(--muted); margin: 0 0 1.25rem; }
.divider { display: flex; align-items: center; gap: 0.75rem; color: var(--muted); margin: 1.75rem 0 1.25rem; }
.divider::before, .divider::after { content: ""; flex: 1; border-top: 1px solid var(--line); }
</style>`;

/**
 * @typedef {{ code: string; message: string; retryAfter?: number }} FormError
 */

/**
 * The password form, to put under the phone form.
 * @param {{ action: string; upstreamLabel: string; identifierLabel: string; error?: FormError; identifier?: string; hint?: string }} options
 * @returns {string}
 */
export function passwordForm({
  action,
  upstreamLabel,
  identifierLabel,
  error,
  identifier = '',
  hint,
}) {
  const text = errorText(error);
  return `${STYLE}
<section aria-labelledby="password-heading" data-password-sign-in>
<p class="divider">or</p>
<h2 id="password-heading">Sign in with a password</h2>
<p class="password-lead">Your ${escapeHTML(upstreamLabel)} account.</p>
${text ? `<div class="alert" role="alert" data-password-error>${escapeHTML(text)}</div>` : ''}
<form method="post" action="${escapeHTML(action)}" data-enhance data-next="/account" novalidate>
  <label for="username">${escapeHTML(identifierLabel)}</label>
  <input id="username" name="username" class="identifier" type="text" autocomplete="username" required
    autocapitalize="none" spellcheck="false" value="${escapeHTML(identifier)}">
  <label for="password" style="margin-top: 1rem">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required
    aria-describedby="password-hint">
  <p class="hint" id="password-hint">${escapeHTML(hint ?? `Checked by ${upstreamLabel}; we never store it.`)}</p>
  <button type="submit" class="primary">Sign in</button>
</form>
</section>`;
}

/**
 * A page of the Express demo (`signInPage`, `codePage`) with the password form added at the end
 * of its card.
 * @param {string} page
 * @param {string} form
 * @returns {string}
 */
export function withPasswordForm(page, form) {
  return page.replace('</main>', `${form}\n</main>`);
}

/**
 * The account page of a user signed in with a password: who, what the upstream says (read with the
 * upstream access token), when that token expires, and sign-out.
 * @param {{ signOut: string; upstreamLabel: string; username: string; signedInAt: string; details: { label: string; value: string; datetime?: string }[]; error?: string; sessionsHref?: string }} options
 * @returns {string}
 */
export function passwordAccountPage({
  signOut,
  upstreamLabel,
  username,
  signedInAt,
  details,
  error,
  sessionsHref,
}) {
  const at = new Date(signedInAt);
  const rows = details
    .map((d) => {
      const value = d.datetime
        ? `<time datetime="${escapeHTML(d.datetime)}">${escapeHTML(d.value)}</time>`
        : escapeHTML(d.value);
      return `  <div><dt>${escapeHTML(d.label)}</dt><dd data-detail="${escapeHTML(d.label)}">${value}</dd></div>`;
    })
    .join('\n');
  const main = `<h1>You are signed in</h1>
<div class="verified" aria-label="Signed in with ${escapeHTML(upstreamLabel)}">
  <span class="check" aria-hidden="true">✓</span>
  <div><p class="label">${escapeHTML(upstreamLabel)} account</p><p class="phone" data-signed-in-as>${escapeHTML(username)}</p></div>
</div>
<p class="hint">Signed in at <time datetime="${escapeHTML(at.toISOString())}">${escapeHTML(at.toUTCString())}</time>.</p>
${error ? `<div class="alert" role="alert" data-profile-error>${escapeHTML(error)}</div>` : ''}
<h2>From ${escapeHTML(upstreamLabel)}</h2>
<dl class="details" data-profile>
${rows}
</dl>
<form method="post" action="${escapeHTML(signOut)}" data-enhance data-next="/">
  <button type="submit" class="primary">Sign out</button>
</form>${sessionsHref ? `\n<p class="secondary-actions"><a href="${escapeHTML(sessionsHref)}">Where you are signed in</a></p>` : ''}`;
  return layout({ title: 'Signed in', main });
}
