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

describe('isCrossSiteRequest edges', () => {
  const req = (headers: Record<string, string>) => ({
    headers: { host: 'app.example.com', ...headers },
  });

  it('takes the first X-Forwarded-Host entry, trimmed, and only the first', () => {
    const forwarded = (value: string) =>
      req({ host: 'internal:3000', origin: 'https://app.example.com', 'x-forwarded-host': value });
    expect(isCrossSiteRequest(forwarded('app.example.com ,internal'))).toBe(false);
    expect(isCrossSiteRequest(forwarded('internal, app.example.com'))).toBe(true);
    expect(isCrossSiteRequest(forwarded('app.example.com'), { trustForwardedHost: true })).toBe(
      false,
    );
  });

  it('other hosts of the app count only when listed', () => {
    const request = req({ host: 'internal:3000', origin: 'https://app.example.com' });
    expect(isCrossSiteRequest(request)).toBe(true);
    expect(isCrossSiteRequest(request, { hosts: ['www.example.com'] })).toBe(true);
    expect(isCrossSiteRequest(request, { hosts: [] })).toBe(true);
    expect(isCrossSiteRequest(request, { hosts: ['www.example.com', 'app.example.com'] })).toBe(
      false,
    );
  });

  it('an allowed origin lets a request through even without a matching host or Sec-Fetch-Site', () => {
    const request = req({ host: 'internal:3000', origin: 'https://spa.example.net' });
    expect(isCrossSiteRequest(request)).toBe(true);
    expect(isCrossSiteRequest(request, { allowedOrigins: ['https://spa.example.net'] })).toBe(
      false,
    );
    // A listed origin does not excuse a request that has none.
    expect(
      isCrossSiteRequest(req({ 'sec-fetch-site': 'cross-site' }), {
        allowedOrigins: ['https://spa.example.net'],
      }),
    ).toBe(true);
  });

  it('a Fetch Headers object without Origin, Sec-Fetch-Site or Host', () => {
    expect(isCrossSiteRequest({ headers: new Headers() })).toBe(false);
    expect(
      isCrossSiteRequest({ headers: new Headers() }, { allowRequestsWithoutOrigin: false }),
    ).toBe(true);
    expect(
      isCrossSiteRequest({ headers: new Headers({ origin: 'https://app.example.com' }) }),
    ).toBe(true);
  });

  it('allowRequestsWithoutOrigin: true is the default', () => {
    expect(isCrossSiteRequest(req({}), { allowRequestsWithoutOrigin: true })).toBe(false);
  });
});

it('reads only the first value of repeated Node headers, for Origin and Sec-Fetch-Site alike', () => {
  const sameHost = {
    headers: { host: 'a.example', origin: ['https://a.example', 'https://x.example'] },
  };
  expect(isCrossSiteRequest(sameHost)).toBe(false);
  const sameOrigin = { headers: { 'sec-fetch-site': ['same-origin', 'cross-site'] } };
  expect(isCrossSiteRequest(sameOrigin)).toBe(false);
});
