import { afterEach, describe, expect, it, vi } from 'vitest';
import { OTPEvents } from '../src/engine/events.js';
import { resolveTestMode } from '../src/engine/test-mode.js';
import type { OTPEvent } from '../src/otp-types.js';

describe('resolveTestMode', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is off without options', () => {
    expect(resolveTestMode(undefined, 6)).toBeUndefined();
  });

  it('maps each number, in any form, to its canonical E.164 and its code', () => {
    expect(
      resolveTestMode({ codes: { '9800000001': '123456', '+977 980-0000002': '000000' } }, 6),
    ).toEqual(
      new Map([
        ['+9779800000001', '123456'],
        ['+9779800000002', '000000'],
      ]),
    );
    expect(resolveTestMode({ codes: {} }, 6)).toEqual(new Map());
  });

  it('refuses under NODE_ENV=production, even with no codes, with the reason and the fix', () => {
    vi.stubEnv('NODE_ENV', 'production');
    expect(() => resolveTestMode({ codes: {} }, 6)).toThrow(
      new TypeError(
        'OTPEngine: testMode is refused under NODE_ENV=production: it makes codes predictable. ' +
          'Remove the testMode option from production configuration.',
      ),
    );
    vi.stubEnv('NODE_ENV', 'staging');
    expect(resolveTestMode({ codes: {} }, 6)).toEqual(new Map());
  });

  it.each([null, 'codes', {}, { codes: null }, { codes: 'x' }])(
    'refuses %j with an example',
    (options) => {
      expect(() => resolveTestMode(options, 6)).toThrow(
        new TypeError(
          "OTPEngine: testMode must be `{ codes: { '<number>': '<code>' } }`, e.g. { codes: { '+9779800000001': '123456' } }",
        ),
      );
    },
  );

  it('names the bad number, and the code that has the wrong shape', () => {
    expect(() => resolveTestMode({ codes: { '12': '123456' } }, 6)).toThrow(
      new TypeError('OTPEngine: testMode.codes has a key that is not a valid phone number: 12'),
    );
    for (const code of ['12345', '1234567', '12345a', 123456, ' 123456']) {
      expect(() => resolveTestMode({ codes: { '9800000001': code } }, 6)).toThrow(
        new TypeError(
          "OTPEngine: testMode.codes['9800000001'] must be a string of exactly 6 digits (policy.codeLength)",
        ),
      );
    }
    expect(resolveTestMode({ codes: { '9800000001': '12345678' } }, 8)?.size).toBe(1);
  });
});

describe('OTPEvents', () => {
  const sent = (phone: string): OTPEvent =>
    ({
      type: 'sent',
      phone,
      channel: 'text',
      purpose: 'sign-in',
      at: new Date(0),
      testMode: false,
    }) as OTPEvent;

  it('has() tells whether anyone listens to a type, before, during and after a subscription', () => {
    const events = new OTPEvents(() => {});
    expect(events.has('sent')).toBe(false);
    const off = events.on('sent', () => {});
    expect(events.has('sent')).toBe(true);
    expect(events.has('verified')).toBe(false);
    off();
    expect(events.has('sent')).toBe(false);
  });

  it('emits to every listener of the type in order, and to no other type', () => {
    const events = new OTPEvents(() => {});
    const seen: string[] = [];
    events.on('sent', (event) => seen.push(`a:${event.phone}`));
    events.on('sent', (event) => seen.push(`b:${event.phone}`));
    events.on('verified', () => seen.push('wrong type'));
    events.emit(sent('+9779800000001'));
    expect(seen).toEqual(['a:+9779800000001', 'b:+9779800000001']);
  });

  it('a listener that unsubscribes another during an emit does not stop that emit', () => {
    const events = new OTPEvents(() => {});
    const seen: string[] = [];
    let offB = (): void => {};
    events.on('sent', () => {
      seen.push('a');
      offB();
    });
    offB = events.on('sent', () => seen.push('b'));
    events.emit(sent('+9779800000001'));
    events.emit(sent('+9779800000001'));
    expect(seen).toEqual(['a', 'b', 'a']);
  });

  it('reports a throwing listener and a rejected promise with the event type, and goes on', async () => {
    const errors: [string, unknown][] = [];
    const events = new OTPEvents((type, error) => errors.push([type, error]));
    const thrown = new Error('sync');
    const rejected = new Error('async');
    const seen: string[] = [];
    events.on('sent', () => {
      throw thrown;
    });
    events.on('sent', async () => {
      throw rejected;
    });
    events.on('sent', () => seen.push('third'));
    events.emit(sent('+9779800000001'));
    expect(seen).toEqual(['third']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toEqual([
      ['sent', thrown],
      ['sent', rejected],
    ]);
  });

  it('emitting a type nobody listens to is a no-op', () => {
    const onError = vi.fn();
    new OTPEvents(onError).emit(sent('+9779800000001'));
    expect(onError).not.toHaveBeenCalled();
  });
});
