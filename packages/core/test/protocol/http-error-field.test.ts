/**
 * `TingTingHTTPError` carries the body field a 400 is about, so an app's own error handler
 * (`res.status(err.status).json(err)`) answers the same body as the protocol; `answerOfHTTPError`
 * is the protocol's answer for such an error, also for a copy from a duplicated package.
 */
import { describe, expect, it } from 'vitest';
import {
  answerOf,
  answerOfHTTPError,
  refusalOf,
  TingTingHTTPError,
} from '../../src/protocol/index.js';
import { PUBLIC_ERROR_MESSAGES } from '../../src/public-errors.js';

describe('TingTingHTTPError field', () => {
  it('fromRefusal keeps the field, and toJSON shows it', () => {
    const error = TingTingHTTPError.fromRefusal(
      refusalOf('INVALID_REQUEST', { field: 'password' }),
    );
    expect(error.field).toBe('password');
    expect(JSON.parse(JSON.stringify(error))).toStrictEqual({
      error: {
        code: 'INVALID_REQUEST',
        message: PUBLIC_ERROR_MESSAGES.INVALID_REQUEST,
        field: 'password',
      },
    });
  });

  it('without a field, none is shown', () => {
    const error = new TingTingHTTPError('INVALID_REQUEST');
    expect(error.field).toBeUndefined();
    expect(error.toJSON().error).not.toHaveProperty('field');
  });

  it('a field that is not a string is ignored', () => {
    const error = new TingTingHTTPError('INVALID_REQUEST', { field: 42 as never });
    expect(error.field).toBeUndefined();
  });
});

describe('answerOfHTTPError', () => {
  it('answers as the refusal it came from: status, Retry-After, body with field', () => {
    for (const refusal of [
      refusalOf('INVALID_REQUEST', { field: 'username' }),
      refusalOf('RATE_LIMITED', { retryAfter: 12.2 }),
      refusalOf('SERVICE_UNAVAILABLE'),
      refusalOf('METHOD_NOT_ALLOWED'),
    ]) {
      expect(answerOfHTTPError(TingTingHTTPError.fromRefusal(refusal))).toStrictEqual(
        answerOf(refusal),
      );
    }
  });

  it('reads an error of a duplicated copy by its fields, never its cause or message', () => {
    const copy = Object.assign(new Error('secret detail'), {
      name: 'TingTingHTTPError',
      code: 'INVALID_REQUEST',
      retryAfter: undefined,
      field: 'code',
      cause: new Error('token abc'),
    }) as unknown as TingTingHTTPError;
    const answer = answerOfHTTPError(copy);
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer)).not.toMatch(/secret|token/);
    expect(answer.body).toStrictEqual({
      error: {
        code: 'INVALID_REQUEST',
        message: PUBLIC_ERROR_MESSAGES.INVALID_REQUEST,
        field: 'code',
      },
    });
  });
});
