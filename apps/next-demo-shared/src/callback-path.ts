/**
 * Where a demo goes after sign-in: `value` when it is a path on this site, else `fallback`.
 *
 * The form navigates there itself (`router.push`), so next-auth's own `redirect` callback never
 * sees it: `//evil.example`, `/\evil.example` or `/\t/evil.example` all start with `/` but leave
 * the site. Parsing against a throwaway origin catches every such form the URL parser knows.
 */
export function callbackPath(value: unknown, fallback = '/account'): string {
  if (typeof value !== 'string' || !value.startsWith('/')) return fallback;
  const base = 'http://callback.invalid';
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
