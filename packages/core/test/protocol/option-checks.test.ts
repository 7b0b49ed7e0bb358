/**
 * resolveProtocolOptions / resolveRequestOptions / originOf / isOTPEngine: every option's check,
 * its default, and the exact TypeError a user sees (the message is the start-up diagnosis).
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_BODY_IN_BYTES,
  isOTPEngine,
  originOf,
  resolveProtocolOptions,
  resolveRequestOptions,
} from '../../src/protocol/index.js';

const engine = { send: async () => ({}), verify: async () => ({}) } as never;
const SHARED = 'crossSiteProtection, allowedOrigins, allowRequestsWithoutOrigin, maxBodyInBytes';

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as Error).message;
  }
  throw new Error('did not throw');
}

describe('isOTPEngine', () => {
  it('needs an object with send and verify functions', () => {
    expect(isOTPEngine(engine)).toBe(true);
    expect(isOTPEngine(null)).toBe(false);
    expect(isOTPEngine(undefined)).toBe(false);
    expect(isOTPEngine('engine')).toBe(false);
    // A function with send/verify properties is not an object.
    expect(isOTPEngine(Object.assign(() => {}, { send() {}, verify() {} }))).toBe(false);
    expect(isOTPEngine({ send() {} })).toBe(false);
    expect(isOTPEngine({ verify() {} })).toBe(false);
    expect(isOTPEngine({ send: 1, verify() {} })).toBe(false);
    expect(isOTPEngine({ send() {}, verify: 'x' })).toBe(false);
  });
});

describe('originOf', () => {
  it('accepts http and https origins, lower-cased, with one trailing slash', () => {
    expect(originOf('c', 'https://app.example.com')).toBe('https://app.example.com');
    expect(originOf('c', 'http://app.example.com:8080')).toBe('http://app.example.com:8080');
    expect(originOf('c', 'https://app.example.com/')).toBe('https://app.example.com');
    expect(originOf('c', 'HTTPS://APP.Example.COM')).toBe('https://app.example.com');
  });

  it('refuses what is not an http(s) origin, naming the value', () => {
    const notOrigin = (value: unknown) =>
      `c: allowedOrigins: ${JSON.stringify(value)} is not an origin like 'https://app.example.com'`;
    for (const value of [
      42,
      null,
      'app.example.com',
      'not a url',
      'ftp://files.example.com',
      'ws://app.example.com',
      'file:///etc/passwd',
      'data:text/plain,x',
      // Strings only, not a URL object.
      new URL('https://app.example.com'),
    ]) {
      expect(errorOf(() => originOf('c', value))).toBe(notOrigin(value));
    }
  });

  it('refuses a path, a query, a fragment or a default port written out, never trims them', () => {
    const onlyOrigin = (value: string) =>
      `c: allowedOrigins: ${JSON.stringify(value)} must be an origin only (scheme://host[:port]), no path`;
    for (const value of [
      'https://app.example.com/login',
      'https://app.example.com//',
      'https://app.example.com?x=1',
      'https://app.example.com#top',
      'https://app.example.com:443',
      'https://user@app.example.com',
    ]) {
      expect(errorOf(() => originOf('c', value))).toBe(onlyOrigin(value));
    }
  });
});

describe('resolveProtocolOptions: the options object and unknown names', () => {
  it('needs an object: not null, an array, a string, or missing (unless the engine is an argument)', () => {
    for (const options of [null, [], 'engine', 5, undefined]) {
      expect(errorOf(() => resolveProtocolOptions('c', options))).toBe(
        'c: options must be an object',
      );
    }
    expect(errorOf(() => resolveRequestOptions('c', undefined))).toBe(
      'c: options must be an object',
    );
    // The engine as an argument: no options object is needed.
    expect(resolveProtocolOptions('c', undefined, { engine }).engine).toBe(engine);
    // Only the engine-taking resolver treats `engine` in the spec as an argument.
    expect(errorOf(() => resolveRequestOptions('c', undefined, { engine } as never))).toBe(
      'c: options must be an object',
    );
  });

  it('lists every known name in order in the unknown-option error', () => {
    expect(errorOf(() => resolveProtocolOptions('c', { engine, x: 1 }))).toBe(
      `c: unknown option \`x\`; known options: engine, purpose, ${SHARED}`,
    );
    expect(
      errorOf(() => resolveProtocolOptions('c', { engine, x: 1 }, { clientIPFromHeaders: true })),
    ).toBe(
      `c: unknown option \`x\`; known options: engine, purpose, ${SHARED}, trustProxy, ipHeader`,
    );
    expect(
      errorOf(() =>
        resolveProtocolOptions(
          'c',
          { engine, x: 1 },
          { clientIPFromHeaders: true, adapterOptions: ['a', 'b'] },
        ),
      ),
    ).toBe(
      `c: unknown option \`x\`; known options: engine, purpose, ${SHARED}, trustProxy, ipHeader, a, b`,
    );
    expect(
      errorOf(() =>
        resolveProtocolOptions('c', { engine, x: 1 }, { adapterOptions: { f: 'function' } }),
      ),
    ).toBe(`c: unknown option \`x\`; known options: engine, purpose, ${SHARED}, f`);
    // clientIPFromHeaders must be true, not merely truthy.
    expect(
      errorOf(() =>
        resolveProtocolOptions('c', { engine, trustProxy: true }, {
          clientIPFromHeaders: 1,
        } as never),
      ),
    ).toBe(`c: unknown option \`trustProxy\`; known options: engine, purpose, ${SHARED}`);
  });

  it('`without` takes shared names out of the list (next-auth)', () => {
    const spec = { without: ['crossSiteProtection', 'maxBodyInBytes', 'purpose'] };
    expect(errorOf(() => resolveProtocolOptions('c', { engine, maxBodyInBytes: 4096 }, spec))).toBe(
      'c: unknown option `maxBodyInBytes`; known options: engine, allowedOrigins, allowRequestsWithoutOrigin',
    );
    expect(
      errorOf(() => resolveProtocolOptions('c', { engine, purpose: 'sign-in' }, spec)),
    ).toMatch(/^c: unknown option `purpose`;/);
    expect(
      errorOf(() => resolveRequestOptions('c', { x: 1 }, { without: ['allowedOrigins'] })),
    ).toBe(
      'c: unknown option `x`; known options: crossSiteProtection, allowRequestsWithoutOrigin, maxBodyInBytes',
    );
  });

  it('resolveRequestOptions knows no engine nor purpose, and returns neither', () => {
    expect(errorOf(() => resolveRequestOptions('p', { engine }))).toBe(
      `p: unknown option \`engine\`; known options: ${SHARED}`,
    );
    expect(errorOf(() => resolveRequestOptions('p', { purpose: 'x' }))).toMatch(
      /^p: unknown option `purpose`/,
    );
    const resolved = resolveRequestOptions('p', {});
    expect(resolved).toEqual({
      caller: 'p',
      crossSiteProtection: 'origin',
      allowedOrigins: new Set(),
      allowRequestsWithoutOrigin: true,
      maxBodyInBytes: DEFAULT_MAX_BODY_IN_BYTES,
      trustProxy: false,
      ipHeader: 'x-forwarded-for',
    });
    expect(Object.keys(resolved)).not.toContain('engine');
  });

  it('defaults of resolveProtocolOptions', () => {
    const resolved = resolveProtocolOptions('c', { engine });
    expect(resolved).toEqual({
      caller: 'c',
      engine,
      purpose: 'sign-in',
      crossSiteProtection: 'origin',
      allowedOrigins: new Set(),
      allowRequestsWithoutOrigin: true,
      maxBodyInBytes: 4096,
      trustProxy: false,
      ipHeader: 'x-forwarded-for',
    });
    expect(DEFAULT_MAX_BODY_IN_BYTES).toBe(4096);
  });
});

describe('resolveProtocolOptions: the kinds of adapter options', () => {
  const spec = {
    adapterOptions: {
      f: 'function',
      b: 'boolean',
      s: 'string',
      o: 'object',
      of: 'object|false',
    },
  } as const;

  it('accepts each kind, and undefined for any', () => {
    expect(() =>
      resolveProtocolOptions(
        'c',
        { engine, f() {}, b: false, s: '', o: {}, of: false, x: undefined } as never,
        { adapterOptions: { ...spec.adapterOptions, x: 'string' } },
      ),
    ).not.toThrow();
    expect(() => resolveProtocolOptions('c', { engine, of: { a: 1 } }, spec)).not.toThrow();
    expect(() => resolveProtocolOptions('c', { engine, o: { a: 1 } }, spec)).not.toThrow();
  });

  it('refuses a wrong kind with one message per kind', () => {
    expect(errorOf(() => resolveProtocolOptions('c', { engine, f: {} }, spec))).toBe(
      'c: `f` must be a function',
    );
    expect(errorOf(() => resolveProtocolOptions('c', { engine, b: 'true' }, spec))).toBe(
      'c: `b` must be a boolean',
    );
    expect(errorOf(() => resolveProtocolOptions('c', { engine, s: 1 }, spec))).toBe(
      'c: `s` must be a string',
    );
    expect(errorOf(() => resolveProtocolOptions('c', { engine, o: [] }, spec))).toBe(
      'c: `o` must be a object',
    );
    expect(errorOf(() => resolveProtocolOptions('c', { engine, o: null }, spec))).toBe(
      'c: `o` must be a object',
    );
    expect(errorOf(() => resolveProtocolOptions('c', { engine, o: false }, spec))).toBe(
      'c: `o` must be a object',
    );
    expect(errorOf(() => resolveProtocolOptions('c', { engine, of: [] }, spec))).toBe(
      'c: `of` must be an object or false',
    );
    expect(errorOf(() => resolveProtocolOptions('c', { engine, of: true }, spec))).toBe(
      'c: `of` must be an object or false',
    );
    expect(errorOf(() => resolveProtocolOptions('c', { engine, of: null }, spec))).toBe(
      'c: `of` must be an object or false',
    );
  });

  it('names listed as an array are not checked here (the adapter checks them)', () => {
    expect(() =>
      resolveProtocolOptions('c', { engine, f: 1 }, { adapterOptions: ['f'] }),
    ).not.toThrow();
    // Not even a name that is also an index of the list.
    expect(() =>
      resolveProtocolOptions('c', { engine, 0: 'x' }, { adapterOptions: ['a', '0'] }),
    ).not.toThrow();
  });
});

describe('resolveProtocolOptions: the engine and the purpose', () => {
  it('refuses a missing or wrong engine, with the usage when the adapter gives one', () => {
    expect(errorOf(() => resolveProtocolOptions('c', {}))).toBe(
      'c: `engine` must be an OTPEngine from @tingting-auth/core',
    );
    expect(
      errorOf(() => resolveProtocolOptions('c', { engine: {} }, { engineUsage: 'use x' })),
    ).toBe('c: `engine` must be an OTPEngine from @tingting-auth/core: use x');
    expect(errorOf(() => resolveProtocolOptions('c', {}, { engine: undefined }))).toBe(
      'c: the first argument must be an OTPEngine from @tingting-auth/core',
    );
    expect(
      errorOf(() => resolveProtocolOptions('c', {}, { engine: {}, engineUsage: 'f(engine)' })),
    ).toBe('c: the first argument must be an OTPEngine from @tingting-auth/core: f(engine)');
  });

  it('purpose: 1-64 letters, digits, . _ : -; default sign-in', () => {
    const message = 'c: `purpose` must be 1-64 letters, digits, or . _ : - (e.g. "sign-in")';
    for (const purpose of ['', 'a b', 'x'.repeat(65), 5, {}]) {
      expect(errorOf(() => resolveProtocolOptions('c', { engine, purpose }))).toBe(message);
    }
    expect(resolveProtocolOptions('c', { engine, purpose: 'change-number' }).purpose).toBe(
      'change-number',
    );
    expect(resolveProtocolOptions('c', { engine, purpose: undefined }).purpose).toBe('sign-in');
  });
});

describe('resolveProtocolOptions: the request options', () => {
  it('crossSiteProtection: origin, false, or a function only for adapters with a CSRF middleware', () => {
    expect(
      resolveProtocolOptions('c', { engine, crossSiteProtection: false }).crossSiteProtection,
    ).toBe(false);
    expect(
      resolveProtocolOptions('c', { engine, crossSiteProtection: 'origin' }).crossSiteProtection,
    ).toBe('origin');
    const csrf = () => {};
    expect(
      resolveProtocolOptions(
        'c',
        { engine, crossSiteProtection: csrf },
        { crossSiteMiddleware: true },
      ).crossSiteProtection,
    ).toBe(csrf);
    for (const value of [csrf, true, 'strict', 0]) {
      expect(
        errorOf(() => resolveProtocolOptions('c', { engine, crossSiteProtection: value })),
      ).toBe(
        "c: `crossSiteProtection` must be 'origin' or false (false when a CSRF token library protects the routes)",
      );
    }
    expect(
      errorOf(() =>
        resolveProtocolOptions(
          'c',
          { engine, crossSiteProtection: true },
          { crossSiteMiddleware: true },
        ),
      ),
    ).toBe(
      "c: `crossSiteProtection` must be 'origin' or false, or a CSRF middleware (false when a CSRF token library protects the routes)",
    );
    // crossSiteMiddleware must be true, not merely truthy.
    expect(
      errorOf(() =>
        resolveProtocolOptions('c', { engine, crossSiteProtection: csrf }, {
          crossSiteMiddleware: 1,
        } as never),
      ),
    ).toBe(
      "c: `crossSiteProtection` must be 'origin' or false (false when a CSRF token library protects the routes)",
    );
  });

  it('allowedOrigins: an array of origins, each checked, kept as a set of origins', () => {
    for (const value of ['https://a.example', { 0: 'https://a.example' }, 1]) {
      expect(errorOf(() => resolveProtocolOptions('c', { engine, allowedOrigins: value }))).toBe(
        'c: `allowedOrigins` must be an array of origin strings',
      );
    }
    expect(
      errorOf(() =>
        resolveProtocolOptions('c', { engine, allowedOrigins: ['https://a.example/x'] }),
      ),
    ).toBe(
      'c: allowedOrigins: "https://a.example/x" must be an origin only (scheme://host[:port]), no path',
    );
    const resolved = resolveProtocolOptions('c', {
      engine,
      allowedOrigins: ['https://A.example/', 'http://b.example:8080'],
    });
    expect([...resolved.allowedOrigins]).toEqual(['https://a.example', 'http://b.example:8080']);
  });

  it('allowRequestsWithoutOrigin: a boolean, default true', () => {
    expect(
      resolveProtocolOptions('c', { engine, allowRequestsWithoutOrigin: false })
        .allowRequestsWithoutOrigin,
    ).toBe(false);
    for (const value of ['false', 0]) {
      expect(
        errorOf(() => resolveProtocolOptions('c', { engine, allowRequestsWithoutOrigin: value })),
      ).toBe('c: `allowRequestsWithoutOrigin` must be a boolean');
    }
  });

  it('maxBodyInBytes: a whole number from 64 to 1,048,576, both ends included', () => {
    expect(resolveProtocolOptions('c', { engine, maxBodyInBytes: 64 }).maxBodyInBytes).toBe(64);
    expect(resolveProtocolOptions('c', { engine, maxBodyInBytes: 1_048_576 }).maxBodyInBytes).toBe(
      1_048_576,
    );
    for (const value of [63, 1_048_577, 100.5, '4096', Number.NaN, Infinity]) {
      expect(errorOf(() => resolveProtocolOptions('c', { engine, maxBodyInBytes: value }))).toBe(
        'c: `maxBodyInBytes` must be a whole number of bytes from 64 to 1048576',
      );
    }
  });

  it('trustProxy: a boolean, default false', () => {
    const spec = { clientIPFromHeaders: true };
    expect(resolveProtocolOptions('c', { engine, trustProxy: true }, spec).trustProxy).toBe(true);
    expect(resolveProtocolOptions('c', { engine }, spec).trustProxy).toBe(false);
    for (const value of ['true', 1]) {
      expect(errorOf(() => resolveProtocolOptions('c', { engine, trustProxy: value }, spec))).toBe(
        'c: `trustProxy` must be a boolean',
      );
    }
  });

  it('ipHeader: a header name of 1-64 letters, digits and dashes, lower-cased', () => {
    const spec = { clientIPFromHeaders: true };
    expect(resolveProtocolOptions('c', { engine, ipHeader: 'X-Real-IP' }, spec).ipHeader).toBe(
      'x-real-ip',
    );
    expect(resolveProtocolOptions('c', { engine, ipHeader: 'a'.repeat(64) }, spec).ipHeader).toBe(
      'a'.repeat(64),
    );
    expect(resolveProtocolOptions('c', { engine, ipHeader: 'A' }, spec).ipHeader).toBe('a');
    expect(resolveProtocolOptions('c', { engine, ipHeader: 'cf-9' }, spec).ipHeader).toBe('cf-9');
    for (const value of ['', 'a'.repeat(65), 'x real ip', 'x_ip', ' x-ip', 'x-ip ', 'x:ip', 5]) {
      expect(errorOf(() => resolveProtocolOptions('c', { engine, ipHeader: value }, spec))).toBe(
        'c: `ipHeader` must be a header name, e.g. "x-forwarded-for"',
      );
    }
  });
});
