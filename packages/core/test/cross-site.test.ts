/**
 * The shared cross-site check, with Node's header record (Express, Passport) and a Fetch `Headers`
 * object (NextAuth's route handlers). The adapters' own tests drive it through real requests.
 */
import { describe, expect, it } from 'vitest';
import { isCrossSiteRequest } from '../src/index.js';

type Fields = Record<string, string>;

const node = (headers: Fields) => ({ headers: { host: 'app.example.com', ...headers } });
const web = (headers: Fields) => ({
  headers: new Headers({ host: 'app.example.com', ...headers }),
});

describe.each([
  ['Node headers', node],
  ['Fetch Headers', web],
])('isCrossSiteRequest with %s', (_, request) => {
  it('trusts Sec-Fetch-Site first', () => {
    expect(isCrossSiteRequest(request({ 'sec-fetch-site': 'same-origin' }))).toBe(false);
    expect(isCrossSiteRequest(request({ 'sec-fetch-site': 'none' }))).toBe(false);
    expect(isCrossSiteRequest(request({ 'sec-fetch-site': 'same-site' }))).toBe(true);
    expect(isCrossSiteRequest(request({ 'sec-fetch-site': 'cross-site' }))).toBe(true);
    // A same-host Origin does not outvote the browser's own verdict.
    expect(
      isCrossSiteRequest(
        request({ 'sec-fetch-site': 'cross-site', origin: 'https://app.example.com' }),
      ),
    ).toBe(true);
  });

  it('compares Origin with Host (and X-Forwarded-Host) when there is no Sec-Fetch-Site', () => {
    expect(isCrossSiteRequest(request({ origin: 'https://app.example.com' }))).toBe(false);
    expect(isCrossSiteRequest(request({ origin: 'http://app.example.com' }))).toBe(false);
    expect(isCrossSiteRequest(request({ origin: 'https://evil.example' }))).toBe(true);
    expect(isCrossSiteRequest(request({ origin: 'https://app.example.com:8443' }))).toBe(true);
    expect(isCrossSiteRequest(request({ origin: 'null' }))).toBe(true);
    expect(isCrossSiteRequest(request({ origin: 'not a url' }))).toBe(true);
    const proxied = request({
      host: 'internal:3000',
      origin: 'https://app.example.com',
      'x-forwarded-host': 'app.example.com, internal',
    });
    expect(isCrossSiteRequest(proxied)).toBe(false);
    expect(isCrossSiteRequest(proxied, { trustForwardedHost: false })).toBe(true);
    expect(
      isCrossSiteRequest(request({ host: 'internal:3000', origin: 'https://app.example.com' }), {
        hosts: ['app.example.com'],
      }),
    ).toBe(false);
  });

  it('lets listed origins through, as a Set or an array', () => {
    const other = request({ origin: 'https://spa.example.net', 'sec-fetch-site': 'cross-site' });
    expect(isCrossSiteRequest(other)).toBe(true);
    expect(isCrossSiteRequest(other, { allowedOrigins: ['https://spa.example.net'] })).toBe(false);
    expect(
      isCrossSiteRequest(other, { allowedOrigins: new Set(['https://spa.example.net']) }),
    ).toBe(false);
    expect(isCrossSiteRequest(other, { allowedOrigins: ['https://spa.example.net/'] })).toBe(true);
  });

  it('accepts requests without Origin or Sec-Fetch-Site unless told not to', () => {
    expect(isCrossSiteRequest(request({}))).toBe(false);
    expect(isCrossSiteRequest(request({}), { allowRequestsWithoutOrigin: false })).toBe(true);
  });
});

it('reads the first value of a repeated Node header', () => {
  const req = {
    headers: { host: 'a.example', origin: ['https://evil.example', 'https://a.example'] },
  };
  expect(isCrossSiteRequest(req)).toBe(true);
});
