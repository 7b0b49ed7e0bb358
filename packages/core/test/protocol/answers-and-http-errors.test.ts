/**
 * The answer every handler gives and the http-errors shaped error: the whole table per code, the
 * one Retry-After rule, the headers (no-store, content-type, Retry-After, Allow), and which keys
 * an answer carries (no `field`/`cause`/`retryAfter` key unless set).
 */
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/errors.js';
import {
  answerOf,
  isTingTingHTTPError,
  jsonAnswer,
  type PublicErrorCode,
  refusalOf,
  refuse,
  retryAfterOf,
  TingTingHTTPError,
} from '../../src/protocol/index.js';
import { PUBLIC_ERROR_MESSAGES, PUBLIC_ERROR_STATUS } from '../../src/public-errors.js';

const CODES = Object.keys(PUBLIC_ERROR_STATUS) as PublicErrorCode[];
const WITH_RETRY: Partial<Record<PublicErrorCode, number>> = {
  RATE_LIMITED: 60,
  LOCKED: 60,
  SERVICE_UNAVAILABLE: 30,
};
const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
};

describe('retryAfterOf', () => {
  it('every 429 and 503 has one, other codes never', () => {
    for (const code of CODES) {
      expect(retryAfterOf(code)).toBe(WITH_RETRY[code]);
      expect(retryAfterOf(code, 7)).toBe(WITH_RETRY[code] === undefined ? undefined : 7);
    }
  });

  it('whole seconds rounded up, at least 1; a non-finite figure takes the default', () => {
    expect(retryAfterOf('RATE_LIMITED', 1.0001)).toBe(2);
    expect(retryAfterOf('RATE_LIMITED', 2)).toBe(2);
    expect(retryAfterOf('LOCKED', 0)).toBe(1);
    expect(retryAfterOf('LOCKED', -5)).toBe(1);
    expect(retryAfterOf('LOCKED', 0.001)).toBe(1);
    expect(retryAfterOf('SERVICE_UNAVAILABLE', 120)).toBe(120);
    expect(retryAfterOf('SERVICE_UNAVAILABLE', Number.NaN)).toBe(30);
    expect(retryAfterOf('SERVICE_UNAVAILABLE', Infinity)).toBe(30);
    expect(retryAfterOf('RATE_LIMITED', -Infinity)).toBe(60);
    expect(retryAfterOf('RATE_LIMITED', '5' as never)).toBe(60);
  });
});

describe('jsonAnswer', () => {
  it('status, body, the JSON and no-store headers, and the extra ones', () => {
    expect(jsonAnswer(200, { a: 1 })).toEqual({
      status: 200,
      headers: JSON_HEADERS,
      body: { a: 1 },
    });
    expect(jsonAnswer(202, null, { 'x-extra': 'y' })).toEqual({
      status: 202,
      headers: { ...JSON_HEADERS, 'x-extra': 'y' },
      body: null,
    });
  });
});

describe('refusalOf / answerOf / refuse: the table per code', () => {
  for (const code of CODES) {
    it(`${code}: status ${PUBLIC_ERROR_STATUS[code]}, generic message, headers`, () => {
      const refusal = refusalOf(code);
      const retryAfter = WITH_RETRY[code];
      expect(refusal).toStrictEqual({
        code,
        status: PUBLIC_ERROR_STATUS[code],
        message: PUBLIC_ERROR_MESSAGES[code],
        ...(retryAfter === undefined ? {} : { retryAfter }),
      });
      const headers: Record<string, string> = { ...JSON_HEADERS };
      if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
      if (code === 'METHOD_NOT_ALLOWED') headers.allow = 'POST';
      const answer = answerOf(refusal);
      expect(answer).toStrictEqual({
        status: PUBLIC_ERROR_STATUS[code],
        headers,
        body: { error: { code, message: PUBLIC_ERROR_MESSAGES[code] } },
      });
      expect(refuse(code)).toStrictEqual({ ok: false, answer, error: refusal });
    });
  }

  it('keeps the retry figure, the field and the cause; the answer shows only the field', () => {
    const cause = new Error('store down');
    const refusal = refusalOf('SERVICE_UNAVAILABLE', { retryAfter: 4.2, cause });
    expect(refusal).toStrictEqual({
      code: 'SERVICE_UNAVAILABLE',
      status: 503,
      message: PUBLIC_ERROR_MESSAGES.SERVICE_UNAVAILABLE,
      retryAfter: 5,
      cause,
    });
    expect(answerOf(refusal).headers['retry-after']).toBe('5');
    expect(JSON.stringify(answerOf(refusal))).not.toContain('store down');

    const withField = refusalOf('INVALID_REQUEST', { field: 'phone', retryAfter: 3 });
    expect(withField).toStrictEqual({
      code: 'INVALID_REQUEST',
      status: 400,
      message: PUBLIC_ERROR_MESSAGES.INVALID_REQUEST,
      field: 'phone',
    });
    expect(answerOf(withField)).toStrictEqual({
      status: 400,
      headers: JSON_HEADERS,
      body: {
        error: {
          code: 'INVALID_REQUEST',
          message: PUBLIC_ERROR_MESSAGES.INVALID_REQUEST,
          field: 'phone',
        },
      },
    });
    const result = refuse('LOCKED', { retryAfter: 9, field: 'code', cause: 'x' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toStrictEqual({
      code: 'LOCKED',
      status: 429,
      message: PUBLIC_ERROR_MESSAGES.LOCKED,
      retryAfter: 9,
      field: 'code',
      cause: 'x',
    });
    expect(result.answer.headers['retry-after']).toBe('9');
  });

  it('an empty-string field is still named', () => {
    expect(refusalOf('INVALID_REQUEST', { field: '' }).field).toBe('');
    expect(
      (answerOf(refusalOf('INVALID_REQUEST', { field: '' })).body as never as { error: object })
        .error,
    ).toHaveProperty('field', '');
  });
});

describe('TingTingHTTPError', () => {
  for (const code of CODES) {
    it(`${code}: http-errors shape`, () => {
      const error = new TingTingHTTPError(code);
      const status = PUBLIC_ERROR_STATUS[code];
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('TingTingHTTPError');
      expect(error.code).toBe(code);
      expect(error.status).toBe(status);
      expect(error.statusCode).toBe(status);
      expect(error.expose).toBe(status < 500);
      expect(error.message).toBe(PUBLIC_ERROR_MESSAGES[code]);
      expect(error.publicMessage).toBe(PUBLIC_ERROR_MESSAGES[code]);
      expect(error.retryAfter).toBe(WITH_RETRY[code]);
      expect(error.headers).toStrictEqual(
        WITH_RETRY[code] === undefined ? {} : { 'Retry-After': String(WITH_RETRY[code]) },
      );
      expect(Object.isFrozen(error.headers)).toBe(true);
      expect(Object.hasOwn(error, 'cause')).toBe(false);
      expect(error.toJSON()).toStrictEqual({
        error: { code, message: PUBLIC_ERROR_MESSAGES[code] },
      });
    });
  }

  it('a 4xx has no stack frames, a 5xx has them; Error.stackTraceLimit is left as it was', () => {
    const before = Error.stackTraceLimit;
    const client = new TingTingHTTPError('INVALID_CODE');
    expect(client.stack ?? '').not.toMatch(/\n\s+at /);
    expect(Error.stackTraceLimit).toBe(before);
    const server = new TingTingHTTPError('SESSION_REQUIRED');
    expect(server.expose).toBe(false);
    expect(server.stack).toMatch(/\n\s+at /);
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('plain').stack).toMatch(/\n\s+at /);
  });

  it('message, cause and retryAfter from the options; the public message stays generic', () => {
    const cause = new Error('boom');
    const error = new TingTingHTTPError('SERVICE_UNAVAILABLE', {
      retryAfter: 12.5,
      cause,
      message: 'store down',
    });
    expect(error.message).toBe('store down');
    expect(error.publicMessage).toBe(PUBLIC_ERROR_MESSAGES.SERVICE_UNAVAILABLE);
    expect(error.cause).toBe(cause);
    expect(error.retryAfter).toBe(13);
    expect(error.headers).toStrictEqual({ 'Retry-After': '13' });
    expect(error.toJSON()).toStrictEqual({
      error: { code: 'SERVICE_UNAVAILABLE', message: PUBLIC_ERROR_MESSAGES.SERVICE_UNAVAILABLE },
    });
    const noRetry = new TingTingHTTPError('INVALID_CODE', { retryAfter: 5 });
    expect(noRetry.retryAfter).toBeUndefined();
    expect(noRetry.headers).toStrictEqual({});
  });

  it('fromRefusal: the engine error as cause with a log message naming its code', () => {
    const engineError = new StoreUnavailableError();
    const fromEngine = TingTingHTTPError.fromRefusal(
      refusalOf('SERVICE_UNAVAILABLE', { cause: engineError }),
    );
    expect(fromEngine.message).toBe('OTP engine failed: STORE_UNAVAILABLE');
    expect(fromEngine.cause).toBe(engineError);
    expect(fromEngine.retryAfter).toBe(30);
    expect(fromEngine.publicMessage).toBe(PUBLIC_ERROR_MESSAGES.SERVICE_UNAVAILABLE);

    const other = new Error('not an engine error');
    const fromOther = TingTingHTTPError.fromRefusal(
      refusalOf('SERVICE_UNAVAILABLE', { cause: other }),
    );
    expect(fromOther.message).toBe(PUBLIC_ERROR_MESSAGES.SERVICE_UNAVAILABLE);
    expect(fromOther.cause).toBe(other);

    const limited = TingTingHTTPError.fromRefusal(refusalOf('RATE_LIMITED', { retryAfter: 42 }));
    expect(limited.retryAfter).toBe(42);
    expect(limited.headers).toStrictEqual({ 'Retry-After': '42' });
    expect(limited.message).toBe(PUBLIC_ERROR_MESSAGES.RATE_LIMITED);
    expect(Object.hasOwn(limited, 'cause')).toBe(false);

    const plain = TingTingHTTPError.fromRefusal(refusalOf('INVALID_PHONE'));
    expect(plain.code).toBe('INVALID_PHONE');
    expect(plain.status).toBe(400);
    expect(plain.retryAfter).toBeUndefined();
    expect(Object.hasOwn(plain, 'cause')).toBe(false);
  });
});

describe('isTingTingHTTPError', () => {
  function lookalike(name: string, code: unknown): Error {
    return Object.assign(new Error('x'), { name, code });
  }

  it('an instance, or an Error from another copy with the name and a public code', () => {
    expect(isTingTingHTTPError(new TingTingHTTPError('LOCKED'))).toBe(true);
    expect(isTingTingHTTPError(lookalike('TingTingHTTPError', 'INVALID_CODE'))).toBe(true);
    // An app's subclass with a name of its own is still one.
    class AppHTTPError extends TingTingHTTPError {
      override name = 'AppHTTPError';
    }
    expect(isTingTingHTTPError(new AppHTTPError('LOCKED'))).toBe(true);
  });

  it('not anything else', () => {
    expect(isTingTingHTTPError(null)).toBe(false);
    expect(isTingTingHTTPError(undefined)).toBe(false);
    expect(isTingTingHTTPError('TingTingHTTPError')).toBe(false);
    expect(isTingTingHTTPError({ name: 'TingTingHTTPError', code: 'INVALID_CODE' })).toBe(false);
    expect(isTingTingHTTPError(lookalike('Error', 'INVALID_CODE'))).toBe(false);
    expect(isTingTingHTTPError(lookalike('TingTingHTTPError', 'NO_SUCH_CODE'))).toBe(false);
    expect(isTingTingHTTPError(lookalike('TingTingHTTPError', 'toString'))).toBe(false);
    expect(isTingTingHTTPError(lookalike('TingTingHTTPError', 400))).toBe(false);
    // Not a string, though it converts to a code name as a property key.
    expect(isTingTingHTTPError(lookalike('TingTingHTTPError', ['INVALID_CODE']))).toBe(false);
    expect(isTingTingHTTPError(lookalike('TingTingHTTPError', undefined))).toBe(false);
    expect(isTingTingHTTPError(new StoreUnavailableError())).toBe(false);
  });
});
