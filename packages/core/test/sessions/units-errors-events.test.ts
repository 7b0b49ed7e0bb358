/**
 * The sessions' errors (what adapters map to 401 / 503) and the event emitter (a throwing or
 * rejecting listener never breaks an operation; unsubscribing works, also during an emit).
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, TingTingAuthError } from '../../src/errors.js';
import {
  SessionExpiredError,
  SessionUnavailableError,
  UpstreamUnavailableError,
} from '../../src/upstream/index.js';
import { SessionEvents, type UpstreamSessionEvent } from '../../src/upstream/sessions-events.js';

describe('SessionExpiredError', () => {
  it('SESSION_EXPIRED, with the reason in the message and as a field', () => {
    const error = new SessionExpiredError('refresh_lost');
    expect(error).toBeInstanceOf(TingTingAuthError);
    expect(error.code).toBe(ErrorCode.SESSION_EXPIRED);
    expect(error.reason).toBe('refresh_lost');
    expect(error.message).toBe('The session is over (refresh_lost)');
    expect(error.cause).toBeUndefined();
    const cause = new Error('why');
    expect(new SessionExpiredError('unknown', { cause }).cause).toBe(cause);
  });
});

describe('SessionUnavailableError', () => {
  it('an upstream-unavailable error of the refresh endpoint, with Retry-After', () => {
    const error = new SessionUnavailableError('notes', 12);
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect(error.code).toBe(ErrorCode.UPSTREAM_UNAVAILABLE);
    expect(error.message).toBe('The upstream could not refresh the session; try again later');
    expect(error.provider).toBe('notes');
    expect(error.endpoint).toBe('refresh');
    expect(error.reason).toBe('server-error');
    expect(error.retryAfterInSeconds).toBe(12);
    expect(error.cause).toBeUndefined();
    expect('cause' in error).toBe(false);
  });

  it('keeps the cause when given one', () => {
    const cause = new Error('503 upstream');
    const error = new SessionUnavailableError('timbr', 30, { cause });
    expect(error.cause).toBe(cause);
    expect(error.retryAfterInSeconds).toBe(30);
  });
});

const event = (session: string): UpstreamSessionEvent => ({
  type: 'refresh',
  provider: 'p',
  session,
  generation: 1,
  at: new Date(0),
});

describe('SessionEvents', () => {
  it('a listener must be a function', () => {
    const events = new SessionEvents(() => {});
    for (const listener of [undefined, null, 'f', {}]) {
      expect(() => events.on('refresh', listener as never)).toThrow(
        new TypeError('UpstreamSessions.on: the listener must be a function'),
      );
    }
  });

  it('delivers events to the listeners of their type only, in order, until unsubscribed', () => {
    const events = new SessionEvents(() => {});
    const seen: string[] = [];
    const offA = events.on('refresh', (e) => seen.push(`a:${e.session}`));
    events.on('refresh', (e) => seen.push(`b:${e.session}`));
    events.on('ended', () => seen.push('ended'));
    events.emit(event('1'));
    offA();
    events.emit(event('2'));
    offA();
    expect(seen).toEqual(['a:1', 'b:1', 'b:2']);
    // A type nobody listens to.
    expect(() =>
      events.emit({ type: 'sign-in', provider: 'p', subject: 's', session: 'x', at: new Date(0) }),
    ).not.toThrow();
  });

  it('the same function subscribed twice is called twice; each unsubscribe removes one', () => {
    const events = new SessionEvents(() => {});
    let calls = 0;
    const listener = () => {
      calls += 1;
    };
    const off1 = events.on('refresh', listener);
    events.on('refresh', listener);
    events.emit(event('1'));
    expect(calls).toBe(2);
    off1();
    events.emit(event('2'));
    expect(calls).toBe(3);
  });

  it('a throwing listener is reported with the event type; the others still run', () => {
    const reported: [string, unknown][] = [];
    const events = new SessionEvents((type, error) => reported.push([type, error]));
    const boom = new Error('listener bug');
    const seen: string[] = [];
    events.on('refresh', () => {
      throw boom;
    });
    events.on('refresh', (e) => seen.push(e.session));
    expect(() => events.emit(event('1'))).not.toThrow();
    expect(seen).toEqual(['1']);
    expect(reported).toEqual([['refresh', boom]]);
  });

  it('a listener whose promise rejects is reported too, without an unhandled rejection', async () => {
    const reported: [string, unknown][] = [];
    const events = new SessionEvents((type, error) => reported.push([type, error]));
    const boom = new Error('async listener bug');
    events.on('refresh', async () => {
      throw boom;
    });
    events.emit(event('1'));
    expect(reported).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(reported).toEqual([['refresh', boom]]);
  });

  it('a listener resolving normally reports nothing', async () => {
    const reported: unknown[] = [];
    const events = new SessionEvents((type) => reported.push(type));
    events.on('refresh', async () => {});
    events.on('refresh', () => 'not a promise');
    events.emit(event('1'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(reported).toEqual([]);
  });

  it('changes made by a listener during an emit apply from the next emit on', () => {
    const events = new SessionEvents(() => {});
    const seen: string[] = [];
    let offB: () => void = () => {};
    events.on('refresh', (e) => {
      seen.push(`a:${e.session}`);
      offB();
      events.on('refresh', (e2) => seen.push(`late:${e2.session}`));
    });
    offB = events.on('refresh', (e) => seen.push(`b:${e.session}`));
    events.emit(event('1'));
    expect(seen).toEqual(['a:1', 'b:1']);
  });
});
