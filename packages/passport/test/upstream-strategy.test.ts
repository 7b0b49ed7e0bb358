/**
 * The UpstreamStrategy through chai-passport-strategy (which, like Passport, calls `authenticate`
 * on a copy of the strategy), against each fake upstream over real HTTP: the account the verify
 * callback gets, every refusal and its status, body-only fields, and settle-once.
 */
import { inspect } from 'node:util';
import { isTingTingHTTPError } from '@tingting-auth/core/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpstreamAccount } from '../src/index.js';
import { recordingResponse } from './helpers.js';
import {
  PASSWORD,
  runUpstream,
  type UpstreamKind,
  type UpstreamRig,
  upstreamRig,
  WRONG,
} from './upstream-helpers.js';

const INVALID_CREDENTIALS = {
  action: 'fail',
  challenge: {
    message: 'The username or password is not right.',
    code: 'INVALID_CREDENTIALS',
  },
  status: 401,
};

describe.each<UpstreamKind>(['notes', 'timbr', 'tingting'])('against %s', (kind) => {
  let rig: UpstreamRig;
  beforeAll(async () => {
    rig = await upstreamRig(kind);
  });
  afterAll(() => rig.close());

  it('signs in: the verify callback gets the account, never a token', async () => {
    const accounts: UpstreamAccount[] = [];
    const strategy = rig.strategy({}, async (account) => {
      accounts.push(account);
      return { id: `user:${account.subject}` };
    });
    const { outcome, calls } = await runUpstream(strategy, {
      body: { username: rig.user, password: PASSWORD },
      ip: '192.0.2.1',
    });
    expect(outcome).toMatchObject({
      action: 'success',
      user: { id: expect.stringMatching(/^user:/) },
    });
    expect(calls).toHaveLength(1);
    const [account] = accounts;
    expect(account).toMatchObject({ provider: kind, username: rig.user });
    expect(typeof account?.subject).toBe('string');
    // The session id is there for the app, but out of JSON and inspect.
    expect(typeof account?.sessionId).toBe('string');
    expect(JSON.stringify(account)).not.toContain(account?.sessionId);
    expect(inspect(account)).not.toContain(account?.sessionId);
    expect(Object.keys(account ?? {})).not.toContain('sessionId');
    // The session is live and carries tokens, which the account does not.
    const status = await rig.sessions.status(account!.sessionId);
    expect(status.active).toBe(true);
    const token = await rig.sessions.getAccessToken(account!.sessionId);
    expect(JSON.stringify(account)).not.toContain(token);
    expect(inspect(account, { showHidden: true, depth: 5 })).not.toContain(token);
  });

  it('wrong password, unknown user and inactive account fail identically (401)', async () => {
    const strategy = rig.strategy();
    const answers = [];
    for (const body of [
      { username: rig.user, password: WRONG },
      { username: kind === 'tingting' ? 'nobody@example.com' : 'nobody', password: PASSWORD },
      { username: rig.inactive, password: PASSWORD },
    ]) {
      const res = recordingResponse();
      const { outcome } = await runUpstream(strategy, { body, res, ip: '192.0.2.2' });
      answers.push({ outcome, headers: res.headers });
    }
    for (const answer of answers) {
      expect(answer).toEqual({ outcome: INVALID_CREDENTIALS, headers: {} });
    }
  });
});

describe('refusals (notes)', () => {
  let rig: UpstreamRig;
  beforeAll(async () => {
    rig = await upstreamRig('notes');
  });
  afterAll(() => rig.close());

  it.each([
    ['no body parser ran', undefined, undefined],
    ['no username', { password: PASSWORD }, 'username'],
    ['empty username', { username: '', password: PASSWORD }, 'username'],
    ['no password', { username: 'asha' }, 'password'],
    ['username as an array', { username: ['asha', 'b'], password: PASSWORD }, 'username'],
    ['password as an object', { username: 'asha', password: { $ne: 1 } }, 'password'],
    ['password as a number', { username: 'asha', password: 12345678 }, 'password'],
  ])(
    '%s: 400 INVALID_REQUEST naming the field, nothing sent upstream',
    async (_label, body, field) => {
      const before = rig.fake.stats.loginCalls;
      const { outcome } = await runUpstream(rig.strategy(), body === undefined ? {} : { body });
      expect(outcome).toEqual({
        action: 'fail',
        challenge: {
          message: 'Missing credentials',
          code: 'INVALID_REQUEST',
          ...(field === undefined ? {} : { field }),
        },
        status: 400,
      });
      expect(rig.fake.stats.loginCalls).toBe(before);
    },
  );

  it('never reads credentials from the query string', async () => {
    const before = rig.fake.stats.loginCalls;
    const { outcome } = await runUpstream(rig.strategy(), {
      body: {},
      request: {
        query: { username: 'asha', password: PASSWORD },
        url: `/login?username=asha&password=${PASSWORD}`,
      },
    });
    expect(outcome).toMatchObject({
      action: 'fail',
      status: 400,
      challenge: { code: 'INVALID_REQUEST' },
    });
    expect(rig.fake.stats.loginCalls).toBe(before);
  });

  it('uses the configured field names and bad-request message', async () => {
    const strategy = rig.strategy({
      usernameField: 'email',
      passwordField: 'secret',
      badRequestMessage: 'Type both',
    });
    const ok = await runUpstream(strategy, { body: { email: 'asha', secret: PASSWORD } });
    expect(ok.outcome.action).toBe('success');
    const { outcome } = await runUpstream(strategy, {
      body: { username: 'asha', password: PASSWORD },
    });
    expect(outcome).toEqual({
      action: 'fail',
      challenge: { message: 'Type both', code: 'INVALID_REQUEST', field: 'email' },
      status: 400,
    });
  });

  it('verify refusing the user: 401 ACCESS_DENIED and the upstream session is ended', async () => {
    const sids: string[] = [];
    const strategy = rig.strategy({}, (account, done) => {
      sids.push(account.sessionId);
      done(null, false);
    });
    const { outcome } = await runUpstream(strategy, {
      body: { username: 'asha', password: PASSWORD },
    });
    expect(outcome).toEqual({
      action: 'fail',
      challenge: { message: expect.any(String), code: 'ACCESS_DENIED' },
      status: 401,
    });
    expect(await rig.sessions.status(sids[0]!)).toMatchObject({ active: false });
  });

  it('verify with info: done(null, false, info) fails with that info', async () => {
    const strategy = rig.strategy({}, (_account, done) => done(null, false, { message: 'banned' }));
    const { outcome } = await runUpstream(strategy, {
      body: { username: 'asha', password: PASSWORD },
    });
    expect(outcome).toEqual({ action: 'fail', challenge: { message: 'banned' }, status: 401 });
  });

  it('verify throwing or rejecting: error(), and the upstream session is ended', async () => {
    const sids: string[] = [];
    const boom = new Error('db down');
    const strategy = rig.strategy({}, async (account) => {
      sids.push(account.sessionId);
      throw boom;
    });
    const { outcome } = await runUpstream(strategy, {
      body: { username: 'asha', password: PASSWORD },
    });
    expect(outcome).toEqual({ action: 'error', error: boom });
    expect(await rig.sessions.status(sids[0]!)).toMatchObject({ active: false });
  });

  it('passReqToCallback: verify(req, account, done)', async () => {
    const seen: unknown[] = [];
    const strategy = rig.strategy(
      { passReqToCallback: true } as never,
      ((
        req: { body: unknown },
        account: UpstreamAccount,
        done: (e: unknown, u?: unknown) => void,
      ) => {
        seen.push(req.body, account.username);
        done(null, { id: account.subject });
      }) as never,
    );
    const { outcome } = await runUpstream(strategy, {
      body: { username: 'asha', password: PASSWORD },
    });
    expect(outcome.action).toBe('success');
    expect(seen).toEqual([{ username: 'asha', password: PASSWORD }, 'asha']);
  });

  it('settles once when verify both calls done and returns a promise', async () => {
    const strategy = rig.strategy({}, async (account, done) => {
      done(null, { id: account.subject });
      return false;
    });
    const { calls } = await runUpstream(strategy, {
      body: { username: 'asha', password: PASSWORD },
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls.map((c) => c.action)).toEqual(['success']);
  });

  it('upstream down: error() with a 503 TingTingHTTPError and Retry-After, never a verdict', async () => {
    const down = await upstreamRig('notes');
    await down.fake.close();
    const res = recordingResponse();
    const { outcome } = await runUpstream(down.strategy(), {
      body: { username: 'asha', password: PASSWORD },
      res,
    });
    expect(outcome.action).toBe('error');
    const error = (outcome as { error: unknown }).error;
    expect(isTingTingHTTPError(error)).toBe(true);
    expect(error).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('throttled: 429 RATE_LIMITED with retryAfter and Retry-After, without an upstream call', async () => {
    const strategy = rig.strategy();
    for (let i = 0; i < 10; i++) {
      const { outcome } = await runUpstream(strategy, {
        body: { username: 'asha', password: WRONG },
        ip: '198.51.100.7',
      });
      expect(outcome).toMatchObject({ status: 401 });
    }
    const before = rig.fake.stats.loginCalls;
    const res = recordingResponse();
    const { outcome } = await runUpstream(strategy, {
      body: { username: 'asha', password: PASSWORD },
      ip: '198.51.100.7',
      res,
    });
    expect(outcome).toMatchObject({
      action: 'fail',
      status: 429,
      challenge: { code: 'RATE_LIMITED', retryAfter: expect.any(Number) },
    });
    const retryAfter = (outcome as { challenge: { retryAfter: number } }).challenge.retryAfter;
    expect(retryAfter).toBeGreaterThan(0);
    expect(res.headers['retry-after']).toBe(String(retryAfter));
    expect(rig.fake.stats.loginCalls).toBe(before);
  });

  it('refuses bad options with a TypeError', () => {
    expect(() => rig.strategy({ sessions: {} as never })).toThrow(TypeError);
    expect(() => rig.strategy({ usernameField: '' })).toThrow(/usernameField/);
    expect(() => rig.strategy({ usernameField: 'x', passwordField: 'x' })).toThrow(TypeError);
    expect(() => rig.strategy({ engine: {} } as never)).toThrow(/unknown option/);
    expect(rig.strategy().name).toBe('upstream');
    expect(rig.strategy({ name: 'timbr' }).name).toBe('timbr');
  });
});
