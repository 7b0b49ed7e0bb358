import { describe, expect, it } from 'vitest';
import { DEFAULT_BASE_URL, TingTingClient, type TingTingClientOptions } from '../../src/index.js';

describe('TingTingClient options', () => {
  it('defaults to the public API', () => {
    const client = new TingTingClient({ apiToken: 'token-123' });
    expect(client.baseURL).toBe(`${DEFAULT_BASE_URL}/`);
    expect(client.toJSON()).toEqual({
      baseURL: 'https://app.tingting.io/',
      authentication: 'apiToken',
    });
  });

  it('keeps a path prefix', () => {
    const client = new TingTingClient({
      apiToken: 't0ken',
      baseURL: 'https://proxy.example/tingting',
    });
    expect(client.baseURL).toBe('https://proxy.example/tingting/');
  });

  it.each<[string, unknown]>([
    ['no credentials', {}],
    ['undefined token (unset env var)', { apiToken: undefined }],
    ['empty token', { apiToken: '' }],
    ['token with a space', { apiToken: 'abc def' }],
    ['token with a newline', { apiToken: 'abc\r\nX-Evil: 1' }],
    ['email without password', { email: 'a@b.c' }],
    ['password without email', { apiToken: 'tok', password: 'pw' }],
    ['http to a remote host', { apiToken: 'tok', baseURL: 'http://app.tingting.io' }],
    ['not a URL', { apiToken: 'tok', baseURL: 'app.tingting.io' }],
    ['credentials in the URL', { apiToken: 'tok', baseURL: 'https://u:p@app.tingting.io' }],
    ['a query in the URL', { apiToken: 'tok', baseURL: 'https://app.tingting.io/?x=1' }],
    ['fetch not a function', { apiToken: 'tok', fetch: 'fetch' }],
    ['zero timeout', { apiToken: 'tok', timeoutInMilliseconds: 0 }],
    ['fractional size', { apiToken: 'tok', maxResponseSizeInBytes: 1.5 }],
    ['negative retries', { apiToken: 'tok', maxRetries: -1 }],
    ['options missing', undefined],
  ])('refuses %s with a TypeError', (_, options) => {
    expect(() => new TingTingClient(options as TingTingClientOptions)).toThrow(TypeError);
  });

  it('allows http on loopback only', () => {
    for (const baseURL of ['http://127.0.0.1:4010', 'http://localhost:4010', 'http://[::1]:4010']) {
      expect(() => new TingTingClient({ apiToken: 'tok', baseURL })).not.toThrow();
    }
  });

  it('the TypeError never echoes the token', () => {
    try {
      new TingTingClient({ apiToken: 'secret value' });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain('secret value');
    }
  });
});
