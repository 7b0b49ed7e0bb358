import { describe, expect, it } from 'vitest';
import {
  NotesClient,
  notesProvider,
  TimbrClient,
  TimbrTeamTokens,
  timbrProvider,
  tingtingAccountsProvider,
} from '../../src/upstream/index.js';

describe('upstream client options fail fast with a TypeError', () => {
  const factories: [string, (options: Record<string, unknown>) => unknown][] = [
    ['TimbrClient', (options) => new TimbrClient(options)],
    ['NotesClient', (options) => new NotesClient(options as never)],
    ['timbrProvider', (options) => timbrProvider(options)],
    ['notesProvider', (options) => notesProvider(options as never)],
    ['tingtingAccountsProvider', (options) => tingtingAccountsProvider(options)],
  ];

  it.each(factories)('%s refuses a bad baseURL, fetch or limit', (_name, make) => {
    for (const options of [
      { baseURL: 'not a url' },
      { baseURL: 'http://example.com' },
      { baseURL: 'https://user:pass@example.com' },
      { baseURL: 'https://example.com/?x=1' },
      { baseURL: 'https://example.com', fetch: 'fetch' },
      { baseURL: 'https://example.com', timeoutInMilliseconds: 0 },
      { baseURL: 'https://example.com', connectTimeoutInMilliseconds: 1.5 },
      { baseURL: 'https://example.com', maxResponseSizeInBytes: -1 },
    ]) {
      expect(() => make(options), JSON.stringify(options)).toThrow(TypeError);
    }
    expect(() => make({ baseURL: 'http://127.0.0.1:8080/prefix' })).not.toThrow();
  });

  it('NotesClient needs a baseURL (the service has no public origin); Timbr and TingTing default to theirs', () => {
    expect(() => new NotesClient({} as never)).toThrow(/baseURL is required/);
    expect(new TimbrClient().baseURL).toBe('https://app.timbr.studio/');
    expect(tingtingAccountsProvider().id).toBe('tingting');
  });

  it('provider ids default per service and can be set; an empty id is refused', () => {
    expect(timbrProvider().id).toBe('timbr');
    expect(notesProvider({ baseURL: 'https://notes.example.com' }).id).toBe('notes');
    expect(timbrProvider({ id: 'timbr-staging' }).id).toBe('timbr-staging');
    expect(() => timbrProvider({ id: '' })).toThrow(TypeError);
  });

  it('TimbrTeamTokens needs a TimbrClient and a token getter', () => {
    expect(() => new TimbrTeamTokens({} as never, () => 'x')).toThrow(TypeError);
    expect(() => new TimbrTeamTokens(new TimbrClient(), 'x' as never)).toThrow(TypeError);
  });
});

describe('provider logins refuse bad credentials before any request', () => {
  it.each([
    ['timbr', () => timbrProvider({ baseURL: 'http://127.0.0.1:9' })],
    ['notes', () => notesProvider({ baseURL: 'http://127.0.0.1:9' })],
    ['tingting', () => tingtingAccountsProvider({ baseURL: 'http://127.0.0.1:9' })],
  ])('%s: VALIDATION_ERROR naming the field', async (_name, make) => {
    const provider = make();
    const ctx = { signal: new AbortController().signal, now: Date.now };
    for (const [credentials, field] of [
      [{ identifier: '  ', password: 'x' }, 'identifier'],
      [{ identifier: ['ram'], password: 'x' }, 'identifier'],
      [{ identifier: 'ram', password: '' }, 'password'],
      [{ identifier: 'ram', password: { $ne: 1 } }, 'password'],
      [null, 'identifier'],
    ] as const) {
      await expect(provider.login(credentials as never, ctx)).rejects.toMatchObject({
        code: 'VALIDATION_ERROR',
        field,
      });
    }
  });
});
