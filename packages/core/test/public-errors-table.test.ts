import { describe, expect, it } from 'vitest';
import { DeliveryFailedError } from '../src/errors.js';
import {
  PUBLIC_ERROR_MESSAGES,
  PUBLIC_ERROR_STATUS,
  publicCodeOfError,
  SEND_FAILURE_CODES,
  UNAVAILABLE_RETRY_AFTER_IN_SECONDS,
  VERIFY_FAILURE_CODES,
} from '../src/public-errors.js';

// The answer table is a public contract: the same failure gets the same status, code and words in
// Express, Passport and NextAuth. Pinned entry by entry, so a change to it is a deliberate one.
describe('public answer table', () => {
  it('every code, its status and its message', () => {
    expect(
      Object.fromEntries(
        Object.entries(PUBLIC_ERROR_STATUS).map(([code, status]) => [
          code,
          [status, PUBLIC_ERROR_MESSAGES[code as keyof typeof PUBLIC_ERROR_MESSAGES]],
        ]),
      ),
    ).toEqual({
      INVALID_REQUEST: [400, 'The request is not valid.'],
      MALFORMED_BODY: [400, 'The request body could not be read.'],
      PAYLOAD_TOO_LARGE: [413, 'The request body is too large.'],
      UNSUPPORTED_MEDIA_TYPE: [415, 'Send the request as JSON or as a form.'],
      METHOD_NOT_ALLOWED: [405, 'The request is not valid.'],
      INVALID_PHONE: [400, 'Enter a valid mobile number.'],
      INVALID_CODE: [401, 'That code is not right, or it has expired.'],
      ACCESS_DENIED: [401, 'This number cannot sign in here.'],
      NOT_VERIFIED: [401, 'Sign in with your mobile number first.'],
      INVALID_CREDENTIALS: [401, 'The username or password is not right.'],
      SESSION_EXPIRED: [401, 'Your session has ended. Please sign in again.'],
      CROSS_SITE_REQUEST: [403, 'Requests from other sites are not allowed.'],
      SESSION_NOT_FOUND: [404, 'That session is not active.'],
      RATE_LIMITED: [429, 'Too many requests. Please wait and try again.'],
      LOCKED: [429, 'Too many wrong codes. Please wait and try again.'],
      SESSION_REQUIRED: [500, 'Something went wrong on our side.'],
      DELIVERY_FAILED: [502, 'The code could not be delivered. Try again, or choose a voice call.'],
      SERVICE_UNAVAILABLE: [503, 'The service is unavailable. Please try again later.'],
    });
    expect(Object.keys(PUBLIC_ERROR_MESSAGES)).toEqual(Object.keys(PUBLIC_ERROR_STATUS));
  });

  it('the code of each engine refusal', () => {
    expect(SEND_FAILURE_CODES).toEqual({
      invalid_request: 'INVALID_REQUEST',
      invalid_phone: 'INVALID_PHONE',
      rate_limited: 'RATE_LIMITED',
      unavailable: 'SERVICE_UNAVAILABLE',
    });
    expect(VERIFY_FAILURE_CODES).toEqual({
      invalid_request: 'INVALID_REQUEST',
      invalid_code: 'INVALID_CODE',
      locked: 'LOCKED',
    });
    expect(UNAVAILABLE_RETRY_AFTER_IN_SECONDS).toBe(30);
  });

  it('the tables cannot be changed at run time', () => {
    for (const table of [
      PUBLIC_ERROR_STATUS,
      PUBLIC_ERROR_MESSAGES,
      SEND_FAILURE_CODES,
      VERIFY_FAILURE_CODES,
    ]) {
      expect(Object.isFrozen(table)).toBe(true);
    }
  });

  it('DELIVERY_FAILED only for a TingTingAuthError whose code is exactly DELIVERY_FAILED', () => {
    expect(publicCodeOfError(new DeliveryFailedError())).toBe('DELIVERY_FAILED');
    for (const error of [
      { code: 'DELIVERY_FAILED' },
      null,
      'DELIVERY_FAILED',
      { code: 'delivery_failed' },
      { code: 'DELIVERY_FAILED ' },
      {},
      new Error('DELIVERY_FAILED'),
    ]) {
      expect(publicCodeOfError(error)).toBe('SERVICE_UNAVAILABLE');
    }
  });
});
