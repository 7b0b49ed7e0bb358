import { describe, expect, it } from 'vitest';
import { parseErrorBody, parseRetryAfter, scrub } from './http.js';

describe('parseErrorBody', () => {
  it('reads the send-OTP envelope', () => {
    expect(
      parseErrorBody(
        {
          status: 400,
          success: false,
          message: 'number: bad',
          errors: [{ field: 'number', message: 'bad' }, 'loose text'],
          data: null,
        },
        [],
      ),
    ).toEqual({
      message: 'number: bad',
      errors: [
        { field: 'number', message: 'bad' },
        { field: 'non_field_errors', message: 'loose text' },
      ],
    });
  });

  it('reads DRF detail and field errors, and errors given as a dict', () => {
    expect(parseErrorBody({ detail: 'Invalid token.' }, [])).toEqual({
      detail: 'Invalid token.',
      errors: [],
    });
    expect(parseErrorBody({ email: ['required'], password: ['blank', 'short'] }, [])).toEqual({
      errors: [
        { field: 'email', message: 'required' },
        { field: 'password', message: 'blank' },
        { field: 'password', message: 'short' },
      ],
    });
    expect(parseErrorBody({ errors: { otp: ['bad'] } }, [])?.errors).toEqual([
      { field: 'otp', message: 'bad' },
    ]);
  });

  it('is undefined for bodies that say nothing', () => {
    for (const body of [null, [], 'text', 42, {}, { foo: 1 }, { data: null }]) {
      expect(parseErrorBody(body, [])).toBeUndefined();
    }
  });

  it('scrubs secrets from every text', () => {
    const parsed = parseErrorBody(
      {
        message: 'token abcd1234 bad',
        detail: 'abcd1234',
        errors: [{ field: 'x', message: 'abcd1234' }],
      },
      ['abcd1234'],
    );
    expect(JSON.stringify(parsed)).not.toContain('abcd1234');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3);
    expect(parseRetryAfter(' 120 ')).toBe(120);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('-1')).toBeUndefined();
  });
});

describe('scrub', () => {
  it('replaces every occurrence and bounds the length', () => {
    expect(scrub('a SECRET b SECRET', ['SECRET'])).toBe('a [redacted] b [redacted]');
    expect(scrub('x'.repeat(1000), []).length).toBeLessThanOrEqual(301);
    expect(scrub('abc', ['ab'])).toBe('abc'); // too short to be a secret worth matching
  });
});
