import { describe, expect, it } from 'vitest';
import { TingTingRateLimitError } from '../src/client/client-errors.js';
import { ErrorCode, isTingTingAuthError, StoreUnavailableError } from '../src/errors.js';
import { publicCodeOfError } from '../src/public-errors.js';

describe('isTingTingAuthError', () => {
  it('accepts tingting-auth errors, also from a second copy of the package', () => {
    expect(isTingTingAuthError(new StoreUnavailableError())).toBe(true);
    // A second copy has its own class but marks its errors with the same global symbol.
    const copy = Object.defineProperty(
      Object.assign(new Error('x'), { code: 'STORE_UNAVAILABLE' }),
      Symbol.for('tingting-auth.error'),
      { value: true },
    );
    expect(isTingTingAuthError(copy)).toBe(true);
  });

  it('refuses any other error that happens to carry a matching code', () => {
    const lookalike = Object.assign(new Error('x'), { code: 'DELIVERY_FAILED' });
    expect(isTingTingAuthError(lookalike)).toBe(false);
    expect(isTingTingAuthError({ code: 'STORE_UNAVAILABLE' })).toBe(false);
    expect(publicCodeOfError(lookalike)).toBe('SERVICE_UNAVAILABLE');
  });

  it('TingTing throttling us has its own code, not the public RATE_LIMITED the user gets', () => {
    const options = { endpoint: 'sendOTP', status: 429, body: { errors: [] } } as never;
    expect(new TingTingRateLimitError('429', options).code).toBe(ErrorCode.TINGTING_RATE_LIMITED);
    expect(ErrorCode.TINGTING_RATE_LIMITED).not.toBe('RATE_LIMITED');
  });
});
