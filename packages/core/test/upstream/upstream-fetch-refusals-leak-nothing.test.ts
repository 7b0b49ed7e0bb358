/**
 * upstreamFetch's refusals end up in logs and error reporters. A refused URL can carry secrets of
 * its own (a user:password, a `?code=` or `?token=` in the query, a path with a token in it), and
 * the session's tokens must not show either: the error names the origins only.
 */
import { format, inspect } from 'node:util';
import { expect, it } from 'vitest';
import { createTokenSet } from '../../src/upstream/token-set.js';
import { upstreamFetch } from '../../src/upstream/upstream-fetch.js';

const ACCESS = 'session-access-token-LEAKCHECK-0001';
const PASSWORD = 'url-password-LEAKCHECK-0002';
const CODE = '493817';
const QUERY_TOKEN = 'query-token-LEAKCHECK-0003';
const PATH_TOKEN = 'path-token-LEAKCHECK-0004';

/** Message, stack, JSON, inspect (also as a cause, and `%o`), String(). */
function renderings(error: unknown): string {
  const wrapped = new Error('request failed', { cause: error });
  return [
    String(error),
    (error as Error).message,
    (error as Error).stack ?? '',
    JSON.stringify(error),
    JSON.stringify(error, Object.getOwnPropertyNames(error)),
    inspect(error, { depth: 10, showHidden: true }),
    inspect(wrapped, { depth: 10 }),
    format('%o', wrapped),
  ].join('\n');
}

it('a URL on another origin: the error names only the two origins', async () => {
  const sent: unknown[] = [];
  const api = upstreamFetch(
    {
      getTokens: async () =>
        createTokenSet({
          accessToken: ACCESS,
          accessExpiresAt: 2,
          receivedAt: 1,
          tokenType: 'Bearer',
          generation: 0,
        }),
    },
    's',
    {
      baseURL: 'https://up.example/api/',
      fetch: async (input) => {
        sent.push(input);
        return new Response('ok');
      },
    },
  );
  // A first call, so the session's token has been read and used once.
  await api('/api/me');
  const refused = [
    `https://admin:${PASSWORD}@evil.example/cb?code=${CODE}&token=${QUERY_TOKEN}`,
    `https://evil.example/reset/${PATH_TOKEN}#${CODE}`,
    `//admin:${PASSWORD}@evil.example/${PATH_TOKEN}?code=${CODE}`,
    // Same host, other scheme: still another origin.
    `http://up.example/api/cb?token=${QUERY_TOKEN}`,
  ];
  for (const url of refused) {
    const error = await api(url).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(
      /^upstreamFetch: https?:\/\/[a-z.]+ is not the upstream/,
    );
    const text = renderings(error);
    for (const secret of [ACCESS, PASSWORD, CODE, QUERY_TOKEN, PATH_TOKEN]) {
      expect(text, `${secret} from ${url}`).not.toContain(secret);
    }
  }
  expect(sent).toHaveLength(1);
});

it('a string that is not a URL is not echoed in the error', async () => {
  const api = upstreamFetch(
    { getTokens: async () => Promise.reject(new Error('must not be asked')) },
    's',
    { baseURL: 'https://up.example', fetch: async () => new Response('ok') },
  );
  const error = await api(`http://[${QUERY_TOKEN}]/x`).catch((caught: unknown) => caught);
  expect(error).toEqual(new TypeError('upstreamFetch: not a URL'));
  expect(renderings(error)).not.toContain(QUERY_TOKEN);
});
