import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../../src/upstream/index.js';
import { PASSWORD, type SessionsHarness, setup } from './helpers.js';

/** Every way a value may end up in a log line. */
function renderings(value: unknown): string {
  let json = '';
  try {
    json = JSON.stringify(value) ?? '';
  } catch {
    json = '';
  }
  return `${inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: false })}\n${json}\n${String(value)}`;
}

function leaked(text: string, secrets: readonly string[]): string[] {
  return secrets.filter((secret) => secret !== '' && text.includes(secret));
}

// T11: no password, token, cookie or session id in any event, warning, error, result or stored record.
describe('no secret leaks', () => {
  let h: SessionsHarness;
  afterEach(() => h.close());

  it('through a sign-in, failures, rotations, a lost answer, an outage and a rejection', async () => {
    const store = new MemorySessionStore();
    h = await setup({ fake: { rotation: 'rotate', graceSeconds: 10 }, sessions: { store } });
    const seen: unknown[] = [];
    const secrets = new Set<string>([PASSWORD, 'wrong-password-xyz']);
    const collect = async <T>(promise: Promise<T>): Promise<T | undefined> => {
      try {
        const value = await promise;
        seen.push(value);
        return value;
      } catch (error) {
        seen.push(error);
        return undefined;
      }
    };

    await collect(
      h.sessions.signIn({ identifier: 'asha', password: 'wrong-password-xyz', ip: '203.0.113.4' }),
    );
    const result = await h.sessions.signIn({
      identifier: 'asha',
      password: PASSWORD,
      ip: '203.0.113.4',
      userAgent: 'Mozilla/5.0 test',
    });
    if (!result.ok) throw new Error('sign-in failed');
    seen.push(result);
    const sid = result.sid;
    secrets.add(sid);
    secrets.add(sid.split('.')[1]!);
    const remember = async () => {
      const tokens = await h.sessions.getTokens(sid);
      seen.push(tokens);
      secrets.add(tokens.accessToken);
      if (tokens.refreshToken) secrets.add(tokens.refreshToken);
      return tokens;
    };
    let tokens = await remember();
    // A rotation, a lost answer recovered in the grace period, an outage, then a rejection.
    h.clock.set(tokens.accessExpiresAt);
    tokens = await remember();
    h.fake.inject('refresh', { kind: 'reset', afterWork: true });
    h.clock.set(tokens.accessExpiresAt);
    tokens = await remember();
    h.fake.inject('refresh', { status: 503, times: 1 });
    h.clock.set(tokens.accessExpiresAt);
    await collect(h.sessions.getAccessToken(sid));
    seen.push(await h.sessions.status(sid));
    seen.push(await h.sessions.list('asha'));
    for (const presented of h.fake.refreshTokensPresented) secrets.add(presented.token);
    h.fake.revokeAll('asha');
    await collect(h.sessions.getAccessToken(sid));
    await collect(h.sessions.getAccessToken(sid));
    await collect(h.sessions.getAccessToken('not-a-session'));

    expect(secrets.size).toBeGreaterThan(8);
    const all = [...secrets];
    expect(leaked(renderings(h.events), all)).toEqual([]);
    expect(leaked(h.warnings.join('\n'), all)).toEqual([]);
    for (const value of seen) {
      const text = renderings(value);
      // The token set itself is meant to hand the tokens to the caller: only its renderings must not.
      expect(leaked(text, all)).toEqual([]);
    }
    expect(h.events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'sign-in',
        'sign-in.failed',
        'refresh',
        'refresh.failed',
        'refresh.rejected',
        'ended',
      ]),
    );
  });

  it('the store holds no token, password, session id or identifier in clear', async () => {
    const store = new MemorySessionStore();
    h = await setup({ sessions: { store } });
    for (let i = 0; i < 3; i++) {
      await h.sessions.signIn({
        identifier: 'asha',
        password: 'wrong-password-xyz',
        ip: '203.0.113.4',
      });
    }
    const result = await h.sessions.signIn({
      identifier: 'asha',
      password: PASSWORD,
      ip: '203.0.113.4',
      userAgent: 'UA-secretish',
    });
    if (!result.ok) throw new Error('sign-in failed');
    const tokens = await h.sessions.getTokens(result.sid);
    const dump = inspect(store, {
      depth: Number.POSITIVE_INFINITY,
      showHidden: true,
      maxArrayLength: null,
      maxStringLength: null,
    });
    expect(dump.length).toBeGreaterThan(500);
    expect(
      leaked(dump, [
        PASSWORD,
        'wrong-password-xyz',
        result.sid,
        result.sid.split('.')[1]!,
        tokens.accessToken,
        tokens.refreshToken!,
        'asha',
        'UA-secretish',
        '203.0.113.4',
      ]),
    ).toEqual([]);
  });
});
