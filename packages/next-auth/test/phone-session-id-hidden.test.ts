/**
 * Phone sign-in with revocable sessions: the user `authorize` resolves to carries the session id
 * (a bearer secret) for the `jwt` callback, but not as an enumerable property, so an app's
 * `signIn` callback that logs or spreads `user` never shows it (as with password sign-in).
 */
import { MemorySessionStore, UpstreamSessions } from '@tingting-auth/core/upstream';
import { CredentialsSignin } from 'next-auth-v5';
import { describe, expect, it } from 'vitest';
import { TingTing as TingTingV4 } from '../src/index.js';
import { TingTing as TingTingV5 } from '../src/v5.js';
import { makeEngine, PHONE, PHONE_E164 } from './helpers.js';

const SESSION_SECRET = 'sessions-secret-of-at-least-thirty-two-bytes-000';
const HEADERS = { 'user-agent': 'Mozilla/5.0 (test)', 'x-forwarded-for': '198.51.100.7' };

const majors = [
  ['v4', (options: object) => TingTingV4(options as never)],
  ['v5', (options: object) => TingTingV5({ ...options, CredentialsSignin } as never)],
] as const;

describe.each(majors)('TingTing on %s with sessions', (_name, TingTing) => {
  it('authorize: the sid is readable, live, and in no spread, key list or JSON', async () => {
    const sessions = new UpstreamSessions({
      store: new MemorySessionStore(),
      secret: SESSION_SECRET,
      providerId: 'phone',
      throttle: false,
    });
    const { engine, lastCode } = makeEngine();
    await engine.send({ phone: PHONE });
    const provider = TingTing({ engine, sessions, trustProxy: true }) as unknown as {
      authorize: (fields: unknown, request: unknown) => Promise<Record<string, unknown>>;
    };
    const user = await provider.authorize({ phone: PHONE, code: lastCode() }, { headers: HEADERS });
    const sid = user.sid;
    expect(typeof sid).toBe('string');
    expect((await sessions.status(sid as string)).active).toBe(true);
    expect(Object.keys(user)).not.toContain('sid');
    expect(JSON.stringify(user)).not.toContain(sid as string);
    expect({ ...user }).not.toHaveProperty('sid');
    expect(user).toMatchObject({ id: PHONE_E164, upstream: 'phone' });
  });
});
