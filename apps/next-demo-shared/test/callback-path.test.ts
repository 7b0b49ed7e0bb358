import { describe, expect, it } from 'vitest';
import { callbackPath } from '../src/callback-path';

describe('callbackPath', () => {
  it('keeps a path on this site, with its query and fragment', () => {
    expect(callbackPath('/account')).toBe('/account');
    expect(callbackPath('/account?tab=1#top')).toBe('/account?tab=1#top');
  });

  it.each([
    ['a protocol-relative URL', '//evil.example/account'],
    ['a backslash the URL parser reads as a slash', '/\\evil.example'],
    ['a tab the URL parser drops', '/\t/evil.example'],
    ['an absolute URL', 'https://evil.example/'],
    ['a script URL', 'javascript:alert(1)'],
    ['a relative path', 'account'],
    ['an empty string', ''],
  ])('refuses %s', (_, value) => {
    expect(callbackPath(value)).toBe('/account');
  });

  it('refuses anything but a string (a repeated query parameter is an array)', () => {
    expect(callbackPath(['/a', '/b'])).toBe('/account');
    expect(callbackPath(undefined, '/')).toBe('/');
  });
});
